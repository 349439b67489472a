//! The generator: its own current-thread tokio runtime on its own thread, HTTP/1.1 keep-alive
//! connections opened lazily (one hyper handshake each, so their number is exact), and an
//! open-loop schedule: request `i` of a step is issued at `t0 + i / rate` whatever became of
//! the earlier ones, and its latency counts from that time. A pacer thread per step keeps the
//! time (a tokio timer would issue each request up to a millisecond late).
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HOST, HeaderName, HeaderValue, USER_AGENT};
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::Instant;

use super::plan::{LoadPlan, Target, requests_in, scheduled};
use super::summary::{Outcome, StepReport, StepTally};

/// What the caller's thread reads for its progress line.
#[derive(Debug, Default)]
pub struct Live {
    /// The step running (counting from 1; 0 before the first).
    pub step: AtomicUsize,
    pub rate: AtomicU32,
    /// When the step started, in nanoseconds since `Live::origin`.
    pub started_ns: AtomicU64,
    pub sent: AtomicU64,
    pub answered: AtomicU64,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// One open connection; dropping it closes it.
struct Conn {
    send: SendRequest<Empty<Bytes>>,
    driver: AbortHandle,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// The connections: at most `slots` in use or idle at once, a request waiting its turn in
/// arrival order when all are busy. The lab's own background traffic uses it too.
pub struct Pool {
    slots: Semaphore,
    idle: Mutex<Vec<Conn>>,
    addrs: Vec<SocketAddr>,
    /// The address that answered last (a name may resolve to ::1 and 127.0.0.1, and a server
    /// listen on one).
    preferred: AtomicUsize,
    path: Uri,
    host: HeaderValue,
    agent: HeaderValue,
    /// Set on every request (blocklab marks its own requests this way).
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Pool {
    /// GETs of `path` on `addrs`, with `Host: authority` and `headers`, through at most
    /// `connections` connections.
    pub fn new(
        addrs: Vec<SocketAddr>,
        authority: &str,
        path: &str,
        connections: usize,
        headers: &[(String, String)],
    ) -> std::io::Result<Pool> {
        let headers = headers
            .iter()
            .map(|(name, value)| {
                let name =
                    HeaderName::from_bytes(name.as_bytes()).map_err(std::io::Error::other)?;
                let value = HeaderValue::from_str(value).map_err(std::io::Error::other)?;
                Ok((name, value))
            })
            .collect::<std::io::Result<_>>()?;
        Ok(Pool {
            slots: Semaphore::new(connections),
            idle: Mutex::new(Vec::new()),
            addrs,
            preferred: AtomicUsize::new(0),
            path: path.parse().map_err(std::io::Error::other)?,
            host: HeaderValue::from_str(authority).map_err(std::io::Error::other)?,
            agent: HeaderValue::from_static(concat!("blocklab-load/", env!("CARGO_PKG_VERSION"))),
            headers,
        })
    }

    /// Closes the kept-alive connections (while the runtime still runs their drivers).
    pub fn close_idle(&self) {
        self.idle.lock().expect("not poisoned").clear();
    }

    fn request(&self) -> Request<Empty<Bytes>> {
        let mut req = Request::new(Empty::new());
        *req.uri_mut() = self.path.clone();
        req.headers_mut().insert(HOST, self.host.clone());
        req.headers_mut().insert(USER_AGENT, self.agent.clone());
        for (name, value) in &self.headers {
            req.headers_mut().insert(name.clone(), value.clone());
        }
        req
    }

    async fn connect(&self) -> Result<Conn, Error> {
        let first = self.preferred.load(Ordering::Relaxed);
        let mut last = None;
        for k in 0..self.addrs.len() {
            let i = (first + k) % self.addrs.len();
            match TcpStream::connect(self.addrs[i]).await {
                Ok(stream) => {
                    self.preferred.store(i, Ordering::Relaxed);
                    stream.set_nodelay(true)?;
                    let (send, conn) = http1::handshake(TokioIo::new(stream)).await?;
                    let driver = tokio::spawn(async move {
                        let _ = conn.await;
                    })
                    .abort_handle();
                    return Ok(Conn { send, driver });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.expect("at least one address").into())
    }

    /// One GET, on a kept-alive connection if one is idle, else on a new one; its status once
    /// the whole body is read.
    async fn exchange(&self) -> Result<u16, Error> {
        let _slot = self.slots.acquire().await.expect("never closed");
        let mut req = self.request();
        loop {
            let idle = self.idle.lock().expect("not poisoned").pop();
            let reused = idle.is_some();
            let mut conn = match idle {
                Some(conn) => conn,
                None => self.connect().await?,
            };
            // One the server closed while it was idle is dropped, and the next tried.
            if reused && conn.send.ready().await.is_err() {
                continue;
            }
            match conn.send.try_send_request(req).await {
                Ok(reply) => {
                    let status = reply.status().as_u16();
                    // Read to the end (a reply counts once all of it came), keeping none.
                    let mut body = reply.into_body();
                    while let Some(frame) = body.frame().await {
                        frame?;
                    }
                    if !conn.send.is_closed() {
                        self.idle.lock().expect("not poisoned").push(conn);
                    }
                    return Ok(status);
                }
                // A kept-alive connection that closed before taking the request: the request
                // was never sent, so it goes on another connection.
                Err(mut e) if reused && e.message().is_some() => {
                    req = e.take_message().expect("checked");
                }
                Err(e) => return Err(e.into_error().into()),
            }
        }
    }
}

// snippet:start load-open-loop
/// One request due at `due`; times in the outcome are since the step's `t0`. It is sent when
/// due whatever became of the earlier ones, and its latency counts from `due`: time spent
/// waiting for a connection or behind a frozen server is the server's.
pub async fn one(pool: Arc<Pool>, t0: Instant, due: Instant, timeout: Duration) -> Outcome {
    match tokio::time::timeout_at(due + timeout, pool.exchange()).await {
        Err(_) => Outcome::TimedOut,
        Ok(Ok(status)) if (200..300).contains(&status) => {
            let now = Instant::now();
            // A reply that beat the timer by less than its tick still came too late.
            if now - due > timeout {
                Outcome::TimedOut
            } else {
                Outcome::Answered {
                    scheduled: due - t0,
                    done: now - t0,
                }
            }
        }
        Ok(Ok(status)) => Outcome::Status(status),
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
    }
}
// snippet:end load-open-loop

/// Runs every step of `plan` in turn, on a runtime of its own (the calling thread's).
pub fn generate(
    target: &Target,
    addrs: Vec<SocketAddr>,
    plan: &LoadPlan,
    live: &Live,
    origin: std::time::Instant,
) -> std::io::Result<Vec<StepReport>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let pool = Arc::new(Pool::new(
        addrs,
        &target.authority,
        &target.path,
        plan.connections,
        &plan.headers,
    )?);
    let steps = rt.block_on(async {
        let mut steps = Vec::new();
        for (k, &rate) in plan.rates.iter().enumerate() {
            steps.push(step(&pool, k + 1, rate, plan, live, origin).await);
        }
        pool.close_idle();
        steps
    });
    Ok(steps)
}

async fn step(
    pool: &Arc<Pool>,
    number: usize,
    rate: u32,
    plan: &LoadPlan,
    live: &Live,
    origin: std::time::Instant,
) -> StepReport {
    let mut tally = StepTally::new(rate, plan.step);
    let t0 = Instant::now();
    live.sent.store(0, Ordering::Relaxed);
    live.answered.store(0, Ordering::Relaxed);
    live.rate.store(rate, Ordering::Relaxed);
    live.started_ns.store(
        t0.into_std().duration_since(origin).as_nanos() as u64,
        Ordering::Relaxed,
    );
    live.step.store(number, Ordering::Relaxed);
    let mut tasks = JoinSet::new();
    let record = |tally: &mut StepTally, outcome: Result<Outcome, _>| {
        let outcome = outcome.expect("a request task never panics");
        tally.add(outcome);
        live.answered
            .store(tally.answered_so_far(), Ordering::Relaxed);
    };
    // The pacer sleeps to each due time on its own thread (to tens of microseconds, where a
    // tokio timer rounds up to its millisecond tick) and wakes the runtime with the request's
    // number; a late wake-up makes the request late, and its latency longer, never shorter.
    let (due_tx, mut due_rx) = tokio::sync::mpsc::unbounded_channel();
    let n = requests_in(rate, plan.step);
    let pacer = pace("blocklab-pacer", t0.into_std(), rate, 0..n, due_tx);
    loop {
        tokio::select! {
            biased;
            Some(i) = due_rx.recv() => {
                let due = t0 + scheduled(i, rate);
                tasks.spawn(one(Arc::clone(pool), t0, due, plan.timeout));
                tally.sent();
                live.sent.store(tally.sent_so_far(), Ordering::Relaxed);
            }
            Some(done) = tasks.join_next() => record(&mut tally, done),
            // Every request sent and every one ended.
            else => break,
        }
    }
    let _ = pacer.join();
    tally.finish()
}

/// Sends each `i` of `numbers` through `due` at `t0 + i / rate` (at once when that has
/// passed), on a thread of its own named `name`; stops when `due` closes.
pub fn pace(
    name: &str,
    t0: std::time::Instant,
    rate: u32,
    numbers: std::ops::Range<u64>,
    due: tokio::sync::mpsc::UnboundedSender<u64>,
) -> std::thread::JoinHandle<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            for i in numbers {
                let at = t0 + scheduled(i, rate);
                let now = std::time::Instant::now();
                if at > now {
                    std::thread::sleep(at - now);
                }
                if due.send(i).is_err() {
                    return;
                }
            }
        })
        .expect("a thread for the pacer")
}
