//! `spawn-blocking`: the workload goes to tokio's blocking pool and the handler awaits it — the
//! tokio form of `run_in_threadpool`, `asyncio.to_thread` and `run_in_executor(None, …)`.
//! Other strategies offload through [`offload`] too (semaphore, background, pipeline).
use crate::lab::job::JobCtx;
use crate::lab::workload::Workload;

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
        let (outcome, message) = super::describe_join_error(err);
        job.ended(outcome, message);
    }
}
// snippet:end strategy-spawn-blocking
