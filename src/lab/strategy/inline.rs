//! `inline`: the workload runs in the async handler itself — Python's `time.sleep` or a CPU loop
//! inside an `async def` route.
use crate::lab::job::JobCtx;
use crate::lab::workload::Workload;

// snippet:start strategy-inline
pub async fn run(job: JobCtx) {
    job.started();
    match job.spec.workload {
        // An await: the handler gives the thread back to the loop while it waits.
        Workload::Async => {
            Workload::run_async(job.spec.ms).await;
            job.finished(None);
        }
        // A blocking call, right here on the event-loop thread: until it returns, this loop
        // polls no other task — no request, no timer, nothing.
        _ => job.run_blocking_here(),
    }
}
// snippet:end strategy-inline
