//! Every offload path through `blocklab run --json`: where each job ran (thread names and
//! kinds), the order of its lifecycle times, and how it ended — including failures, crashes
//! and work lost, abandoned or cancelled when the lab stops. One lab at a time (they measure time).
mod common;

use std::process::Command;

use serde_json::Value;

fn run(args: &[&str]) -> Value {
    common::run_json(args)
}

fn jobs(r: &Value) -> &Vec<Value> {
    r["jobs"].as_array().unwrap()
}

fn n(v: &Value, key: &str) -> f64 {
    v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no `{key}` in {v}"))
}

/// Submitted ≤ queued ≤ started ≤ finished, on a thread named `prefix…` of `kind`, ok.
fn ran_ok(job: &Value, prefix: &str, kind: &str, queued: bool) {
    assert_eq!(job["outcome"], "ok", "{job}");
    assert!(
        job["thread"].as_str().unwrap().starts_with(prefix),
        "thread {} is not {prefix}…",
        job["thread"]
    );
    assert_eq!(job["thread_kind"], kind, "{job}");
    let (submitted, started, finished) = (
        n(job, "submitted_ms"),
        n(job, "started_ms"),
        n(job, "finished_ms"),
    );
    assert!(
        submitted <= started && started <= finished,
        "times out of order: {job}"
    );
    if queued {
        let q = n(job, "queued_ms");
        assert!(submitted <= q && q <= started, "queued out of order: {job}");
    }
}

fn check_path(args: &[&str], prefix: &str, kind: &str, queued: bool) -> Value {
    let r = run(args);
    for job in jobs(&r) {
        ran_ok(job, prefix, kind, queued);
    }
    r
}

const SLEEP_100: [&str; 6] = ["--workload", "sleep", "--ms", "100", "--strategy", ""];

fn with(strategy: &'static str, more: &[&'static str]) -> Vec<&'static str> {
    let mut v = SLEEP_100.to_vec();
    v[5] = strategy;
    v.extend_from_slice(more);
    v
}

#[test]
fn spawn_blocking_runs_on_the_blocking_pool() {
    check_path(
        &with("spawn-blocking", &[]),
        "lab-blocking-",
        "blocking-pool",
        true,
    );
}

#[test]
fn a_thread_pool_runs_on_its_named_threads_and_caps_them() {
    let r = check_path(
        &with("thread-pool", &["--size", "2", "--jobs", "4"]),
        "pool-2-",
        "dedicated",
        true,
    );
    assert_eq!(r["pools"]["offload"]["thread-pool"]["peak_running"], 2);
    assert_eq!(r["pools"]["dedicated"]["threads_max"], 2);
}

#[test]
fn a_pool_per_request_starts_threads_for_each_request() {
    let r = check_path(
        &with("pool-per-request", &["--size", "2", "--jobs", "3"]),
        "pool-req",
        "dedicated",
        true,
    );
    assert_eq!(r["pools"]["dedicated"]["threads_max"], 6);
}

#[test]
fn a_detached_thread_replies_at_once() {
    let r = check_path(
        &with("detached-thread", &[]),
        "detached-",
        "detached",
        false,
    );
    assert!(n(&jobs(&r)[0], "reply_ms") < 5.0);
}

#[test]
fn a_process_pool_runs_in_children_and_survives_a_crash() {
    check_path(
        &with("process-pool", &["--size", "1"]),
        "child-",
        "process",
        true,
    );
    let r = run(&[
        "--workload",
        "panic",
        "--strategy",
        "process-pool",
        "--ms",
        "20",
        "--size",
        "1",
    ]);
    let job = &jobs(&r)[0];
    assert_eq!(job["outcome"], "failed");
    assert!(job["error"].as_str().unwrap().contains("SIGABRT"), "{job}");
}

#[test]
fn a_semaphore_queues_without_a_thread() {
    let r = check_path(
        &with("semaphore", &["--size", "1", "--jobs", "3"]),
        "lab-blocking-",
        "blocking-pool",
        true,
    );
    assert_eq!(r["pools"]["offload"]["semaphore"]["peak_running"], 1);
}

#[test]
fn background_tasks_reply_first() {
    let r = check_path(
        &with("background-offloaded", &[]),
        "lab-blocking-",
        "blocking-pool",
        true,
    );
    assert!(n(&jobs(&r)[0], "reply_ms") < 5.0);
    let r = check_path(
        &with("background-sequential", &["--jobs", "2"]),
        "lab-blocking-",
        "blocking-pool",
        true,
    );
    let (a, b) = (&jobs(&r)[0], &jobs(&r)[1]);
    assert!(
        n(b, "started_ms") >= n(a, "finished_ms"),
        "one after another: {a} {b}"
    );
}

#[test]
fn block_in_place_hands_its_worker_off() {
    check_path(
        &with("block-in-place", &["--runtime", "multi-thread"]),
        "lab-worker-",
        "handed-off",
        false,
    );
    let r = run(&with("block-in-place", &[]));
    let job = &jobs(&r)[0];
    assert_eq!(job["outcome"], "failed");
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("multi-threaded runtime"),
        "{job}"
    );
}

#[test]
fn the_lifespan_pool_replies_with_an_id_and_finishes_later() {
    let r = check_path(
        &with("lifespan-pool", &["--lifespan-pool", "1"]),
        "pool-lifespan-",
        "dedicated",
        true,
    );
    let job = &jobs(&r)[0];
    assert!(
        n(job, "reply_ms") < 5.0 && n(job, "finished_ms") > n(job, "replied_ms"),
        "{job}"
    );
}

#[test]
fn a_stopping_lab_ends_work_as_its_pool_decides() {
    let lifespan = [
        "--workload",
        "sleep",
        "--strategy",
        "lifespan-pool",
        "--ms",
        "300",
        "--jobs",
        "3",
    ];
    let graceful = run(&[
        &lifespan[..],
        &["--lifespan-pool", "2", "--stop-after-ms", "100"],
    ]
    .concat());
    assert!(
        jobs(&graceful).iter().all(|j| j["outcome"] == "ok"),
        "{graceful}"
    );
    let abrupt = run(&[
        &lifespan[..],
        &[
            "--lifespan-pool",
            "2",
            "--stop-after-ms",
            "100",
            "--shutdown",
            "abrupt",
        ],
    ]
    .concat());
    let outcomes: Vec<&str> = jobs(&abrupt)
        .iter()
        .map(|j| j["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["abandoned", "abandoned", "cancelled"]);
    let detached = run(&[
        "--workload",
        "sleep",
        "--strategy",
        "detached-thread",
        "--ms",
        "400",
        "--stop-after-ms",
        "100",
    ]);
    // The lab stopped; the thread did not (Rust cannot kill it): reported as abandoned.
    assert_eq!(jobs(&detached)[0]["outcome"], "abandoned");
}

#[test]
fn a_panic_is_a_failed_job_with_its_message() {
    let r = run(&[
        "--workload",
        "panic",
        "--strategy",
        "spawn-blocking",
        "--ms",
        "20",
    ]);
    let job = &jobs(&r)[0];
    assert_eq!(job["outcome"], "failed");
    assert_eq!(job["error"], "panicked: job failed on purpose after 20 ms");
}

#[test]
fn async_code_in_blocking_code_needs_the_running_runtime() {
    let args = ["--workload", "async", "--ms", "50", "--strategy"];
    check_path(
        &[&args[..], &["handle-current"]].concat(),
        "lab-blocking-",
        "blocking-pool",
        true,
    );
    let r = run(&[&args[..], &["nested-runtime"]].concat());
    assert!(
        jobs(&r)[0]["error"]
            .as_str()
            .unwrap()
            .contains("Cannot start a runtime from within a runtime")
    );
}

#[test]
fn the_pipeline_offloads_its_cpu_step() {
    let r = check_path(
        &[
            "--workload",
            "cpu",
            "--strategy",
            "pipeline-offloaded",
            "--ms",
            "80",
        ],
        "lab-blocking-",
        "blocking-pool",
        true,
    );
    // 80 ms: a 20 ms awaited upload, the CPU step, a 20 ms awaited write. The CPU step's
    // length is the machine's (a calibrated hash chain runs faster or slower on a noisy VM),
    // so the shape is checked, not the nominal 40 ms: the step starts after the upload, and
    // the reply comes after the step and the write.
    let job = &jobs(&r)[0];
    let (submitted, started) = (n(job, "submitted_ms"), n(job, "started_ms"));
    assert!(
        started - submitted >= 19.0,
        "the upload is awaited first: {job}"
    );
    assert!(
        n(job, "reply_ms") >= (started - submitted) + n(job, "run_ms") + 19.0,
        "upload + step + write: {job}"
    );
}

/// Children of the process pool whose parent is `pid` (from their environment).
fn children_of(pid: u32) -> Vec<u32> {
    let marker = format!("BLOCKLAB_PARENT={pid}");
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|p| {
            let env = std::fs::read(format!("/proc/{p}/environ")).unwrap_or_default();
            env.split(|b| *b == 0).any(|v| v == marker.as_bytes())
        })
        .collect()
}

#[test]
fn children_die_with_blocklab_even_when_it_is_killed() {
    let _turn = common::turn();
    let mut parent = Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args([
            "run",
            "--workload",
            "sleep",
            "--strategy",
            "process-pool",
            "--ms",
            "5000",
            "--size",
            "2",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while children_of(parent.id()).len() < 2 {
        assert!(start.elapsed().as_secs() < 10, "the children never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let children = children_of(parent.id());
    parent.kill().unwrap(); // SIGKILL: no clean-up code runs in the parent
    parent.wait().unwrap();
    let start = std::time::Instant::now();
    while children
        .iter()
        .any(|c| std::path::Path::new(&format!("/proc/{c}")).exists() && is_alive(*c))
    {
        assert!(
            start.elapsed().as_secs() < 3,
            "children {children:?} outlived their parent"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A zombie (exited, not yet reaped) counts as dead.
fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().next())
                != Some("Z")
        })
        .unwrap_or(false)
}

/// The lab's bound on threads of its own: a second pool of 2000 threads per request would pass
/// 2048, so that request is refused at once, says why, and the report counts it.
#[test]
fn past_the_thread_bound_a_job_is_refused_and_counted() {
    let r = run(&[
        "--workload",
        "sleep",
        "--strategy",
        "pool-per-request",
        "--size",
        "2000",
        "--jobs",
        "2",
        "--ms",
        "50",
    ]);
    let outcomes: Vec<&str> = jobs(&r)
        .iter()
        .map(|j| j["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["ok", "cancelled"], "{r}");
    let why = jobs(&r)[1]["error"].as_str().unwrap();
    assert!(
        why.starts_with("refused: 2000 threads of blocklab's own are running (cap 2048)"),
        "{why}"
    );
    assert_eq!(r["pools"]["refused"], 1, "{}", r["pools"]);
    // Sampled: the one admitted job, or nothing if it ended between two samples.
    assert!(
        r["pools"]["in_flight_max"].as_u64().unwrap() <= 1,
        "{}",
        r["pools"]
    );
}
