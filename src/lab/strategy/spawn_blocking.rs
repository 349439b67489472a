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
