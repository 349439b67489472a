//! A job in the lab: its spec, the lab's shared parts, and the way it reports its own lifecycle
//! (tokio's hooks cannot see inside a plain thread or a child, so every offload path reports
//! submitted → queued → started on thread X → finished itself).
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::process::{Order, ProcessJob};
use super::shared::Shared;
use crate::data::{JobEvent, JobEventKind, JobId, JobSpec, LabEvent, Outcome, ThreadKind};
use crate::text::T;

/// Job ids are unique for the whole process, across lab restarts, so a timeline that spans a
/// restart never mixes two jobs up.
pub fn next_id() -> JobId {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What a strategy holds while it runs a job: the spec, the lab's shared parts, and a way to
/// report the job's lifecycle.
#[derive(Clone)]
pub struct JobCtx {
    pub spec: JobSpec,
    pub lab: Arc<Shared>,
    /// Told when the job ends, for a handler that waits on work it handed to another thread.
    on_end: Option<Arc<Mutex<Option<oneshot::Sender<()>>>>>,
}

impl JobCtx {
    pub fn new(spec: JobSpec, lab: Arc<Shared>) -> Self {
        Self {
            spec,
            lab,
            on_end: None,
        }
    }

    /// The same job with another length (one step of a longer request).
    pub fn with_ms(&self, ms: u64) -> JobCtx {
        JobCtx {
            spec: JobSpec {
                ms,
                ..self.spec.clone()
            },
            ..self.clone()
        }
    }

    /// The same job, which also sends on `done` when it ends.
    pub fn with_end_signal(&self, done: oneshot::Sender<()>) -> JobCtx {
        JobCtx {
            on_end: Some(Arc::new(Mutex::new(Some(done)))),
            ..self.clone()
        }
    }

    fn emit(&self, kind: JobEventKind) {
        let ends = matches!(kind, JobEventKind::Finished { .. });
        // A closed channel means nobody watches any more (the lab is gone): fine.
        let event = JobEvent {
            job: self.spec.id,
            at: self.lab.clock.now(),
            kind,
        };
        self.lab.book.note(&event);
        let _ = self.lab.events.send(LabEvent::Job(event));
        if ends {
            self.lab.gauges.admission.release(self.spec.id);
        }
        if ends && let Some(signal) = self.on_end.as_ref().and_then(|s| s.lock().ok()?.take()) {
            let _ = signal.send(());
        }
    }

    pub fn queued(&self) {
        self.emit(JobEventKind::Queued);
    }

    /// Reports the job started on the calling thread.
    pub fn started(&self) {
        let (thread, kind) = ThreadKind::of_current_thread();
        self.started_on(thread, kind);
    }

    /// Reports the job started somewhere named explicitly (a handed-off worker, a child).
    pub fn started_on(&self, thread: String, kind: ThreadKind) {
        let task = tokio::task::try_id().map(crate::lab::hooks::task_id_u64);
        self.emit(JobEventKind::Started { thread, kind, task });
    }

    pub fn replied(&self) {
        self.emit(JobEventKind::Replied);
    }

    pub fn finished(&self, cpu: Option<Duration>) {
        self.emit(JobEventKind::Finished {
            outcome: Outcome::Ok,
            cpu,
            error: None,
        });
    }

    pub fn ended(&self, outcome: Outcome, error: impl Into<String>) {
        self.emit(JobEventKind::Finished {
            outcome,
            cpu: None,
            error: Some(error.into()),
        });
    }

    /// Ends the job as its task did: cancelled, or failed with the panic's message.
    pub fn ended_by(&self, err: tokio::task::JoinError) {
        if err.is_cancelled() {
            return self.ended(Outcome::Cancelled, T::JobCancelled);
        }
        let message = T::JobPanicked.fill(&[("message", &panic_message(&*err.into_panic()))]);
        self.ended(Outcome::Failed, message);
    }

    /// Runs the blocking workload here and reports the end, ok or failed (a panic is caught
    /// and reported, then the thread goes on).
    pub fn run_blocking_here(&self) {
        let (workload, ms) = (self.spec.workload, self.spec.ms);
        match std::panic::catch_unwind(move || super::workload::run_blocking(workload, ms)) {
            Ok(cpu) => self.finished(cpu),
            Err(payload) => self.ended(
                Outcome::Failed,
                T::JobPanicked.fill(&[("message", &panic_message(&*payload))]),
            ),
        }
    }
}

/// A job reports to the process pool's manager like any other path.
impl ProcessJob for JobCtx {
    fn order(&self) -> Order {
        Order {
            id: self.spec.id,
            workload: self.spec.workload,
            ms: self.spec.ms,
        }
    }
    fn queued(&self) {
        JobCtx::queued(self);
    }
    fn started(&self, pid: u32) {
        self.started_on(ThreadKind::process(pid), ThreadKind::Process);
    }
    fn finished(&self, cpu: Option<Duration>) {
        JobCtx::finished(self, cpu);
    }
    fn ended(&self, outcome: Outcome, error: String) {
        JobCtx::ended(self, outcome, error);
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| T::JobPanickedSilently.into())
}
