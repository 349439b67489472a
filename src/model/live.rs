//! What is happening right now, seen from the observer's side (valid while the lab is frozen):
//! a stall in progress, and what each event-loop worker is doing. Derived here once; the lag
//! pane, the Pools pane and the report read it.
use std::time::Duration;

use super::Model;
use crate::data::{JobId, LabConfig, STALL_THRESHOLD, ThreadKind};

/// A stall in progress, seen from outside the lab.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveStall {
    pub since: Duration,
    pub age: Duration,
    /// The job holding the loop, when known.
    pub job: Option<JobId>,
    /// The stuck worker thread, when poll hooks say which.
    pub thread: Option<String>,
}

/// What the loop's lag comes from, over the last second: the diagnosis line of the lag pane.
/// A lateness probe alone cannot tell one long poll from many short ones queueing; the poll
/// hooks can, and this says which, with its evidence.
#[derive(Clone, Debug, PartialEq)]
pub enum Diagnosis {
    /// One single poll held the loop at least the stall threshold: the lag is that poll.
    Blocked {
        job: Option<JobId>,
        thread: String,
        poll: Duration,
    },
    /// Ready tasks waited at least the stall threshold, yet no single poll was that long: they
    /// queue behind many short ones.
    Saturated {
        lag_p99: Duration,
        longest_poll: Duration,
        /// Polls of at least the long-poll threshold in the second.
        polls: usize,
    },
    /// Lag of a stall's size without the poll hooks to tell why.
    Slow {
        lag_p99: Duration,
    },
    Responsive {
        lag_p99: Duration,
    },
}

/// How far back the diagnosis looks.
pub const DIAGNOSIS_WINDOW: Duration = Duration::from_secs(1);

/// One event-loop thread, now.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerState {
    pub thread: String,
    /// Share of the last metrics interval it was busy.
    pub busy: Option<f64>,
    /// Stuck in one poll for at least the stall threshold.
    pub stuck: Option<Stuck>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stuck {
    pub since: Duration,
    pub age: Duration,
    /// The job whose poll it is, when known.
    pub job: Option<JobId>,
}

impl Model {
    /// A stall in progress at `now`: the oldest unanswered ping, or (with poll hooks) a worker
    /// stuck in one poll, whichever began first — both seen from the observer's side.
    ///
    /// It counts only if it was already a stall when the observer last looked (`watch.at`): a
    /// ping merely in flight at that moment must not read as a stall that grows until the next
    /// look. Once established, its age grows with `now`, frame by frame.
    pub fn live_stall(&self, now: Duration) -> Option<LiveStall> {
        let watch = self.watch.as_ref()?;
        let mut found: Option<LiveStall> = None;
        let mut consider = |since: Duration, job: Option<JobId>, thread: Option<String>| {
            let age = now.saturating_sub(since);
            let established = watch.at.saturating_sub(since) >= STALL_THRESHOLD;
            if established
                && age >= STALL_THRESHOLD
                && found.as_ref().is_none_or(|f| since < f.since)
            {
                found = Some(LiveStall {
                    since,
                    age,
                    job,
                    thread,
                });
            }
        };
        for (thread, since, job) in self.stuck_workers(now) {
            consider(since, job, Some(thread));
        }
        if let Some(since) = watch.oldest_unanswered {
            consider(since, None, None);
        }
        let mut stall = found?;
        // Whichever signal saw it first, name the job and thread from the best source there is.
        if let Some((thread, _, job)) = self.stuck_workers(now).into_iter().next() {
            stall.thread = stall.thread.or(Some(thread));
            stall.job = stall.job.or(job);
        }
        if stall.job.is_none() {
            // Without hooks: the loop-blocking job that started most recently and is not done.
            stall.job = self
                .timeline
                .all()
                .rev()
                .find(|j| j.blocks_loop() && !j.is_done())
                .map(|j| j.id());
        }
        Some(stall)
    }

    /// Workers stuck in one poll for at least the stall threshold at `now` (poll hooks):
    /// (thread, since, job). A job that handed its worker off (`block_in_place`) holds a poll
    /// but no longer a worker, so it does not count.
    pub fn stuck_workers(&self, now: Duration) -> Vec<(String, Duration, Option<JobId>)> {
        let Some(watch) = self.watch.as_ref() else {
            return Vec::new();
        };
        let Some(workers) = watch.workers.as_ref() else {
            return Vec::new();
        };
        // As for pings: stuck when the observer looked, not merely busy at that instant.
        let seen = watch.at.min(now);
        workers
            .iter()
            .filter_map(|w| {
                let since = w
                    .polling_since
                    .filter(|s| seen.saturating_sub(*s) >= STALL_THRESHOLD)?;
                let job = w.task.and_then(|t| self.timeline.by_task(t));
                if job.is_some_and(|j| j.thread_kind == Some(ThreadKind::HandedOff)) {
                    return None;
                }
                Some((w.thread.clone(), since, job.map(|j| j.id())))
            })
            .collect()
    }

    /// What the lag over the last second comes from (see [`Diagnosis`]). A stall in progress
    /// is the live banner's business; this speaks of what the pings and polls already told.
    pub fn diagnosis(&self, now: Duration) -> Diagnosis {
        let from = now.saturating_sub(DIAGNOSIS_WINDOW);
        let lag_p99 = self.lag_summary(from, now).p99;
        let loop_polls: Vec<_> = self
            .long_polls_in(from, now)
            .filter(|p| ThreadKind::of_name(&p.thread) == ThreadKind::EventLoop)
            .collect();
        let longest = loop_polls.iter().max_by_key(|p| p.duration);
        let hooks = self.watch().is_some_and(|w| w.workers.is_some());
        match longest {
            Some(p) if p.duration >= STALL_THRESHOLD => Diagnosis::Blocked {
                job: self.timeline.job_of_task(p.task),
                thread: p.thread.clone(),
                poll: p.duration,
            },
            _ if lag_p99 < STALL_THRESHOLD => Diagnosis::Responsive { lag_p99 },
            _ if !hooks => Diagnosis::Slow { lag_p99 },
            _ => Diagnosis::Saturated {
                lag_p99,
                longest_poll: longest.map_or(Duration::ZERO, |p| p.duration),
                polls: loop_polls.len(),
            },
        }
    }

    /// Each event-loop thread of `lab` at `now`: busy, and stuck (and in which job). With poll
    /// hooks each worker's own poll tells; without, a single loop is stuck when a stall is in
    /// progress.
    pub fn workers(&self, lab: &LabConfig, now: Duration) -> Vec<WorkerState> {
        let stuck = self.stuck_workers(now);
        let hooks = self.watch().is_some_and(|w| w.workers.is_some());
        let live = if hooks { None } else { self.live_stall(now) };
        (0..lab.loop_threads())
            .map(|i| {
                let thread = ThreadKind::loop_thread(lab.flavor, i);
                let stuck = match &live {
                    Some(s) if lab.loop_threads() == 1 => Some(Stuck {
                        since: s.since,
                        age: s.age,
                        job: s.job,
                    }),
                    _ => stuck
                        .iter()
                        .find(|(t, _, _)| *t == thread)
                        .map(|(_, since, job)| Stuck {
                            since: *since,
                            age: now.saturating_sub(*since),
                            job: *job,
                        }),
                };
                WorkerState {
                    busy: self.runtime().and_then(|r| r.worker_busy.get(i).copied()),
                    thread,
                    stuck,
                }
            })
            .collect()
    }
}
