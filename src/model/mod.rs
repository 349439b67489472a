//! The model: everything blocklab knows, folded from the observer's samples. Pure data, time
//! passed in; the TUI and the headless report both read it.
pub mod counters;
pub mod live;
pub mod stalls;
pub mod stats;
pub mod timeline;

use std::collections::VecDeque;
use std::time::Duration;

use crate::data::JobId;
use crate::data::STALL_THRESHOLD;
use crate::data::Strategy;
use crate::data::{LongPoll, RuntimeSample, Sample, Watch};
pub use counters::Counters;
pub use live::{LiveStall, Stuck, WorkerState};
pub use stalls::Stall;
pub use stats::Summary;
pub use timeline::{JobRecord, Timeline};

/// How much history the model keeps (samples older than this are dropped).
pub const RETAIN: Duration = Duration::from_secs(180);

#[derive(Clone, Debug)]
pub struct Model {
    /// (sent, lag) of every answered ping, oldest first.
    lag: VecDeque<(Duration, Duration)>,
    /// (sent, latency) of every answered background request.
    requests: VecDeque<(Duration, Duration)>,
    stalls: stalls::StallDetector,
    pub timeline: Timeline,
    long_polls: VecDeque<LongPoll>,
    runtime: VecDeque<RuntimeSample>,
    watch: Option<Watch>,
    /// (lab id, when) of every lab that started, and of every lab that stopped.
    started: Vec<(u64, Duration)>,
    stopped: Vec<(u64, Duration)>,
    /// The latest time any sample spoke of.
    latest: Duration,
    /// How much history to keep.
    retain: Duration,
}

impl Default for Model {
    fn default() -> Self {
        Self::new()
    }
}

impl Model {
    pub fn new() -> Self {
        Self {
            lag: VecDeque::new(),
            requests: VecDeque::new(),
            stalls: stalls::StallDetector::new(STALL_THRESHOLD),
            timeline: Timeline::default(),
            long_polls: VecDeque::new(),
            runtime: VecDeque::new(),
            watch: None,
            started: Vec::new(),
            stopped: Vec::new(),
            latest: Duration::ZERO,
            retain: RETAIN,
        }
    }

    /// A model that keeps `retain` of history instead of [`RETAIN`] (the soak test uses a
    /// short one, to reach the steady state sooner).
    pub fn with_retention(retain: Duration) -> Self {
        Self {
            retain,
            ..Self::new()
        }
    }

    pub fn ingest(&mut self, sample: Sample) {
        match sample {
            Sample::Lag { sent, lag } => {
                self.stalls.observe(sent, lag);
                self.lag.push_back((sent, lag));
                self.latest = self.latest.max(sent + lag);
            }
            Sample::Request { sent, latency } => {
                self.requests.push_back((sent, latency));
                self.latest = self.latest.max(sent + latency);
            }
            Sample::Job(event) => {
                self.latest = self.latest.max(event.at);
                self.timeline.apply(event);
            }
            Sample::Watch(w) => {
                self.latest = self.latest.max(w.at);
                self.watch = Some(w);
            }
            Sample::Runtime(r) => {
                self.latest = self.latest.max(r.at);
                self.runtime.push_back(r);
            }
            Sample::LongPoll(p) => self.long_polls.push_back(p),
            Sample::LabStarted { lab, at } => {
                self.latest = self.latest.max(at);
                self.started.push((lab, at));
            }
            Sample::LabStopped { lab, at } => {
                self.latest = self.latest.max(at);
                self.timeline.lab_stopped(lab, at);
                self.stopped.push((lab, at));
            }
        }
        self.prune();
    }

    pub fn ingest_all(&mut self, samples: impl IntoIterator<Item = Sample>) {
        for s in samples {
            self.ingest(s);
        }
    }

    fn prune(&mut self) {
        let Some(cut) = self.latest.checked_sub(self.retain) else {
            return;
        };
        while self.lag.front().is_some_and(|&(t, _)| t < cut) {
            self.lag.pop_front();
        }
        while self.requests.front().is_some_and(|&(t, _)| t < cut) {
            self.requests.pop_front();
        }
        while self.runtime.front().is_some_and(|r| r.at < cut) {
            self.runtime.pop_front();
        }
        while self.long_polls.front().is_some_and(|p| p.start < cut) {
            self.long_polls.pop_front();
        }
        self.stalls.prune(cut);
    }

    /// The lab that started last: (id, when).
    pub fn current_lab(&self) -> Option<(u64, Duration)> {
        self.started.last().copied()
    }

    /// Strategies of the jobs in the timeline, in the order they first appear.
    pub fn strategies_seen(&self) -> Vec<Strategy> {
        let mut seen = Vec::new();
        for j in self.timeline.all() {
            if !seen.contains(&j.spec.strategy) {
                seen.push(j.spec.strategy);
            }
        }
        seen
    }

    /// When lab `lab` stopped, if it has.
    pub fn lab_stopped(&self, lab: u64) -> Option<Duration> {
        self.stopped
            .iter()
            .find(|(l, _)| *l == lab)
            .map(|(_, at)| *at)
    }

    /// Lag samples whose ping was sent in `[from, to)`.
    pub fn lag_in(
        &self,
        from: Duration,
        to: Duration,
    ) -> impl Iterator<Item = (Duration, Duration)> + '_ {
        window(&self.lag, from, to)
    }

    pub fn lag_summary(&self, from: Duration, to: Duration) -> Summary {
        Summary::of(self.lag_in(from, to).map(|(_, lag)| lag))
    }

    /// The most recent lag sample.
    pub fn lag_now(&self) -> Option<Duration> {
        self.lag.back().map(|&(_, lag)| lag)
    }

    pub fn request_summary(&self, from: Duration, to: Duration) -> Summary {
        Summary::of(window(&self.requests, from, to).map(|(_, l)| l))
    }

    /// Stalls that overlap `[from, to)`.
    pub fn stalls_in(&self, from: Duration, to: Duration) -> impl Iterator<Item = &Stall> {
        self.stalls
            .all()
            .iter()
            .filter(move |s| s.end > from && s.start < to)
    }

    /// The job a stall is attributed to: the one that held an event-loop thread with blocking
    /// work for the longest part of it.
    pub fn stall_job(&self, stall: &Stall) -> Option<JobId> {
        self.timeline
            .all()
            .filter(|j| j.blocks_loop())
            .filter_map(|j| {
                let start = j.started?;
                let end = j.finished.unwrap_or(self.latest);
                let overlap = stall.overlap(start, end);
                (overlap > Duration::ZERO).then_some((overlap, j.id()))
            })
            .max()
            .map(|(_, id)| id)
    }

    pub fn watch(&self) -> Option<&Watch> {
        self.watch.as_ref()
    }

    pub fn runtime(&self) -> Option<&RuntimeSample> {
        self.runtime.back()
    }

    pub fn runtime_in(&self, from: Duration, to: Duration) -> impl Iterator<Item = &RuntimeSample> {
        self.runtime
            .iter()
            .filter(move |r| r.at >= from && r.at < to)
    }

    pub fn long_polls_in(&self, from: Duration, to: Duration) -> impl Iterator<Item = &LongPoll> {
        self.long_polls
            .iter()
            .filter(move |p| p.start + p.duration > from && p.start < to)
    }

    /// Jobs submitted to lab `lab`.
    pub fn lab_jobs(&self, lab: u64) -> impl Iterator<Item = &JobRecord> {
        self.timeline.all().filter(move |j| j.spec.lab == lab)
    }

    /// Jobs of one run.
    pub fn run_jobs(&self, run: u64) -> impl Iterator<Item = &JobRecord> {
        self.timeline.all().filter(move |j| j.spec.run == run)
    }
}

/// Samples sent in `[from, to)`. They arrive in answer order, which is nearly send order (a
/// request answered late lands after later ones), so the binary search starts a margin early
/// and the filter keeps the result exact for any answer delay under the margin.
fn window(
    samples: &VecDeque<(Duration, Duration)>,
    from: Duration,
    to: Duration,
) -> impl Iterator<Item = (Duration, Duration)> + '_ {
    const MARGIN: Duration = Duration::from_secs(10);
    let start = samples.partition_point(|&(t, _)| t + MARGIN < from);
    samples
        .range(start..)
        .copied()
        .take_while(move |&(t, _)| t < to + MARGIN)
        .filter(move |&(t, _)| t >= from && t < to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::WorkerPoll;
    use crate::data::Workload;
    use crate::data::strategy::fake;
    use crate::data::{JobEvent, JobEventKind, JobSpec, Outcome, ThreadKind};

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn submit(m: &mut Model, id: u64, at: u64, strategy: Strategy) {
        let spec = JobSpec {
            id,
            run: 1,
            lab: 1,
            workload: Workload::Sleep,
            strategy,
            ms: 200,
            size: 0,
        };
        m.ingest(Sample::Job(JobEvent {
            job: id,
            at: ms(at),
            kind: JobEventKind::Submitted(spec),
        }));
    }

    fn start(m: &mut Model, id: u64, at: u64, thread: &str, task: Option<u64>) {
        let kind = ThreadKind::of_name(thread);
        let started = JobEventKind::Started {
            thread: thread.into(),
            kind,
            task,
        };
        m.ingest(Sample::Job(JobEvent {
            job: id,
            at: ms(at),
            kind: started,
        }));
    }

    fn finish(m: &mut Model, id: u64, at: u64) {
        let kind = JobEventKind::Finished {
            outcome: Outcome::Ok,
            cpu: None,
            error: None,
        };
        m.ingest(Sample::Job(JobEvent {
            job: id,
            at: ms(at),
            kind,
        }));
    }

    #[test]
    fn lag_summary_covers_the_window_only() {
        let mut m = Model::new();
        for t in 0..100 {
            m.ingest(Sample::Lag {
                sent: ms(t),
                lag: Duration::from_micros(50),
            });
        }
        m.ingest(Sample::Lag {
            sent: ms(100),
            lag: ms(30),
        });
        assert_eq!(m.lag_summary(ms(0), ms(100)).max, Duration::from_micros(50));
        assert_eq!(m.lag_summary(ms(0), ms(101)).max, ms(30));
        assert_eq!(m.lag_now(), Some(ms(30)));
    }

    #[test]
    fn a_stall_is_attributed_to_the_job_that_held_the_loop() {
        let mut m = Model::new();
        submit(&mut m, 1, 95, fake("inline"));
        start(&mut m, 1, 100, "lab-loop", None);
        submit(&mut m, 2, 96, fake("spawn-blocking"));
        start(&mut m, 2, 97, "lab-blocking-0", None);
        for sent in 100..300 {
            m.ingest(Sample::Lag {
                sent: ms(sent),
                lag: ms(300 - sent),
            });
        }
        finish(&mut m, 1, 300);
        let stalls: Vec<_> = m.stalls_in(ms(0), ms(400)).copied().collect();
        assert_eq!(stalls.len(), 1);
        assert_eq!(m.stall_job(&stalls[0]), Some(1));
    }

    #[test]
    fn the_live_stall_grows_with_time_passed_in() {
        let mut m = Model::new();
        submit(&mut m, 7, 0, fake("inline"));
        start(&mut m, 7, 1, "lab-loop", None);
        m.ingest(Sample::Watch(Watch {
            at: ms(20),
            oldest_unanswered: Some(ms(2)),
            workers: None,
        }));
        assert_eq!(m.live_stall(ms(5)), None, "3 ms is not a stall");
        let a = m.live_stall(ms(500)).unwrap();
        let b = m.live_stall(ms(1500)).unwrap();
        assert_eq!(a.age, ms(498));
        assert_eq!(b.age, ms(1498));
        assert_eq!(b.job, Some(7));
    }

    #[test]
    fn a_ping_in_flight_when_the_observer_looked_is_no_stall() {
        let mut m = Model::new();
        let watch = Watch {
            at: ms(100),
            oldest_unanswered: Some(Duration::from_micros(99_500)),
            workers: None,
        };
        m.ingest(Sample::Watch(watch));
        // 15 ms later (the next look is due at 120 ms): still no stall.
        assert_eq!(m.live_stall(ms(115)), None);
    }

    #[test]
    fn poll_hooks_name_the_stuck_worker_and_job() {
        let mut m = Model::new();
        submit(&mut m, 3, 0, fake("inline"));
        start(&mut m, 3, 1, "lab-worker-1", Some(42));
        let workers = vec![
            WorkerPoll {
                worker: 0,
                thread: "lab-worker-0".into(),
                polling_since: None,
                task: None,
            },
            WorkerPoll {
                worker: 1,
                thread: "lab-worker-1".into(),
                polling_since: Some(ms(1)),
                task: Some(42),
            },
        ];
        // The probe answers on the other worker: no unanswered ping, yet worker 1 is stuck.
        m.ingest(Sample::Watch(Watch {
            at: ms(100),
            oldest_unanswered: None,
            workers: Some(workers),
        }));
        let live = m.live_stall(ms(101)).unwrap();
        assert_eq!(live.job, Some(3));
        assert_eq!(live.thread.as_deref(), Some("lab-worker-1"));
        assert_eq!(live.age, ms(100));
    }

    #[test]
    fn counters_follow_the_lifecycle_and_name_each_end() {
        let mut m = Model::new();
        submit(&mut m, 1, 0, fake("spawn-blocking"));
        submit(&mut m, 2, 0, fake("spawn-blocking"));
        submit(&mut m, 3, 0, fake("inline"));
        start(&mut m, 1, 1, "lab-blocking-0", None);
        start(&mut m, 3, 1, "lab-loop", Some(9));
        let all = counters::per_strategy(m.timeline.all());
        assert_eq!(all.len(), 2);
        let (s, c) = all[0];
        assert_eq!(s.as_str(), "spawn-blocking");
        assert_eq!((c.jobs, c.waiting, c.running, c.ok), (2, 1, 1, 0));
        finish(&mut m, 1, 5);
        m.ingest(Sample::LabStopped { lab: 1, at: ms(9) });
        let all = counters::per_strategy(m.timeline.all());
        let (_, blocking) = all[0];
        let (_, inline) = all[1];
        assert_eq!(
            (blocking.ok, blocking.cancelled, blocking.peak_running),
            (1, 1, 1)
        );
        assert_eq!((inline.lost, inline.gone()), (1, 1));
    }

    #[test]
    fn old_samples_are_dropped() {
        let mut m = Model::new();
        m.ingest(Sample::Lag {
            sent: ms(0),
            lag: ms(1),
        });
        m.ingest(Sample::Lag {
            sent: RETAIN + ms(10),
            lag: ms(1),
        });
        assert_eq!(m.lag_in(ms(0), RETAIN * 2).count(), 1);
    }
}
