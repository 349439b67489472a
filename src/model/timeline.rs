//! The timeline: one record per job, built from its lifecycle events. Bounded.
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::counters::Counters;
use crate::data::{JobEvent, JobEventKind, JobId, JobSpec, Outcome, Strategy, ThreadKind};
use crate::text::T;

/// How many jobs the timeline remembers (as many as the lab takes in flight).
pub const MAX_JOBS: usize = 10_000;

#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    pub spec: JobSpec,
    pub submitted: Duration,
    pub queued: Option<Duration>,
    pub started: Option<Duration>,
    pub thread: Option<String>,
    pub thread_kind: Option<ThreadKind>,
    pub task: Option<u64>,
    pub replied: Option<Duration>,
    pub finished: Option<Duration>,
    pub outcome: Outcome,
    pub cpu: Option<Duration>,
    pub error: Option<String>,
    /// Times a thread started it: 2 or more for a durable job whose first worker died.
    pub attempts: u32,
    /// When its lab stopped under it, for a durable job left waiting in the queue file.
    pub interrupted: Option<Duration>,
}

impl JobRecord {
    fn new(spec: JobSpec, at: Duration) -> Self {
        Self {
            spec,
            submitted: at,
            queued: None,
            started: None,
            thread: None,
            thread_kind: None,
            task: None,
            replied: None,
            finished: None,
            outcome: Outcome::Running,
            cpu: None,
            error: None,
            attempts: 0,
            interrupted: None,
        }
    }

    pub fn id(&self) -> JobId {
        self.spec.id
    }

    /// How long it ran (start → finish), once finished.
    pub fn run_time(&self) -> Option<Duration> {
        Some(self.finished?.saturating_sub(self.started?))
    }

    /// How long it waited for a thread (submit → start).
    pub fn wait_time(&self) -> Option<Duration> {
        Some(self.started?.saturating_sub(self.submitted))
    }

    /// True when this job held an event-loop thread with blocking work.
    pub fn blocks_loop(&self) -> bool {
        self.thread_kind == Some(ThreadKind::EventLoop) && self.spec.workload.blocks_thread()
    }

    pub fn is_done(&self) -> bool {
        self.finished.is_some()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Timeline {
    jobs: BTreeMap<JobId, JobRecord>,
    /// The job each task ran, for the poll hooks' attribution (a task id, once reused, names
    /// the newer job).
    by_task: HashMap<u64, JobId>,
    /// Per lab, the counters of each strategy's jobs, kept as the events come (the Pools pane
    /// reads them every frame; counting 10,000 jobs a frame would not do). They count every job
    /// the lab had, including those the timeline has since forgotten.
    counts: HashMap<u64, Vec<(Strategy, Counters)>>,
    /// The latest end of any job: with the counters, tells whether a job is in view without
    /// reading every record (the UI asks at each wake-up).
    latest_end: Option<Duration>,
}

/// Moves one job from `gone` to `came` in its lab's counters.
fn tally(
    counts: &mut HashMap<u64, Vec<(Strategy, Counters)>>,
    spec: &JobSpec,
    gone: &Counters,
    came: &Counters,
) {
    let lab = counts.entry(spec.lab).or_default();
    let at = match lab.iter().position(|(s, _)| *s == spec.strategy) {
        Some(i) => i,
        None => {
            lab.push((spec.strategy, Counters::default()));
            lab.len() - 1
        }
    };
    lab[at].1.moved(gone, came);
}

impl Timeline {
    pub fn apply(&mut self, event: JobEvent) {
        let JobEvent { job, at, kind } = event;
        if let JobEventKind::Submitted(spec) = kind {
            let record = JobRecord::new(spec, at);
            tally(
                &mut self.counts,
                &record.spec,
                &Counters::default(),
                &Counters::of_one(&record),
            );
            self.jobs.insert(job, record);
            while self.jobs.len() > MAX_JOBS {
                if let Some((id, old)) = self.jobs.pop_first()
                    && let Some(task) = old.task
                    && self.by_task.get(&task) == Some(&id)
                {
                    self.by_task.remove(&task);
                }
            }
            return;
        }
        let Some(record) = self.jobs.get_mut(&job) else {
            return;
        };
        let before = Counters::of_one(record);
        match kind {
            JobEventKind::Submitted(_) => unreachable!("handled above"),
            JobEventKind::Queued => record.queued = Some(at),
            JobEventKind::Started { thread, kind, task } => {
                record.started = Some(at);
                record.attempts += 1;
                if record.interrupted.take().is_some() {
                    record.error = None;
                }
                record.thread = Some(thread);
                record.thread_kind = Some(kind);
                record.task = task;
                if let Some(task) = task {
                    self.by_task.insert(task, job);
                }
            }
            JobEventKind::Replied => record.replied = Some(at),
            JobEventKind::Finished {
                outcome,
                cpu,
                error,
            } => {
                // The first end wins: a strategy may report, then its handler's watcher too.
                if record.finished.is_none() {
                    record.finished = Some(at);
                    self.latest_end = self.latest_end.max(Some(at));
                    record.outcome = outcome;
                    record.cpu = cpu;
                    record.error = error;
                }
            }
        }
        tally(
            &mut self.counts,
            &record.spec,
            &before,
            &Counters::of_one(record),
        );
    }

    /// The counters of each strategy's jobs on lab `lab`, in the order they first came.
    pub fn lab_counts(&self, lab: u64) -> &[(Strategy, Counters)] {
        self.counts.get(&lab).map_or(&[], Vec::as_slice)
    }

    /// Jobs of lab `lab` that wait or run.
    pub fn in_flight(&self, lab: u64) -> usize {
        self.lab_counts(lab)
            .iter()
            .map(|(_, c)| c.waiting + c.running)
            .sum()
    }

    /// Whether any job, of any lab, has not ended or ended at `from` or later.
    pub fn any_since(&self, from: Duration) -> bool {
        self.latest_end.is_some_and(|end| end >= from)
            || self.counts.keys().any(|&lab| self.in_flight(lab) > 0)
    }

    /// A lab stopped: its jobs that never ended are cancelled if they had not started, lost if
    /// their task ran on the event loop (dropped with the runtime), and abandoned if they run
    /// on a thread of their own (it goes on, but nobody will hear from it again). A durable
    /// job does not end: it waits in the queue file for the next lab's workers.
    pub fn lab_stopped(&mut self, lab: u64, at: Duration) {
        for job in self
            .jobs
            .values_mut()
            .filter(|j| j.spec.lab == lab && j.finished.is_none())
        {
            if job.spec.strategy.info().durable {
                job.interrupted = Some(at);
                job.error = Some(T::JobWaitsInQueue.into());
                continue;
            }
            let before = Counters::of_one(job);
            job.finished = Some(at);
            self.latest_end = self.latest_end.max(Some(at));
            job.outcome = match (job.started, job.thread_kind) {
                (None, _) => Outcome::Cancelled,
                (Some(_), Some(ThreadKind::EventLoop) | None) => Outcome::Lost,
                (Some(_), Some(_)) => Outcome::Abandoned,
            };
            job.error = Some(
                match job.outcome {
                    Outcome::Cancelled => T::JobLabStoppedBeforeStart,
                    Outcome::Lost => T::JobLabStoppedLost,
                    _ => T::JobLabStoppedAbandoned,
                }
                .into(),
            );
            tally(&mut self.counts, &job.spec, &before, &Counters::of_one(job));
        }
    }

    pub fn get(&self, id: JobId) -> Option<&JobRecord> {
        self.jobs.get(&id)
    }

    pub fn all(&self) -> impl DoubleEndedIterator<Item = &JobRecord> {
        self.jobs.values()
    }

    pub fn by_task(&self, task: u64) -> Option<&JobRecord> {
        self.jobs.get(self.by_task.get(&task)?)
    }

    /// The job a task runs, without reading its record: the lag chart asks it for every long
    /// poll in view, every frame.
    pub fn job_of_task(&self, task: u64) -> Option<JobId> {
        self.by_task.get(&task).copied()
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Workload;
    use crate::data::strategy::fake;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn spec(id: JobId) -> JobSpec {
        JobSpec {
            id,
            run: 1,
            lab: 1,
            workload: Workload::Sleep,
            strategy: fake("spawn-blocking"),
            ms: 200,
            size: 0,
        }
    }

    #[test]
    fn lifecycle_fills_one_record() {
        let mut t = Timeline::default();
        t.apply(JobEvent {
            job: 1,
            at: ms(10),
            kind: JobEventKind::Submitted(spec(1)),
        });
        t.apply(JobEvent {
            job: 1,
            at: ms(11),
            kind: JobEventKind::Queued,
        });
        let started = JobEventKind::Started {
            thread: "lab-blocking-0".into(),
            kind: ThreadKind::BlockingPool,
            task: None,
        };
        t.apply(JobEvent {
            job: 1,
            at: ms(12),
            kind: started,
        });
        let finished = JobEventKind::Finished {
            outcome: Outcome::Ok,
            cpu: None,
            error: None,
        };
        t.apply(JobEvent {
            job: 1,
            at: ms(212),
            kind: finished,
        });
        let j = t.get(1).unwrap();
        assert_eq!(j.run_time(), Some(ms(200)));
        assert_eq!(j.wait_time(), Some(ms(2)));
        assert_eq!(j.outcome, Outcome::Ok);
        assert!(!j.blocks_loop());
    }

    #[test]
    fn in_flight_and_in_view_follow_the_events_as_a_scan_would() {
        let mut t = Timeline::default();
        let scan = |t: &Timeline, from| t.all().any(|j| j.finished.is_none_or(|f| f >= from));
        assert!(!t.any_since(ms(0)));
        for id in 1..=3 {
            t.apply(JobEvent {
                job: id,
                at: ms(id * 10),
                kind: JobEventKind::Submitted(spec(id)),
            });
        }
        assert_eq!(t.in_flight(1), 3);
        assert_eq!(t.in_flight(2), 0);
        for (id, end) in [(1, 100), (2, 300)] {
            t.apply(JobEvent {
                job: id,
                at: ms(end),
                kind: JobEventKind::Finished {
                    outcome: Outcome::Ok,
                    cpu: None,
                    error: None,
                },
            });
        }
        assert_eq!(t.in_flight(1), 1);
        assert!(t.any_since(ms(1_000)) && scan(&t, ms(1_000)), "job 3 runs");
        // The lab stops: job 3 is cancelled at 500 ms.
        t.lab_stopped(1, ms(500));
        assert_eq!(t.in_flight(1), 0);
        for from in [0, 300, 499, 500, 501, 1_000] {
            assert_eq!(t.any_since(ms(from)), scan(&t, ms(from)), "from {from} ms");
        }
        assert!(t.any_since(ms(500)) && !t.any_since(ms(501)));
    }

    #[test]
    fn first_end_wins_and_unknown_jobs_are_ignored() {
        let mut t = Timeline::default();
        t.apply(JobEvent {
            job: 9,
            at: ms(1),
            kind: JobEventKind::Queued,
        });
        assert!(t.is_empty());
        t.apply(JobEvent {
            job: 1,
            at: ms(0),
            kind: JobEventKind::Submitted(spec(1)),
        });
        let failed = JobEventKind::Finished {
            outcome: Outcome::Failed,
            cpu: None,
            error: Some("panicked: boom".into()),
        };
        t.apply(JobEvent {
            job: 1,
            at: ms(5),
            kind: failed,
        });
        let ok = JobEventKind::Finished {
            outcome: Outcome::Ok,
            cpu: None,
            error: None,
        };
        t.apply(JobEvent {
            job: 1,
            at: ms(6),
            kind: ok,
        });
        assert_eq!(t.get(1).unwrap().outcome, Outcome::Failed);
    }

    #[test]
    fn a_stopped_lab_abandons_threads_loses_loop_tasks_and_cancels_what_waited() {
        let mut t = Timeline::default();
        for id in 1..=4 {
            t.apply(JobEvent {
                job: id,
                at: ms(0),
                kind: JobEventKind::Submitted(spec(id)),
            });
        }
        let started = JobEventKind::Started {
            thread: "pool-2-0".into(),
            kind: ThreadKind::Dedicated,
            task: None,
        };
        t.apply(JobEvent {
            job: 1,
            at: ms(1),
            kind: started,
        });
        let on_the_loop = JobEventKind::Started {
            thread: "lab-loop".into(),
            kind: ThreadKind::EventLoop,
            task: Some(7),
        };
        t.apply(JobEvent {
            job: 4,
            at: ms(1),
            kind: on_the_loop,
        });
        let ok = JobEventKind::Finished {
            outcome: Outcome::Ok,
            cpu: None,
            error: None,
        };
        t.apply(JobEvent {
            job: 3,
            at: ms(2),
            kind: ok.clone(),
        });
        t.lab_stopped(1, ms(50));
        t.lab_stopped(2, ms(60)); // another lab: nothing of ours
        assert_eq!(t.get(1).unwrap().outcome, Outcome::Abandoned);
        assert_eq!(t.get(2).unwrap().outcome, Outcome::Cancelled);
        assert_eq!(t.get(3).unwrap().outcome, Outcome::Ok);
        assert_eq!(t.get(4).unwrap().outcome, Outcome::Lost);
        // A late end report changes nothing: the first end wins.
        t.apply(JobEvent {
            job: 1,
            at: ms(70),
            kind: ok,
        });
        assert_eq!(t.get(1).unwrap().outcome, Outcome::Abandoned);
    }

    #[test]
    fn a_durable_job_outlives_its_lab_and_counts_its_attempts() {
        let mut t = Timeline::default();
        let durable = JobSpec {
            strategy: crate::data::strategy::fake_durable("durable-queue"),
            ..spec(1)
        };
        let started = |thread: &str| JobEventKind::Started {
            thread: thread.into(),
            kind: ThreadKind::Dedicated,
            task: None,
        };
        t.apply(JobEvent {
            job: 1,
            at: ms(0),
            kind: JobEventKind::Submitted(durable),
        });
        t.apply(JobEvent {
            job: 1,
            at: ms(5),
            kind: started("pool-queue-0"),
        });
        t.lab_stopped(1, ms(400));
        let j = t.get(1).unwrap();
        assert_eq!(
            (j.outcome, j.interrupted, j.attempts),
            (Outcome::Running, Some(ms(400)), 1)
        );
        assert!(j.error.is_some(), "says why it waits");
        // The next lab's worker takes it again.
        t.apply(JobEvent {
            job: 1,
            at: ms(1500),
            kind: started("pool-queue-1"),
        });
        let j = t.get(1).unwrap();
        assert_eq!(
            (j.interrupted, j.attempts, j.error.clone()),
            (None, 2, None)
        );
        t.apply(JobEvent {
            job: 1,
            at: ms(2500),
            kind: JobEventKind::Finished {
                outcome: Outcome::Ok,
                cpu: None,
                error: None,
            },
        });
        assert_eq!(t.get(1).unwrap().outcome, Outcome::Ok);
    }

    #[test]
    fn bounded() {
        let mut t = Timeline::default();
        for id in 0..(MAX_JOBS as u64 + 10) {
            t.apply(JobEvent {
                job: id,
                at: ms(id),
                kind: JobEventKind::Submitted(spec(id)),
            });
        }
        assert_eq!(t.len(), MAX_JOBS);
        assert!(t.get(0).is_none());
    }
}
