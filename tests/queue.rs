//! The durable queue for real: `blocklab serve` killed with SIGKILL while durable jobs run,
//! started again on the same file — every acknowledged job ends done, none lost, and the ones
//! that were running show a second attempt. The in-memory book, killed the same way, has lost
//! its jobs. And a queue file that cannot be used is a clear error, not a dead lab.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "common/http.rs"]
mod client;
use client::{get, request, serve};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blocklab-queue-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("queue.sqlite3")
}

/// Removes a test's folder once it passed (a failed one keeps it, to look at).
fn clean(file: &Path) {
    let _ = std::fs::remove_dir_all(file.parent().unwrap());
}

fn post(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (status, body, _) = request(addr, "POST", path);
    let json = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body:?}"));
    (status, json)
}

fn serve_on(queue: &Path) -> (std::process::Child, SocketAddr) {
    serve(&["--queue", queue.to_str().unwrap()])
}

/// Stops a `serve` the polite way (SIGTERM) and waits for it.
fn stop(mut child: std::process::Child) {
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    child.wait().unwrap();
}

fn sigkill(mut child: std::process::Child) {
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    child.wait().unwrap();
}

/// Polls `GET /queue/{task}` until every task is done or failed (or 20 s pass).
fn wait_until_ended(addr: SocketAddr, tasks: &[i64]) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows: Vec<Value> = tasks
            .iter()
            .map(|t| get(addr, &format!("/queue/{t}")).1)
            .collect();
        let ended = rows
            .iter()
            .all(|r| r["state"] == "done" || r["state"] == "failed");
        if ended || Instant::now() > deadline {
            return rows;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn acknowledged_durable_jobs_survive_sigkill_and_the_interrupted_ones_run_twice() {
    let file = scratch("kill");
    let (server, addr) = serve_on(&file);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (status, reply) = post(addr, "/jobs/sleep/durable-queue?ms=1500");
        assert_eq!(status, 202, "{reply}");
        tasks.push(
            reply["entry"]["task"]
                .as_i64()
                .expect("a durable job's task"),
        );
    }
    std::thread::sleep(Duration::from_millis(400));
    let running: Vec<i64> = tasks
        .iter()
        .copied()
        .filter(|t| get(addr, &format!("/queue/{t}")).1["state"] == "running")
        .collect();
    assert!(
        !running.is_empty(),
        "two workers: some job is running by now"
    );
    sigkill(server);

    let (again, addr) = serve_on(&file);
    let rows = wait_until_ended(addr, &tasks);
    for (task, row) in tasks.iter().zip(&rows) {
        assert_eq!(row["state"], "done", "task {task}: {row}");
        let attempts = row["attempts"].as_u64().unwrap();
        let expected = if running.contains(task) { 2 } else { 1 };
        assert_eq!(attempts, expected, "task {task}: {row}");
    }
    let (_, queue, _) = get(addr, "/queue");
    assert_eq!(queue["jobs"]["done"], 4, "{queue}");
    assert_eq!(queue["jobs"]["retried"], running.len(), "{queue}");
    stop(again);
    clean(&file);
}

#[test]
fn in_memory_background_jobs_are_lost_with_the_process() {
    let file = scratch("memory");
    let (server, addr) = serve_on(&file);
    let mut ids = Vec::new();
    for _ in 0..4 {
        let (status, reply) = post(addr, "/jobs/sleep/background-offloaded?ms=1500");
        assert_eq!(status, 202, "{reply}");
        ids.push(reply["job"].as_u64().unwrap());
    }
    std::thread::sleep(Duration::from_millis(400));
    sigkill(server);

    let (again, addr) = serve_on(&file);
    for id in ids {
        let (status, reply, _) = get(addr, &format!("/jobs/{id}"));
        assert_eq!(status, 404, "job {id}: {reply}");
        assert!(
            reply["error"].as_str().unwrap().contains("durable queue"),
            "{reply}"
        );
    }
    stop(again);
    clean(&file);
}

#[test]
fn the_queue_routes_answer_and_refuse_bad_ids() {
    let file = scratch("routes");
    let (server, addr) = serve_on(&file);
    let (status, reply, _) = get(addr, "/work/sleep/durable-queue?ms=20");
    assert_eq!(status, 200, "{reply}");
    let task = reply["task"].as_i64().expect("the reply names its task");
    let rows = wait_until_ended(addr, &[task]);
    assert_eq!(rows[0]["attempts"], 1, "{}", rows[0]);
    let (status, queue, _) = get(addr, "/queue");
    assert_eq!(status, 200);
    assert_eq!(queue["file"], file.to_str().unwrap());
    assert_eq!(queue["jobs"]["done"], 1, "{queue}");
    let (status, reply, _) = get(addr, "/queue/abc");
    assert_eq!(status, 400, "{reply}");
    let (status, reply, _) = get(addr, "/queue/999");
    assert_eq!(status, 404, "{reply}");
    assert!(reply["error"].as_str().unwrap().contains("999"), "{reply}");
    stop(server);
    clean(&file);
}

#[test]
fn a_queue_file_that_cannot_be_used_is_a_clear_error_and_the_lab_still_serves() {
    let file = scratch("corrupt");
    std::fs::write(&file, vec![b'x'; 4096]).unwrap();
    let (server, addr) = serve_on(&file);
    let (status, reply) = post(addr, "/jobs/sleep/durable-queue?ms=20");
    assert_eq!(status, 503, "{reply}");
    let error = reply["error"].as_str().unwrap();
    assert!(error.contains(file.to_str().unwrap()), "{error}");
    let (status, reply, _) = get(addr, "/work/sleep/durable-queue?ms=20");
    assert_eq!(status, 500, "{reply}");
    // Every other route, and every other strategy, still works.
    assert_eq!(get(addr, "/ping").0, 200);
    assert_eq!(get(addr, "/work/sleep/spawn-blocking?ms=20").0, 200);
    let (status, _, _) = get(addr, "/queue");
    assert_eq!(status, 503);
    stop(server);
    // The file was left as it was: nothing of the user's is overwritten.
    assert_eq!(std::fs::read(&file).unwrap(), vec![b'x'; 4096]);
    clean(&file);
}
