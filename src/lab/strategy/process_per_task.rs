//! `background-process`: one article's fix for a blocking background task, a new process per
//! task (`multiprocessing.Process(target=f).start()`). The handler replies; then a child of
//! blocklab is started for this job alone, runs it and exits. No pool and no cap: N tasks at
//! once are N processes, and each pays for starting one.
use super::Entry;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;
use crate::lab::process::run_in_new_child;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "background-process",
        help: "Reply, then run the job in a new child process of its own (a process per task).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::Unbounded,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-background-process
pub async fn run(job: JobCtx) {
    job.queued();
    let worker = job.clone();
    // Starting a process and waiting for it are blocking calls: a blocking-pool thread does
    // both, and the loop only hears the end.
    let task = tokio::task::spawn_blocking(move || {
        run_in_new_child(&worker, &worker.lab.gauges);
    });
    tokio::spawn(async move {
        if let Err(err) = task.await {
            job.ended_by(err);
        }
    });
    // Returning sends the reply at once; the child starts on the pool thread meanwhile.
}
// snippet:end strategy-background-process
