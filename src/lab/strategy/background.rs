//! Background work after the response — FastAPI's `BackgroundTasks` — in four forms: run on
//! the loop, offloaded, unwatched, and one after another as FastAPI runs them.
use super::Entry;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "background",
        help: "Reply first, then run the workload inline in a spawned task (watched).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::LoopThreads,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

pub const OFFLOADED: Entry = Entry {
    info: StrategyInfo {
        name: "background-offloaded",
        help: "Reply first, then offload the workload to the blocking pool (watched).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(run_offloaded(job)),
};

pub const UNWATCHED: Entry = Entry {
    info: StrategyInfo {
        name: "background-unwatched",
        help: "Reply first, then spawn the work and drop its handle: nobody hears how it ended.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::LoopThreads,
        durable: false,
    },
    run: |job| Box::pin(run_unwatched(job)),
};

pub const SEQUENTIAL: Entry = Entry {
    info: StrategyInfo {
        name: "background-sequential",
        help: "Reply first, then run the run's jobs one after another, offloaded (FastAPI's order).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::One,
        durable: false,
    },
    run: |job| Box::pin(run_sequential(job)),
};

// snippet:start strategy-background
/// Reply now; the work runs afterwards in its own task, on the loop. A blocking workload there
/// freezes the loop for everyone — after the response went out. A supervisor awaits the task,
/// so a panic ends the job as failed, with its message.
pub async fn run(job: JobCtx) {
    let worker = job.clone();
    let task = tokio::spawn(async move { super::inline::run(worker).await });
    tokio::spawn(watch(task, job));
}

/// Reply now; the work goes to the blocking pool afterwards (FastAPI's sync `def` tasks).
pub async fn run_offloaded(job: JobCtx) {
    let worker = job.clone();
    let task = tokio::spawn(async move { super::offload(&worker).await });
    tokio::spawn(watch(task, job));
}

async fn watch(task: tokio::task::JoinHandle<()>, job: JobCtx) {
    if let Err(err) = task.await {
        job.ended_by(err);
    }
}
// snippet:end strategy-background

// snippet:start strategy-background-unwatched
/// Reply now; spawn the work and drop its handle. If it panics, tokio catches the panic after
/// the panic hook has run (blocklab's hook writes it to the log; the default one prints it to
/// stderr) — and no error reaches the handler or blocklab's timeline.
pub async fn run_unwatched(job: JobCtx) {
    tokio::spawn(async move {
        job.started();
        let (workload, ms) = (job.spec.workload, job.spec.ms);
        let cpu = if workload.blocks_thread() {
            crate::lab::workload::run_blocking(workload, ms)
        } else {
            None
        };
        job.finished(cpu); // never reached if the workload panics
    });
}
// snippet:end strategy-background-unwatched

// snippet:start strategy-background-sequential
/// Reply now; the run's jobs then go one after another, each offloaded — the order FastAPI
/// gives the background tasks of one response.
pub async fn run_sequential(job: JobCtx) {
    let turn = job.lab.run_lock(job.spec.run);
    job.queued();
    tokio::spawn(async move {
        let _mine = turn.lock().await; // FIFO: jobs of the run take turns in submit order
        super::offload(&job).await;
    });
}
// snippet:end strategy-background-sequential
