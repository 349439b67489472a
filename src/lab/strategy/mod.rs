//! Strategies: how a job's workload is run from an async handler on the lab.
//!
//! Each strategy is one small module with `async fn run(job: JobCtx)`. It runs inside a fresh
//! task on the lab (the "request handler"; the handler replies when `run` returns) and reports
//! the job's lifecycle through the `JobCtx`. To add one: a module, a variant with its name and
//! a line of help, and an arm in [`Strategy::run`].
use std::str::FromStr;

use serde::Serialize;

use super::job::{JobCtx, Outcome};

mod background;
mod block_in_place;
mod chunked;
mod detached;
mod inline;
mod lifespan;
mod pipeline;
mod pool_per_request;
mod process_pool;
mod runtime_in_runtime;
mod semaphore;
mod spawn_blocking;
mod thread_pool;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Run the workload right inside the async handler, on the event loop.
    Inline,
    /// CPU work inline, but yielding to the loop every `size` ms (default 5).
    Chunked,
    /// Hand the workload to tokio's blocking pool and await it.
    SpawnBlocking,
    /// `block_in_place`: block this worker after handing its queue to another thread.
    BlockInPlace,
    /// A pool of `size` threads built once per lab (`ThreadPoolExecutor`), awaited.
    ThreadPool,
    /// A new pool of `size` threads built inside the handler for each request.
    PoolPerRequest,
    /// A plain thread started per job and never joined; the handler replies at once.
    DetachedThread,
    /// `size` child processes of blocklab (`ProcessPoolExecutor`), awaited.
    ProcessPool,
    /// At most `size` jobs at once (a semaphore), each offloaded to the blocking pool.
    Semaphore,
    /// Reply first, then run the workload inline in a spawned task (watched).
    Background,
    /// Reply first, then offload the workload to the blocking pool (watched).
    BackgroundOffloaded,
    /// Reply first, then spawn the work and drop its handle: nobody hears how it ended.
    BackgroundUnwatched,
    /// Reply first, then run the run's jobs one after another, offloaded (FastAPI's order).
    BackgroundSequential,
    /// Upload (await) → the workload inline on the loop → write (await).
    PipelineInline,
    /// Upload (await) → the workload offloaded to the blocking pool → write (await).
    PipelineOffloaded,
    /// Submit to the lab's lifespan pool, reply with the job id at once; the status comes later.
    LifespanPool,
    /// Build a runtime and `block_on` inside async code (it panics).
    NestedRuntime,
    /// Pass `Handle::current()` into blocking code and `block_on` there (it works).
    HandleCurrent,
}

impl Strategy {
    pub const ALL: [Strategy; 18] = [
        Strategy::Inline,
        Strategy::Chunked,
        Strategy::SpawnBlocking,
        Strategy::BlockInPlace,
        Strategy::ThreadPool,
        Strategy::PoolPerRequest,
        Strategy::DetachedThread,
        Strategy::ProcessPool,
        Strategy::Semaphore,
        Strategy::Background,
        Strategy::BackgroundOffloaded,
        Strategy::BackgroundUnwatched,
        Strategy::BackgroundSequential,
        Strategy::PipelineInline,
        Strategy::PipelineOffloaded,
        Strategy::LifespanPool,
        Strategy::NestedRuntime,
        Strategy::HandleCurrent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Inline => "inline",
            Strategy::Chunked => "chunked",
            Strategy::SpawnBlocking => "spawn-blocking",
            Strategy::BlockInPlace => "block-in-place",
            Strategy::ThreadPool => "thread-pool",
            Strategy::PoolPerRequest => "pool-per-request",
            Strategy::DetachedThread => "detached-thread",
            Strategy::ProcessPool => "process-pool",
            Strategy::Semaphore => "semaphore",
            Strategy::Background => "background",
            Strategy::BackgroundOffloaded => "background-offloaded",
            Strategy::BackgroundUnwatched => "background-unwatched",
            Strategy::BackgroundSequential => "background-sequential",
            Strategy::PipelineInline => "pipeline-inline",
            Strategy::PipelineOffloaded => "pipeline-offloaded",
            Strategy::LifespanPool => "lifespan-pool",
            Strategy::NestedRuntime => "nested-runtime",
            Strategy::HandleCurrent => "handle-current",
        }
    }

    pub async fn run(self, job: JobCtx) {
        match self {
            Strategy::Inline => inline::run(job).await,
            Strategy::Chunked => chunked::run(job).await,
            Strategy::SpawnBlocking => spawn_blocking::run(job).await,
            Strategy::BlockInPlace => block_in_place::run(job).await,
            Strategy::ThreadPool => thread_pool::run(job).await,
            Strategy::PoolPerRequest => pool_per_request::run(job).await,
            Strategy::DetachedThread => detached::run(job).await,
            Strategy::ProcessPool => process_pool::run(job).await,
            Strategy::Semaphore => semaphore::run(job).await,
            Strategy::Background => background::run(job).await,
            Strategy::BackgroundOffloaded => background::run_offloaded(job).await,
            Strategy::BackgroundUnwatched => background::run_unwatched(job).await,
            Strategy::BackgroundSequential => background::run_sequential(job).await,
            Strategy::PipelineInline => pipeline::run(job, false).await,
            Strategy::PipelineOffloaded => pipeline::run(job, true).await,
            Strategy::LifespanPool => lifespan::run(job).await,
            Strategy::NestedRuntime => runtime_in_runtime::nested(job).await,
            Strategy::HandleCurrent => runtime_in_runtime::handle_current(job).await,
        }
    }
}

impl FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Strategy::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown strategy `{s}` (allowed: {})",
                    Strategy::ALL.map(|w| w.as_str()).join(", ")
                )
            })
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panicked".into())
}

/// The outcome and message of a task that panicked or was cancelled, for the timeline.
pub fn describe_join_error(err: tokio::task::JoinError) -> (Outcome, String) {
    if err.is_cancelled() {
        return (Outcome::Cancelled, "cancelled".into());
    }
    (
        Outcome::Failed,
        format!("panicked: {}", panic_message(&*err.into_panic())),
    )
}

pub use spawn_blocking::offload;

/// Threads one `pool-per-request` job starts.
pub fn pool_per_request_size(size: u32) -> usize {
    pool_per_request::size(size) as usize
}
