//! The observer: its own OS thread and runtime, never the lab's, so it keeps measuring while the
//! lab is frozen. It pings the lab's probe, watches the poll-hook slots, samples tokio's metrics,
//! relays job and request events, and sends everything as batches of plain [`Sample`]s.
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;
use tokio_metrics::RuntimeMonitor;

use crate::clock::Clock;
use crate::data::{
    BlockingPool, GaugeSample, LabEvent, LongPoll, Ping, RuntimeSample, Sample, Watch, WorkerPoll,
};

#[derive(Clone, Copy, Debug)]
pub struct ObserverConfig {
    /// How often to ping the lab: bounds how short a stall the probe can see.
    pub ping_period: Duration,
    /// How often to send a batch (and a live `Watch`).
    pub tick: Duration,
    /// How often to read tokio's runtime metrics.
    pub metrics_period: Duration,
}

impl Default for ObserverConfig {
    fn default() -> Self {
        Self {
            ping_period: Duration::from_millis(1),
            tick: Duration::from_millis(20),
            metrics_period: Duration::from_millis(100),
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
}

/// A running observer; dropping it stops it.
pub struct Observer {
    stop: Option<oneshot::Sender<()>>,
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
        let (stop_tx, stop_rx) = oneshot::channel();
        let retired = Arc::new(AtomicBool::new(false));
        let watcher = Watcher {
            monitor: RuntimeMonitor::new(&lab.handle),
            lab,
            stopped: false,
            retired: retired.clone(),
            outstanding: VecDeque::new(),
            next_seq: 0,
            last_worker_busy: Vec::new(),
        };
        let thread = std::thread::Builder::new()
            .name("observer".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                    .expect("observer runtime");
                rt.block_on(watcher.run(events, batches_tx, stop_rx, config));
            })?;
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
}

impl Watcher {
    async fn run(
        mut self,
        mut events: UnboundedReceiver<LabEvent>,
        batches: mpsc::Sender<Vec<Sample>>,
        mut stop: oneshot::Receiver<()>,
        config: ObserverConfig,
    ) {
        let mut ping = tokio::time::interval(config.ping_period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut tick = tokio::time::interval(config.tick);
        let mut metrics = tokio::time::interval(config.metrics_period);
        let mut intervals = self.monitor.intervals();
        let mut batch = vec![Sample::LabStarted {
            lab: self.lab.lab,
            at: self.lab.started_at,
        }];
        loop {
            tokio::select! {
                biased;
                _ = &mut stop => break,
                _ = ping.tick() => self.ping(),
                Some(event) = events.recv() => self.relay(event, &mut batch),
                                _ = metrics.tick(), if !self.retired.load(Ordering::Relaxed) => {
                    if let Some(m) = intervals.next() {
                        batch.push(Sample::Runtime(self.runtime_sample(&m)));
                    }
                }
                _ = tick.tick() => {
                                        if !self.retired.load(Ordering::Relaxed) {
                        batch.push(Sample::Watch(self.watch()));
                    }
                    if let Some(polls) = &self.lab.polls {
                        batch.extend((polls.long_polls)().into_iter().map(Sample::LongPoll));
                    }
                    if batches.send(std::mem::take(&mut batch)).is_err() {
                        break;
                    }
                }
            }
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
                batch.push(Sample::Lag {
                    sent,
                    lag: received.saturating_sub(sent),
                });
            }
            LabEvent::Request { sent, done } => batch.push(Sample::Request {
                sent,
                latency: done.saturating_sub(sent),
            }),
            LabEvent::Job(job) => batch.push(Sample::Job(job)),
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
