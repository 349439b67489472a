//! One time origin shared by the lab, the observer and the model.
//!
//! Every timestamp that crosses a boundary is a `Duration` since the origin: plain data that
//! tests can make up without a real clock.
//!
//! The time comes from one process-wide counter (see [`counter`]), never from `Instant`: the lab's
//! poll hooks read it twice per poll, and everything compared with their readings must come from
//! the same counter, or the two time bases would drift apart by microseconds a minute.
use std::sync::OnceLock;
use std::time::Duration;

use crate::text::T;

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    /// The counter's raw reading at the origin.
    origin: u64,
}

/// The counter: the CPU's time-stamp counter where it ticks at a constant rate, scaled to
/// nanoseconds by quanta's calibration against the OS's monotonic clock; else that clock itself.
/// Calibrated once per process (well under a millisecond).
fn counter() -> &'static quanta::Clock {
    static COUNTER: OnceLock<quanta::Clock> = OnceLock::new();
    COUNTER.get_or_init(quanta::Clock::new)
}

impl Clock {
    pub fn start() -> Self {
        Self {
            origin: counter().raw(),
        }
    }

    /// Time since the origin.
    pub fn now(&self) -> Duration {
        Duration::from_nanos(self.now_nanos() - 1)
    }

    /// Time since the origin, in nanoseconds (for atomics; never 0, so 0 can mean "none").
    pub fn now_nanos(&self) -> u64 {
        self.nanos_at(raw())
    }

    /// A [`raw`] reading as time since the origin, in nanoseconds (never 0).
    pub fn nanos_at(&self, raw: u64) -> u64 {
        counter().delta_as_nanos(self.origin, raw) + 1
    }

    /// A [`raw`] reading as time since the origin.
    pub fn at(&self, raw: u64) -> Duration {
        Duration::from_nanos(self.nanos_at(raw) - 1)
    }
}

/// The counter's reading in its own ticks: what the poll hooks store on every poll, scaled to
/// time only when someone looks (scaling is cheap, but a poll hook runs a million times a
/// second under load, and every nanosecond there is throughput the lab loses).
#[inline]
pub fn raw() -> u64 {
    counter().raw()
}

/// How many of the counter's ticks make `d`: lets a hot path compare two raw readings with a
/// duration without scaling them.
pub fn ticks(d: Duration) -> u64 {
    // The counter's rate, from the scaling of a span long enough for rounding not to matter.
    const SPAN: u64 = 1 << 40;
    let span_ns = counter().delta_as_nanos(0, SPAN).max(1);
    let ticks = d.as_nanos() * u128::from(SPAN) / u128::from(span_ns);
    u64::try_from(ticks).unwrap_or(u64::MAX)
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
    fn the_clock_moves_forward_with_the_os_clock() {
        let clock = Clock::start();
        let os = std::time::Instant::now();
        let mut last = clock.now();
        for _ in 0..1000 {
            let now = clock.now();
            assert!(now >= last, "{now:?} after {last:?}");
            last = now;
        }
        std::thread::sleep(Duration::from_millis(20));
        // Bracketed by two readings of the OS clock, so a preemption cannot fail it; the
        // millisecond allows for calibration error, which is microseconds.
        let before = os.elapsed();
        let ours = clock.now();
        let after = os.elapsed();
        assert!(ours >= Duration::from_millis(20), "{ours:?}");
        let slack = Duration::from_millis(1);
        assert!(
            ours + slack >= before && ours <= after + slack,
            "{before:?} ≤ {ours:?} ≤ {after:?}"
        );
    }

    #[test]
    fn raw_readings_scale_to_the_same_time_as_now() {
        let clock = Clock::start();
        let before = clock.now();
        let raw = raw();
        let after = clock.now();
        assert!(before <= clock.at(raw) && clock.at(raw) <= after);
    }

    #[test]
    fn ticks_of_a_duration_span_that_duration_of_raw_readings() {
        let clock = Clock::start();
        let start = raw();
        let span = ticks(Duration::from_millis(3));
        // The time between two readings `span` ticks apart is 3 ms, to a microsecond.
        let ns = clock.nanos_at(start + span) - clock.nanos_at(start);
        assert!(ns.abs_diff(3_000_000) <= 1_000, "{ns} ns");
        assert_eq!(ticks(Duration::ZERO), 0);
    }

    #[test]
    fn human_picks_a_readable_unit() {
        assert_eq!(human(Duration::from_micros(840)), "840 µs");
        assert_eq!(human(Duration::from_micros(12_340)), "12.3 ms");
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_millis(2410)), "2.41 s");
    }
}
