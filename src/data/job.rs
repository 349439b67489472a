//! Jobs: what the user triggers (a workload run through a strategy), and the lifecycle events
//! every offload path reports itself (tokio's hooks cannot see inside a plain thread or a child).
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::strategy::Strategy;
use super::thread::ThreadKind;
use super::workload::Workload;

pub type JobId = u64;
/// One press of an action key (or one `blocklab run`): the jobs it submitted share it.
pub type RunId = u64;

/// What to run, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Work {
    pub workload: Workload,
    pub strategy: Strategy,
    /// How long the workload lasts (sleep or wait), or how much CPU work it does (calibrated).
    pub ms: u64,
    /// The strategy's size, where it has one: pool threads, permits, processes, slice length
    /// in ms. 0 means the strategy's default.
    pub size: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSpec {
    pub id: JobId,
    pub run: RunId,
    /// The lab it was submitted to.
    pub lab: u64,
    pub workload: Workload,
    pub strategy: Strategy,
    pub ms: u64,
    /// The size the job really uses (the strategy's default filled in; 0 when it has none).
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobEvent {
    pub job: JobId,
    pub at: Duration,
    pub kind: JobEventKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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

/// How a job ended — the one vocabulary the timeline, the panes, the report and the
/// expectations share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Failed,
    /// Never started: refused, or its pool or lab stopped first.
    Cancelled,
    /// Its task was dropped with a stopping runtime: the work is gone.
    Lost,
    /// Still running on a thread nobody waits for any more (a stopped lab cannot kill a
    /// thread): its result has nowhere to go, and the process's exit ends it.
    Abandoned,
    Running,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Ok,
        Outcome::Failed,
        Outcome::Cancelled,
        Outcome::Lost,
        Outcome::Abandoned,
        Outcome::Running,
    ];

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

/// A load test: HTTP requests to the lab's front door, each a job, at each rate in turn for
/// one step.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    /// Requests per second, one step each.
    pub rates: Vec<u32>,
    pub step: Duration,
}

impl Load {
    /// How long a load test may take before it is overdue: every step, each waiting up to
    /// its requests' timeout, twice over, plus ten seconds.
    pub fn patience(&self, timeout: Duration) -> Duration {
        (self.step + timeout) * 2 * self.rates.len() as u32 + Duration::from_secs(10)
    }
}
