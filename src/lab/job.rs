//! Jobs: what the user triggers (a workload run through a strategy) and the lifecycle events
//! every offload path reports itself (tokio's hooks cannot see inside a plain thread or a child).
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use super::LabEvent;
use super::strategy::Strategy;
use super::workload::Workload;
use crate::clock::Clock;

pub type JobId = u64;
/// One press of an action key (or one `blocklab run`): the jobs it submitted share it.
pub type RunId = u64;

#[derive(Clone, Debug, PartialEq)]
pub struct JobSpec {
    pub id: JobId,
    pub run: RunId,
    pub workload: Workload,
    pub strategy: Strategy,
    /// How long the workload lasts (sleep or wait), or how much CPU work it does (calibrated).
    pub ms: u64,
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
    /// Handed to a pool and waiting for a thread.
    Queued,
    Started {
        thread: String,
        kind: ThreadKind,
        /// The tokio task id, when the job runs as a task (for poll-hook attribution).
        task: Option<u64>,
    },
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
    Lost,
    Running,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Cancelled => "cancelled",
            Outcome::Lost => "lost",
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
    /// A thread of tokio's blocking pool (`spawn_blocking`).
    BlockingPool,
    Other,
}

impl ThreadKind {
    pub const LOOP_PREFIX: &'static str = "lab-loop";
    pub const WORKER_PREFIX: &'static str = "lab-worker-";
    pub const BLOCKING_PREFIX: &'static str = "lab-blocking-";

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
        } else {
            ThreadKind::Other
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ThreadKind::EventLoop => "event-loop",
            ThreadKind::BlockingPool => "blocking-pool",
            ThreadKind::Other => "other",
        }
    }
}

/// What a strategy holds while it runs a job: the spec and a way to report its lifecycle.
#[derive(Clone)]
pub struct JobCtx {
    pub spec: JobSpec,
    clock: Clock,
    events: UnboundedSender<LabEvent>,
}

impl JobCtx {
    pub fn new(spec: JobSpec, clock: Clock, events: UnboundedSender<LabEvent>) -> Self {
        Self {
            spec,
            clock,
            events,
        }
    }

    fn emit(&self, kind: JobEventKind) {
        // A closed channel means nobody watches any more (the lab is shutting down): fine.
        let _ = self.events.send(LabEvent::Job(JobEvent {
            job: self.spec.id,
            at: self.clock.now(),
            kind,
        }));
    }

    pub fn queued(&self) {
        self.emit(JobEventKind::Queued);
    }

    /// Reports the job started on the calling thread.
    pub fn started(&self) {
        let (thread, kind) = ThreadKind::of_current_thread();
        let task = tokio::task::try_id().map(crate::lab::hooks::task_id_u64);
        self.emit(JobEventKind::Started { thread, kind, task });
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
}
