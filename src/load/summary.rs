//! What a step measured, from its requests' outcomes: plain data in (times since the step's
//! start), plain data out. No clock here, so tests pass the times in.
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::clock::ms;
use crate::report::LOAD_BOUND;

/// How one request ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A 2xx reply, read in full: `scheduled` and `done` since the step's start.
    Answered { scheduled: Duration, done: Duration },
    /// A reply with another status.
    Status(u16),
    /// The connection or the exchange failed.
    Failed(String),
    /// No full reply within the timeout of its scheduled time.
    TimedOut,
}

/// One step, counted as its outcomes come in (nothing kept per request).
#[derive(Debug)]
pub struct StepTally {
    rate: u32,
    step: Duration,
    sent: u64,
    answered: u64,
    errors: u64,
    timeouts: u64,
    /// 2xx replies that came in during the step itself.
    in_step: u64,
    /// Latency of the 2xx replies from their scheduled times, in microseconds.
    latency: Histogram<u64>,
    first_error: Option<String>,
}

impl StepTally {
    pub fn new(rate: u32, step: Duration) -> StepTally {
        StepTally {
            rate,
            step,
            sent: 0,
            answered: 0,
            errors: 0,
            timeouts: 0,
            in_step: 0,
            // 1 µs … 1000 s, three significant digits.
            latency: Histogram::new_with_bounds(1, 1_000_000_000, 3).expect("valid bounds"),
            first_error: None,
        }
    }

    /// One more request issued.
    pub fn sent(&mut self) {
        self.sent += 1;
    }

    pub fn sent_so_far(&self) -> u64 {
        self.sent
    }

    pub fn answered_so_far(&self) -> u64 {
        self.answered
    }

    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Answered { scheduled, done } => {
                self.answered += 1;
                if done < self.step {
                    self.in_step += 1;
                }
                let us = done.saturating_sub(scheduled).as_micros().max(1) as u64;
                self.latency.saturating_record(us);
            }
            Outcome::Status(code) => {
                self.errors += 1;
                self.first_error
                    .get_or_insert_with(|| format!("HTTP {code}"));
            }
            Outcome::Failed(why) => {
                self.errors += 1;
                self.first_error.get_or_insert(why);
            }
            Outcome::TimedOut => self.timeouts += 1,
        }
    }

    pub fn finish(&self) -> StepReport {
        let at = |q: f64| {
            (self.answered > 0).then(|| Duration::from_micros(self.latency.value_at_quantile(q)))
        };
        let p99 = at(0.99);
        StepReport {
            rate: self.rate,
            sent: self.sent,
            answered: self.answered,
            errors: self.errors,
            timeouts: self.timeouts,
            achieved_per_s: self.in_step as f64 / self.step.as_secs_f64(),
            p50_ms: at(0.5).map(ms),
            p90_ms: at(0.9).map(ms),
            p99_ms: p99.map(ms),
            max_ms: (self.answered > 0).then(|| ms(Duration::from_micros(self.latency.max()))),
            held: self.sent > 0
                && self.answered == self.sent
                && p99.is_some_and(|p| p <= LOAD_BOUND),
            error: self.first_error.clone(),
        }
    }
}

/// One step's figures. Latencies are of the 2xx replies, from their scheduled times (`None`
/// when none came).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Offered: requests per second.
    pub rate: u32,
    pub sent: u64,
    /// 2xx replies.
    pub answered: u64,
    /// Replies with another status, and failed connections or exchanges.
    pub errors: u64,
    pub timeouts: u64,
    /// 2xx replies received during the step, per second of the step.
    pub achieved_per_s: f64,
    pub p50_ms: Option<f64>,
    pub p90_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// Every request answered 2xx, and p99 within `LOAD_BOUND`.
    pub held: bool,
    /// The first error of the step, as it came.
    pub error: Option<String>,
}

/// The highest rate held with every lower rate held too (`None`: the lowest did not hold).
pub fn held_rate(steps: &[StepReport]) -> Option<u32> {
    let mut rates: Vec<(u32, bool)> = steps.iter().map(|s| (s.rate, s.held)).collect();
    rates.sort_by_key(|&(rate, held)| (rate, held));
    rates
        .iter()
        .take_while(|&&(_, held)| held)
        .map(|&(rate, _)| rate)
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn ms_(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// A reply scheduled at `at` ms that took `took` ms.
    fn reply(at: u64, took: u64) -> Outcome {
        Outcome::Answered {
            scheduled: ms_(at),
            done: ms_(at + took),
        }
    }

    fn step(rate: u32, outcomes: impl IntoIterator<Item = Outcome>) -> StepReport {
        let mut t = StepTally::new(rate, SECOND);
        for o in outcomes {
            t.sent();
            t.add(o);
        }
        t.finish()
    }

    #[test]
    fn percentiles_are_of_the_2xx_replies_from_their_scheduled_times() {
        // 100 replies taking 1, 2, … 100 ms.
        let s = step(100, (1..=100).map(|i| reply(i * 10 - 10, i)));
        let near = |got: Option<f64>, want: f64| {
            let got = got.unwrap();
            assert!((got - want).abs() <= want * 0.002, "{got} vs {want}");
        };
        near(s.p50_ms, 50.0);
        near(s.p90_ms, 90.0);
        near(s.p99_ms, 99.0);
        near(s.max_ms, 100.0);
        assert_eq!((s.sent, s.answered, s.errors, s.timeouts), (100, 100, 0, 0));
        assert!(s.held, "p99 99 ms is within 100 ms");
    }

    #[test]
    fn held_needs_every_request_answered_2xx_and_p99_within_the_bound() {
        let fast = || (0..50).map(|i| reply(i * 20, 2));
        assert!(step(50, fast()).held);
        // One error, one timeout, one 503: not held, whatever the latency.
        let one = |o: Outcome| step(50, fast().skip(1).chain([o]));
        for o in [
            Outcome::Failed("connection reset".into()),
            Outcome::TimedOut,
            Outcome::Status(503),
        ] {
            let s = one(o.clone());
            assert!(!s.held, "{o:?}");
            assert_eq!(s.sent, 50);
            assert_eq!(s.answered, 49);
        }
        let s = one(Outcome::Status(503));
        assert_eq!((s.errors, s.timeouts), (1, 0));
        assert_eq!(s.error.as_deref(), Some("HTTP 503"));
        let s = one(Outcome::TimedOut);
        assert_eq!((s.errors, s.timeouts, s.error), (0, 1, None));
        // Every reply, but the slowest 2 % above 100 ms: p99 is above the bound.
        let slow = (0..50).map(|i| reply(i * 20, if i < 49 { 2 } else { 150 }));
        let s = step(50, slow);
        assert!(s.p99_ms.unwrap() > 100.0 && !s.held, "{s:?}");
        // Just within the bound holds (the histogram keeps three significant digits).
        assert!(step(10, (0..10).map(|i| reply(i * 100, 99))).held);
        // Nothing sent, nothing held.
        assert!(!step(10, []).held);
    }

    #[test]
    fn achieved_counts_the_replies_received_during_the_step() {
        // 100 requests over the second, each answered 300 ms after it was due: the last 30
        // come after the step has ended.
        let s = step(100, (0..100).map(|i| reply(i * 10, 300)));
        assert_eq!(s.answered, 100);
        assert_eq!(s.achieved_per_s, 70.0);
        let mut t = StepTally::new(10, Duration::from_millis(500));
        for at in [0, 100, 499, 500] {
            t.sent();
            t.add(Outcome::Answered {
                scheduled: Duration::ZERO,
                done: ms_(at),
            });
        }
        // Three inside half a second: 6 per second.
        assert_eq!(t.finish().achieved_per_s, 6.0);
    }

    #[test]
    fn a_step_with_no_reply_has_no_latency() {
        let s = step(20, (0..20).map(|_| Outcome::Failed("refused".into())));
        assert_eq!((s.sent, s.answered, s.errors), (20, 0, 20));
        assert_eq!((s.p50_ms, s.p99_ms, s.max_ms), (None, None, None));
        assert_eq!(s.achieved_per_s, 0.0);
        assert_eq!(s.error.as_deref(), Some("refused"));
        assert!(!s.held);
    }

    #[test]
    fn the_rate_held_is_the_highest_with_every_lower_rate_held() {
        let at = |rate, held| StepReport {
            held,
            ..step(rate, [])
        };
        let steps = [at(50, true), at(100, true), at(200, false), at(400, true)];
        assert_eq!(held_rate(&steps), Some(100));
        let steps = [at(400, true), at(50, true), at(200, true)];
        assert_eq!(held_rate(&steps), Some(400));
        assert_eq!(held_rate(&[at(50, false), at(100, true)]), None);
        assert_eq!(held_rate(&[]), None);
        // The same rate twice, once not held: not held.
        assert_eq!(
            held_rate(&[at(50, true), at(100, true), at(100, false)]),
            Some(50)
        );
    }
}
