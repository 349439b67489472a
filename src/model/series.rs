//! A series of timed answers — (sent, delay) of pings or requests — in the order they were
//! answered, with the windows the views ask for.
use std::collections::VecDeque;
use std::time::Duration;

/// How far out of answer order a sample may arrive (the reporting thread preempted between the
/// answer and the report): the windows look this much further on each side.
const JITTER: Duration = Duration::from_secs(1);

#[derive(Clone, Debug, Default)]
pub struct Series {
    /// (sent, delay), in arrival order, which is answer order (sent + delay) give or take
    /// [`JITTER`].
    samples: VecDeque<(Duration, Duration)>,
    /// The longest delay there has been: how late a sample sent in a window can arrive.
    longest: Duration,
}

impl Series {
    pub fn push(&mut self, sent: Duration, delay: Duration) {
        self.longest = self.longest.max(delay);
        self.samples.push_back((sent, delay));
    }

    pub fn last(&self) -> Option<(Duration, Duration)> {
        self.samples.back().copied()
    }

    /// Drops the oldest samples, as far as the first one sent at `cut` or later.
    pub fn prune(&mut self, cut: Duration) {
        while self.samples.front().is_some_and(|&(t, _)| t < cut) {
            self.samples.pop_front();
        }
    }

    /// Samples sent in `[from, to)`. A sample sent at `from` or later was answered at `from`
    /// or later, so the search starts at the first answer from `from` on (less the jitter);
    /// a sample sent before `to` is answered before `to` plus the longest delay, so the scan
    /// stops there. Each frame reads the window's samples and only a second's more.
    pub fn window(
        &self,
        from: Duration,
        to: Duration,
    ) -> impl Iterator<Item = (Duration, Duration)> + '_ {
        let start = self
            .samples
            .partition_point(|&(t, d)| t + d + JITTER < from);
        let end = to + self.longest + JITTER;
        self.samples
            .range(start..)
            .copied()
            .take_while(move |&(t, d)| t + d < end)
            .filter(move |&(t, _)| t >= from && t < to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn a_window_holds_exactly_the_samples_sent_in_it_however_late_answered() {
        let mut s = Series::default();
        for t in 0..10_000 {
            s.push(ms(t), ms(1));
        }
        // Sent at 10 s, answered 30 s later: after everything sent until 40 s.
        for t in 10_000..40_000 {
            s.push(ms(t), ms(1));
        }
        s.push(ms(10_000), ms(30_000));
        for t in 40_000..50_000 {
            s.push(ms(t), ms(1));
        }
        let sent: Vec<u64> = s
            .window(ms(9_999), ms(10_001))
            .map(|(t, _)| t.as_millis() as u64)
            .collect();
        assert_eq!(sent, [9_999, 10_000, 10_000]);
        assert_eq!(s.window(ms(45_000), ms(46_000)).count(), 1000);
        assert_eq!(s.window(ms(0), ms(50_000)).count(), 50_001);
    }

    #[test]
    fn pruning_keeps_what_a_window_after_the_cut_needs() {
        let mut s = Series::default();
        for t in 0..100 {
            s.push(ms(t * 100), ms(2));
        }
        s.prune(ms(5_000));
        assert_eq!(s.window(ms(5_000), ms(10_000)).count(), 50);
        assert!(s.window(ms(0), ms(3_000)).next().is_none());
    }
}
