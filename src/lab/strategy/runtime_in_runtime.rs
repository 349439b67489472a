//! The wrong-loop mistake: starting a second event loop inside async code. tokio refuses
//! ("Cannot start a runtime from within a runtime"); the right way passes the running
//! runtime's `Handle` into the blocking code.
use super::Entry;
use crate::data::Outcome;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
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
