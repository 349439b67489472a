//! Plain data: every type that crosses a seam between the parts — what a job is, what happened
//! to it, where it ran, how the lab is set up, what the observer saw. No runtime, no terminal:
//! the model, the report, the lessons and the views read these and nothing of the lab itself.
pub mod config;
pub mod event;
pub mod job;
pub mod sample;
pub mod strategy;
pub mod sweep;
pub mod thread;
pub mod workload;

pub use config::{Flavor, LabConfig, Shutdown};
pub use event::{LabEvent, Ping};
pub use job::{Batch, JobEvent, JobEventKind, JobId, JobSpec, Load, Outcome, RunId, Work};
pub use sample::{
    BlockingPool, GaugeSample, HttpRequest, LoadResult, LongPoll, RuntimeSample, STALL_THRESHOLD,
    Sample, Watch, WorkerPoll,
};
pub use strategy::{Strategy, StrategyInfo};
pub use sweep::{Sweep, SweepStep};
pub use thread::ThreadKind;
pub use workload::Workload;
