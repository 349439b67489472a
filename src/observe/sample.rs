//! Samples: the plain data the observer hands to the model. No tokio or ratatui types.
use std::time::Duration;

pub use crate::lab::gauges::GaugeSample;
pub use crate::lab::hooks::{LongPoll, WorkerPoll};
use crate::lab::job::JobEvent;

#[derive(Clone, Debug, PartialEq)]
pub enum Sample {
    /// A ping sent at `sent` waited `lag` for the event loop.
    Lag {
        sent: Duration,
        lag: Duration,
    },
    /// A background request sent at `sent` got its reply `latency` later.
    Request {
        sent: Duration,
        latency: Duration,
    },
    Job(JobEvent),
    /// The live picture, from the observer's side: valid even while the lab is frozen.
    Watch(Watch),
    Runtime(RuntimeSample),
    LongPoll(LongPoll),
    /// A lab shut down (its unfinished jobs end as lost or cancelled).
    LabStopped {
        lab: u64,
        at: Duration,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Watch {
    pub at: Duration,
    /// Send time of the oldest ping the lab has not answered yet.
    pub oldest_unanswered: Option<Duration>,
    /// Per-worker poll in progress (poll hooks); `None` when built without `tokio_unstable`.
    pub workers: Option<Vec<WorkerPoll>>,
}

#[derive(Clone, Debug, PartialEq)]
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
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
