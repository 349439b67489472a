//! The largest delay sent in each fixed bucket of time, so the maximum of a long range reads its
//! buckets instead of its samples. Only whole buckets are read; the series scans the samples of
//! the part-buckets at a range's two ends, which keeps every maximum exact.
use std::collections::VecDeque;
use std::time::Duration;

/// A bucket's width: a range's ends scan at most this much of the series each (8 pings at a
/// ping a millisecond); 60 s of history is 7,500 buckets.
const WIDTH_NS: u128 = 8_000_000;

/// A gap in the samples longer than this many buckets starts the buckets over rather than
/// filling it (the samples before it are then scanned, still exact, until pruned).
const MAX_GAP: u64 = 1 << 16;

#[derive(Clone, Debug, Default)]
pub struct Peaks {
    /// The index of the first bucket held (bucket `k` is `[k, k + 1)` × the width).
    first: u64,
    peaks: VecDeque<Duration>,
}

fn index(t: Duration) -> u64 {
    (t.as_nanos() / WIDTH_NS) as u64
}

fn start(k: u64) -> Duration {
    Duration::from_nanos((u128::from(k) * WIDTH_NS) as u64)
}

impl Peaks {
    pub fn note(&mut self, sent: Duration, delay: Duration) {
        let k = index(sent);
        let end = self.first + self.peaks.len() as u64;
        if self.peaks.is_empty() || k >= end + MAX_GAP {
            self.peaks.clear();
            self.first = k;
        } else if k < self.first {
            // Sent before the first bucket (out of order at the start): left out, and the
            // buckets never grow backwards, so a range over it scans its samples.
            return;
        }
        let at = (k - self.first) as usize;
        if at >= self.peaks.len() {
            self.peaks.resize(at + 1, Duration::ZERO);
        }
        self.peaks[at] = self.peaks[at].max(delay);
    }

    /// Forgets every bucket that holds a sample sent before `cut`: samples the series no longer
    /// has must not count in a range's maximum.
    pub fn prune(&mut self, cut: Duration) {
        let keep_from = index(cut) + u64::from(start(index(cut)) < cut);
        while self.first < keep_from && !self.peaks.is_empty() {
            self.peaks.pop_front();
            self.first += 1;
        }
    }

    /// The held buckets that lie wholly in `[from, to)`: their time span and largest delay.
    pub fn inside(&self, from: Duration, to: Duration) -> Option<(Duration, Duration, Duration)> {
        let lo = (index(from) + u64::from(start(index(from)) < from)).max(self.first);
        let hi = index(to).min(self.first + self.peaks.len() as u64);
        if lo >= hi {
            return None;
        }
        let peak = self
            .peaks
            .range((lo - self.first) as usize..(hi - self.first) as usize)
            .copied()
            .max()
            .unwrap_or_default();
        Some((start(lo), start(hi), peak))
    }
}
