//! `detached-thread`: Python's `threading.Thread(target=f, daemon=True).start()`. The handler
//! replies at once; the result has nowhere to go, and nobody waits for the thread.
use super::Entry;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::data::{Outcome, ThreadKind};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "detached-thread",
        help: "A plain thread started per job and never joined; the handler replies at once.",
        size: None,
        own_threads: OwnThreads::One,
        at_once: AtOnce::Unbounded,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-detached-thread
pub async fn run(job: JobCtx) {
    let worker = job.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("{}{}", ThreadKind::DETACHED_PREFIX, job.spec.id))
        .spawn(move || {
            worker.lab.cpus.pin_this_thread();
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
