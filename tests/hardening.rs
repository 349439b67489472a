//! blocklab in front of an audience: the real binary in a pseudo-terminal, ended every way it
//! can be ended, crashed on purpose, killed, flooded and squeezed. The terminal must come back
//! whole, no child process may outlive it, and quitting stays quick under any load.
mod pty;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use pty::Tui;

/// These tests load the machine (thousands of threads, busy children): one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Presses of a held-down action key in the flood test.
const PRESSES: usize = 10_000;
const STRESS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stress");

fn temp_log(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("blocklab-{name}-{}.log", std::process::id()))
}

/// Processes whose parent is `pid`.
fn children_of(pid: libc::pid_t) -> Vec<libc::pid_t> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<libc::pid_t>() else {
            continue;
        };
        if stat_field(child, 1).and_then(|p| p.parse().ok()) == Some(pid) {
            out.push(child);
        }
    }
    out
}

/// Field `n` after the command name of /proc/PID/stat (0: state, 1: parent pid).
fn stat_field(pid: libc::pid_t, n: usize) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(n).map(str::to_string)
}

/// Alive and not a zombie.
fn alive(pid: libc::pid_t) -> bool {
    stat_field(pid, 0).is_some_and(|state| state != "Z")
}

/// A field of /proc/PID/status, as a number ("Threads", "VmRSS" in kB).
fn status_number(pid: libc::pid_t, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn all_gone(pids: &[libc::pid_t], within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if pids.iter().all(|p| !alive(*p)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn every_way_out_restores_the_terminal_and_the_exit_code_says_which() {
    let _turn = turn();
    enum How {
        Keys(&'static str),
        Signal(libc::c_int),
    }
    let cases = [
        ("q", How::Keys("q"), 0),
        ("Esc", How::Keys("\x1b"), 0),
        ("Ctrl-C", How::Keys("\x03"), 130),
        ("help open, then q", How::Keys("?q"), 0),
        ("SIGINT", How::Signal(libc::SIGINT), 130),
        ("SIGTERM", How::Signal(libc::SIGTERM), 143),
        ("SIGHUP", How::Signal(libc::SIGHUP), 129),
    ];
    for (name, how, code) in cases {
        let mut tui = Tui::start(&[], 100, 30);
        tui.wait_for("Event-loop lag", Duration::from_secs(10));
        match how {
            How::Keys(keys) => tui.press(keys),
            How::Signal(signal) => tui.signal(signal),
        }
        let status = tui.wait_exit(Duration::from_secs(3));
        assert_eq!(status.exit_code(), code, "{name}: {status:?}");
        tui.assert_restored();
    }
}

#[test]
fn a_panic_of_the_ui_thread_restores_the_terminal_before_it_reports() {
    let _turn = turn();
    let mut tui = Tui::start_with_env(&[], &[("BLOCKLAB_FAULT", "ui-panic")], 100, 30);
    let status = tui.wait_exit(Duration::from_secs(10));
    assert_eq!(status.exit_code(), 101, "a panic's exit code: {status:?}");
    tui.assert_restored();
    // The message lands on the normal screen, after the restore.
    let text = tui.text();
    assert!(
        text.contains("BLOCKLAB_FAULT=ui-panic: a panic on the UI thread"),
        "{text}"
    );
}

#[test]
fn a_panicking_job_is_a_failed_job_not_a_crash() {
    let _turn = turn();
    let log = temp_log("job-panic");
    let _ = std::fs::remove_file(&log);
    let mut tui = Tui::start(
        &[
            "--lesson",
            "fire-and-forget",
            "--log",
            log.to_str().unwrap(),
        ],
        120,
        40,
    );
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.press("2"); // a job that panics on a detached thread
    tui.wait_for("expectations held", Duration::from_secs(10));
    tui.press("t"); // the job table
    let screen = tui.wait_for("panicked: ", Duration::from_secs(5));
    assert!(screen.contains("failed"), "{screen}");
    {
        let parser = tui.screen.lock().unwrap();
        assert!(
            parser.screen().alternate_screen(),
            "the app is still on its screen"
        );
    }
    // Nothing printed over the TUI: no panic report on screen (it goes to the log).
    assert!(!screen.contains("thread '"), "{screen}");
    assert!(!screen.contains("RUST_BACKTRACE"), "{screen}");
    tui.press("?");
    let help = tui.wait_for("Log: ", Duration::from_secs(3));
    assert!(
        help.contains(log.file_name().unwrap().to_str().unwrap()),
        "{help}"
    );
    tui.press("xq");
    assert_eq!(tui.wait_exit(Duration::from_secs(3)).exit_code(), 0);
    tui.assert_restored();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("job failed on purpose"), "log:\n{logged}");
    let _ = std::fs::remove_file(&log);
}

#[test]
fn no_child_outlives_blocklab_even_under_sigkill() {
    let _turn = turn();
    let mut tui = Tui::start(&["--lessons", STRESS], 120, 40);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.press("1"); // everything busy, four children among it
    tui.wait_for("child processes: 4 busy", Duration::from_secs(10));
    let children = children_of(tui.pid());
    assert_eq!(children.len(), 4, "children: {children:?}");
    tui.signal(libc::SIGKILL);
    tui.wait_exit(Duration::from_secs(3));
    assert!(
        all_gone(&children, Duration::from_secs(3)),
        "children alive after SIGKILL: {:?}",
        children.iter().filter(|p| alive(**p)).collect::<Vec<_>>()
    );
}

#[test]
fn quit_under_full_load_returns_the_shell_in_under_a_second() {
    let _turn = turn();
    // Wide enough for the whole "Own pools" line.
    let mut tui = Tui::start(&["--lessons", STRESS], 200, 40);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    // 1000 blocking jobs in flight, 20 detached sleepers, a saturated pool, busy children.
    tui.press("1");
    tui.wait_for("child processes: 4 busy", Duration::from_secs(10));
    tui.wait_for("20 detached threads", Duration::from_secs(5));
    tui.wait_for("4 threads: 4 busy, 46 queued", Duration::from_secs(5));
    if cfg!(tokio_unstable) {
        tui.wait_for("512 busy", Duration::from_secs(5));
    }
    let children = children_of(tui.pid());
    let threads = status_number(tui.pid(), "Threads").unwrap();
    assert!(threads > 530, "the load is on: {threads} threads");

    let start = Instant::now();
    tui.press("q");
    let status = tui.wait_exit(Duration::from_secs(5));
    // `wait_exit` lets the output settle for 200 ms after the exit; that is not quit time.
    let quit = start.elapsed() - Duration::from_millis(200);
    eprintln!("quit under load ({threads} threads, 4 busy children): {quit:?}");
    assert!(quit < Duration::from_secs(1), "quit took {quit:?}");
    assert_eq!(status.exit_code(), 0);
    tui.assert_restored();
    assert!(
        all_gone(&children, Duration::from_secs(1)),
        "children outlived a quit"
    );
}

#[test]
fn tiny_terminals_and_a_storm_of_resizes() {
    let _turn = turn();
    let mut tui = Tui::start(&[], 1, 1);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(tui.child.try_wait().unwrap().is_none(), "died at 1×1");
    // A storm: 400 sizes from 1×1 to 220×70, no pause between them.
    let mut seed = 0x2545_f491_u32;
    for _ in 0..400 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let (cols, rows) = (1 + (seed % 220) as u16, 1 + ((seed >> 8) % 70) as u16);
        tui.resize(cols, rows);
    }
    for (cols, rows) in [(2, 2), (10, 3), (79, 23), (80, 23), (1, 40)] {
        tui.resize(cols, rows);
        std::thread::sleep(Duration::from_millis(100));
    }
    tui.resize(79, 24);
    tui.wait_for("terminal too small (need 80×24", Duration::from_secs(3));
    tui.resize(80, 24);
    tui.wait_for("Event-loop lag", Duration::from_secs(3));
    assert!(tui.child.try_wait().unwrap().is_none(), "died in the storm");
    tui.press("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(3)).exit_code(), 0);
    tui.assert_restored();
}

#[test]
fn holding_an_action_key_down_floods_neither_the_lab_nor_the_ui() {
    let _turn = turn();
    let mut tui = Tui::start(&["--lesson", "spawn-blocking"], 120, 40);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    let pid = tui.pid();
    // 10,000 presses of "1" (one 200 ms blocking sleep each), as fast as the pty takes them,
    // while a sampler watches blocklab's threads and memory.
    let rss_at_start = status_number(pid, "VmRSS").unwrap();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let on = sampling.clone();
        std::thread::spawn(move || {
            let (mut threads, mut rss) = (0, 0);
            while on.load(std::sync::atomic::Ordering::Relaxed) {
                threads = threads.max(status_number(pid, "Threads").unwrap_or(0));
                rss = rss.max(status_number(pid, "VmRSS").unwrap_or(0));
                std::thread::sleep(Duration::from_millis(20));
            }
            (threads, rss)
        })
    };
    let keys = "1".repeat(PRESSES);
    for chunk in keys.as_bytes().chunks(500) {
        tui.press(std::str::from_utf8(chunk).unwrap());
    }
    // One experiment runs at a time, and a key pressed while its own run is queued or running
    // adds nothing: the lab sees one job.
    let screen = tui.wait_for("spawn-blocking: 1 done", Duration::from_secs(10));
    assert!(!screen.contains("#2 "), "a second job ran:\n{screen}");
    // …and the UI still takes keys and redraws.
    let asked = Instant::now();
    tui.press("?");
    tui.wait_for("Help — keys", Duration::from_secs(2));
    let help_after = asked.elapsed();
    tui.press("x");
    tui.wait_gone("Help — keys", Duration::from_secs(2));
    std::thread::sleep(Duration::from_secs(2));
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let (threads, rss) = sampler.join().unwrap();
    eprintln!(
        "flood: help drawn {help_after:?} after its key; peak {threads} threads; \
         RSS {rss_at_start} kB at start, peak {rss} kB"
    );
    // blocklab's own threads (UI, input, observer, two labs and their runtimes while one
    // retires, clients, log) and a few blocking-pool threads: no thread per press.
    assert!(threads <= 48, "{threads} threads");
    assert!(rss < 256 * 1024, "peak RSS {rss} kB");
    let start = Instant::now();
    tui.press("q");
    tui.wait_exit(Duration::from_secs(5));
    let quit = start.elapsed() - Duration::from_millis(200);
    assert!(quit < Duration::from_secs(1), "quit took {quit:?}");
    tui.assert_restored();
}
