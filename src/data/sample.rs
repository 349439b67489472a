//! Samples: the plain data the observer hands to the model.
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::job::{JobEvent, RunId};

/// A single poll (or an unanswered ping) at least this long is a stall.
pub const STALL_THRESHOLD: Duration = Duration::from_millis(10);

/// Serialized for session recordings (`record`): the names are part of that file format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Sample {
    /// A ping sent at `sent` waited `lag` for the event loop.
    Lag {
        sent: Duration,
        lag: Duration,
    },
    /// A background request due at `sent` got its reply `latency` later.
    Request {
        sent: Duration,
        latency: Duration,
    },
    Job(JobEvent),
    /// A request to the lab's HTTP front door from outside blocklab (curl, a load tool).
    Http(HttpRequest),
    /// The live picture, from the observer's side: valid even while the lab is frozen.
    Watch(Watch),
    Runtime(RuntimeSample),
    LongPoll(LongPoll),
    /// A lab started (the observer's first word about it).
    LabStarted {
        lab: u64,
        at: Duration,
    },
    /// A lab shut down (its unfinished jobs end as lost, abandoned or cancelled).
    LabStopped {
        lab: u64,
        at: Duration,
    },
    /// A load test of blocklab's own ended: what its HTTP load generator measured.
    Load(LoadResult),
}

/// A load test's figures, as `blocklab load` measured them over HTTP, for run `run`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadResult {
    pub run: RunId,
    /// When the generator ended.
    pub at: Duration,
    /// One per rate (none when the test could not run: see `error`).
    pub steps: Vec<crate::load::StepReport>,
    /// Why the test did not run at all.
    pub error: Option<String>,
}

/// A request the HTTP front door served: when it read it, how long it took inside the server
/// (the client's own wait, network included, is the client's to measure).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpRequest {
    pub status: u16,
    pub received: Duration,
    pub took: Duration,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Watch {
    pub at: Duration,
    /// Send time of the oldest ping the lab has not answered yet.
    pub oldest_unanswered: Option<Duration>,
    /// Per-worker poll in progress (poll hooks); `None` when built without `tokio_unstable`.
    pub workers: Option<Vec<WorkerPoll>>,
}

/// What one worker is doing right now, read from another thread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerPoll {
    pub worker: usize,
    pub thread: String,
    /// When the poll in progress began, or `None` when the worker is between polls.
    pub polling_since: Option<Duration>,
    pub task: Option<u64>,
}

/// A poll that held its worker at least the long-poll threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LongPoll {
    pub worker: usize,
    pub thread: String,
    pub task: u64,
    pub start: Duration,
    pub duration: Duration,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuntimeSample {
    pub at: Duration,
    pub workers: usize,
    /// Share of the last interval the workers spent busy (0..=1).
    pub busy_ratio: f64,
    /// The same, per worker.
    pub worker_busy: Vec<f64>,
    pub global_queue: usize,
    pub live_tasks: usize,
    /// tokio's blocking pool; `None` when built without `tokio_unstable`.
    pub blocking: Option<BlockingPool>,
    /// blocklab's own pools, threads and children.
    pub gauges: GaugeSample,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingPool {
    pub threads: usize,
    pub idle: usize,
    pub queue: usize,
}

impl BlockingPool {
    pub fn busy(&self) -> usize {
        self.threads.saturating_sub(self.idle)
    }
}

/// A copy of the lab's own gauges at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GaugeSample {
    pub pool_threads: usize,
    pub pool_threads_peak: usize,
    pub pool_busy: usize,
    pub pool_queued: usize,
    pub detached: usize,
    pub children: usize,
    pub children_busy: usize,
    pub permits_waiting: usize,
    /// (pid, busy) of each child process.
    pub child_list: Vec<(u32, bool)>,
    /// Jobs submitted and not yet ended.
    pub in_flight: usize,
    /// Jobs the lab refused since it started (see `lab::admission`).
    pub refused: u64,
}
