//! A workshop day in a few minutes: hundreds of thousands of short jobs through every strategy,
//! as fast as the lab takes them, with the observer and the model running as in the TUI. Every
//! buffer is bounded, so blocklab's memory (RSS) must stay flat after the warm-up.
//!
//! Not part of the regular run (it takes five minutes and loads both cores):
//!     cargo test --release --test soak -- --ignored --nocapture
//! `BLOCKLAB_SOAK_SECS` sets its length (default 300); `BLOCKLAB_SOAK_STRATEGIES` (comma-separated)
//! limits it to some strategies. It runs in rounds of 20 s, each followed by a checkpoint at
//! rest. The model keeps 30 s of history here (180 s in the TUI) so that it reaches its bound
//! early; from the first checkpoint after a third of the run to the last, the heap in use and
//! the RSS must stay flat.
//!
//! The test runs itself again with glibc's per-thread caches off and one arena
//! (`GLIBC_TUNABLES`): blocklab starts and ends hundreds of threads a second here, and with the
//! default allocator each new thread's cache and up to 16 arenas grow the RSS for a long while
//! (measured: 52 → 64 MB over a million jobs, slowing down) though blocklab's own data does not.
//! Pinned, what is measured is blocklab's memory.
use std::time::{Duration, Instant};

use blocklab::data::{Flavor, LabConfig, Strategy, Work, Workload};
use blocklab::lab::strategy;
use blocklab::model::Model;
use blocklab::session::Session;

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Bytes the allocator has handed out and not got back (glibc): tells a leak (this grows) from
/// fragmentation (RSS grows, this does not).
fn heap_in_use_kb() -> u64 {
    // SAFETY: mallinfo2 only reads the allocator's counters.
    let info = unsafe { libc::mallinfo2() };
    (info.uordblks / 1024) as u64
}

/// Jobs kept in flight: enough to keep every pool busy, well under the lab's bound.
const IN_FLIGHT: usize = 2_000;
const BATCH: usize = 200;

const TUNABLES: &str = "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1";

#[test]
#[ignore = "minutes long; run by hand, see the header"]
fn rss_stays_flat_through_hundreds_of_thousands_of_jobs() {
    if std::env::var("GLIBC_TUNABLES").is_err() {
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "rss_stays_flat_through_hundreds_of_thousands_of_jobs",
                "--nocapture",
            ])
            .env("GLIBC_TUNABLES", TUNABLES)
            .status()
            .unwrap();
        assert!(status.success(), "the soak failed: {status}");
        return;
    }
    let secs: u64 = std::env::var("BLOCKLAB_SOAK_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let length = Duration::from_secs(secs);
    let warm_up = length / 3;
    let strategies: Vec<Strategy> = match std::env::var("BLOCKLAB_SOAK_STRATEGIES") {
        Ok(list) => list.split(',').map(|s| strategy::named(s.trim())).collect(),
        // Every strategy but the one that leaks threads on purpose.
        Err(_) => strategy::all()
            .filter(|s| s.as_str() != "pool-per-request-kept")
            .collect(),
    };
    // Multi-thread, so `block_in_place` works; a lifespan pool for its strategy.
    let config = LabConfig {
        flavor: Flavor::MultiThread,
        workers: 2,
        lifespan_pool: 2,
        ..LabConfig::default()
    };
    blocklab::lab::quiet_panics(); // jobs panic on purpose (nested runtimes, panic workloads)
    let session = Session::start(config).unwrap();
    let gauges = session.lab.gauges();
    let mut model = Model::with_retention(Duration::from_secs(30));
    let start = Instant::now();
    let (mut submitted, mut run) = (0usize, 1u64);
    // (heap in use, RSS) at each checkpoint.
    let mut checkpoints: Vec<(u64, u64)> = Vec::new();
    let mut rss_peak = 0;
    while start.elapsed() < length {
        // A round: 20 s of jobs as fast as the lab takes them…
        let round = Instant::now();
        while round.elapsed() < Duration::from_secs(20) {
            for &strategy in &strategies {
                // Wait for room: the lab takes jobs as fast as it finishes them.
                while gauges.admission.in_flight() + BATCH > IN_FLIGHT {
                    let now = session.now();
                    session.pump_until(&mut model, now + Duration::from_millis(5), |_| false);
                }
                let work = Work {
                    workload: Workload::Sleep,
                    strategy,
                    ms: 1,
                    size: 4,
                };
                session.lab.submit(run, work, BATCH);
                run += 1;
                submitted += BATCH;
            }
            session.drain_into(&mut model);
            rss_peak = rss_peak.max(rss_kb());
        }
        // …then a checkpoint: every job ended, every event through the observer and into
        // the model. Under a flood the channels between them hold a backlog; it must go.
        let deadline = Instant::now() + Duration::from_secs(30);
        while gauges.admission.in_flight() > 0 && Instant::now() < deadline {
            let now = session.now();
            session.pump_until(&mut model, now + Duration::from_millis(50), |_| false);
        }
        let now = session.now();
        session.pump_until(&mut model, now + Duration::from_secs(3), |_| false);
        let (heap, rss) = (heap_in_use_kb(), rss_kb());
        eprintln!(
            "soak: {submitted} jobs in {:.0?}; at rest: heap in use {heap} kB, RSS {rss} kB; \
             {} refused",
            start.elapsed(),
            gauges.admission.refused()
        );
        checkpoints.push((heap, rss));
    }
    // The first checkpoint past the warm-up (pools built, the model at its bound), and the last.
    let rounds_warm = (warm_up.as_secs() / 23).max(1) as usize;
    let (heap_warm, rss_warm) = checkpoints[rounds_warm.min(checkpoints.len() - 1)];
    let &(heap_end, rss_end) = checkpoints.last().unwrap();
    eprintln!(
        "soak: {submitted} jobs through {} strategies in {:.1?}; at rest after warm-up: heap \
         {heap_warm} kB, RSS {rss_warm} kB; at the end: heap {heap_end} kB, RSS {rss_end} kB; \
         peak RSS {rss_peak} kB; {} in flight, {} refused",
        strategies.len(),
        start.elapsed(),
        gauges.admission.in_flight(),
        gauges.admission.refused()
    );
    // Flat: what the allocator holds does not grow with the number of jobs…
    assert!(
        heap_end < heap_warm + 1024,
        "heap in use grew from {heap_warm} kB to {heap_end} kB"
    );
    // …and neither does the memory the process holds, beyond allocator slack.
    assert!(
        rss_end < rss_warm + 4 * 1024,
        "RSS grew from {rss_warm} kB to {rss_end} kB"
    );
}
