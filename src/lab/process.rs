//! A process pool — Python's `ProcessPoolExecutor` — made of children of blocklab itself
//! (`blocklab worker`, no other binary). One manager thread starts them, hands out work over
//! their stdin, reads results from their stdout, and restarts a child that dies.
//!
//! Children die with blocklab however it ends: `PR_SET_PDEATHSIG` (tied to the thread that
//! forked them, hence one long-lived manager thread), and they also exit when their stdin
//! reaches end-of-file. They get their own process group (no terminal Ctrl-C) and no stderr,
//! so they never write over the TUI.
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use super::cpus::CpuSet;
use super::gauges::Gauges;
use super::workload;
use crate::data::{JobId, Outcome, Workload};

/// What a child is asked to run.
pub struct Order {
    pub id: JobId,
    pub workload: Workload,
    pub ms: u64,
}

/// A job the pool runs: what to send the child, and how to report what became of it.
pub trait ProcessJob: Send {
    fn order(&self) -> Order;
    fn queued(&self);
    fn started(&self, pid: u32);
    fn finished(&self, cpu: Option<Duration>);
    fn ended(&self, outcome: Outcome, error: String);
}

type Job = Box<dyn ProcessJob>;

enum Msg {
    Run(Job),
    Line {
        slot: usize,
        generation: u64,
        line: String,
    },
    Closed {
        slot: usize,
        generation: u64,
    },
    Stop,
}

pub struct ProcessPool {
    tx: Sender<Msg>,
}

struct Slot {
    child: Child,
    stdin: ChildStdin,
    generation: u64,
    job: Option<Job>,
}

impl ProcessPool {
    /// Starts the manager thread and `size` children; fails if a child cannot start.
    pub fn start(size: usize, gauges: Arc<Gauges>, cpus: CpuSet) -> std::io::Result<ProcessPool> {
        let (tx, rx) = channel();
        let (ready_tx, ready_rx) = channel();
        let to_manager = tx.clone();
        std::thread::Builder::new()
            .name("process-manager".into())
            .spawn(move || {
                // Children inherit this thread's CPU mask (and die with it: PDEATHSIG).
                cpus.pin_this_thread();
                let mut slots = Vec::new();
                for i in 0..size.max(1) {
                    match spawn_child(i, 0, &to_manager, &gauges) {
                        Ok(slot) => slots.push(slot),
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    }
                }
                let _ = ready_tx.send(Ok(()));
                manage(slots, rx, to_manager, gauges);
            })?;
        ready_rx
            .recv()
            .map_err(|_| std::io::Error::other(T::JobProcessManagerEnded.text()))??;
        Ok(ProcessPool { tx })
    }

    pub fn submit(&self, job: Job) -> Result<(), Job> {
        self.tx.send(Msg::Run(job)).map_err(|e| match e.0 {
            Msg::Run(job) => job,
            _ => unreachable!("sent a Run"),
        })
    }

    pub fn stop(&self) {
        let _ = self.tx.send(Msg::Stop);
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `blocklab worker`, ready to spawn: work in on stdin, answers on stdout, no stderr, its own
/// process group.
fn worker_command() -> std::io::Result<Command> {
    use std::os::unix::process::CommandExt;
    // `/proc/self/exe` still works if the binary was rebuilt while running.
    let exe = if cfg!(target_os = "linux") {
        "/proc/self/exe".into()
    } else {
        std::env::current_exe()?
    };
    let mut command = Command::new(exe);
    command
        .arg("worker")
        .env("BLOCKLAB_PARENT", std::process::id().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0);
    Ok(command)
}

// snippet:start process-per-task
/// One new process for one job, as `multiprocessing.Process(target=f).start()` per task: start
/// a child, hand it the job, close its stdin (so it exits once done) and wait for its answer.
/// The calling thread waits the whole time, so the child dies with it (PDEATHSIG).
pub fn run_in_new_child(job: &dyn ProcessJob, gauges: &Gauges) {
    let mut child = match worker_command().and_then(|mut c| c.spawn()) {
        Ok(child) => child,
        Err(e) => return job.ended(Outcome::Failed, format!("could not start a process: {e}")),
    };
    let (_alive, _busy) = (gauges.children.hold(), gauges.children_busy.hold());
    job.started(child.id());
    let Order { id, workload, ms } = job.order();
    let order = format!(
        "{id} {} {ms} {}\n",
        workload.as_str(),
        workload::rounds_for(ms)
    );
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(order.as_bytes()); // dropped here: end of input
    }
    let mut answer = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = BufReader::new(stdout).read_line(&mut answer);
    }
    let status = child.wait().map(describe).unwrap_or_else(|e| e.to_string());
    match answer.split_whitespace().collect::<Vec<_>>()[..] {
        [_, "ok", cpu] => job.finished(cpu.parse().ok().map(Duration::from_micros)),
        _ => job.ended(Outcome::Failed, died(&status)),
    }
}
// snippet:end process-per-task

fn spawn_child(
    slot: usize,
    generation: u64,
    to_manager: &Sender<Msg>,
    gauges: &Gauges,
) -> std::io::Result<Slot> {
    let mut child = worker_command()?.spawn()?;
    gauges.children.up();
    let stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let tx = to_manager.clone();
    std::thread::Builder::new()
        .name(format!("child-reader-{slot}"))
        .spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx
                    .send(Msg::Line {
                        slot,
                        generation,
                        line,
                    })
                    .is_err()
                {
                    return;
                }
            }
            let _ = tx.send(Msg::Closed { slot, generation });
        })?;
    Ok(Slot {
        child,
        stdin,
        generation,
        job: None,
    })
}

fn manage(
    mut slots: Vec<Slot>,
    rx: std::sync::mpsc::Receiver<Msg>,
    to_manager: Sender<Msg>,
    gauges: Arc<Gauges>,
) {
    let mut waiting: VecDeque<Job> = VecDeque::new();
    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::Run(job) => {
                job.queued();
                waiting.push_back(job);
            }
            Msg::Line {
                slot,
                generation,
                line,
            } => {
                let s = &mut slots[slot];
                if s.generation == generation
                    && let Some(job) = s.job.take()
                {
                    gauges.children_busy.down();
                    let cpu = line
                        .split_whitespace()
                        .nth(2)
                        .and_then(|v| v.parse().ok())
                        .map(Duration::from_micros);
                    job.finished(cpu);
                }
            }
            Msg::Closed { slot, generation } => {
                if slots[slot].generation != generation {
                    continue;
                }
                // The child died: its job failed, the pool goes on with a new child.
                let status = slots[slot]
                    .child
                    .wait()
                    .map(describe)
                    .unwrap_or_else(|e| e.to_string());
                gauges.children.down();
                if let Some(job) = slots[slot].job.take() {
                    gauges.children_busy.down();
                    job.ended(Outcome::Failed, died(&status));
                }
                match spawn_child(slot, generation + 1, &to_manager, &gauges) {
                    Ok(fresh) => slots[slot] = fresh,
                    Err(e) => {
                        tracing::error!("could not restart a child process: {e}");
                        break;
                    }
                }
            }
            Msg::Stop => break,
        }
        dispatch(&mut slots, &mut waiting, &gauges);
        publish(&slots, &gauges);
    }
    for job in waiting {
        job.ended(Outcome::Cancelled, T::JobProcessPoolStopped.into());
    }
    if let Ok(mut list) = gauges.child_list.lock() {
        list.clear();
    }
    for mut s in slots {
        let _ = s.child.kill();
        let _ = s.child.wait();
        gauges.children.down();
    }
}

// snippet:start process-dispatch
/// Gives waiting jobs to idle children: one line on the child's stdin per job.
fn dispatch(slots: &mut [Slot], waiting: &mut VecDeque<Job>, gauges: &Gauges) {
    for slot in slots.iter_mut().filter(|s| s.job.is_none()) {
        let Some(job) = waiting.pop_front() else {
            return;
        };
        let Order { id, workload, ms } = job.order();
        // The child hashes as many rounds as the CPU part takes here (all of `cpu`, half of
        // `mixed`).
        let rounds = workload::rounds_for(workload.split(ms).1);
        let order = format!("{id} {} {ms} {rounds}\n", workload.as_str());
        if slot
            .stdin
            .write_all(order.as_bytes())
            .and_then(|_| slot.stdin.flush())
            .is_err()
        {
            waiting.push_front(job); // the child is dying; its `Closed` will replace it
            continue;
        }
        job.started(slot.child.id());
        gauges.children_busy.up();
        slot.job = Some(job);
    }
}
// snippet:end process-dispatch

// Imported below the snippet, so the line numbers the lessons show for it stay as they are.
use crate::text::T;

/// Each child and whether it is busy, for the Pools pane.
fn publish(slots: &[Slot], gauges: &Gauges) {
    if let Ok(mut list) = gauges.child_list.lock() {
        *list = slots
            .iter()
            .map(|s| (s.child.id(), s.job.is_some()))
            .collect();
    }
}

/// Why a job failed when its child died.
fn died(status: &str) -> String {
    T::JobChildDied.fill(&[("status", &status)])
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => T::ChildExitCode.fill(&[("code", &code)]),
        (_, Some(6)) => T::ChildKilledBySigabrt.into(),
        (_, Some(9)) => T::ChildKilledBySigkill.into(),
        (_, Some(sig)) => T::ChildKilledBySignal.fill(&[("signal", &sig)]),
        _ => status.to_string(),
    }
}

/// `blocklab worker`: the child's side. Reads `id workload ms rounds` lines, runs each, answers
/// `id ok cpu_µs`. A `panic` job crashes the whole child, as a segfault in a C extension would.
pub fn child_main() -> std::process::ExitCode {
    die_with_parent();
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [id, workload, ms, rounds] = parts[..] else {
            continue;
        };
        let (ms, rounds): (u64, u64) = (ms.parse().unwrap_or(0), rounds.parse().unwrap_or(0));
        let cpu0 = workload::thread_cpu_time();
        match workload.parse::<Workload>() {
            Ok(Workload::Cpu) => {
                std::hint::black_box(workload::hash_chain(rounds));
            }
            Ok(Workload::Panic) => {
                std::thread::sleep(Duration::from_millis(ms));
                std::process::abort();
            }
            Ok(Workload::Query) => {
                std::hint::black_box(workload::run_query(ms));
            }
            Ok(Workload::Mixed) => {
                std::thread::sleep(Duration::from_millis(Workload::Mixed.split(ms).0));
                std::hint::black_box(workload::hash_chain(rounds));
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(ms)),
            Err(_) => continue,
        }
        let cpu = match (workload::thread_cpu_time(), cpu0) {
            (Some(b), Some(a)) => b.saturating_sub(a).as_micros(),
            _ => 0,
        };
        if writeln!(stdout, "{id} ok {cpu}")
            .and_then(|_| stdout.flush())
            .is_err()
        {
            break;
        }
    }
    std::process::ExitCode::SUCCESS
}

/// Dies with the parent: the kernel sends SIGKILL when the forking thread's process goes.
fn die_with_parent() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with PR_SET_PDEATHSIG and a signal number has no memory effects.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        // The parent may have died before prctl: then we were re-parented already.
        let expected = std::env::var("BLOCKLAB_PARENT")
            .ok()
            .and_then(|p| p.parse::<i32>().ok());
        // SAFETY: getppid cannot fail.
        if expected.is_some_and(|p| p != unsafe { libc::getppid() }) {
            std::process::exit(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lesson 11 says a child started with `std::process::Command` inherits none of the
    /// server's sockets (Rust opens them close-on-exec). A listening socket is open here while
    /// a child, started as the workers are, lists the descriptors it got.
    #[test]
    #[cfg(target_os = "linux")]
    fn a_child_inherits_no_socket_of_the_parent() {
        use std::os::unix::process::CommandExt;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let out = Command::new("sh")
            .args(["-c", "for f in /proc/self/fd/*; do readlink \"$f\"; done"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .output()
            .unwrap();
        let seen = String::from_utf8_lossy(&out.stdout);
        assert!(
            seen.contains("pipe:"),
            "the child listed its descriptors: {seen}"
        );
        assert!(
            !seen.contains("socket:"),
            "a socket leaked into the child: {seen}"
        );
        drop(listener);
    }
}
