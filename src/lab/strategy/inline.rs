//! `inline`: the workload runs in the async handler itself — Python's `time.sleep` or a CPU loop
//! inside an `async def` route.
use super::Entry;
use crate::data::Workload;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "inline",
        help: "Run the workload right inside the async handler, on the event loop.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::LoopThreads,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-inline
pub async fn run(job: JobCtx) {
    job.started();
    match job.spec.workload {
        // An await: the handler gives the thread back to the loop while it waits.
        Workload::Async => {
            crate::lab::workload::run_async(job.spec.ms).await;
            job.finished(None);
        }
        // A blocking call, right here on the event-loop thread: until it returns, this loop
        // polls no other task — no request, no timer, nothing.
        _ => job.run_blocking_here(),
    }
}
// snippet:end strategy-inline
