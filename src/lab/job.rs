//! Jobs: what the user triggers (a workload run through a strategy) and the lifecycle events
//! every offload path reports itself (tokio's hooks cannot see inside a plain thread or a child).
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::oneshot;

use super::LabEvent;
use super::shared::Shared;
use super::strategy::Strategy;
use super::workload::Workload;

pub type JobId = u64;
/// One press of an action key (or one `blocklab run`): the jobs it submitted share it.
pub type RunId = u64;

/// Job ids are unique for the whole process, across lab restarts, so a timeline that spans a
/// restart never mixes two jobs up.
pub fn next_id() -> JobId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What to run, and how. Plain data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Work {
    pub workload: Workload,
    pub strategy: Strategy,
    /// How long the workload lasts (sleep or wait), or how much CPU work it does (calibrated).
    pub ms: u64,
    /// The strategy's size, where it has one: pool threads, permits, processes, chunk length in
    /// ms. 0 means the strategy's default.
    pub size: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    pub id: JobId,
    pub run: RunId,
    /// The lab it was submitted to.
    pub lab: u64,
    pub workload: Workload,
    pub strategy: Strategy,
    pub ms: u64,
    pub size: u32,
}

impl JobSpec {
    pub fn new(id: JobId, run: RunId, work: Work, lab: u64) -> Self {
        Self {
            id,
            run,
            lab,
            workload: work.workload,
            strategy: work.strategy,
            ms: work.ms,
            size: work.size,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobEvent {
    pub job: JobId,
    pub at: Duration,
    pub kind: JobEventKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JobEventKind {
    Submitted(JobSpec),
    /// Handed to a pool (or waiting for a permit) and waiting for a thread.
    Queued,
    Started {
        thread: String,
        kind: ThreadKind,
        /// The tokio task id, when the job runs as a task (for poll-hook attribution).
        task: Option<u64>,
    },
    /// The handler sent its response (for fire-and-forget work, before the work is done).
    Replied,
    Finished {
        outcome: Outcome,
        /// CPU time the job's thread spent on it, when it ran on one thread.
        cpu: Option<Duration>,
        error: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Failed,
    Cancelled,
    /// Its task was dropped with a stopping runtime: the work is gone.
    Lost,
    /// Still running on a thread nobody waits for any more (a stopped lab cannot kill a
    /// thread): its result has nowhere to go, and the process's exit ends it.
    Abandoned,
    Running,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Lost => "lost",
            Outcome::Abandoned => "abandoned",
            Outcome::Running => "running",
        }
    }
}

/// Where a job's code ran, read from the thread's name (the lab names every thread it makes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreadKind {
    /// The thread that drives the event loop (current-thread) or one of its workers.
    EventLoop,
    /// A worker that handed its queue to another thread to block in place (`block_in_place`).
    HandedOff,
    /// A thread of tokio's blocking pool (`spawn_blocking`).
    BlockingPool,
    /// A thread of a pool blocklab built itself (a `ThreadPoolExecutor`).
    Dedicated,
    /// A thread started for one job and never joined.
    Detached,
    /// A child process.
    Process,
    Other,
}

impl ThreadKind {
    pub const LOOP_PREFIX: &'static str = "lab-loop";
    pub const WORKER_PREFIX: &'static str = "lab-worker-";
    pub const BLOCKING_PREFIX: &'static str = "lab-blocking-";
    pub const POOL_PREFIX: &'static str = "pool-";
    pub const DETACHED_PREFIX: &'static str = "detached-";
    pub const PROCESS_PREFIX: &'static str = "child-";

    pub fn of_current_thread() -> (String, ThreadKind) {
        let name = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        let kind = Self::of_name(&name);
        (name, kind)
    }

    pub fn of_name(name: &str) -> ThreadKind {
        if name.starts_with(Self::LOOP_PREFIX) || name.starts_with(Self::WORKER_PREFIX) {
            ThreadKind::EventLoop
        } else if name.starts_with(Self::BLOCKING_PREFIX) {
            ThreadKind::BlockingPool
        } else if name.starts_with(Self::POOL_PREFIX) {
            ThreadKind::Dedicated
        } else if name.starts_with(Self::DETACHED_PREFIX) {
            ThreadKind::Detached
        } else if name.starts_with(Self::PROCESS_PREFIX) {
            ThreadKind::Process
        } else {
            ThreadKind::Other
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ThreadKind::EventLoop => "event-loop",
            ThreadKind::HandedOff => "handed-off",
            ThreadKind::BlockingPool => "blocking-pool",
            ThreadKind::Dedicated => "dedicated",
            ThreadKind::Detached => "detached",
            ThreadKind::Process => "process",
            ThreadKind::Other => "other",
        }
    }
}

/// What a strategy holds while it runs a job: the spec, the lab's shared parts, and a way to
/// report the job's lifecycle.
#[derive(Clone)]
pub struct JobCtx {
    pub spec: JobSpec,
    pub lab: Arc<Shared>,
    /// Told when the job ends, for a handler that waits on work it handed to another thread.
    on_end: Option<Arc<Mutex<Option<oneshot::Sender<()>>>>>,
}

impl JobCtx {
    pub fn new(spec: JobSpec, lab: Arc<Shared>) -> Self {
        Self {
            spec,
            lab,
            on_end: None,
        }
    }

    /// The same job with another length (one step of a longer request).
    pub fn with_ms(&self, ms: u64) -> JobCtx {
        JobCtx {
            spec: JobSpec {
                ms,
                ..self.spec.clone()
            },
            ..self.clone()
        }
    }

    /// The same job, which also sends on `done` when it ends.
    pub fn with_end_signal(&self, done: oneshot::Sender<()>) -> JobCtx {
        JobCtx {
            on_end: Some(Arc::new(Mutex::new(Some(done)))),
            ..self.clone()
        }
    }

    fn emit(&self, kind: JobEventKind) {
        let ends = matches!(kind, JobEventKind::Finished { .. });
        // A closed channel means nobody watches any more (the lab is gone): fine.
        let event = JobEvent {
            job: self.spec.id,
            at: self.lab.clock.now(),
            kind,
        };
        let _ = self.lab.events.send(LabEvent::Job(event));
        if ends {
            self.lab.gauges.admission.release(self.spec.id);
        }
        if ends && let Some(signal) = self.on_end.as_ref().and_then(|s| s.lock().ok()?.take()) {
            let _ = signal.send(());
        }
    }

    pub fn queued(&self) {
        self.emit(JobEventKind::Queued);
    }

    /// Reports the job started on the calling thread.
    pub fn started(&self) {
        let (thread, kind) = ThreadKind::of_current_thread();
        self.started_on(thread, kind);
    }

    /// Reports the job started somewhere named explicitly (a handed-off worker, a child).
    pub fn started_on(&self, thread: String, kind: ThreadKind) {
        let task = tokio::task::try_id().map(crate::lab::hooks::task_id_u64);
        self.emit(JobEventKind::Started { thread, kind, task });
    }

    pub fn replied(&self) {
        self.emit(JobEventKind::Replied);
    }

    pub fn finished(&self, cpu: Option<Duration>) {
        self.emit(JobEventKind::Finished {
            outcome: Outcome::Ok,
            cpu,
            error: None,
        });
    }

    pub fn ended(&self, outcome: Outcome, error: impl Into<String>) {
        self.emit(JobEventKind::Finished {
            outcome,
            cpu: None,
            error: Some(error.into()),
        });
    }

    /// Runs the blocking workload here and reports the end, ok or failed (a panic is caught
    /// and reported, then the thread goes on).
    pub fn run_blocking_here(&self) {
        let workload = self.spec.workload;
        let ms = self.spec.ms;
        match std::panic::catch_unwind(move || workload.run_blocking(ms)) {
            Ok(cpu) => self.finished(cpu),
            Err(payload) => self.ended(
                Outcome::Failed,
                format!("panicked: {}", super::strategy::panic_message(&*payload)),
            ),
        }
    }
}

/// Jobs to submit together, `after` the first submission of their action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Batch {
    pub work: Work,
    pub jobs: usize,
    pub after: Duration,
}

/// How long to wait for an action's jobs to end before calling them overdue: every job one
/// after another, twice over, plus two seconds (a job whose end nobody reports never ends).
pub fn patience(batches: &[Batch]) -> Duration {
    let last = batches.iter().map(|b| b.after).max().unwrap_or_default();
    let serial: u64 = batches.iter().map(|b| b.work.ms * b.jobs as u64).sum();
    last + Duration::from_millis(2 * serial) + Duration::from_secs(2)
}

/// A load test: one job per request, at each rate in turn for one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    /// Requests per second, one step each.
    pub rates: Vec<u32>,
    pub step: Duration,
}

impl Load {
    /// The requests of every step, evenly spaced (open loop: on schedule, whatever the server
    /// does).
    pub fn batches(&self, work: Work) -> Vec<Batch> {
        let mut out = Vec::new();
        for (i, &rate) in self.rates.iter().enumerate() {
            let start = self.step * i as u32;
            let count = (u64::from(rate) * self.step.as_millis() as u64 / 1000).max(1);
            let gap = self.step / count as u32;
            out.extend((0..count).map(|k| Batch {
                work,
                jobs: 1,
                after: start + gap * k as u32,
            }));
        }
        out
    }
}
