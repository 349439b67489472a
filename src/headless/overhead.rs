//! What observing costs a busy runtime: a poll-heavy workload (ping-pong pairs of tasks over
//! capacity-1 channels, a little arithmetic and a yield at every hop) on two workers, with
//! blocklab's observation on (the lab's poll hooks, the observer pinging as during an experiment)
//! and off (a bare runtime of the same shape), in interleaved pairs.
use std::hint::black_box;
use std::time::{Duration, Instant};

use super::calibrate::Overhead;
use crate::clock::Clock;
use crate::data::{Flavor, LabConfig};
use crate::model::Model;
use crate::observe::ObserverConfig;
use crate::session::Session;

/// Pairs of tasks per run (each pair: four round trips).
pub const PAIRS: usize = 50_000;

/// Interleaved (bare, observed) runs `calibrate --overhead` takes the median of: a single
/// pair's ratio spreads by ±15 % on a shared VM, so seven (the minimum) left the median
/// moving by several hundredths from one run to the next.
pub const CALIBRATE_PAIRS: usize = 15;

/// `pairs` interleaved (bare, observed) runs; the ratio of their throughputs.
pub fn measure(pairs: usize) -> std::io::Result<Overhead> {
    let mut ratios = Vec::new();
    for _ in 0..pairs {
        let bare = bare(PAIRS)?;
        let observed = observed(PAIRS)?;
        ratios.push(bare.as_secs_f64() / observed.as_secs_f64());
    }
    let mut sorted = ratios.clone();
    sorted.sort_by(f64::total_cmp);
    Ok(Overhead {
        pairs,
        ratio_median: sorted[sorted.len() / 2],
        ratios,
    })
}

/// The workload on a runtime with nothing of blocklab's: how long it took.
pub fn bare(pairs: usize) -> std::io::Result<Duration> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()?;
    let start = Instant::now();
    rt.block_on(async move { tokio::spawn(pingpong(pairs)).await })
        .map_err(std::io::Error::other)?;
    Ok(start.elapsed())
}

/// The workload on a lab of the same shape, observed as during an experiment: poll hooks on
/// every poll, the busy lab's pings, samples folded into a model.
pub fn observed(pairs: usize) -> std::io::Result<Duration> {
    let config = LabConfig {
        flavor: Flavor::MultiThread,
        workers: 2,
        traffic_rate: 0,
        ..LabConfig::default()
    };
    let watchful = ObserverConfig {
        rest_after: Duration::from_secs(3600),
        ..ObserverConfig::default()
    };
    let session = Session::start_observed(config, Clock::start(), watchful, None)?;
    let mut model = Model::new();
    // Let the lab and its observer settle, as an experiment's baseline would.
    session.pump_until(
        &mut model,
        session.now() + Duration::from_millis(200),
        |_| false,
    );
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    let start = Instant::now();
    session.lab.handle().spawn(async move {
        pingpong(pairs).await;
        let _ = done_tx.send(());
    });
    while done_rx.try_recv().is_err() {
        session.pump_until(&mut model, session.now() + Duration::from_millis(5), |_| {
            false
        });
    }
    Ok(start.elapsed())
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
