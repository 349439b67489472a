//! `process-pool`: the workload runs in a child process of blocklab — Python's
//! `ProcessPoolExecutor`. In Rust it buys isolation (a crash stays in the child), not
//! parallelism: threads already run CPU work in parallel.
use tokio::sync::oneshot;

use crate::lab::job::{JobCtx, Outcome};

// snippet:start strategy-process-pool
pub async fn run(job: JobCtx) {
    let size = if job.spec.size == 0 { 2 } else { job.spec.size };
    let pool = match job.lab.processes(size) {
        Ok(pool) => pool,
        Err(e) => return job.ended(Outcome::Failed, e),
    };
    // The manager reports start and end; the handler waits for the end without a thread.
    let (done_tx, done_rx) = oneshot::channel();
    let watched = job.with_end_signal(done_tx);
    if pool.submit(watched).is_err() {
        return job.ended(Outcome::Cancelled, "the process pool is stopped");
    }
    let _ = done_rx.await;
}
// snippet:end strategy-process-pool
