//! The model: everything blocklab knows, folded from the observer's samples. Pure data, time
//! passed in; the TUI and the headless report both read it.
pub mod counters;
pub mod live;
pub mod peaks;
pub mod series;
pub mod sliding;
pub mod stalls;
pub mod stats;
pub mod timeline;

use std::collections::VecDeque;
use std::time::Duration;

use crate::data::STALL_THRESHOLD;
use crate::data::Strategy;
use crate::data::{Flavor, JobId, ThreadKind};
use crate::data::{HttpRequest, LoadResult, LongPoll, RuntimeSample, Sample, Watch};
pub use counters::Counters;
pub use live::{Diagnosis, LiveStall, Stuck, WorkerState};
use series::Series;
pub use stalls::Stall;
pub use stats::Summary;
pub use timeline::{JobRecord, Timeline};

/// A freeze of the event loop, for the lag chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Block {
    pub start: Duration,
    pub end: Duration,
    pub job: Option<JobId>,
    /// Measured by the poll hooks to the poll (not by the pings, up to a ping period late).
    pub exact: bool,
}

impl Block {
    pub fn duration(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }
}

/// How much history the model keeps (samples older than this are dropped).
pub const RETAIN: Duration = Duration::from_secs(180);

#[derive(Clone, Debug)]
pub struct Model {
    /// (sent, lag) of every answered ping.
    lag: Series,
    /// (sent, latency) of every answered background request.
    requests: Series,
    /// Requests from outside blocklab to the lab's HTTP front door, oldest first.
    http: VecDeque<HttpRequest>,
    stalls: stalls::StallDetector,
    /// (since, first seen) of every stall the observer reported live: when a freeze that began
    /// at `since` first showed as one (for `calibrate`'s live delay).
    live_seen: VecDeque<(Duration, Duration)>,
    /// Single polls of the current-thread loop of at least the stall threshold: stalls measured
    /// exactly, and attributed to their task (poll hooks).
    loop_stalls: VecDeque<Stall>,
    pub timeline: Timeline,
    long_polls: VecDeque<LongPoll>,
    /// The longest of them: how far back a poll that still overlaps a moment may have begun.
    longest_poll: Duration,
    runtime: VecDeque<RuntimeSample>,
    watch: Option<Watch>,
    /// The load tests of blocklab's own that ended, oldest first (the last few).
    loads: VecDeque<LoadResult>,
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
            lag: Series::default(),
            requests: Series::default(),
            http: VecDeque::new(),
            stalls: stalls::StallDetector::new(STALL_THRESHOLD),
            loop_stalls: VecDeque::new(),
            live_seen: VecDeque::new(),
            timeline: Timeline::default(),
            long_polls: VecDeque::new(),
            longest_poll: Duration::ZERO,
            runtime: VecDeque::new(),
            watch: None,
            loads: VecDeque::new(),
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
                self.lag.push(sent, lag);
                self.latest = self.latest.max(sent + lag);
            }
            Sample::Request { sent, latency } => {
                self.requests.push(sent, latency);
                self.latest = self.latest.max(sent + latency);
            }
            Sample::Http(r) => {
                self.latest = self.latest.max(r.received + r.took);
                self.http.push_back(r);
            }
            Sample::Job(event) => {
                self.latest = self.latest.max(event.at);
                self.timeline.apply(event);
            }
            Sample::Watch(w) => {
                self.latest = self.latest.max(w.at);
                self.note_live(&w);
                self.watch = Some(w);
            }
            Sample::Runtime(r) => {
                self.latest = self.latest.max(r.at);
                self.runtime.push_back(r);
            }
            Sample::LongPoll(p) => {
                if p.duration >= STALL_THRESHOLD && p.thread == Self::loop_thread() {
                    self.loop_stalls.push_back(Stall {
                        start: p.start,
                        end: p.start + p.duration,
                        task: Some(p.task),
                    });
                }
                // In start order (they come as they end: a long one after shorter ones).
                self.longest_poll = self.longest_poll.max(p.duration);
                let at = self.long_polls.partition_point(|q| q.start <= p.start);
                self.long_polls.insert(at, p);
            }
            Sample::LabStarted { lab, at } => {
                self.latest = self.latest.max(at);
                self.started.push((lab, at));
            }
            Sample::LabStopped { lab, at } => {
                self.latest = self.latest.max(at);
                self.timeline.lab_stopped(lab, at);
                self.stopped.push((lab, at));
            }
            Sample::Load(result) => {
                self.latest = self.latest.max(result.at);
                // Only the run that asked reads it, once it ends: a few are plenty.
                if self.loads.len() == 16 {
                    self.loads.pop_front();
                }
                self.loads.push_back(result);
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
        self.lag.prune(cut);
        while self.http.front().is_some_and(|r| r.received < cut) {
            self.http.pop_front();
        }
        self.requests.prune(cut);
        while self.runtime.front().is_some_and(|r| r.at < cut) {
            self.runtime.pop_front();
        }
        while self.long_polls.front().is_some_and(|p| p.start < cut) {
            self.long_polls.pop_front();
        }
        while self.live_seen.front().is_some_and(|&(_, at)| at < cut) {
            self.live_seen.pop_front();
        }
        while self.loop_stalls.front().is_some_and(|s| s.end < cut) {
            self.loop_stalls.pop_front();
        }
        self.stalls.prune(cut);
    }

    /// Notes each freeze this look of the observer shows established for the first time.
    fn note_live(&mut self, w: &Watch) {
        let polls = w.workers.iter().flatten().filter_map(|p| p.polling_since);
        for since in polls.chain(w.oldest_unanswered) {
            let established = w.at.saturating_sub(since) >= STALL_THRESHOLD;
            if established && !self.live_seen.iter().any(|&(s, _)| s == since) {
                self.live_seen.push_back((since, w.at));
            }
        }
    }

    /// When a freeze that began at about `start` first showed live (within a ping period).
    pub fn first_seen_live(&self, start: Duration) -> Option<Duration> {
        let near = Duration::from_millis(2);
        self.live_seen
            .iter()
            .filter(|&&(since, _)| since + near >= start && since <= start + near)
            .map(|&(_, at)| at)
            .min()
    }

    /// The lab that started last: (id, when). By start time, not by arrival: a lab that
    /// retires at once may say it started after its successor did.
    pub fn current_lab(&self) -> Option<(u64, Duration)> {
        self.started.iter().copied().max_by_key(|&(_, at)| at)
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
    /// What the load test of run `run` measured, once it ended.
    pub fn load_result(&self, run: crate::data::RunId) -> Option<&LoadResult> {
        self.loads.iter().rev().find(|l| l.run == run)
    }

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
        self.lag.window(from, to)
    }

    pub fn lag_summary(&self, from: Duration, to: Duration) -> Summary {
        Summary::of(self.lag_in(from, to).map(|(_, lag)| lag))
    }

    /// [`Model::lag_summary`] of the window the lag pane shows, kept up as it slides: a frame
    /// costs the pings its window moved over, not the pings it holds. The same figures (the
    /// same histogram: p50 and p99 within 1 %, the maximum exact).
    pub fn lag_window(&self, from: Duration, to: Duration) -> Summary {
        self.lag.sliding_summary(from, to)
    }

    /// The largest lag of the pings sent in `[from, to)` in each group `group` puts them in
    /// (a time axis's columns: non-decreasing in the sent time, below `groups`), exact.
    pub fn lag_maxima_by(
        &self,
        from: Duration,
        to: Duration,
        groups: usize,
        group: impl Fn(Duration) -> usize,
    ) -> Vec<Duration> {
        self.lag.maxima_by(from, to, groups, group)
    }

    /// The most recent lag sample.
    pub fn lag_now(&self) -> Option<Duration> {
        self.lag.last().map(|(_, lag)| lag)
    }

    pub fn request_summary(&self, from: Duration, to: Duration) -> Summary {
        Summary::of(self.requests.window(from, to).map(|(_, l)| l))
    }

    /// Requests from outside blocklab received in `[from, to)`: how many, and how long the
    /// server took over them.
    pub fn http_summary(&self, from: Duration, to: Duration) -> Summary {
        Summary::of(self.http_in(from, to).map(|r| r.took))
    }

    /// How many of those the server answered with an error (status 400 or more).
    pub fn http_errors(&self, from: Duration, to: Duration) -> usize {
        self.http_in(from, to).filter(|r| r.status >= 400).count()
    }

    fn http_in(&self, from: Duration, to: Duration) -> impl Iterator<Item = &HttpRequest> {
        let start = self.http.partition_point(|r| r.received < from);
        let end = self.http.partition_point(|r| r.received < to);
        self.http.range(start..end)
    }

    /// The thread of a current-thread lab's event loop: a long poll there holds everything.
    fn loop_thread() -> String {
        ThreadKind::loop_thread(Flavor::CurrentThread, 0)
    }

    /// Stalls that overlap `[from, to)`, in time order. Where the poll hooks saw the poll that
    /// froze the loop, the stall is that poll, exact to its start and end; the pings' view of
    /// the same freeze (late by up to a ping period at each end) gives way to it.
    pub fn stalls_in(&self, from: Duration, to: Duration) -> Vec<Stall> {
        let overlaps = |s: &Stall| s.end > from && s.start < to;
        let exact: Vec<Stall> = self.loop_stalls.iter().copied().filter(overlaps).collect();
        let mut all: Vec<Stall> = self
            .stalls
            .all()
            .iter()
            .copied()
            .filter(overlaps)
            .filter(|p| {
                !exact
                    .iter()
                    .any(|e| e.overlap(p.start, p.end) > Duration::ZERO)
            })
            .chain(exact.iter().copied())
            .collect();
        all.sort_by_key(|s| s.start);
        all
    }

    /// The job a stall is attributed to: the one whose poll it was (poll hooks), or else the
    /// one that held an event-loop thread with blocking work for the longest part of it.
    pub fn stall_job(&self, stall: &Stall) -> Option<JobId> {
        if let Some(task) = stall.task {
            return self.timeline.job_of_task(task);
        }
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

    /// Freezes of the loop overlapping `[from, to)`, longest first: every single poll of the
    /// current-thread loop the hooks reported (exact, from 1 ms up, with its job), and the
    /// stalls only the pings saw. What the lag chart draws and labels.
    pub fn blocks_in(&self, from: Duration, to: Duration) -> Vec<Block> {
        // Named once: ten thousand jobs make thousands of polls in a window.
        let loop_thread = Self::loop_thread();
        let polls: Vec<Block> = self
            .long_polls_in(from, to)
            .filter(|p| p.thread == loop_thread)
            .map(|p| Block {
                start: p.start,
                end: p.start + p.duration,
                job: self.timeline.job_of_task(p.task),
                exact: true,
            })
            .collect();
        let mut all: Vec<Block> = self
            .stalls_in(from, to)
            .into_iter()
            .filter(|s| s.task.is_none())
            .filter(|s| {
                !polls
                    .iter()
                    .any(|p| s.overlap(p.start, p.end) > Duration::ZERO)
            })
            .map(|s| Block {
                start: s.start,
                end: s.end,
                job: self.stall_job(&s),
                exact: false,
            })
            .collect();
        all.extend(polls);
        all.sort_unstable_by_key(|b| std::cmp::Reverse(b.end - b.start));
        all
    }

    /// The longest any ready task waited in `[from, to)`: the slowest ping, or — exact, with the
    /// poll hooks on a current-thread lab — the longest single poll of the loop, since every
    /// task that became ready as it began waited all of it.
    pub fn worst_lag(&self, from: Duration, to: Duration) -> Duration {
        let loop_thread = Self::loop_thread();
        let polls = self
            .long_polls_in(from, to)
            .filter(|p| p.thread == loop_thread)
            .map(|p| p.duration)
            .max();
        self.lag.max_in(from, to).max(polls.unwrap_or_default())
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

    /// Long polls overlapping `[from, to)`. They are kept in start order, so the search skips
    /// every poll that started before `from` by more than the longest poll there has been.
    pub fn long_polls_in(&self, from: Duration, to: Duration) -> impl Iterator<Item = &LongPoll> {
        let earliest = from.saturating_sub(self.longest_poll);
        let first = self.long_polls.partition_point(|p| p.start < earliest);
        self.long_polls
            .range(first..)
            .take_while(move |p| p.start < to)
            .filter(move |p| p.start + p.duration > from)
    }

    /// Jobs of one run.
    pub fn run_jobs(&self, run: u64) -> impl Iterator<Item = &JobRecord> {
        self.timeline.all().filter(move |j| j.spec.run == run)
    }
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
        let stalls = m.stalls_in(ms(0), ms(400));
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

    fn long_poll(m: &mut Model, thread: &str, task: u64, start_us: u64, duration_us: u64) {
        m.ingest(Sample::LongPoll(LongPoll {
            worker: 0,
            thread: thread.into(),
            task,
            start: Duration::from_micros(start_us),
            duration: Duration::from_micros(duration_us),
        }));
    }

    fn hooks_on(m: &mut Model, at: u64) {
        m.ingest(Sample::Watch(Watch {
            at: ms(at),
            oldest_unanswered: None,
            workers: Some(Vec::new()),
        }));
    }

    /// The pings see a 200 ms block up to a ping late at each end; the poll hooks saw its
    /// poll to the microsecond, and name its task.
    #[test]
    fn a_polls_exact_length_makes_the_stall_and_the_worst_lag() {
        let mut m = Model::new();
        submit(&mut m, 1, 100, fake("inline"));
        start(&mut m, 1, 100, "lab-loop", Some(42));
        for sent in 0..400u64 {
            // A ping every ms: those sent during [100.4, 300.3) are answered at 300.3.
            let lag = if (101..=300).contains(&sent) {
                Duration::from_micros(300_300 - sent * 1000)
            } else {
                Duration::from_micros(25)
            };
            m.ingest(Sample::Lag {
                sent: ms(sent),
                lag,
            });
        }
        finish(&mut m, 1, 300);
        long_poll(&mut m, "lab-loop", 42, 100_400, 199_900);
        let stalls = m.stalls_in(ms(0), ms(400));
        assert_eq!(
            stalls.len(),
            1,
            "the pings' view gave way to the poll: {stalls:?}"
        );
        assert_eq!(stalls[0].start, Duration::from_micros(100_400));
        assert_eq!(stalls[0].duration(), Duration::from_micros(199_900));
        assert_eq!(m.stall_job(&stalls[0]), Some(1));
        assert_eq!(m.worst_lag(ms(0), ms(400)), Duration::from_micros(199_900));
        // A worker of a multi-thread lab is no loop of its own: its poll is no stall.
        long_poll(&mut m, "lab-worker-1", 43, 350_000, 30_000);
        assert_eq!(m.stalls_in(ms(0), ms(400)).len(), 1);
        assert_eq!(m.worst_lag(ms(0), ms(400)), Duration::from_micros(199_900));
    }

    #[test]
    fn a_one_millisecond_poll_is_a_block_with_its_job() {
        let mut m = Model::new();
        submit(&mut m, 7, 10, fake("inline"));
        start(&mut m, 7, 10, "lab-loop", Some(99));
        finish(&mut m, 7, 11);
        long_poll(&mut m, "lab-loop", 99, 10_000, 1_020);
        let blocks = m.blocks_in(ms(0), ms(100));
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].job, Some(7));
        assert!(blocks[0].exact);
        assert_eq!(blocks[0].duration(), Duration::from_micros(1_020));
        assert!(m.stalls_in(ms(0), ms(100)).is_empty(), "1 ms is no stall");
    }

    #[test]
    fn blocked_saturated_and_responsive_are_told_apart() {
        // Responsive: pings answered in tens of µs.
        let mut m = Model::new();
        hooks_on(&mut m, 0);
        for t in 0..1000 {
            m.ingest(Sample::Lag {
                sent: ms(t),
                lag: Duration::from_micros(30),
            });
        }
        assert!(matches!(
            m.diagnosis(ms(1000)),
            Diagnosis::Responsive { .. }
        ));

        // Saturated: pings wait 40 ms, yet no poll is longer than 5 ms — many short ones queue.
        let mut m = Model::new();
        hooks_on(&mut m, 0);
        for t in 0..1000 {
            m.ingest(Sample::Lag {
                sent: ms(t),
                lag: ms(40),
            });
            if t % 5 == 0 {
                long_poll(&mut m, "lab-loop", 1000 + t, t * 1000, 5_000);
            }
        }
        match m.diagnosis(ms(1000)) {
            Diagnosis::Saturated {
                lag_p99,
                longest_poll,
                polls,
            } => {
                assert!(lag_p99 >= ms(39), "{lag_p99:?}");
                assert_eq!(longest_poll, ms(5));
                assert_eq!(polls, 200);
            }
            other => panic!("saturated, not {other:?}"),
        }

        // Blocked: one poll of 200 ms, with its job.
        submit(&mut m, 3, 500, fake("inline"));
        start(&mut m, 3, 500, "lab-loop", Some(77));
        long_poll(&mut m, "lab-loop", 77, 500_000, 200_000);
        assert_eq!(
            m.diagnosis(ms(1000)),
            Diagnosis::Blocked {
                job: Some(3),
                thread: "lab-loop".into(),
                poll: ms(200),
            }
        );

        // Without the poll hooks the same lag cannot be told: slow, and it says so.
        let mut m = Model::new();
        m.ingest(Sample::Watch(Watch {
            at: ms(0),
            oldest_unanswered: None,
            workers: None,
        }));
        for t in 0..1000 {
            m.ingest(Sample::Lag {
                sent: ms(t),
                lag: ms(40),
            });
        }
        assert!(matches!(m.diagnosis(ms(1000)), Diagnosis::Slow { .. }));
    }

    #[test]
    fn a_stall_is_seen_live_when_the_observer_first_reports_it() {
        let mut m = Model::new();
        let look = |at: u64, since: Option<u64>| {
            Sample::Watch(Watch {
                at: ms(at),
                oldest_unanswered: None,
                workers: Some(vec![WorkerPoll {
                    worker: 0,
                    thread: "lab-loop".into(),
                    polling_since: since.map(ms),
                    task: since.map(|_| 5),
                }]),
            })
        };
        m.ingest(look(105, Some(100))); // 5 ms old: not yet a stall
        m.ingest(look(111, Some(100))); // 11 ms old: seen
        m.ingest(look(131, Some(100))); // still the same one
        assert_eq!(m.first_seen_live(ms(100)), Some(ms(111)));
        assert_eq!(m.first_seen_live(ms(300)), None);
    }

    /// A lab retired the moment it started may report its start after its successor's.
    #[test]
    fn the_current_lab_is_the_one_started_last_whatever_arrived_last() {
        let mut m = Model::new();
        let at = Duration::from_millis;
        m.ingest(Sample::LabStarted { lab: 2, at: at(30) });
        m.ingest(Sample::LabStarted { lab: 1, at: at(10) });
        assert_eq!(m.current_lab(), Some((2, at(30))));
    }

    #[test]
    fn outside_requests_are_counted_with_their_errors_in_a_window() {
        let mut m = Model::new();
        for (at, status) in [(100, 200), (200, 404), (300, 200), (900, 500)] {
            m.ingest(Sample::Http(HttpRequest {
                status,
                received: Duration::from_millis(at),
                took: Duration::from_millis(2),
            }));
        }
        let (from, to) = (Duration::from_millis(150), Duration::from_millis(900));
        assert_eq!(m.http_summary(from, to).count, 2);
        assert_eq!(m.http_errors(from, to), 1);
        assert_eq!(m.http_errors(Duration::ZERO, Duration::MAX), 2);
    }
}
