//! The lab's side of the durable queue: the process's queue file (opened on first use), and
//! each lab's queue workers — threads that claim jobs from the file, run them, and record how
//! they ended.
//!
//! A lab that stops abruptly stops its workers the way a crash would: in the middle of a job,
//! recording nothing. The job keeps its row, and its lease runs out; a worker of the next lab
//! (or of the next blocklab) takes it again as attempt 2. A graceful stop lets each worker
//! finish and record the job in hand first.
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::job::{JobCtx, next_id};
use super::shared::Shared;
use crate::data::{
    JobEvent, JobEventKind, JobSpec, LabEvent, Outcome, Shutdown, ThreadKind, Workload,
};
use crate::queue::{Claimed, LEASE, Store, unix_ms};
use crate::text::T;

/// The queue file this process uses, opened on first use.
pub struct QueueFile {
    pub path: PathBuf,
    /// A file of this process's own, removed when it ends (`run` and `check`).
    temporary: bool,
    store: OnceLock<Result<Arc<Store>, String>>,
}

static FILE: OnceLock<QueueFile> = OnceLock::new();

/// Chooses the process's queue file (once, before any lab starts): `path`, or with `None` a
/// temporary file of its own.
pub fn choose(path: Option<PathBuf>) {
    let _ = FILE.set(path.map_or_else(QueueFile::temporary, |path| QueueFile {
        path,
        temporary: false,
        store: OnceLock::new(),
    }));
}

/// The process's queue file (a temporary one, if none was chosen).
pub fn file() -> &'static QueueFile {
    FILE.get_or_init(QueueFile::temporary)
}

impl QueueFile {
    fn temporary() -> QueueFile {
        QueueFile {
            path: std::env::temp_dir().join(format!("blocklab-queue-{}.sqlite3", owner())),
            temporary: true,
            store: OnceLock::new(),
        }
    }

    /// The open store, or why the file cannot be used (said once, the same each time).
    pub fn store(&self) -> Result<Arc<Store>, String> {
        self.store
            .get_or_init(|| Store::open(&self.path).map(Arc::new))
            .clone()
    }

    /// Removes a temporary queue file (with SQLite's `-wal` and `-shm` beside it).
    pub fn remove_if_temporary(&self) {
        if self.temporary {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = self.path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }
}

/// This process, as the queue's rows name it: a job submitted here keeps its id when a worker
/// of this process takes it again.
pub fn owner() -> &'static str {
    static OWNER: OnceLock<String> = OnceLock::new();
    OWNER.get_or_init(|| format!("{}-{}", std::process::id(), unix_ms()))
}

/// Workers waiting for work wake when a job is pushed.
static WAKE: (Mutex<u64>, Condvar) = (Mutex::new(0), Condvar::new());

pub fn wake_workers() {
    let (pushed, cv) = &WAKE;
    *pushed.lock().unwrap_or_else(|e| e.into_inner()) += 1;
    cv.notify_all();
}

/// A lab's queue workers.
pub struct Workers {
    /// No more claims (a graceful stop).
    closing: Arc<AtomicBool>,
    /// Stop now, mid-job, recording nothing (a crash).
    killed: Arc<AtomicBool>,
    alive: Arc<(Mutex<usize>, Condvar)>,
}

impl Workers {
    /// Starts `n` workers named `pool-queue-{i}` on the lab's cores.
    pub fn start(lab: &Arc<Shared>, store: Arc<Store>, n: usize) -> std::io::Result<Workers> {
        let workers = Workers {
            closing: Arc::new(AtomicBool::new(false)),
            killed: Arc::new(AtomicBool::new(false)),
            alive: Arc::new((Mutex::new(0), Condvar::new())),
        };
        for i in 0..n.max(1) {
            let name = format!("{}queue-{i}", ThreadKind::POOL_PREFIX);
            let me = Worker {
                name: format!("{}/{}/{name}", owner(), lab.lab_id),
                lab: lab.clone(),
                store: store.clone(),
                closing: workers.closing.clone(),
                killed: workers.killed.clone(),
            };
            let alive = workers.alive.clone();
            *alive.0.lock().unwrap_or_else(|e| e.into_inner()) += 1;
            std::thread::Builder::new().name(name).spawn(move || {
                me.lab.cpus.pin_this_thread();
                {
                    let _thread = me.lab.gauges.pool_threads.hold();
                    me.work();
                }
                // Let go of the lab before saying this worker is gone.
                drop(me);
                let (count, gone) = &*alive;
                *count.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
                gone.notify_all();
            })?;
        }
        Ok(workers)
    }

    /// Stops the workers as the lab's shutdown says; returns once they are gone (bounded).
    pub fn stop(&self, how: Shutdown) {
        let wait = match how {
            Shutdown::Graceful => Duration::from_secs(10),
            Shutdown::Abrupt | Shutdown::None => {
                self.killed.store(true, Ordering::Relaxed);
                Duration::from_secs(1)
            }
        };
        self.closing.store(true, Ordering::Relaxed);
        wake_workers();
        let (count, gone) = &*self.alive;
        let deadline = Instant::now() + wait;
        let mut left = count.lock().unwrap_or_else(|e| e.into_inner());
        while *left > 0 {
            let Some(rest) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            left = gone
                .wait_timeout(left, rest)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

struct Worker {
    /// Unique across processes and labs: the lease's owner.
    name: String,
    lab: Arc<Shared>,
    store: Arc<Store>,
    closing: Arc<AtomicBool>,
    killed: Arc<AtomicBool>,
}

/// How one attempt went.
enum Attempt {
    Done(Option<Duration>),
    Failed(String),
    /// The lab was killed, or another worker holds the job now: nothing is recorded.
    Dropped,
}

/// A worker checks its stop flag and its lease this often while a job runs.
const SLICE: Duration = Duration::from_millis(5);

impl Worker {
    // snippet:start queue-worker
    /// Claim the oldest job, run it while renewing the lease, record how it ended; when there
    /// is nothing to claim, wait for a push or for a lease to run out.
    fn work(&self) {
        while !self.closing.load(Ordering::Relaxed) {
            match self.store.claim(&self.name, unix_ms(), LEASE) {
                Ok(Some(claimed)) => self.run(claimed),
                Ok(None) => self.wait_for_work(),
                Err(e) => {
                    tracing::warn!("{e}");
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
        }
    }

    fn run(&self, claimed: Claimed) {
        let job = self.job_for(&claimed);
        job.started();
        let (ok, result) = match self.attempt(&claimed, &job) {
            Attempt::Dropped => return, // the lease runs out; the job will run again
            Attempt::Done(cpu) => (Ok(cpu), "done".to_string()),
            Attempt::Failed(why) => (Err(why.clone()), why),
        };
        // The result is recorded before the job counts as ended: committed, or not at all.
        match self
            .store
            .finish(claimed.task, &self.name, ok.is_ok(), &result, unix_ms())
        {
            Ok(true) => match ok {
                Ok(cpu) => job.finished(cpu),
                Err(why) => job.ended(Outcome::Failed, why),
            },
            Ok(false) => {} // our lease ran out meanwhile: another worker has it now
            Err(e) => job.ended(Outcome::Failed, e),
        }
    }
    // snippet:end queue-worker

    /// Runs the job's workload here in short slices, renewing the lease as it goes.
    fn attempt(&self, claimed: &Claimed, job: &JobCtx) -> Attempt {
        let (workload, ms) = (job.spec.workload, job.spec.ms);
        let started = Instant::now();
        let total = Duration::from_millis(ms);
        let cpu0 = super::workload::thread_cpu_time();
        let mut renewed = Instant::now();
        loop {
            if self.killed.load(Ordering::Relaxed) {
                return Attempt::Dropped;
            }
            if renewed.elapsed() >= LEASE / 4 {
                match self.store.renew(claimed.task, &self.name, unix_ms(), LEASE) {
                    Ok(true) => renewed = Instant::now(),
                    Ok(false) | Err(_) => return Attempt::Dropped,
                }
            }
            let left = total.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            let slice = left.min(SLICE);
            match workload {
                Workload::Query => {
                    std::hint::black_box(super::workload::run_query(
                        slice.as_millis().max(1) as u64
                    ));
                }
                Workload::Cpu => {
                    std::hint::black_box(super::workload::hash_chain(super::workload::rounds_for(
                        slice.as_millis().max(1) as u64,
                    )));
                }
                // The wait first, then the CPU part, slice by slice.
                Workload::Mixed => {
                    let waited = started.elapsed();
                    let wait = Duration::from_millis(workload.split(ms).0);
                    if waited < wait {
                        std::thread::sleep(slice.min(wait - waited));
                    } else {
                        std::hint::black_box(super::workload::hash_chain(
                            super::workload::rounds_for(slice.as_millis().max(1) as u64),
                        ));
                    }
                }
                Workload::Sleep | Workload::Async | Workload::Panic => std::thread::sleep(slice),
            }
        }
        if workload == Workload::Panic {
            let message = T::JobFailedOnPurpose.fill(&[("ms", &ms)]);
            return Attempt::Failed(T::JobPanicked.fill(&[("message", &message)]));
        }
        let cpu = super::workload::thread_cpu_time()
            .zip(cpu0)
            .map(|(b, a)| b.saturating_sub(a));
        Attempt::Done(cpu)
    }

    /// The job a claimed row stands for: the same job when this process submitted it, else a
    /// new one here ("from the queue file"), so the timeline shows it.
    fn job_for(&self, claimed: &Claimed) -> JobCtx {
        let workload = claimed.job.workload.parse().unwrap_or(Workload::Sleep);
        let strategy = super::strategy::named(super::strategy::durable::NAME);
        let same_process = claimed.job.owner == owner();
        let spec = JobSpec {
            id: if same_process {
                claimed.job.job
            } else {
                next_id()
            },
            run: if same_process { claimed.job.run } else { 0 },
            lab: self.lab.lab_id,
            workload,
            strategy,
            ms: claimed.job.ms,
            size: 0,
        };
        if !same_process {
            let event = JobEvent {
                job: spec.id,
                at: self.lab.clock.now(),
                kind: JobEventKind::Submitted(spec.clone()),
            };
            self.lab.book.note(&event);
            let _ = self.lab.events.send(LabEvent::Job(event));
        }
        self.lab.book.set_task(spec.id, claimed.task);
        JobCtx::new(spec, self.lab.clone())
    }

    /// Until a push, a lease running out, or a quarter second (another process may push).
    fn wait_for_work(&self) {
        let expiry = self.store.next_expiry().ok().flatten();
        let mut wait = Duration::from_millis(250);
        if let Some(at) = expiry {
            let until = (at - unix_ms()).max(0) as u64 + 1;
            wait = wait.min(Duration::from_millis(until));
        }
        let (pushed, cv) = &WAKE;
        let seen = pushed.lock().unwrap_or_else(|e| e.into_inner());
        let before = *seen;
        let _ = cv
            .wait_timeout_while(seen, wait, |n| *n == before)
            .unwrap_or_else(|e| e.into_inner());
    }
}
