//! `blocklab load URL`, the real binary against Python standard-library servers each test
//! starts itself: a fast server holds its rates, a server that can do 50 requests a second
//! holds 20 and not 200 (and the open-loop latency at 200 grows far past its 20 ms), bad
//! input exits 2 saying what is allowed, and a closed port is all errors and exit 1.
//!
//! The assertions are what the physics guarantees on a slow, shared 2-core machine, not
//! tight figures.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

/// The timed runs take turns (one load at a time on a 2-core machine).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn turn() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// A Python server on a free port; killed when dropped, a failed test included.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Runs `script`, which binds port 0 and prints the port it got.
    fn start(script: &str) -> Server {
        let child = Command::new("python3")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut server = Server { child, port: 0 };
        let mut line = String::new();
        BufReader::new(server.child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        server.port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the server printed {line:?}, not its port"));
        server
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A handler whose `do_GET` first runs `work`, then answers 200 with a small body.
fn script(server: &str, protocol: &str, work: &str) -> String {
    format!(
        r#"
import http.server, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "{protocol}"
    disable_nagle_algorithm = True
    def do_GET(self):
        {work}
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class S(http.server.{server}):
    daemon_threads = True
    request_queue_size = 256
srv = S(("127.0.0.1", 0), H)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#
    )
}

fn blocklab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(["--lang", "en", "load"])
        .args(args)
        .output()
        .unwrap()
}

/// `blocklab load URL ARGS --json`, which must exit `code`: its one JSON object.
fn load_json(url: &str, args: &[&str], code: i32) -> Value {
    let out = blocklab(&[&[url, "--json"], args].concat());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr:\n{stderr}");
    // stderr is no terminal here: no progress line.
    assert_eq!(stderr, "");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "one JSON object:\n{stdout}"
    );
    serde_json::from_str(&stdout).unwrap()
}

fn steps(report: &Value) -> &Vec<Value> {
    report["steps"].as_array().unwrap()
}

fn n(step: &Value, field: &str) -> u64 {
    step[field]
        .as_u64()
        .unwrap_or_else(|| panic!("{field} in {step}"))
}

#[test]
fn a_fast_server_holds_50_and_200_requests_a_second() {
    let _turn = turn();
    let server = Server::start(&script("ThreadingHTTPServer", "HTTP/1.1", "pass"));
    let report = load_json(&server.url(), &["--rates", "50,200", "--seconds", "1"], 0);
    assert_eq!(report["url"], server.url());
    assert_eq!(report["settings"]["connections"], 64);
    assert_eq!(report["settings"]["timeout_ms"], 2000.0);
    assert_eq!(report["bound_ms"], 100.0);
    for (step, rate) in steps(&report).iter().zip([50, 200]) {
        assert_eq!(n(step, "rate"), rate, "{report}");
        assert_eq!(n(step, "sent"), rate, "{report}");
        assert_eq!(n(step, "answered"), rate, "{report}");
        assert_eq!(n(step, "errors") + n(step, "timeouts"), 0, "{report}");
        assert_eq!(step["held"], true, "{report}");
        let (p50, p99, max) = (
            step["p50_ms"].as_f64().unwrap(),
            step["p99_ms"].as_f64().unwrap(),
            step["max_ms"].as_f64().unwrap(),
        );
        assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{report}");
        // Replies come during the step, bar the last few.
        let achieved = step["achieved_per_s"].as_f64().unwrap();
        assert!(
            achieved <= rate as f64 && achieved >= rate as f64 * 0.5,
            "{report}"
        );
    }
    assert_eq!(report["held_rate"], 200, "{report}");
}

#[test]
fn a_server_of_50_requests_a_second_holds_20_not_200_and_its_latency_grows() {
    let _turn = turn();
    // One request at a time, each 20 ms: at most 50 a second.
    let server = Server::start(&script("HTTPServer", "HTTP/1.0", "time.sleep(0.02)"));
    let report = load_json(&server.url(), &["--rates", "20,200", "--seconds", "1"], 0);
    let [slow, fast] = &steps(&report)[..] else {
        panic!("two steps: {report}")
    };
    assert_eq!((n(slow, "sent"), n(slow, "answered")), (20, 20), "{report}");
    assert_eq!(slow["held"], true, "{report}");
    assert!(slow["p50_ms"].as_f64().unwrap() >= 20.0, "{report}");
    // 200 requests need 4 s of the server; the last is due before 1 s and times out 2 s
    // later, so not all can be answered.
    assert_eq!(n(fast, "sent"), 200, "{report}");
    assert!(n(fast, "answered") < 200, "{report}");
    assert_eq!(fast["held"], false, "{report}");
    assert_eq!(
        n(fast, "answered") + n(fast, "errors") + n(fast, "timeouts"),
        200,
        "{report}"
    );
    // Open loop: a request waits for those ahead of it, and that wait is its latency. The
    // server answers one every 20 ms in order while four more fall due, so the answered
    // ones wait far longer than the 20 ms a request takes.
    let p99 = fast["p99_ms"].as_f64().unwrap();
    assert!(p99 > 100.0, "p99 {p99} ms at 200 req/s: {report}");
    assert_eq!(report["held_rate"], 20, "{report}");
}

#[test]
fn bad_input_exits_2_saying_what_is_allowed() {
    let url = "http://127.0.0.1:9/";
    let refused = |args: &[&str], hint: &str| {
        let out = blocklab(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(hint),
            "{args:?}: `{hint}` not in:\n{stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    };
    refused(&["https://example.com/"], "no TLS client; use http://");
    for bad in ["localhost:8000", "ftp://host/", "http://", "http://host:0/"] {
        refused(&[bad], "http://host[:port][/path]");
    }
    for rates in ["", "0", "50,0", "50,,100", "fast"] {
        refused(&[url, "--rates", rates], "from 1 to 100000");
    }
    for seconds in ["0", "-1", "600.5"] {
        refused(&[url, "--seconds", seconds], "above 0 and at most 600");
    }
    for connections in ["0", "10001"] {
        refused(&[url, "--connections", connections], "1..=10000");
    }
    for timeout in ["0", "600001"] {
        refused(&[url, "--timeout-ms", timeout], "1..=600000");
    }
    // The lab's `--rate` would otherwise hide a typo of `--rates`.
    refused(&[url, "--rate", "100"], "--rates");
}

#[test]
fn a_closed_port_is_all_errors_and_exit_1() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let args = ["--rates", "20,40", "--seconds", "0.5"];
    let report = load_json(&url, &args, 1);
    for (step, sent) in steps(&report).iter().zip([10, 20]) {
        assert_eq!(n(step, "sent"), sent, "{report}");
        assert_eq!(n(step, "errors"), sent, "{report}");
        assert_eq!(n(step, "answered"), 0, "{report}");
        assert_eq!(step["p99_ms"], Value::Null, "{report}");
        assert_eq!(step["held"], false, "{report}");
        assert!(step["error"].as_str().is_some(), "{report}");
    }
    assert_eq!(report["held_rate"], Value::Null);
    // The table says so.
    let out = blocklab(&[&[url.as_str()], &args[..]].concat());
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{table}");
    assert!(table.contains("no request got a 2xx reply"), "{table}");
    assert!(table.contains("20 req/s: 10 error(s)"), "{table}");
    assert!(table.contains("no rate held"), "{table}");
}
