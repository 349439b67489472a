//! The wrong-loop mistake: starting a second event loop inside async code. tokio refuses
//! ("Cannot start a runtime from within a runtime"); the right way passes the running
//! runtime's `Handle` into the blocking code. And "which loop am I on?": asked from a thread
//! the runtime does not know, `Handle::try_current` says there is none.
use super::Entry;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::data::{Outcome, ThreadKind};
use crate::lab::job::JobCtx;
use crate::lab::workload::run_async;

pub const NESTED: Entry = Entry {
    info: StrategyInfo {
        name: "nested-runtime",
        help: "Build a runtime and `block_on` inside async code (it panics).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::LoopThreads,
        durable: false,
    },
    run: |job| Box::pin(nested(job)),
};

pub const HANDLE_CURRENT: Entry = Entry {
    info: StrategyInfo {
        name: "handle-current",
        help: "Pass `Handle::current()` into blocking code and `block_on` there (it works).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(handle_current(job)),
};

pub const FROM_PLAIN_THREAD: Entry = Entry {
    info: StrategyInfo {
        name: "current-from-thread",
        help: "Look up the running runtime (`Handle::try_current`) from a plain thread (none).",
        size: None,
        own_threads: OwnThreads::One,
        at_once: AtOnce::Unbounded,
        durable: false,
    },
    run: |job| Box::pin(from_plain_thread(job)),
};

pub const FROM_BLOCKING_POOL: Entry = Entry {
    info: StrategyInfo {
        name: "current-from-blocking",
        help: "Look up the running runtime (`Handle::try_current`) on the blocking pool (found).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::BlockingPool,
        durable: false,
    },
    run: |job| Box::pin(from_blocking_pool(job)),
};

// snippet:start strategy-nested-runtime
pub async fn nested(job: JobCtx) {
    job.started();
    // Like `asyncio.new_event_loop().run_until_complete(..)` inside a coroutine.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build();
    let Ok(runtime) = runtime else {
        return job.ended(Outcome::Failed, "could not build a runtime");
    };
    let runtime = DropInBackground(Some(runtime));
    if let Some(rt) = &runtime.0 {
        rt.block_on(run_async(job.spec.ms)); // panics: a runtime inside a runtime
    }
    job.finished(None);
}
// snippet:end strategy-nested-runtime

// snippet:start strategy-handle-current
pub async fn handle_current(job: JobCtx) {
    let handle = tokio::runtime::Handle::current();
    let worker = job.clone();
    job.queued();
    let done = tokio::task::spawn_blocking(move || {
        worker.started();
        // Blocking code that needs an async call drives it on the lab's own runtime.
        handle.block_on(run_async(worker.spec.ms));
        worker.finished(None);
    });
    if let Err(err) = done.await {
        job.ended_by(err);
    }
}
// snippet:end strategy-handle-current

// snippet:start strategy-which-runtime
/// Blocking code that needs an async call asks for "the runtime I am running on" — from a
/// thread the handler started itself. tokio knows nothing of that thread: `try_current` is an
/// error there (and `Handle::current()` would panic with the same words).
pub async fn from_plain_thread(job: JobCtx) {
    let worker = job.clone();
    job.queued();
    let spawned = std::thread::Builder::new()
        .name(format!("{}{}", ThreadKind::DETACHED_PREFIX, job.spec.id))
        .spawn(move || {
            let _alive = worker.lab.gauges.detached.hold();
            look_up_and_run(&worker);
        });
    if let Err(e) = spawned {
        job.ended(Outcome::Failed, format!("could not start a thread: {e}"));
    }
}

/// The same question on a `spawn_blocking` thread: the blocking pool's threads belong to the
/// runtime and carry its context, so the lookup finds it.
pub async fn from_blocking_pool(job: JobCtx) {
    let worker = job.clone();
    job.queued();
    let done = tokio::task::spawn_blocking(move || look_up_and_run(&worker));
    if let Err(err) = done.await {
        job.ended_by(err);
    }
}

fn look_up_and_run(job: &JobCtx) {
    job.started();
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.block_on(run_async(job.spec.ms));
            job.finished(None);
        }
        Err(no_runtime) => job.ended(Outcome::Failed, no_runtime.to_string()),
    }
}
// snippet:end strategy-which-runtime

/// Dropping a runtime inside async code panics too — during the first panic's unwinding that
/// would abort the process — so the lesson's runtime is shut down in the background instead.
struct DropInBackground(Option<tokio::runtime::Runtime>);

impl Drop for DropInBackground {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}
