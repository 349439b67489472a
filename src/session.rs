//! A session: one lab and the observer watching it, started and stopped together.
use std::time::Duration;

use crate::clock::Clock;
use crate::data::LabConfig;
use crate::lab::Lab;
use crate::model::Model;
use crate::observe::{Batches, Instruments, Observer, ObserverConfig, PollReadout};

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
        // Calibrate the CPU workload before any lab thread competes for the cores.
        crate::lab::workload::calibrate();
        let (lab, events) = Lab::start(config, clock)?;
        let (observer, batches) =
            Observer::start(instruments(&lab), events, ObserverConfig::default())?;
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
        let mut n = 0;
        while let Ok(batch) = self.batches.try_recv() {
            n += batch.len();
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
            let drain = hooks.clone();
            PollReadout {
                workers: Box::new(move || hooks.snapshot()),
                long_polls: Box::new(move || drain.drain_long_polls()),
            }
        }),
        gauges: Box::new(move || gauges.sample()),
    }
}
