//! `thread-pool`: a pool of `size` threads that the lab builds once and reuses — Python's
//! `ThreadPoolExecutor(max_workers=N)` with `loop.run_in_executor(pool, f)`.
use tokio::sync::oneshot;

use crate::lab::job::{JobCtx, Outcome};

/// Pool size when the action gives none (Python's `min(32, cores + 4)` on this machine).
pub const DEFAULT_SIZE: u32 = 6;

// snippet:start strategy-thread-pool
pub async fn run(job: JobCtx) {
    let size = if job.spec.size == 0 {
        DEFAULT_SIZE
    } else {
        job.spec.size
    };
    let pool = match job.lab.pool(size) {
        Ok(pool) => pool,
        Err(e) => return job.ended(Outcome::Failed, format!("could not start the pool: {e}")),
    };
    run_on(&pool, &job).await;
}

/// Queues the job on `pool` and awaits its end without holding the loop.
pub async fn run_on(pool: &crate::lab::pool::ThreadPool, job: &JobCtx) {
    let (done_tx, done_rx) = oneshot::channel();
    let worker = job.clone();
    job.queued();
    let queued = pool.submit(Box::new(move |cancelled| {
        if cancelled {
            worker.ended(Outcome::Cancelled, "cancelled: the pool shut down");
        } else {
            worker.started();
            worker.run_blocking_here();
        }
        let _ = done_tx.send(());
    }));
    if queued.is_err() {
        return job.ended(Outcome::Cancelled, "the pool is shut down");
    }
    let _ = done_rx.await;
}
// snippet:end strategy-thread-pool
