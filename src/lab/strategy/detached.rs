//! `detached-thread`: Python's `threading.Thread(target=f, daemon=True).start()`. The handler
//! replies at once; the result has nowhere to go, and nobody waits for the thread.
use crate::lab::job::{JobCtx, Outcome, ThreadKind};

// snippet:start strategy-detached-thread
pub async fn run(job: JobCtx) {
    let worker = job.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("{}{}", ThreadKind::DETACHED_PREFIX, job.spec.id))
        .spawn(move || {
            let _alive = worker.lab.gauges.detached.hold();
            worker.started();
            // blocklab reports the end to its own timeline; the handler that started this
            // thread never hears of it, whether it worked or failed.
            worker.run_blocking_here();
        });
    if let Err(e) = spawned {
        job.ended(Outcome::Failed, format!("could not start a thread: {e}"));
    }
    // Returning here sends the reply; the JoinHandle is dropped: the thread is on its own.
}
// snippet:end strategy-detached-thread
