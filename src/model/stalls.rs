//! Stall detection from answered pings.
//!
//! A ping sent at `s` that waited `lag` tells that the loop did not run between `s` and
//! `s + lag`. Slow pings whose intervals overlap describe one stall: for a 200 ms block, the
//! first ping after it started waited ~200 ms, the next ~199 ms, …, all answered together.
use std::time::Duration;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Stall {
    pub start: Duration,
    pub end: Duration,
    /// The task whose single poll it was, when the poll hooks saw it (then start and end are
    /// the poll's own, exact); `None` for a stall seen by the pings alone.
    pub task: Option<u64>,
}

impl Stall {
    pub fn duration(&self) -> Duration {
        self.end.saturating_sub(self.start)
    }

    pub fn overlap(&self, from: Duration, to: Duration) -> Duration {
        self.end.min(to).saturating_sub(self.start.max(from))
    }
}

#[derive(Clone, Debug, Default)]
pub struct StallDetector {
    threshold: Duration,
    stalls: Vec<Stall>,
}

impl StallDetector {
    pub fn new(threshold: Duration) -> Self {
        Self {
            threshold,
            stalls: Vec::new(),
        }
    }

    /// Feeds one answered ping.
    pub fn observe(&mut self, sent: Duration, lag: Duration) {
        if lag < self.threshold {
            return;
        }
        let (start, end) = (sent, sent + lag);
        // Allow one ping period of slack: consecutive slow pings belong to the same stall.
        let slack = Duration::from_millis(2);
        match self.stalls.last_mut() {
            Some(last) if start <= last.end + slack && end + slack >= last.start => {
                last.start = last.start.min(start);
                last.end = last.end.max(end);
            }
            _ => self.stalls.push(Stall {
                start,
                end,
                task: None,
            }),
        }
    }

    pub fn all(&self) -> &[Stall] {
        &self.stalls
    }

    /// Forgets stalls that ended before `before` (bounded memory).
    pub fn prune(&mut self, before: Duration) {
        self.stalls.retain(|s| s.end >= before);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    /// Pings every 1 ms; the loop is frozen from `block_at` for `block` ms.
    fn feed(d: &mut StallDetector, block_at: u64, block: u64, until: u64) {
        for sent in 0..until {
            let lag = if (block_at..block_at + block).contains(&sent) {
                block_at + block - sent
            } else {
                0
            };
            d.observe(ms(sent), ms(lag));
        }
    }

    #[test]
    fn one_block_is_one_stall_of_its_length() {
        let mut d = StallDetector::new(ms(10));
        feed(&mut d, 100, 200, 500);
        assert_eq!(d.all().len(), 1);
        let s = d.all()[0];
        assert_eq!(s.start, ms(100));
        assert_eq!(s.duration(), ms(200));
    }

    #[test]
    fn two_blocks_apart_are_two_stalls_and_short_ones_none() {
        let mut d = StallDetector::new(ms(10));
        feed(&mut d, 100, 50, 200);
        for sent in 200..300 {
            d.observe(ms(sent), ms(3)); // busy, not stalled
        }
        let mut later = StallDetector::new(ms(10));
        feed(&mut later, 400, 30, 500);
        for s in later.all() {
            d.observe(s.start, s.duration());
        }
        assert_eq!(d.all().len(), 2, "{:?}", d.all());
        assert_eq!(d.all()[1].duration(), ms(30));
    }

    #[test]
    fn prune_keeps_recent_stalls() {
        let mut d = StallDetector::new(ms(10));
        feed(&mut d, 100, 50, 200);
        d.prune(ms(151));
        assert!(d.all().is_empty());
    }
}
