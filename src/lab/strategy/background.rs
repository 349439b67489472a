//! Background work after the response — FastAPI's `BackgroundTasks` — in five forms: run on
//! the loop, offloaded, unwatched, one after another as FastAPI runs them, and added by a
//! dependency rather than by the handler.
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

pub const FROM_DEPENDENCY: Entry = Entry {
    info: StrategyInfo {
        name: "background-dependency",
        help: "A dependency adds the work to the request's after-response list; it runs, \
               offloaded, once the handler has replied.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(run_from_dependency(job)),
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

// snippet:start strategy-background-dependency
/// One request's `BackgroundTasks`: a list that its dependencies and its handler add to, run
/// in the order added once the handler has replied (axum has no such list; a middleware that
/// runs it after `next.run(request)` is the usual way to get one).
#[derive(Default)]
pub struct AfterResponse(Vec<JobCtx>);

impl AfterResponse {
    pub fn add(&mut self, job: JobCtx) {
        self.0.push(job);
    }

    /// Called by the framework after the handler returned: each task offloaded, in turn.
    fn run_after_reply(self) {
        tokio::spawn(async move {
            for job in self.0 {
                super::offload(&job).await;
            }
        });
    }
}

/// A dependency, an audit log say: it runs before the handler and adds its own task.
fn audit(tasks: &mut AfterResponse, job: &JobCtx) {
    tasks.add(job.clone());
}

pub async fn run_from_dependency(job: JobCtx) {
    let mut tasks = AfterResponse::default();
    audit(&mut tasks, &job); // what `Depends(audit)` does before the handler's body
    // … the handler's own work, which adds nothing here …
    tasks.run_after_reply(); // spawned: it starts once this handler task has replied
}
// snippet:end strategy-background-dependency
