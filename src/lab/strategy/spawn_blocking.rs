//! `spawn-blocking`: the workload goes to tokio's blocking pool and the handler awaits it — the
//! tokio form of `run_in_threadpool`, `asyncio.to_thread` and `run_in_executor(None, …)`.
//! Other strategies offload through [`offload`] too (semaphore, background, pipeline).
use super::Entry;
use crate::data::Workload;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "spawn-blocking",
        help: "Hand the workload to tokio's blocking pool and await it.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-spawn-blocking
pub async fn run(job: JobCtx) {
    if job.spec.workload == Workload::Async {
        // Nothing to offload: an async wait is simply awaited.
        return super::inline::run(job).await;
    }
    offload(&job).await;
}

/// Runs the job's workload on a blocking-pool thread; the handler awaits it without a thread.
pub async fn offload(job: &JobCtx) {
    job.queued();
    let worker = job.clone();
    let handle = tokio::task::spawn_blocking(move || {
        // On a blocking-pool thread: the event loop goes on serving while this runs.
        worker.started();
        worker.run_blocking_here();
    });
    if let Err(err) = handle.await {
        job.ended_by(err);
    }
}
// snippet:end strategy-spawn-blocking

pub const FUTURE: Entry = Entry {
    info: StrategyInfo {
        name: "spawn-blocking-future",
        help: "The mistake: hand spawn_blocking a closure that returns an async block; the \
               future comes back unpolled and the work never runs.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(run_future(job)),
};

// snippet:start strategy-spawn-blocking-future
/// The mistake: the closure returns an async block. `spawn_blocking` runs the closure on a
/// pool thread, which only *builds* the future, and hands it back unpolled. It compiles
/// (the types fit), and dropping the future drops the work: nothing ever ran it.
pub async fn run_future(job: JobCtx) {
    let worker = job.clone();
    let handle = tokio::task::spawn_blocking(move || async move {
        worker.started();
        worker.run_blocking_here();
    });
    match handle.await {
        Ok(unpolled) => {
            drop(unpolled); // a future does nothing until it is polled
            job.ended(Outcome::Lost, T::JobFutureNeverPolled);
        }
        Err(err) => job.ended_by(err),
    }
}
// snippet:end strategy-spawn-blocking-future

// Imported below the snippets, so the line numbers the lessons show for them stay as they are.
use crate::data::Outcome;
use crate::text::T;
