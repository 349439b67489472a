//! What observing costs a busy runtime: a poll-heavy workload (ping-pong pairs of tasks over
//! capacity-1 channels, a little arithmetic and a yield at every hop) on a two-worker lab, with
//! blocklab's observation on (the poll hooks, the observer pinging as during an experiment, its
//! samples folded into a model at the screen's pace) and off (the same lab without the hooks,
//! and nobody watching), in interleaved pairs.
use std::hint::black_box;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::calibrate::{Overhead, Verdict};
use crate::clock::Clock;
use crate::data::{Flavor, LabConfig, Sample};
use crate::lab::Lab;
use crate::model::Model;
use crate::observe::ObserverConfig;
use crate::session::Session;
use crate::text::T;

/// Pairs of tasks per run (each pair: four round trips).
pub const PAIRS: usize = 50_000;

/// Interleaved (unobserved, observed) runs `calibrate --overhead` takes the median of: a single
/// pair's ratio spreads by ±15 % on a shared VM, so seven (the minimum) left the median
/// moving by several hundredths from one run to the next.
pub const CALIBRATE_PAIRS: usize = 15;

/// The throughput observation should keep, at least: what `calibrate` checks the interval
/// against.
pub const KEEP: f64 = 0.95;

/// How often the observed run's samples are folded into its model: the TUI's frame pace.
const FOLD_EVERY: Duration = Duration::from_millis(33);

/// `pairs` interleaved runs, unobserved and observed; the ratios of their throughputs.
pub fn measure(pairs: usize) -> std::io::Result<Overhead> {
    let mut ratios = Vec::new();
    for i in 0..pairs {
        // Each side goes first in every other pair: whatever a pair's first run pays, or leaves
        // behind for the second, falls on both sides alike.
        let (off, on) = if i % 2 == 0 {
            let off = unobserved(PAIRS)?;
            (off, observed(PAIRS)?)
        } else {
            let on = observed(PAIRS)?;
            (unobserved(PAIRS)?, on)
        };
        ratios.push(off.as_secs_f64() / on.as_secs_f64());
    }
    Ok(Overhead::of(ratios))
}

impl Overhead {
    /// The median of the pairs' ratios, the interval it lies in (order statistics of the
    /// ratios, which assume nothing of their spread), and what that says of [`KEEP`].
    pub fn of(ratios: Vec<f64>) -> Overhead {
        let mut sorted = ratios.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let (k, confidence) = median_interval(n);
        let (low, high) = if n == 0 {
            (f64::NAN, f64::NAN)
        } else {
            (sorted[k - 1], sorted[n - k])
        };
        let verdict = if low >= KEEP {
            Verdict::Kept
        } else if high < KEEP {
            Verdict::Lost
        } else {
            Verdict::Unclear
        };
        Overhead {
            pairs: n,
            ratio_median: sorted.get(n / 2).copied().unwrap_or(f64::NAN),
            interval: [low, high],
            confidence,
            verdict,
            ratios,
        }
    }
}

/// For a median of `n` values: the rank `k` (from 1) such that the `k`-th smallest and the
/// `k`-th largest values bracket the true median with at least 95 % confidence (as near 95 % as
/// `n` allows), and that confidence — `1 - 2 P(B < k)` for `B ~ Binomial(n, 1/2)`. Too few
/// values for 95 % give the whole range and what it is worth.
pub fn median_interval(n: usize) -> (usize, f64) {
    if n == 0 {
        return (1, 0.0);
    }
    // P(B <= m), from P(B = j + 1) = P(B = j) (n - j) / (j + 1).
    let below = |m: usize| {
        let mut p = 0.5f64.powi(n as i32);
        let mut sum = p;
        for j in 0..m {
            p *= (n - j) as f64 / (j + 1) as f64;
            sum += p;
        }
        sum
    };
    let mut k = 1;
    while 1.0 - 2.0 * below(k) >= 0.95 {
        k += 1;
    }
    (k, 1.0 - 2.0 * below(k - 1))
}

fn lab_config() -> LabConfig {
    LabConfig {
        flavor: Flavor::MultiThread,
        workers: 2,
        traffic_rate: 0,
        ..LabConfig::default()
    }
}

/// The workload on the lab with the instrument off: no poll hooks, no observer, no pings.
pub fn unobserved(pairs: usize) -> std::io::Result<Duration> {
    let (mut lab, mut events) = Lab::start_unhooked(lab_config(), Clock::start())?;
    // As long as the observed run settles, so both start from the same state.
    std::thread::sleep(SETTLE);
    let (done, finished) = mpsc::channel();
    let start = Instant::now();
    lab.handle().spawn(async move {
        pingpong(pairs).await;
        let _ = done.send(Instant::now());
    });
    let end = finished.recv().map_err(std::io::Error::other)?;
    // Gone before the next run starts: its teardown is not the next run's cost.
    lab.stop();
    while let Some(event) = events.blocking_recv() {
        if matches!(event, crate::data::LabEvent::Stopped { .. }) {
            break;
        }
    }
    Ok(end - start)
}

/// How long each run's lab settles before the workload starts, as an experiment's baseline
/// would.
const SETTLE: Duration = Duration::from_millis(200);

/// The workload on the lab, observed as during an experiment: poll hooks on every poll, the
/// busy lab's pings, samples folded into a model at the screen's pace.
pub fn observed(pairs: usize) -> std::io::Result<Duration> {
    let watchful = ObserverConfig {
        rest_after: Duration::from_secs(3600),
        ..ObserverConfig::default()
    };
    let mut session = Session::start_observed(lab_config(), Clock::start(), watchful, None)?;
    let mut model = Model::new();
    session.pump_until(&mut model, session.now() + SETTLE, |_| false);
    let (done, finished) = mpsc::channel();
    let start = Instant::now();
    session.lab.handle().spawn(async move {
        pingpong(pairs).await;
        let _ = done.send(Instant::now());
    });
    let end = loop {
        match finished.recv_timeout(FOLD_EVERY) {
            Ok(end) => break end,
            Err(RecvTimeoutError::Timeout) => {
                session.drain_into(&mut model);
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(std::io::Error::other(T::CalWorkloadLost.text()));
            }
        }
    };
    session.retire();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut stopped = false;
    while !stopped && Instant::now() < deadline {
        std::thread::sleep(FOLD_EVERY);
        session.drain_tapped(&mut model, &mut |batch| {
            stopped |= batch.iter().any(|s| matches!(s, Sample::LabStopped { .. }));
        });
    }
    Ok(end - start)
}

/// `pairs` ping-pong pairs, spawned from one task that yields every 512 of them.
pub async fn pingpong(pairs: usize) {
    let mut tasks = Vec::with_capacity(pairs * 2);
    for i in 0..pairs {
        let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u64>(1);
        let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u64>(1);
        tasks.push(tokio::spawn(async move {
            let mut x = i as u64 | 1;
            for _ in 0..4 {
                x = spin(x);
                tokio::task::yield_now().await;
                if ping_tx.send(x).await.is_err() {
                    break;
                }
                x = pong_rx.recv().await.unwrap_or(x);
            }
            x
        }));
        tasks.push(tokio::spawn(async move {
            let mut x = 0;
            while let Some(v) = ping_rx.recv().await {
                x = spin(v);
                tokio::task::yield_now().await;
                if pong_tx.send(x).await.is_err() {
                    break;
                }
            }
            x
        }));
        if i % 512 == 511 {
            tokio::task::yield_now().await;
        }
    }
    for t in tasks {
        let _ = t.await;
    }
}

/// About 64 rounds of xorshift: a hop's worth of work.
fn spin(mut x: u64) -> u64 {
    for _ in 0..64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_interval_is_the_widest_pair_of_ranks_that_is_95_percent_sure() {
        // 15 values: ranks 4 and 12 (P(B <= 3) = 0.0176 for B ~ Bin(15, 1/2)).
        let (k, c) = median_interval(15);
        assert_eq!(k, 4);
        assert!((c - 0.9648).abs() < 1e-3, "{c}");
        // 7 values: only the whole range is 95 % sure.
        let (k, c) = median_interval(7);
        assert_eq!(k, 1);
        assert!((c - 0.9844).abs() < 1e-3, "{c}");
        // 3 values cannot be: the whole range, worth 75 %.
        assert_eq!(median_interval(3), (1, 0.75));
    }

    #[test]
    fn the_verdict_is_what_the_whole_interval_says() {
        let ratios = |base: f64| (0..15).map(|i| base + f64::from(i) * 0.002).collect();
        assert_eq!(Overhead::of(ratios(0.96)).verdict, Verdict::Kept);
        assert_eq!(Overhead::of(ratios(0.90)).verdict, Verdict::Lost);
        assert_eq!(Overhead::of(ratios(0.94)).verdict, Verdict::Unclear);
        let o = Overhead::of(vec![1.0, 0.8, 0.9, 0.95, 0.85, 0.99, 0.97]);
        assert_eq!(o.ratio_median, 0.95);
        assert_eq!(o.interval, [0.8, 1.0]);
        assert_eq!(o.verdict, Verdict::Unclear);
    }
}
