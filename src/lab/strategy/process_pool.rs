//! `process-pool`: the workload runs in a child process of blocklab — Python's
//! `ProcessPoolExecutor`. In Rust it buys isolation (a crash stays in the child), not
//! parallelism: threads already run CPU work in parallel.
use tokio::sync::oneshot;

use super::Entry;
use crate::data::Outcome;
use crate::data::strategy::{AtOnce, OwnThreads, Size, SizeDefault, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "process-pool",
        help: "`size` child processes of blocklab (default 2; a ProcessPoolExecutor), awaited.",
        size: Some(Size {
            means: "child processes",
            default: SizeDefault::Fixed(2),
        }),
        own_threads: OwnThreads::None,
        at_once: AtOnce::Size,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-process-pool
pub async fn run(job: JobCtx) {
    let pool = match job.lab.processes(job.spec.size) {
        Ok(pool) => pool,
        Err(e) => return job.ended(Outcome::Failed, e),
    };
    // The manager reports start and end; the handler waits for the end without a thread.
    let (done_tx, done_rx) = oneshot::channel();
    let watched = job.with_end_signal(done_tx);
    if pool.submit(Box::new(watched)).is_err() {
        return job.ended(Outcome::Cancelled, "the process pool is stopped");
    }
    let _ = done_rx.await;
}
// snippet:end strategy-process-pool
