//! `semaphore`: at most `size` jobs at once — `asyncio.Semaphore(N)` ↔ `tokio::sync::Semaphore`.
//! The others wait for a permit in the handler, as an await: no thread is held while waiting.
use super::Entry;
use crate::data::Outcome;
use crate::data::strategy::{AtOnce, OwnThreads, Size, SizeDefault, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "semaphore",
        help: "At most `size` jobs at once (default 4; a semaphore), each offloaded to the \
               blocking pool.",
        size: Some(Size {
            means: "permits",
            default: SizeDefault::Fixed(4),
        }),
        own_threads: OwnThreads::None,
        at_once: AtOnce::Size,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-semaphore
pub async fn run(job: JobCtx) {
    let permits = job.lab.semaphore(job.spec.size);
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
