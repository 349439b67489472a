//! The wrong-loop mistake: starting a second event loop inside async code. tokio refuses
//! ("Cannot start a runtime from within a runtime"); the right way passes the running
//! runtime's `Handle` into the blocking code.
use crate::lab::job::{JobCtx, Outcome};
use crate::lab::workload::Workload;

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
        rt.block_on(Workload::run_async(job.spec.ms)); // panics: a runtime inside a runtime
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
        handle.block_on(Workload::run_async(worker.spec.ms));
        worker.finished(None);
    });
    if let Err(err) = done.await {
        let (outcome, message) = super::describe_join_error(err);
        job.ended(outcome, message);
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
