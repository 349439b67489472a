//! Counters the lab keeps for the paths tokio's metrics cannot see: blocklab's own thread
//! pools, detached threads, child processes, permits. Atomics, read by the observer.
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::data::GaugeSample;

#[derive(Debug, Default)]
pub struct Gauges {
    pub pool_threads: Level,
    pub pool_busy: Level,
    pub pool_queued: Level,
    pub detached: Level,
    pub children: Level,
    pub children_busy: Level,
    pub permits_waiting: Level,
    /// (pid, busy) of every child of the process pool.
    pub child_list: std::sync::Mutex<Vec<(u32, bool)>>,
    /// The bound on jobs in flight and on threads started for them.
    pub admission: super::admission::Admission,
}

/// A level that remembers its peak, so a short burst between two samples is not missed.
#[derive(Debug, Default)]
pub struct Level {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Level {
    pub fn up(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    pub fn down(&self) {
        let _ = self
            .now
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1));
    }

    pub fn get(&self) -> usize {
        self.now.load(Ordering::Relaxed)
    }

    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// Counts up now and down when the guard drops (also on a panic).
    pub fn hold(&self) -> Held<'_> {
        self.up();
        Held(self)
    }
}

pub struct Held<'a>(&'a Level);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.down();
    }
}

impl Gauges {
    pub fn sample(&self) -> GaugeSample {
        GaugeSample {
            pool_threads: self.pool_threads.get(),
            pool_threads_peak: self.pool_threads.peak(),
            pool_busy: self.pool_busy.get(),
            pool_queued: self.pool_queued.get(),
            detached: self.detached.get(),
            children: self.children.get(),
            children_busy: self.children_busy.get(),
            permits_waiting: self.permits_waiting.get(),
            child_list: self
                .child_list
                .lock()
                .map(|l| l.clone())
                .unwrap_or_default(),
            in_flight: self.admission.in_flight(),
            refused: self.admission.refused(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_keeps_its_peak() {
        let l = Level::default();
        {
            let _a = l.hold();
            let _b = l.hold();
            assert_eq!(l.get(), 2);
        }
        l.down(); // never below zero
        assert_eq!((l.get(), l.peak()), (0, 2));
    }
}
