//! `thread-pool`: a pool of `size` threads that the lab builds once and reuses — Python's
//! `ThreadPoolExecutor(max_workers=N)` with `loop.run_in_executor(pool, f)`. Without a size it
//! has as many threads as Python's default executor would on the lab's cores.
use tokio::sync::oneshot;

use super::Entry;
use crate::data::Outcome;
use crate::data::strategy::{AtOnce, OwnThreads, Size, SizeDefault, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "thread-pool",
        help: "A pool of `size` threads built once per lab (a ThreadPoolExecutor), awaited; \
               default: Python's min(32, cores + 4).",
        size: Some(Size {
            means: "pool threads",
            default: SizeDefault::PythonExecutor,
        }),
        own_threads: OwnThreads::None,
        at_once: AtOnce::Size,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-thread-pool
pub async fn run(job: JobCtx) {
    let pool = match job.lab.pool(job.spec.size) {
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
