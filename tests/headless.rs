//! `blocklab run --json` end to end: the acceptance figures of the spine, on the real binary.
//! The runs measure time, so they take turns (one lab at a time on a 2-core machine).
mod common;

use serde_json::Value;

fn run(args: &[&str]) -> Value {
    common::run_json(args)
}

/// For the upper bounds on lag: this VM now and then loses its vCPU for 10-20 ms (measured:
/// about 1 run in 70, and at times whole stretches of seconds with 1-2 % CPU steal, lag p99
/// 12 ms even on an idle lab), which no program can prevent. Such a bound gets up to four more
/// runs, two seconds apart; every run must be noisy to fail, and the assertions stay as strict
/// as the issue states them.
fn rerun_if_noisy(args: &[&str], quiet: impl Fn(&Value) -> bool) -> Value {
    let mut r = run(args);
    for _ in 0..4 {
        if quiet(&r) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_secs(2));
        r = run(args);
    }
    r
}

fn f(v: &Value, path: &str) -> f64 {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_f64()
        .unwrap_or_else(|| panic!("no number at {path} in {v}"))
}

#[test]
fn blocking_sleep_inline_freezes_the_loop_for_its_length() {
    // A VM hiccup is a real (unattributed) stall too: rerun if one came on top of the job's.
    let one_stall = |r: &Value| r["stalls"].as_array().is_some_and(|s| s.len() == 1);
    let r = rerun_if_noisy(
        &["--workload", "sleep", "--strategy", "inline", "--ms", "200"],
        one_stall,
    );
    let max = f(&r, "lag_ms.max");
    assert!((190.0..=215.0).contains(&max), "lag max {max}");
    // The probe kept pinging through the run: at least half the pings of its busy period
    // (5 ms where the poll hooks measure every poll, 1 ms without them).
    let period = blocklab::observe::ObserverConfig::default().hooked_ping_period;
    let expected = f(&r, "duration_ms") / (period.as_secs_f64() * 1e3);
    let samples = f(&r, "lag_ms.samples");
    assert!(
        samples > expected / 2.0,
        "{samples} pings in a run of {expected} periods"
    );
    let stalls = r["stalls"].as_array().unwrap();
    assert_eq!(stalls.len(), 1, "{stalls:?}");
    let d = f(&stalls[0], "duration_ms");
    assert!((190.0..=215.0).contains(&d), "stall {d}");
    let job = &r["jobs"][0];
    assert_eq!(
        stalls[0]["job"], job["id"],
        "the stall is attributed to the job"
    );
    assert!(f(&r, "requests.max_ms") >= 150.0);
    assert_eq!(job["thread_kind"], "event-loop");
    assert_eq!(job["outcome"], "ok");
    for key in ["submitted_ms", "started_ms", "finished_ms"] {
        assert!(job[key].is_number(), "job.{key}");
    }
    assert!(
        f(job, "started_ms") >= f(job, "submitted_ms")
            && f(job, "finished_ms") > f(job, "started_ms")
    );
}

#[test]
fn spawn_blocking_keeps_the_loop_free_and_runs_on_a_pool_thread() {
    let quiet = |r: &Value| f(r, "lag_ms.max") < 5.0 && f(r, "requests.max_ms") < 20.0;
    let r = rerun_if_noisy(
        &[
            "--workload",
            "sleep",
            "--strategy",
            "spawn-blocking",
            "--ms",
            "200",
        ],
        quiet,
    );
    assert!(f(&r, "lag_ms.max") < 5.0, "lag max {}", r["lag_ms"]);
    assert!(
        f(&r, "requests.max_ms") < 20.0,
        "requests {}",
        r["requests"]
    );
    assert!(r["stalls"].as_array().unwrap().is_empty());
    let job = &r["jobs"][0];
    assert_eq!(job["thread_kind"], "blocking-pool");
    assert!(
        job["thread"].as_str().unwrap().starts_with("lab-blocking-"),
        "{job}"
    );
    assert!(
        job["queued_ms"].is_number(),
        "an offloaded job is queued first: {job}"
    );
    assert_eq!(r["pools"]["offload"]["spawn-blocking"]["ok"], 1);
}

#[test]
fn an_awaited_wait_does_not_block() {
    let quiet = |r: &Value| f(r, "lag_ms.max") < 5.0;
    let r = rerun_if_noisy(
        &["--workload", "async", "--strategy", "inline", "--ms", "200"],
        quiet,
    );
    assert!(f(&r, "lag_ms.max") < 5.0, "lag max {}", r["lag_ms"]);
    assert!(f(&r["jobs"][0], "run_ms") >= 200.0);
}

#[test]
fn cpu_work_inline_lags_the_loop_by_its_own_measured_duration() {
    // Another process taking the core mid-job (tests run side by side on a small machine)
    // stretches the job's wall time beyond its CPU time: that run says nothing, run again.
    let had_the_core = |r: &Value| {
        let job = &r["jobs"][0];
        f(job, "cpu_ms") > 0.8 * f(job, "run_ms")
    };
    let r = rerun_if_noisy(
        &["--workload", "cpu", "--strategy", "inline", "--ms", "200"],
        had_the_core,
    );
    let job = &r["jobs"][0];
    let ran = f(job, "run_ms");
    let lag = f(&r, "lag_ms.max");
    assert!((lag - ran).abs() <= 0.1 * ran, "lag max {lag} vs job {ran}");
    assert!(
        f(job, "cpu_ms") > 0.8 * ran,
        "the job burned the CPU: {job}"
    );
}

#[test]
fn the_report_keeps_its_contract() {
    let r = run(&[
        "--workload",
        "sleep",
        "--strategy",
        "spawn-blocking",
        "--ms",
        "20",
        "--jobs",
        "3",
        "--seconds",
        "1",
    ]);
    for key in ["lag_ms", "stalls", "requests", "jobs", "runtime", "pools"] {
        assert!(!r[key].is_null(), "missing `{key}`");
    }
    for key in ["p50", "p99", "max", "samples"] {
        assert!(r["lag_ms"][key].is_number(), "lag_ms.{key}");
    }
    for key in ["count", "p50_ms", "p99_ms", "max_ms"] {
        assert!(r["requests"][key].is_number(), "requests.{key}");
    }
    let jobs = r["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    for job in jobs {
        for key in [
            "id",
            "workload",
            "strategy",
            "submitted_ms",
            "started_ms",
            "finished_ms",
            "thread",
            "outcome",
        ] {
            assert!(!job[key].is_null(), "job.{key} in {job}");
        }
        assert!(
            ["ok", "failed", "cancelled", "lost", "abandoned", "running"]
                .contains(&job["outcome"].as_str().unwrap())
        );
    }
    let seconds = f(&r, "duration_ms");
    assert!(
        (990.0..1100.0).contains(&seconds),
        "--seconds 1 ran {seconds} ms"
    );
    assert_eq!(r["runtime"]["flavor"], "current-thread");
}

#[test]
fn a_multi_thread_runtime_runs_with_its_workers() {
    let r = run(&[
        "--workload",
        "sleep",
        "--strategy",
        "inline",
        "--ms",
        "100",
        "--runtime",
        "multi-thread",
        "--workers",
        "2",
    ]);
    assert_eq!(r["runtime"]["flavor"], "multi-thread");
    assert_eq!(r["runtime"]["workers"], 2);
    let thread = r["jobs"][0]["thread"].as_str().unwrap();
    assert!(thread.starts_with("lab-worker-"), "{thread}");
}

/// The poll hooks measure each poll exactly: a 1 ms inline block is listed in `long_polls`
/// with its job, and the worst lag reported is the block's own length, not a ping's sample.
#[test]
fn a_one_millisecond_block_is_listed_with_its_job_and_measured_exactly() {
    if !cfg!(tokio_unstable) {
        eprintln!("skipped: a build without tokio_unstable has no poll hooks");
        return;
    }
    let exact = |r: &Value| (f(r, "lag_ms.max") - f(&r["jobs"][0], "run_ms")).abs() <= 0.5;
    let r = rerun_if_noisy(
        &["--workload", "sleep", "--strategy", "inline", "--ms", "1"],
        exact,
    );
    let job = &r["jobs"][0];
    let polls = r["long_polls"]
        .as_array()
        .expect("long polls with the hooks on");
    let poll = polls
        .iter()
        .find(|p| p["job"] == job["id"])
        .unwrap_or_else(|| panic!("the job's poll in {polls:?}"));
    assert_eq!(poll["thread"], "lab-loop");
    let (length, run) = (f(poll, "duration_ms"), f(job, "run_ms"));
    assert!(
        length >= run && length - run < 0.5,
        "poll {length} ms, job {run} ms"
    );
    assert!(
        exact(&r),
        "lag max {} vs the job's {run} ms",
        r["lag_ms"]["max"]
    );
    assert_eq!(r["runtime"]["long_poll_ms"], 1.0);
}
