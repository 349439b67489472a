//! `block-in-place`: tokio-only. On a multi-thread runtime the worker hands its queue to another
//! thread and then blocks in place; on a current-thread runtime there is no other thread to
//! hand to, and tokio panics — the handler's task fails and the lab goes on.
use crate::lab::job::{JobCtx, ThreadKind};

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
