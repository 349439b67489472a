//! A series of timed answers — (sent, delay) of pings or requests — in the order they were
//! sent, with the windows the views ask for: exact maxima of any range (per-bucket peaks), and
//! the percentiles of the one window the lag pane slides frame by frame.
use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

use super::peaks::Peaks;
use super::sliding::Sliding;
use super::stats::Summary;

#[derive(Clone, Debug, Default)]
pub struct Series {
    /// (sent, delay), in sent order: a sample answered out of order (a late answer, the
    /// reporting thread preempted) is put in its place, so a window is two binary searches.
    samples: VecDeque<(Duration, Duration)>,
    /// The sample that arrived last.
    last: Option<(Duration, Duration)>,
    peaks: Peaks,
    /// The window last asked of [`Series::sliding_summary`], kept up as samples come and go.
    /// A cell: asking moves it, and the views ask through a shared model.
    sliding: RefCell<Option<Sliding>>,
}

impl Series {
    pub fn push(&mut self, sent: Duration, delay: Duration) {
        self.last = Some((sent, delay));
        if self.samples.back().is_none_or(|&(t, _)| t <= sent) {
            self.samples.push_back((sent, delay));
        } else {
            let at = self.samples.partition_point(|&(t, _)| t <= sent);
            self.samples.insert(at, (sent, delay));
        }
        self.peaks.note(sent, delay);
        if let Some(w) = self.sliding.get_mut().as_mut().filter(|w| w.contains(sent)) {
            w.enter(delay);
        }
    }

    pub fn last(&self) -> Option<(Duration, Duration)> {
        self.last
    }

    /// Drops the samples sent before `cut`.
    pub fn prune(&mut self, cut: Duration) {
        let sliding = self.sliding.get_mut();
        while let Some(&(t, d)) = self.samples.front().filter(|&&(t, _)| t < cut) {
            if let Some(w) = sliding.as_mut().filter(|w| w.contains(t)) {
                w.leave(d);
            }
            self.samples.pop_front();
        }
        self.peaks.prune(cut);
    }

    /// The index of the first sample sent at `t` or later.
    fn first_from(&self, t: Duration) -> usize {
        self.samples.partition_point(|&(sent, _)| sent < t)
    }

    /// Samples sent in `[from, to)`, in sent order.
    pub fn window(
        &self,
        from: Duration,
        to: Duration,
    ) -> impl Iterator<Item = (Duration, Duration)> + '_ {
        let (start, end) = (
            self.first_from(from),
            self.first_from(to).max(self.first_from(from)),
        );
        self.samples.range(start..end).copied()
    }

    /// The largest delay of a sample sent in `[from, to)` (zero if none), exact: the peaks of
    /// the whole buckets inside, and the samples of the part-buckets at the ends.
    pub fn max_in(&self, from: Duration, to: Duration) -> Duration {
        let scan = |from, to| {
            self.window(from, to)
                .map(|(_, d)| d)
                .max()
                .unwrap_or_default()
        };
        match self.peaks.inside(from, to) {
            Some((lo, hi, peak)) => peak.max(scan(from, lo)).max(scan(hi, to)),
            None => scan(from, to),
        }
    }

    /// [`Series::max_in`] of the samples `i..j`, sent before `until`, which are all those sent
    /// in `[sent of i, until)`: the part-buckets at the ends are scanned from the run's ends.
    fn max_of_run(&self, i: usize, j: usize, until: Duration) -> Duration {
        let delay = |k: usize| self.samples[k].1;
        match self.peaks.inside(self.samples[i].0, until) {
            Some((lo, hi, peak)) => {
                let head = (i..j).take_while(|&k| self.samples[k].0 < lo).map(delay);
                let tail = (i..j).rev().take_while(|&k| self.samples[k].0 >= hi);
                head.chain(tail.map(delay)).fold(peak, Duration::max)
            }
            None => (i..j).map(delay).max().unwrap_or_default(),
        }
    }

    /// The largest delay of each group of the samples sent in `[from, to)`, where `group` (of
    /// the sent time, non-decreasing, below `groups`) is a time axis's column. Each group costs
    /// a binary search, the peaks of its whole buckets and the samples of its part-buckets,
    /// whatever it holds.
    pub fn maxima_by(
        &self,
        from: Duration,
        to: Duration,
        groups: usize,
        group: impl Fn(Duration) -> usize,
    ) -> Vec<Duration> {
        let mut maxima = vec![Duration::ZERO; groups];
        let end = self.first_from(to);
        let mut i = self.first_from(from);
        while i < end {
            let (sent, _) = self.samples[i];
            let g = group(sent);
            // The group's run ends at the first sample of a later group.
            let (mut lo, mut hi) = (i + 1, end);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if group(self.samples[mid].0) <= g {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            let until = self
                .samples
                .get(lo)
                .filter(|_| lo < end)
                .map_or(to, |s| s.0);
            if let Some(m) = maxima.get_mut(g) {
                *m = self.max_of_run(i, lo, until);
            }
            i = lo;
        }
        maxima
    }

    /// Count, p50 and p99 of the samples sent in `[from, to)` (as [`Summary::of`] gives them)
    /// and their exact maximum. The window asked for last is kept up as samples come, go and
    /// the window moves, so asking again after a move costs the samples it passed over.
    pub fn sliding_summary(&self, from: Duration, to: Duration) -> Summary {
        let to = to.max(from);
        let max = self.max_in(from, to);
        let mut slot = self.sliding.borrow_mut();
        let w = slot.get_or_insert_with(|| Sliding::new(from, from));
        let (old_from, old_to) = (w.from, w.to);
        let count = |a, b| self.first_from(b).saturating_sub(self.first_from(a));
        let passed = if from < old_to && to > old_from {
            count(from.min(old_from), from.max(old_from)) + count(to.min(old_to), to.max(old_to))
        } else {
            usize::MAX
        };
        if passed > count(from, to) {
            w.reset(from, to);
            self.window(from, to).for_each(|(_, d)| w.enter(d));
        } else {
            // Each edge moved on or back: the samples it passed over enter or leave (a range
            // given backwards is empty).
            self.window(from, old_from).for_each(|(_, d)| w.enter(d));
            self.window(old_from, from).for_each(|(_, d)| w.leave(d));
            self.window(old_to, to).for_each(|(_, d)| w.enter(d));
            self.window(to, old_to).for_each(|(_, d)| w.leave(d));
            w.from = from;
            w.to = to;
        }
        w.summary(max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn us(v: u64) -> Duration {
        Duration::from_micros(v)
    }

    /// A ping every millisecond (a few µs off), in the order they arrive: by answer, each
    /// reported up to a second late (the jitter), one in a hundred answered up to 30 s late.
    fn arrivals() -> impl Strategy<Value = Vec<(Duration, Duration)>> {
        let ping = (
            0u64..1_000,
            0u64..500,
            prop::bool::weighted(0.01),
            0u64..30_000_000,
        );
        prop::collection::vec(ping, 1..3_000).prop_map(|pings| {
            let mut pings: Vec<(u64, Duration, Duration)> = pings
                .into_iter()
                .enumerate()
                .map(|(i, (jitter_ms, lag, late, late_by))| {
                    let sent = i as u64 * 1_000 + lag % 37;
                    let delay = if late { late_by } else { lag * 10 };
                    (sent + delay + jitter_ms * 1_000, us(sent), us(delay))
                })
                .collect();
            pings.sort_by_key(|&(arrived, _, _)| arrived);
            pings
                .into_iter()
                .map(|(_, sent, delay)| (sent, delay))
                .collect()
        })
    }

    fn naive(
        pings: &[(Duration, Duration)],
        from: Duration,
        to: Duration,
    ) -> impl Iterator<Item = Duration> + '_ {
        pings
            .iter()
            .filter(move |&&(t, _)| t >= from && t < to)
            .map(|&(_, d)| d)
    }

    fn series(pings: &[(Duration, Duration)]) -> Series {
        let mut s = Series::default();
        for &(t, d) in pings {
            s.push(t, d);
        }
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn range_and_column_maxima_equal_the_naive_ones(
            pings in arrivals(),
            at in 0u64..3_200_000,
            len in 0u64..3_200_000,
            width in 1u64..60_000,
        ) {
            let s = series(&pings);
            let (from, to) = (us(at), us(at + len));
            prop_assert_eq!(s.max_in(from, to), naive(&pings, from, to).max().unwrap_or_default());
            let groups = (len / width + 1) as usize;
            let group = |t: Duration| ((t - from).as_micros() as u64 / width) as usize;
            let mut want = vec![Duration::ZERO; groups];
            for &(t, d) in pings.iter().filter(|&&(t, _)| t >= from && t < to) {
                want[group(t)] = want[group(t)].max(d);
            }
            prop_assert_eq!(s.maxima_by(from, to, groups, group), want);
        }

        /// Pings arrive, old ones are pruned and the window jumps or slides between asks: each
        /// answer is the summary of the window's pings afresh.
        #[test]
        fn a_sliding_window_reads_as_its_pings_summed_afresh(
            pings in arrivals(),
            asks in prop::collection::vec((0u64..3_200_000, 0u64..2_000_000, 0u64..3), 1..24),
        ) {
            let mut s = Series::default();
            let mut held = Vec::new();
            let chunk = pings.len() / asks.len() + 1;
            let mut at = 0;
            for (i, &(jump, len, how)) in asks.iter().enumerate() {
                for &(t, d) in pings.iter().skip(i * chunk).take(chunk) {
                    s.push(t, d);
                    held.push((t, d));
                }
                // Mostly a slide of a few ms, sometimes a jump; sometimes a prune first.
                at = if how == 0 { jump } else { at + jump % 40_000 };
                if how == 2 {
                    let cut = us(at / 2);
                    s.prune(cut);
                    held.retain(|&(t, _)| t >= cut);
                }
                let (from, to) = (us(at), us(at + len));
                prop_assert_eq!(s.sliding_summary(from, to), Summary::of(naive(&held, from, to)));
            }
        }
    }

    /// Frame by frame, a 10 s window slides over a minute of pings with a 200 ms stall: the
    /// maximum is exact, the percentiles within the histogram's 1 %, and the pings that slid
    /// out no longer count.
    #[test]
    fn the_lag_panes_window_slides_exactly() {
        let mut s = Series::default();
        let lag = |t: u64| match t {
            20_000..20_200 => ms(20_200 - t),
            _ => us(20 + (t * 7_919) % 300),
        };
        for t in 0..60_000 {
            s.push(ms(t), lag(t));
        }
        for frame in 0..3_000 {
            let now = ms(10_000 + frame * 16);
            let (from, to) = (now - ms(10_000), now + ms(1));
            let got = s.sliding_summary(from, to);
            let mut lags: Vec<Duration> = (from.as_millis() as u64..to.as_millis() as u64)
                .map(lag)
                .collect();
            lags.sort();
            assert_eq!(got.count, lags.len() as u64);
            assert_eq!(got.max, *lags.last().unwrap(), "at {now:?}");
            let stall = (from..to).contains(&ms(20_000));
            assert_eq!(got.max == ms(200), stall, "at {now:?}");
            for (q, p) in [(0.5, got.p50), (0.99, got.p99)] {
                let exact = lags[(q * lags.len() as f64).ceil() as usize - 1].as_micros() as u64;
                let p = p.as_micros() as u64;
                assert!(
                    exact <= p && p <= exact + exact / 100 + 1,
                    "{q}: {p} µs, {exact} µs"
                );
            }
        }
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
