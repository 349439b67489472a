//! `semaphore`: at most `size` jobs at once — `asyncio.Semaphore(N)` ↔ `tokio::sync::Semaphore`.
//! The others wait for a permit in the handler, as an await: no thread is held while waiting.
use crate::lab::job::{JobCtx, Outcome};

// snippet:start strategy-semaphore
pub async fn run(job: JobCtx) {
    let permits = job
        .lab
        .semaphore(if job.spec.size == 0 { 4 } else { job.spec.size });
    job.queued();
    let waiting = job.lab.gauges.permits_waiting.hold();
    let Ok(_permit) = permits.acquire_owned().await else {
        return job.ended(Outcome::Cancelled, "the semaphore was closed");
    };
    drop(waiting);
    // Holding a permit: now take a thread for the blocking work.
    super::offload(&job).await;
}
// snippet:end strategy-semaphore
