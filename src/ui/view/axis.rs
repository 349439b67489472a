//! The time axis the lag chart and the timeline share, so a stall lines up with its job.
use std::time::Duration;

/// Width of the label column left of every time-axis pane.
pub const GUTTER: u16 = 7;

#[derive(Clone, Copy, Debug)]
pub struct TimeAxis {
    /// The right edge (the view's "now").
    pub end: Duration,
    pub span: Duration,
    /// Columns of the plot area.
    pub width: u16,
}

impl TimeAxis {
    pub fn start(&self) -> Duration {
        self.end.saturating_sub(self.span)
    }

    fn per_column(&self) -> f64 {
        self.span.as_secs_f64() / f64::from(self.width.max(1))
    }

    /// The column a time falls in, or `None` if outside the window.
    pub fn column(&self, t: Duration) -> Option<u16> {
        let offset = t.as_secs_f64() - (self.end.as_secs_f64() - self.span.as_secs_f64());
        if offset < 0.0 || t > self.end {
            return None;
        }
        Some(((offset / self.per_column()) as u16).min(self.width.saturating_sub(1)))
    }

    /// The column a time falls in, clamped to the window's edges.
    pub fn clamp_column(&self, t: Duration) -> u16 {
        if t <= self.start() {
            0
        } else {
            self.column(t).unwrap_or(self.width.saturating_sub(1))
        }
    }

    /// The time range a column covers.
    pub fn bucket(&self, column: u16) -> (Duration, Duration) {
        let base = self.end.as_secs_f64() - self.span.as_secs_f64();
        let from = base + f64::from(column) * self.per_column();
        let to = from + self.per_column();
        (
            Duration::from_secs_f64(from.max(0.0)),
            Duration::from_secs_f64(to.max(0.0)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_and_buckets_agree() {
        let axis = TimeAxis {
            end: Duration::from_secs(20),
            span: Duration::from_secs(10),
            width: 100,
        };
        assert_eq!(axis.column(Duration::from_secs(9)), None);
        assert_eq!(axis.column(Duration::from_secs(10)), Some(0));
        assert_eq!(axis.column(Duration::from_millis(15_050)), Some(50));
        assert_eq!(axis.column(Duration::from_secs(20)), Some(99));
        let (from, to) = axis.bucket(50);
        assert_eq!((from.as_millis(), to.as_millis()), (15_000, 15_100));
        assert_eq!(axis.clamp_column(Duration::ZERO), 0);
    }
}
