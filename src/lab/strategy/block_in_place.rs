//! `block-in-place`: tokio-only. On a multi-thread runtime the worker hands its queue to another
//! thread and then blocks in place; on a current-thread runtime there is no other thread to
//! hand to, and tokio panics — the handler's task fails and the lab goes on.
use super::Entry;
use crate::data::ThreadKind;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "block-in-place",
        help: "`block_in_place`: block this worker after handing its queue to another thread.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-block-in-place
pub async fn run(job: JobCtx) {
    tokio::task::block_in_place(|| {
        // This thread is no longer an event-loop worker: another thread took its queue.
        let (thread, _) = ThreadKind::of_current_thread();
        job.started_on(thread, ThreadKind::HandedOff);
        job.run_blocking_here();
    });
}
// snippet:end strategy-block-in-place
