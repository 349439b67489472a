//! One time origin shared by the lab, the observer and the model.
//!
//! Every timestamp that crosses a boundary is a `Duration` since the origin: plain data that
//! tests can make up without a real clock.
use std::time::{Duration, Instant};

use crate::text::T;

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    origin: Instant,
}

impl Clock {
    pub fn start() -> Self {
        Self {
            origin: Instant::now(),
        }
    }

    /// Time since the origin.
    pub fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    /// Time since the origin, in nanoseconds (for atomics; never 0, so 0 can mean "none").
    pub fn now_nanos(&self) -> u64 {
        self.origin.elapsed().as_nanos() as u64 + 1
    }
}

/// Milliseconds as a float, the unit every report speaks.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Short human form: `840 µs`, `12.3 ms`, `2.41 s`.
pub fn human(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    let (unit, n) = if us < 1000.0 {
        (T::Micros, format!("{us:.0}"))
    } else if us < 100_000.0 {
        (T::Millis, format!("{:.1}", us / 1e3))
    } else if us < 1_000_000.0 {
        (T::Millis, format!("{:.0}", us / 1e3))
    } else {
        (T::Secs, format!("{:.2}", us / 1e6))
    };
    unit.fill(&[("n", &n)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_picks_a_readable_unit() {
        assert_eq!(human(Duration::from_micros(840)), "840 µs");
        assert_eq!(human(Duration::from_micros(12_340)), "12.3 ms");
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_millis(2410)), "2.41 s");
    }
}
