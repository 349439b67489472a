//! The observer: its own OS thread, never the lab's, so it keeps measuring while the lab is
//! frozen. It needs no runtime of its own: it only sleeps between beats, on a plain timed wait
//! (tokio's timer wheel would also wake it at each 64 ms boundary a sleep crosses). It pings the lab's probe, watches the poll-hook slots, samples tokio's metrics,
//! relays job and request events, and sends everything as batches of plain [`Sample`]s.
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio_metrics::RuntimeMonitor;

use crate::clock::Clock;
use crate::data::{
    BlockingPool, GaugeSample, HttpRequest, LabEvent, LongPoll, Ping, RuntimeSample,
    STALL_THRESHOLD, Sample, Watch, WorkerPoll,
};

/// How the observer paces itself. While anything happens in the lab it looks closely; at rest
/// it looks 50 times less often — a thousand wake-ups a second on each side of the ping is a
/// fan and a battery on a laptop, and with the poll hooks a long poll is measured exactly
/// whatever the ping period.
#[derive(Clone, Copy, Debug)]
pub struct ObserverConfig {
    /// How often to ping the lab while it is busy: bounds how short a stall the probe can see.
    pub ping_period: Duration,
    /// … while busy, when the poll hooks are there: they measure every long poll exactly and
    /// see a stall begin on their own, so the ping is left with the lag of tasks queueing,
    /// which a 5 ms sample resolves well — and a poll-heavy lab keeps more of its throughput.
    pub hooked_ping_period: Duration,
    /// … and at rest.
    pub rest_ping_period: Duration,
    /// How often to send a batch (and a live `Watch`) while busy, and at rest: multiples of
    /// the ping periods, as they are sent on a ping's beat. A stall that begins is reported at
    /// once, whatever the tick.
    pub tick: Duration,
    pub rest_tick: Duration,
    /// How often to read tokio's runtime metrics while busy, and at rest (multiples of the
    /// ping periods too).
    pub metrics_period: Duration,
    pub rest_metrics_period: Duration,
    /// The lab is at rest this long after the last job event, slow ping or stall.
    pub rest_after: Duration,
}

impl Default for ObserverConfig {
    fn default() -> Self {
        Self {
            ping_period: Duration::from_millis(1),
            hooked_ping_period: Duration::from_millis(5),
            rest_ping_period: Duration::from_millis(50),
            tick: Duration::from_millis(20),
            rest_tick: Duration::from_millis(100),
            metrics_period: Duration::from_millis(100),
            rest_metrics_period: Duration::from_millis(500),
            rest_after: Duration::from_secs(2),
        }
    }
}

pub type Batches = mpsc::Receiver<Vec<Sample>>;

/// What the observer reads of a lab: plain channels and read-outs, handed over by whoever
/// wires the two together (`session`), so the observer never depends on the lab's code.
pub struct Instruments {
    pub lab: u64,
    pub started_at: Duration,
    pub clock: Clock,
    /// Where pings go (the lab's probe task answers them).
    pub pings: tokio::sync::mpsc::UnboundedSender<Ping>,
    /// The lab's runtime, for tokio's metrics.
    pub handle: tokio::runtime::Handle,
    /// The poll hooks' live picture and their long polls; `None` without `tokio_unstable`.
    pub polls: Option<PollReadout>,
    /// blocklab's own gauges (pools, children, permits, admission).
    pub gauges: Box<dyn Fn() -> GaugeSample + Send>,
}

pub struct PollReadout {
    pub workers: Box<dyn Fn() -> Vec<WorkerPoll> + Send>,
    pub long_polls: Box<dyn Fn() -> Vec<LongPoll> + Send>,
    /// When the oldest poll in progress began (cheap: a few atomic loads), if any.
    pub oldest: Box<dyn Fn() -> Option<Duration> + Send>,
}

/// A running observer; dropping it stops it.
pub struct Observer {
    stop: Option<mpsc::Sender<()>>,
    retired: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Observer {
    pub fn start(
        lab: Instruments,
        events: UnboundedReceiver<LabEvent>,
        config: ObserverConfig,
    ) -> std::io::Result<(Observer, Batches)> {
        let (batches_tx, batches_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel();
        let retired = Arc::new(AtomicBool::new(false));
        let watcher = Watcher {
            monitor: RuntimeMonitor::new(&lab.handle),
            lab,
            stopped: false,
            retired: retired.clone(),
            outstanding: VecDeque::new(),
            next_seq: 0,
            last_worker_busy: Vec::new(),
            busy_until: Duration::ZERO,
            reported: None,
            config,
        };
        let thread = std::thread::Builder::new()
            .name("observer".into())
            .spawn(move || watcher.run(events, batches_tx, stop_rx))?;
        Ok((
            Observer {
                stop: Some(stop_tx),
                retired,
                thread: Some(thread),
            },
            batches_rx,
        ))
    }

    /// From now on only relay the lab's job events (its lab is stopping and a new one is
    /// measured by another observer): no pings, no live picture, no metrics.
    pub fn retire(&self) {
        self.retired.store(true, Ordering::Relaxed);
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // The observer never blocks on the lab, so this join is short.
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Watcher {
    lab: Instruments,
    /// The lab has stopped: no more pings (nobody would answer them).
    stopped: bool,
    retired: Arc<AtomicBool>,
    monitor: RuntimeMonitor,
    /// (seq, sent) of pings not answered yet, oldest first.
    outstanding: VecDeque<(u64, Duration)>,
    next_seq: u64,
    last_worker_busy: Vec<Duration>,
    config: ObserverConfig,
    /// The lab counts as busy until then (lab time).
    busy_until: Duration,
    /// The start of the stall last reported at once, so it is reported once.
    reported: Option<Duration>,
}

impl Watcher {
    fn run(
        mut self,
        mut events: UnboundedReceiver<LabEvent>,
        batches: mpsc::Sender<Vec<Sample>>,
        stop: mpsc::Receiver<()>,
    ) {
        use std::time::Instant;
        let c = self.config;
        let mut intervals = self.monitor.intervals();
        let mut batch = vec![Sample::LabStarted {
            lab: self.lab.lab,
            at: self.lab.started_at,
        }];
        self.busy_until = self.lab.clock.now() + c.rest_after;
        let start = Instant::now();
        let (mut next_ping, mut next_tick, mut next_metrics) =
            (start, start + c.tick, start + c.metrics_period);
        // One beat, the ping's: the tick and the metrics are due on a beat (their periods are
        // multiples of the ping's), so the observer wakes only as often as it pings — 20 times a
        // second at rest. On a VM a wake-up costs tens of microseconds of kernel time whatever
        // is done in it, and three beats drifting apart woke it 50 times a second.
        loop {
            let beat = next_ping;
            match stop.recv_timeout(beat.saturating_duration_since(Instant::now())) {
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                // Asked to stop, or whoever could ask is gone.
                _ => break,
            }
            let now = Instant::now();
            let rest = self.resting();
            let retired = self.retired.load(Ordering::Relaxed);
            // The lab's events are taken at each wake-up, not each as it comes: a wake-up per
            // request and per answer would cost more than all the rest at rest.
            self.drain(&mut events, &mut batch);
            self.ping();
            let period = if rest {
                c.rest_ping_period
            } else if self.lab.polls.is_some() {
                c.hooked_ping_period
            } else {
                c.ping_period
            };
            // Missed pings are skipped, not sent in a burst.
            next_ping = (beat + period).max(now);
            if !retired && self.stall_began() {
                batch.push(Sample::Watch(self.watch()));
                if batches.send(std::mem::take(&mut batch)).is_err() {
                    break;
                }
            }
            if beat >= next_metrics {
                if !retired && let Some(m) = intervals.next() {
                    batch.push(Sample::Runtime(self.runtime_sample(&m)));
                }
                let period = if rest {
                    c.rest_metrics_period
                } else {
                    c.metrics_period
                };
                next_metrics = beat + period;
            }
            if beat >= next_tick {
                if !retired {
                    batch.push(Sample::Watch(self.watch()));
                }
                if let Some(polls) = &self.lab.polls {
                    batch.extend((polls.long_polls)().into_iter().map(Sample::LongPoll));
                }
                if batches.send(std::mem::take(&mut batch)).is_err() {
                    break;
                }
                next_tick = beat + if rest { c.rest_tick } else { c.tick };
            }
        }
    }

    /// Relays every event the lab has sent since the last look.
    fn drain(&mut self, events: &mut UnboundedReceiver<LabEvent>, batch: &mut Vec<Sample>) {
        while let Ok(event) = events.try_recv() {
            self.relay(event, batch);
        }
    }

    /// Nothing has happened in the lab for a while: no job event, no slow ping, no stall.
    fn resting(&self) -> bool {
        self.lab.clock.now() >= self.busy_until
    }

    fn busy(&mut self) {
        self.busy_until = self.lab.clock.now() + self.config.rest_after;
    }

    /// True once when a stall has just become one (an unanswered ping, or with the poll hooks a
    /// single poll in progress, at least the stall threshold old): reported at once, not at the
    /// next tick, so it shows within a threshold and a ping period of its start.
    fn stall_began(&mut self) -> bool {
        let now = self.lab.clock.now();
        let poll = self.lab.polls.as_ref().and_then(|p| (p.oldest)());
        let ping = self.outstanding.front().map(|&(_, sent)| sent);
        let since = [poll, ping]
            .into_iter()
            .flatten()
            .filter(|s| now.saturating_sub(*s) >= STALL_THRESHOLD)
            .min();
        match since {
            Some(s) if self.reported != Some(s) => {
                self.reported = Some(s);
                self.busy();
                true
            }
            _ => false,
        }
    }

    fn ping(&mut self) {
        if self.stopped || self.retired.load(Ordering::Relaxed) {
            return;
        }
        self.next_seq += 1;
        let sent = self.lab.clock.now();
        if self
            .lab
            .pings
            .send(Ping {
                seq: self.next_seq,
                sent,
            })
            .is_ok()
        {
            self.outstanding.push_back((self.next_seq, sent));
        }
    }

    fn relay(&mut self, event: LabEvent, batch: &mut Vec<Sample>) {
        match event {
            LabEvent::PingAnswer {
                seq,
                sent,
                received,
            } => {
                while self.outstanding.front().is_some_and(|&(s, _)| s <= seq) {
                    self.outstanding.pop_front();
                }
                // A slow answer wakes the observer up; a VM's millisecond hiccup does not.
                let lag = received.saturating_sub(sent);
                if lag >= STALL_THRESHOLD / 2 {
                    self.busy();
                }
                batch.push(Sample::Lag { sent, lag });
            }
            LabEvent::Request { sent, done } => batch.push(Sample::Request {
                sent,
                latency: done.saturating_sub(sent),
            }),
            LabEvent::Http {
                status,
                received,
                done,
            } => batch.push(Sample::Http(HttpRequest {
                status,
                received,
                took: done.saturating_sub(received),
            })),
            LabEvent::Job(job) => {
                self.busy();
                batch.push(Sample::Job(job));
            }
            LabEvent::Stopped { lab, at } => {
                self.stopped = true;
                self.outstanding.clear();
                batch.push(Sample::LabStopped { lab, at });
            }
        }
    }

    fn watch(&self) -> Watch {
        Watch {
            at: self.lab.clock.now(),
            oldest_unanswered: self.outstanding.front().map(|&(_, sent)| sent),
            workers: self.lab.polls.as_ref().map(|p| (p.workers)()),
        }
    }

    fn runtime_sample(&mut self, m: &tokio_metrics::RuntimeMetrics) -> RuntimeSample {
        let metrics = self.lab.handle.metrics();
        let totals: Vec<Duration> = (0..m.workers_count)
            .map(|w| metrics.worker_total_busy_duration(w))
            .collect();
        let elapsed = m.elapsed.as_secs_f64().max(1e-9);
        let worker_busy = totals
            .iter()
            .enumerate()
            .map(|(w, total)| {
                let before = self.last_worker_busy.get(w).copied().unwrap_or(*total);
                (total.saturating_sub(before).as_secs_f64() / elapsed).min(1.0)
            })
            .collect();
        self.last_worker_busy = totals;
        RuntimeSample {
            at: self.lab.clock.now(),
            workers: m.workers_count,
            busy_ratio: m.busy_ratio().min(1.0),
            worker_busy,
            global_queue: m.global_queue_depth,
            live_tasks: m.live_tasks_count,
            blocking: blocking_pool(m),
            gauges: (self.lab.gauges)(),
        }
    }
}

#[cfg(tokio_unstable)]
fn blocking_pool(m: &tokio_metrics::RuntimeMetrics) -> Option<BlockingPool> {
    Some(BlockingPool {
        threads: m.blocking_threads_count,
        idle: m.idle_blocking_threads_count,
        queue: m.blocking_queue_depth,
    })
}

#[cfg(not(tokio_unstable))]
fn blocking_pool(_: &tokio_metrics::RuntimeMetrics) -> Option<BlockingPool> {
    None
}
