//! What each workload does when it runs (what the workloads *are* is plain data:
//! `data::Workload`).
//!
//! * `sleep` — a blocking `std::thread::sleep`, standing in for synchronous I/O (a sync DB driver,
//!   `requests.get`, `time.sleep`).
//! * `cpu` — real computation: a hash chain sized to last about `ms` on this machine.
//! * `async` — `tokio::time::sleep`: the same wait, but it yields to the event loop.
//! * `panic` — a blocking sleep that then panics.
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::data::Workload;

/// Runs a blocking workload on the calling thread; returns the thread CPU time it used.
/// `async` has no blocking form: the caller awaits [`run_async`] instead.
pub fn run_blocking(workload: Workload, ms: u64) -> Option<Duration> {
    let cpu0 = thread_cpu_time();
    match workload {
        // snippet:start workload-sleep
        Workload::Sleep => std::thread::sleep(Duration::from_millis(ms)),
        // snippet:end workload-sleep
        Workload::Cpu => {
            std::hint::black_box(hash_chain(rounds_for(ms)));
        }
        Workload::Panic => {
            std::thread::sleep(Duration::from_millis(ms));
            panic!("{}", T::JobFailedOnPurpose.fill(&[("ms", &ms)]));
        }
        Workload::Async => unreachable!("async workloads are awaited, never run blocking"),
    }
    Some(thread_cpu_time()?.saturating_sub(cpu0?))
}

pub async fn run_async(ms: u64) {
    // snippet:start workload-async
    tokio::time::sleep(Duration::from_millis(ms)).await;
    // snippet:end workload-async
}

// snippet:start workload-cpu
/// A hash chain: each round hashes the previous digest. Real CPU work that the compiler
/// cannot skip and that never yields.
pub fn hash_chain(rounds: u64) -> u64 {
    let mut digest = 0x9E37_79B9_7F4A_7C15_u64;
    for round in 0..rounds {
        let mut hasher = DefaultHasher::new();
        (digest, round).hash(&mut hasher);
        digest = hasher.finish();
    }
    digest
}
// snippet:end workload-cpu

// Imported below the snippets, so the line numbers the lessons show for them stay as they are.
use crate::text::T;

/// Rounds of [`hash_chain`] that take about `ms` milliseconds on this machine.
pub fn rounds_for(ms: u64) -> u64 {
    (rounds_per_ms() * ms as f64).round().max(1.0) as u64
}

/// Rounds per millisecond, as last calibrated (`f64` bits; 0 = not yet).
static RATE: AtomicU64 = AtomicU64::new(0);

pub fn rounds_per_ms() -> f64 {
    match RATE.load(Ordering::Relaxed) {
        0 => calibrate(),
        bits => f64::from_bits(bits),
    }
}

/// Measures this machine's speed now: the fastest of ten short runs (the least disturbed
/// one). Each lab calibrates as it starts, since a shared or throttled machine's speed drifts;
/// a job reports the time it really took either way.
pub fn calibrate() -> f64 {
    const ROUNDS: u64 = 100_000;
    let fastest = (0..10)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(hash_chain(std::hint::black_box(ROUNDS)));
            t.elapsed()
        })
        .min()
        .unwrap();
    let rate = ROUNDS as f64 / (fastest.as_secs_f64() * 1e3);
    RATE.store(rate.to_bits(), Ordering::Relaxed);
    rate
}

/// CPU time of the calling thread (`CLOCK_THREAD_CPUTIME_ID`): tells "this job burned the core"
/// from "the OS took the core away".
pub fn thread_cpu_time() -> Option<Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant the OS knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_work_uses_the_cpu_and_sleep_does_not() {
        let cpu = run_blocking(Workload::Cpu, 30).unwrap();
        let sleep = run_blocking(Workload::Sleep, 30).unwrap();
        assert!(
            cpu > Duration::from_millis(10),
            "cpu job used only {cpu:?} of CPU"
        );
        assert!(
            sleep < Duration::from_millis(5),
            "sleep job used {sleep:?} of CPU"
        );
    }
}
