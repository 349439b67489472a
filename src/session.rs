//! Sessions: a lab and the observer watching it, started and stopped together — and
//! [`Labs`], the current session with the ones still stopping, which carries out the
//! experiment runner's orders for the TUI and the headless commands alike.
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::data::{LabConfig, Load, LoadResult, RunId, Sample, Work};
use crate::lab::{Lab, http};
use crate::load::{LoadPlan, Target};
use crate::model::Model;
use crate::observe::{Batches, Instruments, Observer, ObserverConfig, PollReadout};
use crate::runner::Bench;
use crate::text::T;

pub struct Session {
    // Field order is drop order: stop observing first, then let the lab go.
    observer: Observer,
    pub lab: Lab,
    batches: Batches,
}

impl Session {
    pub fn start(config: LabConfig) -> std::io::Result<Session> {
        Self::start_with(config, Clock::start())
    }

    /// A session on an existing clock: a restarted lab continues the same timeline.
    pub fn start_with(config: LabConfig, clock: Clock) -> std::io::Result<Session> {
        Self::start_observed(config, clock, ObserverConfig::default(), None)
    }

    /// The same, with the observer paced as `observer` says.
    /// With `front_door`, the lab also serves HTTP on that socket.
    pub fn start_observed(
        config: LabConfig,
        clock: Clock,
        observer: ObserverConfig,
        front_door: Option<std::net::TcpListener>,
    ) -> std::io::Result<Session> {
        // Calibrate the CPU workload before any lab thread competes for the cores.
        crate::lab::workload::calibrate();
        crate::lab::workload::query_rows_per_ms();
        let (lab, events) = Lab::start(config, clock, front_door)?;
        let (observer, batches) = Observer::start(instruments(&lab), events, observer)?;
        Ok(Session {
            observer,
            lab,
            batches,
        })
    }

    pub fn now(&self) -> Duration {
        self.lab.clock.now()
    }

    /// Stops the lab and keeps only relaying its jobs' last events, until it reports `Stopped`.
    pub fn retire(&mut self) {
        self.observer.retire();
        self.lab.stop();
    }

    /// Moves every batch that has arrived into the model; returns how many samples came.
    pub fn drain_into(&self, model: &mut Model) -> usize {
        self.drain_tapped(model, &mut |_| ())
    }

    /// [`Session::drain_into`], each batch shown to `tap` first (a recording keeps them).
    pub fn drain_tapped(&self, model: &mut Model, tap: &mut dyn FnMut(&[Sample])) -> usize {
        let mut n = 0;
        while let Ok(batch) = self.batches.try_recv() {
            n += batch.len();
            tap(&batch);
            model.ingest_all(batch);
        }
        n
    }

    /// Feeds the model until `deadline` (session time), or until `done` says so.
    pub fn pump_until(
        &self,
        model: &mut Model,
        deadline: Duration,
        mut done: impl FnMut(&Model) -> bool,
    ) {
        loop {
            let now = self.now();
            if now >= deadline || done(model) {
                return;
            }
            let wait = (deadline - now).min(Duration::from_millis(20));
            if let Ok(batch) = self.batches.recv_timeout(wait) {
                model.ingest_all(batch);
                self.drain_into(model);
            }
        }
    }
}

/// The lab being measured, and labs that are stopping: their last job events still count (a
/// graceful shutdown finishes work; an abrupt one loses it). All on one clock, so the timeline
/// goes on across restarts.
pub struct Labs {
    clock: Clock,
    current: Option<Session>,
    stopping: Vec<(Session, Instant)>,
    /// Load tests' figures, from their generators' threads.
    loads: (mpsc::Sender<Sample>, mpsc::Receiver<Sample>),
    /// The HTTP front door's socket. It outlives every lab: each fresh lab serves on it, so the
    /// address stays the same across restarts (a lab that stops closes only its own copy).
    front_door: Option<std::net::TcpListener>,
}

impl Labs {
    pub fn new(clock: Clock) -> Labs {
        Labs {
            clock,
            current: None,
            stopping: Vec::new(),
            loads: mpsc::channel(),
            front_door: None,
        }
    }

    /// Labs that serve HTTP on `listener`.
    pub fn with_front_door(clock: Clock, listener: std::net::TcpListener) -> Labs {
        Labs {
            front_door: Some(listener),
            ..Labs::new(clock)
        }
    }

    /// Labs with a front door on a free loopback port, as the TUI has by default (`run`,
    /// `check` and `calibrate` too: blocklab's own traffic and load tests go through it). A
    /// machine with no loopback socket gets labs without one.
    pub fn on_loopback(clock: Clock) -> Labs {
        match std::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0)) {
            Ok(listener) => Labs::with_front_door(clock, listener),
            Err(e) => {
                tracing::warn!("no loopback socket, the labs run without a front door: {e}");
                Labs::new(clock)
            }
        }
    }

    /// Where the front door listens, if there is one.
    pub fn address(&self) -> Option<std::net::SocketAddr> {
        self.front_door.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The lab being measured: (id, configuration).
    pub fn current(&self) -> Option<(u64, &LabConfig)> {
        self.current.as_ref().map(|s| (s.lab.id(), &s.lab.config))
    }

    /// The current lab's background requests: their latency as their clients measured it, in
    /// µs (`None` without a front door).
    pub fn traffic_latency(&self) -> Option<hdrhistogram::Histogram<u64>> {
        self.current.as_ref()?.lab.traffic_latency()
    }

    /// The current lab's background traffic at `rate` requests a second from now on (the TUI
    /// rests it while nobody uses the app, and brings it back on a key).
    pub fn set_traffic_rate(&self, rate: u32) {
        if let Some(s) = &self.current {
            s.lab.set_traffic_rate(rate);
        }
    }

    /// Moves every batch that has arrived into the model; returns how many samples came.
    pub fn drain_into(&mut self, model: &mut Model) -> usize {
        self.drain_tapped(model, &mut |_| ())
    }

    /// [`Labs::drain_into`], each batch shown to `tap` before the model takes it.
    pub fn drain_tapped(&mut self, model: &mut Model, tap: &mut dyn FnMut(&[Sample])) -> usize {
        let mut n = self
            .current
            .as_ref()
            .map_or(0, |s| s.drain_tapped(model, tap));
        while let Ok(load) = self.loads.1.try_recv() {
            tap(std::slice::from_ref(&load));
            model.ingest(load);
            n += 1;
        }
        for (old, _) in &self.stopping {
            n += old.drain_tapped(model, tap);
        }
        // Forget a stopped lab once it said so (or after a generous wait).
        self.stopping.retain(|(old, since)| {
            model.lab_stopped(old.lab.id()).is_none() && since.elapsed() < Duration::from_secs(20)
        });
        n
    }
}

impl Bench for Labs {
    fn now(&self) -> Duration {
        self.clock.now()
    }

    /// Starts a fresh lab; the current one retires. Returns (id, start time).
    fn start(&mut self, config: LabConfig) -> std::io::Result<(u64, Duration)> {
        let door = self
            .front_door
            .as_ref()
            .map(|l| l.try_clone())
            .transpose()?;
        let fresh = Session::start_observed(config, self.clock, ObserverConfig::default(), door)?;
        let started = (fresh.lab.id(), fresh.lab.started_at);
        if let Some(mut old) = self.current.replace(fresh) {
            old.retire();
            self.stopping.push((old, Instant::now()));
        }
        Ok(started)
    }

    fn submit(&mut self, run: RunId, work: Work, jobs: usize) {
        if let Some(s) = &self.current {
            s.lab.submit(run, work, jobs);
        }
    }

    /// `blocklab load`'s generator against the front door's `/work` route, its requests
    /// marked with the run (their jobs join it, and they are not counted as from outside).
    fn load(&mut self, run: RunId, work: Work, load: Load) {
        let (tx, clock) = (self.loads.0.clone(), self.clock);
        let done = move |steps, error| {
            let at = clock.now();
            let _ = tx.send(Sample::Load(LoadResult {
                run,
                at,
                steps,
                error,
            }));
        };
        let Some(addr) = self.address() else {
            return done(Vec::new(), Some(T::LoadNoFrontDoor.text().to_string()));
        };
        let size = match work.size {
            0 => String::new(),
            n => format!("&size={n}"),
        };
        let url = format!(
            "http://{}/work/{}/{}?ms={}{size}",
            http::reachable(addr),
            work.workload.as_str(),
            work.strategy.as_str(),
            work.ms,
        );
        let plan = LoadPlan {
            rates: load.rates,
            step: load.step,
            headers: vec![(http::RUN_HEADER.to_string(), run.to_string())],
            ..LoadPlan::default()
        };
        let started = std::thread::Builder::new()
            .name("lab-load".into())
            .spawn(move || {
                let result = Target::parse(&url)
                    .map_err(std::io::Error::other)
                    .and_then(|target| crate::load::run(&target, &plan, |_| {}));
                match result {
                    Ok(report) => done(report.steps, None),
                    Err(e) => done(Vec::new(), Some(e.to_string())),
                }
            });
        if let Err(e) = started {
            tracing::warn!("no thread for the load test: {e}");
        }
    }

    /// Its observer goes on relaying the lab's last job events until it says `Stopped`.
    fn stop(&mut self) {
        if let Some(s) = &mut self.current {
            s.lab.stop();
        }
    }

    fn wait_into(&mut self, model: &mut Model, until: Duration) {
        let wait = until.saturating_sub(self.now());
        match &self.current {
            Some(s) => {
                if let Ok(batch) = s.batches.recv_timeout(wait) {
                    model.ingest_all(batch);
                }
            }
            None => std::thread::sleep(wait),
        }
        self.drain_into(model);
    }
}

/// What the observer may read of a lab, wired here so that neither depends on the other.
fn instruments(lab: &Lab) -> Instruments {
    let gauges = lab.gauges();
    Instruments {
        lab: lab.id(),
        started_at: lab.started_at,
        clock: lab.clock,
        pings: lab.pinger(),
        handle: lab.handle().clone(),
        polls: lab.hooks().map(|hooks| {
            let (drain, oldest) = (hooks.clone(), hooks.clone());
            PollReadout {
                workers: Box::new(move || hooks.snapshot()),
                long_polls: Box::new(move || drain.drain_long_polls()),
                oldest: Box::new(move || oldest.oldest_since()),
            }
        }),
        gauges: Box::new(move || gauges.sample()),
    }
}
