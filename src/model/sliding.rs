//! Percentiles of one window of a series that moves frame by frame. The samples that enter the
//! window are recorded in one histogram and those that leave in another; the window's own
//! histogram is their difference. A move costs the samples it passes over, not the window's.
use std::time::Duration;

use hdrhistogram::Histogram;

use super::stats::{self, Summary};

#[derive(Clone, Debug)]
pub struct Sliding {
    /// The window, `[from, to)` by sent time.
    pub from: Duration,
    pub to: Duration,
    entered: Histogram<u64>,
    left: Histogram<u64>,
    /// `entered` less `left`, worked out when asked for after a change.
    current: Histogram<u64>,
    stale: bool,
}

impl Sliding {
    pub fn new(from: Duration, to: Duration) -> Self {
        Self {
            from,
            to,
            entered: stats::histogram(),
            left: stats::histogram(),
            current: stats::histogram(),
            stale: false,
        }
    }

    /// Starts over on `[from, to)`, empty.
    pub fn reset(&mut self, from: Duration, to: Duration) {
        self.from = from;
        self.to = to;
        self.entered.reset();
        self.left.reset();
        self.stale = true;
    }

    pub fn contains(&self, sent: Duration) -> bool {
        sent >= self.from && sent < self.to
    }

    pub fn enter(&mut self, delay: Duration) {
        stats::record(&mut self.entered, delay);
        self.stale = true;
    }

    pub fn leave(&mut self, delay: Duration) {
        stats::record(&mut self.left, delay);
        self.stale = true;
    }

    /// Count and percentiles of the window (the maximum is the caller's: exact, not binned).
    pub fn summary(&mut self, max: Duration) -> Summary {
        if self.stale {
            self.current
                .set_to(&self.entered)
                .expect("histograms of the same bounds");
            self.current
                .subtract(&self.left)
                .expect("a sample leaves the window only after it entered");
            self.stale = false;
        }
        Summary::from_histogram(&self.current, max)
    }
}
