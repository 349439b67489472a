//! The lab's book of jobs, in memory: what `GET /jobs/{id}` answers — article 004's pattern
//! (a job id at once, its status later). In memory on purpose: a restarted lab has forgotten
//! every job, which is the problem a durable queue solves.
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;

use crate::clock::ms;
use crate::data::{JobEvent, JobEventKind, JobId, Outcome};

/// Jobs remembered per lab; the oldest are forgotten first.
pub const KEEP: usize = 10_000;

/// Where a job stands, as `GET /jobs/{id}` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Submitted, not started (waiting for a thread, a permit, its turn).
    Queued,
    Running,
    /// Ended: ok, failed, cancelled, lost or abandoned.
    Ended,
}

#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub job: JobId,
    pub state: State,
    /// How it ended, once it has.
    pub outcome: Option<Outcome>,
    pub workload: &'static str,
    pub strategy: &'static str,
    pub ms: u64,
    /// On the lab's clock, in ms.
    pub submitted_ms: f64,
    pub started_ms: Option<f64>,
    pub replied_ms: Option<f64>,
    pub finished_ms: Option<f64>,
    pub thread: Option<String>,
    pub error: Option<String>,
    /// Its row in the durable queue's file (`GET /queue/{task}`), for a durable job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<i64>,
}

#[derive(Default)]
pub struct Book {
    inner: Mutex<Pages>,
}

#[derive(Default)]
struct Pages {
    entries: HashMap<JobId, Entry>,
    order: VecDeque<JobId>,
}

impl Book {
    /// Notes one of a job's events.
    pub fn note(&self, event: &JobEvent) {
        let mut pages = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let at = Some(ms(event.at));
        if let JobEventKind::Submitted(spec) = &event.kind {
            pages.order.push_back(spec.id);
            pages.entries.insert(
                spec.id,
                Entry {
                    job: spec.id,
                    state: State::Queued,
                    outcome: None,
                    workload: spec.workload.as_str(),
                    strategy: spec.strategy.as_str(),
                    ms: spec.ms,
                    submitted_ms: ms(event.at),
                    started_ms: None,
                    replied_ms: None,
                    finished_ms: None,
                    thread: None,
                    error: None,
                    task: None,
                },
            );
            while pages.order.len() > KEEP {
                let oldest = pages.order.pop_front().expect("longer than KEEP");
                pages.entries.remove(&oldest);
            }
            return;
        }
        let Some(entry) = pages.entries.get_mut(&event.job) else {
            return;
        };
        match &event.kind {
            JobEventKind::Submitted(_) | JobEventKind::Queued => {}
            JobEventKind::Started { thread, .. } => {
                entry.state = State::Running;
                entry.started_ms = entry.started_ms.or(at);
                entry.thread = Some(thread.clone());
            }
            JobEventKind::Replied => entry.replied_ms = at,
            JobEventKind::Finished { outcome, error, .. } => {
                entry.state = State::Ended;
                entry.outcome = Some(*outcome);
                entry.finished_ms = at;
                entry.error = error.clone();
            }
        }
    }

    /// Notes the durable queue's row that holds the job.
    pub fn set_task(&self, job: JobId, task: i64) {
        let mut pages = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = pages.entries.get_mut(&job) {
            entry.task = Some(task);
        }
    }

    pub fn get(&self, job: JobId) -> Option<Entry> {
        let pages = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        pages.entries.get(&job).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use crate::data::strategy::fake;
    use crate::data::{JobSpec, ThreadKind, Work, Workload};

    fn event(job: JobId, at_ms: u64, kind: JobEventKind) -> JobEvent {
        JobEvent {
            job,
            at: Duration::from_millis(at_ms),
            kind,
        }
    }

    fn submitted(job: JobId) -> JobEvent {
        let work = Work {
            workload: Workload::Sleep,
            strategy: fake("spawn-blocking"),
            ms: 50,
            size: 0,
        };
        event(
            job,
            10,
            JobEventKind::Submitted(JobSpec::new(job, 0, work, 1)),
        )
    }

    #[test]
    fn a_job_goes_from_queued_to_running_to_ended() {
        let book = Book::default();
        book.note(&submitted(7));
        assert_eq!(book.get(7).unwrap().state, State::Queued);
        let started = JobEventKind::Started {
            thread: "tokio-blocking-0".into(),
            kind: ThreadKind::BlockingPool,
            task: None,
        };
        book.note(&event(7, 12, started));
        let e = book.get(7).unwrap();
        assert_eq!((e.state, e.started_ms), (State::Running, Some(12.0)));
        let done = JobEventKind::Finished {
            outcome: Outcome::Ok,
            cpu: None,
            error: None,
        };
        book.note(&event(7, 62, done));
        let e = book.get(7).unwrap();
        assert_eq!((e.state, e.outcome), (State::Ended, Some(Outcome::Ok)));
        assert_eq!(e.finished_ms, Some(62.0));
        assert!(book.get(8).is_none());
    }

    #[test]
    fn the_book_keeps_the_latest_jobs_only() {
        let book = Book::default();
        for id in 1..=(KEEP as u64 + 5) {
            book.note(&submitted(id));
        }
        assert!(book.get(5).is_none());
        assert!(book.get(6).is_some());
        assert!(book.get(KEEP as u64 + 5).is_some());
    }
}
