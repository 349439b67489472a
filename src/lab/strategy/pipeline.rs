//! A mixed pipeline: upload (async I/O) → a CPU step → write (async I/O), with the middle step
//! inline on the loop or offloaded to the blocking pool.
use std::time::Duration;

use super::Entry;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;

pub const INLINE: Entry = Entry {
    info: StrategyInfo {
        name: "pipeline-inline",
        help: "Upload (await) → the workload inline on the loop → write (await).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::LoopThreads,
        durable: false,
    },
    run: |job| Box::pin(run(job, false)),
};

pub const OFFLOADED: Entry = Entry {
    info: StrategyInfo {
        name: "pipeline-offloaded",
        help: "Upload (await) → the workload offloaded to the blocking pool → write (await).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(run(job, true)),
};

// snippet:start strategy-pipeline
/// `ms` is split: a quarter awaiting the upload, half the workload, a quarter awaiting the
/// write. The job's run is the middle step; the handler replies after the write.
pub async fn run(job: JobCtx, offloaded: bool) {
    let quarter = Duration::from_millis(job.spec.ms / 4);
    tokio::time::sleep(quarter).await; // upload: async I/O, the loop is free
    let step = job.with_ms(job.spec.ms / 2);
    if offloaded {
        super::offload(&step).await; // resize: on a blocking-pool thread
    } else {
        super::inline::run(step).await; // resize: right on the event loop
    }
    tokio::time::sleep(quarter).await; // write: async I/O
}
// snippet:end strategy-pipeline
