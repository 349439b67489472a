//! What each workload does when it runs (what the workloads *are* is plain data:
//! `data::Workload`).
//!
//! * `sleep` — a blocking `std::thread::sleep`, standing in for synchronous I/O (a sync DB driver,
//!   `requests.get`, `time.sleep`).
//! * `cpu` — real computation: a hash chain sized to last about `ms` on this machine.
//! * `async` — `tokio::time::sleep`: the same wait, but it yields to the event loop.
//! * `panic` — a blocking sleep that then panics.
//! * `mixed` — a blocking sleep for half of `ms`, then the `cpu` hash chain for the other half:
//!   a request that waits on I/O, then computes.
//! * `query` — a real SQLite query (a recursive CTE) on the thread's own in-memory connection,
//!   sized to last about `ms` on this machine: what a sync database driver does.
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
        Workload::Query => {
            std::hint::black_box(run_query(ms));
        }
        Workload::Mixed => run_mixed(ms),
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

// snippet:start workload-query
/// A real query, run by SQLite on the calling thread, as every sync driver runs it: count up
/// to `rows` in a recursive CTE and add the numbers up.
pub fn query(conn: &rusqlite::Connection, rows: u64) -> rusqlite::Result<i64> {
    conn.query_row(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?1)
         SELECT sum(x % 7) FROM n",
        [rows as i64],
        |r| r.get(0),
    )
}
// snippet:end workload-query

thread_local! {
    /// Each thread's own connection (an in-memory database): a driver's connection is not
    /// shared between threads.
    static CONNECTION: Option<rusqlite::Connection> = rusqlite::Connection::open_in_memory().ok();
}

/// Runs a query that takes about `ms` here; returns its answer (0 without SQLite).
pub fn run_query(ms: u64) -> i64 {
    let rows = (query_rows_per_ms() * ms as f64).round().max(1.0) as u64;
    CONNECTION.with(|c| c.as_ref().and_then(|c| query(c, rows).ok()).unwrap_or(0))
}

/// Query rows per millisecond, measured once per process (`f64` bits; 0 = not yet).
static QUERY_RATE: AtomicU64 = AtomicU64::new(0);

pub fn query_rows_per_ms() -> f64 {
    match QUERY_RATE.load(Ordering::Relaxed) {
        0 => calibrate_query(),
        bits => f64::from_bits(bits),
    }
}

/// Measures SQLite's speed on this machine: the fastest of ten short queries (the least
/// disturbed one). A job reports the time it really took either way.
pub fn calibrate_query() -> f64 {
    const ROWS: u64 = 20_000;
    let fastest = CONNECTION.with(|c| {
        let Some(c) = c.as_ref() else {
            return Duration::from_millis(1);
        };
        fastest_of_ten(|| {
            let _ = std::hint::black_box(query(c, ROWS));
        })
    });
    let rate = ROWS as f64 / (fastest.as_secs_f64() * 1e3).max(1e-6);
    QUERY_RATE.store(rate.to_bits(), Ordering::Relaxed);
    rate
}

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
    let fastest = fastest_of_ten(|| {
        std::hint::black_box(hash_chain(std::hint::black_box(ROUNDS)));
    });
    let rate = ROUNDS as f64 / (fastest.as_secs_f64() * 1e3);
    RATE.store(rate.to_bits(), Ordering::Relaxed);
    rate
}

/// The fastest of ten runs of `f`: the least disturbed one, on a machine that is also busy.
fn fastest_of_ten(mut f: impl FnMut()) -> Duration {
    (0..10)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("ten runs")
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

// snippet:start workload-mixed
/// Half of `ms` waiting (a blocking call, as a sync driver's), then half computing: a thread
/// that runs it holds a core only for the second half, so more threads than cores pay off —
/// up to about cores × (1 + wait / compute).
pub fn run_mixed(ms: u64) {
    let (wait, compute) = Workload::Mixed.split(ms);
    std::thread::sleep(Duration::from_millis(wait));
    std::hint::black_box(hash_chain(rounds_for(compute)));
}
// snippet:end workload-mixed

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_runs_in_sqlite_for_about_its_length_on_the_calling_thread() {
        calibrate_query();
        let t = Instant::now();
        let cpu = run_blocking(Workload::Query, 30).unwrap();
        let took = t.elapsed();
        assert!(
            took >= Duration::from_millis(10),
            "a 30 ms query took {took:?}"
        );
        assert!(
            cpu >= Duration::from_millis(5),
            "it used only {cpu:?} of CPU here"
        );
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        assert_eq!(
            query(&conn, 14).unwrap(),
            (1..=14).map(|x| x % 7).sum::<i64>()
        );
    }

    #[test]
    fn mixed_work_waits_half_its_length_and_burns_the_other_half() {
        let t = Instant::now();
        let cpu = run_blocking(Workload::Mixed, 60).unwrap();
        let took = t.elapsed();
        assert!(
            took >= Duration::from_millis(30),
            "a 60 ms mixed job took {took:?}"
        );
        assert!(
            cpu >= Duration::from_millis(10),
            "it used only {cpu:?} of CPU"
        );
        assert!(
            cpu < took.saturating_sub(Duration::from_millis(25)),
            "it used {cpu:?} of CPU in {took:?}: no wait"
        );
    }

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
