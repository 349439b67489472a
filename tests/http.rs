//! The lab's HTTP front door over real TCP on loopback: every route, its errors, and the point of
//! it all — a request that blocks the loop inline makes `/ping` wait for the block, one that is
//! offloaded does not. The client here is a few lines of std: nothing between the test and the
//! bytes on the socket.
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use blocklab::clock::Clock;
use blocklab::data::LabConfig;
use blocklab::model::Model;
use blocklab::runner::Bench;
use blocklab::session::Labs;

#[path = "common/http.rs"]
mod client;
use client::{get, request, serve};

/// A lab serving HTTP on a free loopback port, and its address.
fn lab() -> (Labs, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut labs = Labs::with_front_door(Clock::start(), listener);
    let config = LabConfig {
        traffic_rate: 0,
        ..LabConfig::default()
    };
    labs.start(config).unwrap();
    let addr = labs.address().unwrap();
    (labs, addr)
}

/// `/ping`'s time while `/work/sleep/{strategy}?ms=300` runs (sent 50 ms into it).
fn ping_during_a_block(strategy: &str) -> (Duration, serde_json::Value) {
    let (_labs, addr) = lab();
    let path = format!("/work/sleep/{strategy}?ms=300");
    let work = std::thread::spawn(move || get(addr, &path));
    std::thread::sleep(Duration::from_millis(50));
    let (status, _, ping) = get(addr, "/ping");
    assert_eq!(status, 200);
    let (status, job, _) = work.join().unwrap();
    assert_eq!(status, 200, "{job}");
    (ping, job)
}

#[test]
fn an_inline_block_makes_ping_wait_and_an_offloaded_one_does_not() {
    let (inline, job) = ping_during_a_block("inline");
    // The ping was sent ~50 ms into a 300 ms block: it waits out the rest.
    assert!(
        inline >= Duration::from_millis(200),
        "inline: /ping took {inline:?}"
    );
    assert!(job["reply_ms"].as_f64().unwrap() >= 300.0, "{job}");

    let (offloaded, job) = ping_during_a_block("spawn-blocking");
    assert!(
        offloaded < Duration::from_millis(150),
        "offloaded: /ping took {offloaded:?}"
    );
    assert!(job["reply_ms"].as_f64().unwrap() >= 300.0, "{job}");
}

#[test]
fn work_replies_with_the_job_and_its_timings() {
    let (_labs, addr) = lab();
    let (status, job, _) = get(addr, "/work/async/inline?ms=20");
    assert_eq!(status, 200, "{job}");
    assert!(job["job"].as_u64().unwrap() >= 1);
    assert_eq!(job["workload"], "async");
    assert_eq!(job["strategy"], "inline");
    assert_eq!(job["ms"], 20);
    let reply = job["reply_ms"].as_f64().unwrap();
    assert!(reply >= 20.0, "{job}");
    let (submitted, replied) = (job["submitted_ms"].as_f64(), job["replied_ms"].as_f64());
    assert!(replied.unwrap() >= submitted.unwrap() + 20.0, "{job}");
}

#[test]
fn fire_and_forget_replies_before_the_work_ends() {
    let (_labs, addr) = lab();
    let (status, job, took) = get(addr, "/work/sleep/detached-thread?ms=500");
    assert_eq!(status, 200, "{job}");
    assert!(took < Duration::from_millis(400), "{took:?}: {job}");
}

#[test]
fn a_job_that_panics_is_a_500_with_its_message() {
    let (_labs, addr) = lab();
    let (status, job, _) = get(addr, "/work/sleep/block-in-place?ms=10");
    // block_in_place on a current-thread runtime panics (lesson 5).
    assert_eq!(status, 500, "{job}");
    assert!(
        job["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{job}"
    );
}

#[test]
fn the_index_lists_routes_workloads_and_strategies() {
    let (_labs, addr) = lab();
    let (status, index, _) = get(addr, "/");
    assert_eq!(status, 200);
    let paths: Vec<_> = index["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert!(paths.iter().any(|p| p.starts_with("/ping")), "{paths:?}");
    assert!(paths.iter().any(|p| p.starts_with("/work/")), "{paths:?}");
    let strategies = index["strategies"].as_array().unwrap();
    assert!(strategies.iter().any(|s| s == "spawn-blocking"));
    assert_eq!(index["ms"]["max"], 600_000);
}

#[test]
fn bad_requests_say_what_is_allowed() {
    let (_labs, addr) = lab();
    for (path, status, says) in [
        ("/work/sleep/inline", 400, "600000"),
        ("/work/sleep/inline?ms=0", 400, "600000"),
        ("/work/sleep/inline?ms=9999999", 400, "600000"),
        ("/work/sleep/inline?ms=5&size=0", 400, "4096"),
        ("/work/sleep/inline?ms=5&jobs=3", 400, "ms, size"),
        ("/work/nap/inline?ms=5", 400, "sleep, cpu, async, panic"),
        ("/work/sleep/threads?ms=5", 400, "spawn-blocking"),
        ("/nowhere", 404, "/nowhere"),
    ] {
        let (got, body, _) = get(addr, path);
        assert_eq!(got, status, "{path}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(says), "{path}: {error}");
    }
    let (status, body, _) = request(addr, "POST", "/ping");
    assert_eq!(status, 405, "{body}");
    assert!(body.contains("GET"), "{body}");
}

#[test]
fn the_address_outlives_a_restart_and_outside_requests_are_counted() {
    let (mut labs, addr) = lab();
    for _ in 0..3 {
        assert_eq!(get(addr, "/ping").0, 200);
    }
    // A fresh lab (as every action gets) serves on the same address.
    labs.start(LabConfig {
        traffic_rate: 0,
        ..LabConfig::default()
    })
    .unwrap();
    assert_eq!(labs.address(), Some(addr));
    assert_eq!(get(addr, "/ping").0, 200);

    let mut model = Model::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while model.http_summary(Duration::ZERO, Duration::MAX).count < 4 && Instant::now() < deadline {
        let until = labs.now() + Duration::from_millis(50);
        labs.wait_into(&mut model, until);
    }
    assert_eq!(model.http_summary(Duration::ZERO, Duration::MAX).count, 4);
}

/// One request with extra header lines.
fn get_with(addr: SocketAddr, path: &str, header: &str) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{header}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    let status = reply.split(' ').nth(1).unwrap().parse().unwrap();
    let body = reply.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap())
}

/// blocklab's own traffic is real HTTP to the front door, measured by its client from each
/// request's scheduled time; it is not counted as coming from outside, and neither is a request
/// marked with a run, whose job joins that run.
#[test]
fn the_background_traffic_is_real_http_and_not_counted_as_outside() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut labs = Labs::with_front_door(Clock::start(), listener);
    labs.start(LabConfig::default()).unwrap();
    let addr = labs.address().unwrap();
    let (status, job) = get_with(addr, "/work/async/inline?ms=5", "X-Blocklab-Run: 42");
    assert_eq!(status, 200, "{job}");
    let id = job["job"].as_u64().unwrap();
    let mut model = Model::new();
    let until = labs.now() + Duration::from_millis(1_200);
    while labs.now() < until {
        labs.wait_into(&mut model, until);
    }
    let requests = model.request_summary(Duration::ZERO, labs.now());
    assert!(requests.count >= 60, "{requests:?}");
    assert!(requests.p50 >= Duration::from_millis(1), "{requests:?}");
    let measured = labs.traffic_latency().expect("clients over HTTP");
    assert!(measured.len() >= requests.count, "{}", measured.len());
    assert_eq!(model.http_summary(Duration::ZERO, Duration::MAX).count, 0);
    assert_eq!(model.timeline.get(id).unwrap().spec.run, 42);
    // `/ping`'s wait is bounded like a job's.
    let (status, body, _) = get(addr, "/ping?ms=-1");
    assert_eq!(status, 400, "{body}");
    let (_, _, took) = get(addr, "/ping?ms=50");
    assert!(took >= Duration::from_millis(50), "{took:?}");
}

#[test]
fn blocklab_serve_answers_until_sigterm_and_a_block_makes_ping_wait() {
    let (mut child, addr) = serve(&[]);
    let work = std::thread::spawn(move || get(addr, "/work/sleep/inline?ms=300"));
    std::thread::sleep(Duration::from_millis(50));
    let (status, _, ping) = get(addr, "/ping");
    assert_eq!(status, 200);
    assert!(ping >= Duration::from_millis(200), "/ping took {ping:?}");
    assert_eq!(work.join().unwrap().0, 200);

    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_port_in_use_is_a_clear_error_before_anything_starts() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(["--lang", "en", "serve", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot listen") && err.contains("--port 0"),
        "{err}"
    );
}

/// `blocklab load --json` against `blocklab serve`'s `path`: the highest rate held, and each
/// step's (rate, held).
fn load_the_lab(path: &str, rates: &str) -> (Option<u64>, Vec<(u64, bool)>) {
    let (mut server, addr) = serve(&[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(["--lang", "en", "load", &format!("http://{addr}{path}")])
        .args(["--rates", rates, "--seconds", "1", "--json"])
        .output()
        .unwrap();
    unsafe { libc::kill(server.id() as i32, libc::SIGTERM) };
    server.wait().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let steps = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["rate"].as_u64().unwrap(), s["held"].as_bool().unwrap()))
        .collect();
    (report["held_rate"].as_u64(), steps)
}

/// The lesson's arithmetic over real HTTP: 5 ms of blocking per request caps the loop at
/// 1 / 5 ms = 200 requests a second; awaited or offloaded, the waits overlap.
#[test]
fn over_http_an_inline_5ms_handler_holds_at_most_200_and_the_others_hold_800() {
    let (inline, steps) = load_the_lab("/work/sleep/inline?ms=5", "100,200,400");
    assert!(
        inline.is_none_or(|r| r <= 200),
        "inline held {inline:?}: {steps:?}"
    );
    assert!(steps.contains(&(400, false)), "{steps:?}");
    for path in ["/work/async/inline?ms=5", "/work/sleep/spawn-blocking?ms=5"] {
        let (held, steps) = load_the_lab(path, "200,800");
        assert_eq!(held, Some(800), "{path}: {steps:?}");
    }
}

/// Article 004's pattern: an id at once, the status later — and, in memory, forgotten by a
/// restarted lab.
#[test]
fn a_background_job_gets_an_id_at_once_and_its_status_later() {
    let (mut labs, addr) = lab();
    let (status, body, took) = request(addr, "POST", "/jobs/sleep/spawn-blocking?ms=300");
    assert_eq!(status, 202, "{body}");
    assert!(took < Duration::from_millis(250), "202 came after {took:?}");
    let accepted: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = accepted["job"].as_u64().unwrap();
    assert_eq!(accepted["status"], format!("/jobs/{id}"));

    let (status, entry, _) = get(addr, &format!("/jobs/{id}"));
    assert_eq!(status, 200, "{entry}");
    assert!(
        ["queued", "running"].contains(&entry["state"].as_str().unwrap()),
        "{entry}"
    );
    assert_eq!(entry["strategy"], "spawn-blocking");

    let deadline = Instant::now() + Duration::from_secs(5);
    let entry = loop {
        let (_, entry, _) = get(addr, &format!("/jobs/{id}"));
        if entry["state"] == "ended" || Instant::now() > deadline {
            break entry;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(entry["state"], "ended", "{entry}");
    assert_eq!(entry["outcome"], "ok", "{entry}");
    let (started, finished) = (entry["started_ms"].as_f64(), entry["finished_ms"].as_f64());
    assert!(finished.unwrap() >= started.unwrap() + 300.0, "{entry}");

    // The book is in memory: a fresh lab has forgotten the job.
    labs.start(LabConfig {
        traffic_rate: 0,
        ..LabConfig::default()
    })
    .unwrap();
    let (status, body, _) = get(addr, &format!("/jobs/{id}"));
    assert_eq!(status, 404, "{body}");
    assert!(body["error"].as_str().unwrap().contains("memory"), "{body}");
    let (status, _, _) = get(addr, "/jobs/abc");
    assert_eq!(status, 400);
}

/// The TUI's job table (the model, fed by the observer) and `GET /jobs/{id}` (the lab's book)
/// tell the same story of a job: one set of events behind both.
#[test]
fn the_job_table_and_get_jobs_agree() {
    let (mut labs, addr) = lab();
    let (status, body, _) = request(addr, "POST", "/jobs/cpu/thread-pool?ms=60&size=2");
    assert_eq!(status, 202, "{body}");
    let id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["job"]
        .as_u64()
        .unwrap();
    let mut model = Model::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !model.timeline.get(id).is_some_and(|j| j.is_done()) && Instant::now() < deadline {
        let until = labs.now() + Duration::from_millis(50);
        labs.wait_into(&mut model, until);
    }
    let row = model.timeline.get(id).expect("the job is on the timeline");
    let (_, entry, _) = get(addr, &format!("/jobs/{id}"));
    let ms = |d: Option<Duration>| d.map(|d| d.as_secs_f64() * 1e3);
    assert_eq!(entry["state"], "ended", "{entry}");
    assert_eq!(entry["outcome"], row.outcome.as_str(), "{entry}");
    assert_eq!(entry["thread"].as_str(), row.thread.as_deref(), "{entry}");
    for (key, at) in [("started_ms", row.started), ("finished_ms", row.finished)] {
        let (book, table) = (entry[key].as_f64().unwrap(), ms(at).unwrap());
        assert!(
            (book - table).abs() < 0.01,
            "{key}: book {book}, table {table}"
        );
    }
}
