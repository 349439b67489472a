//! Steady background traffic: the other users of the server.
//!
//! The clients live on their own thread and runtime, outside the lab, like real clients on a
//! network: real HTTP/1.1 requests to the lab's front door (`GET /ping?ms=N`), open loop —
//! request `i` leaves at its time whatever became of the earlier ones, and its latency counts
//! from that time. When the event loop freezes, their requests keep arriving and wait, and
//! their latency shows it. A lab without a front door (no loopback socket) gets the same
//! requests over a channel, answered by the same handler.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hdrhistogram::Histogram;
use serde_json::json;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

use super::http::{TRAFFIC_HEADER, bad, reachable, wait_of};
use super::shared::Shared;
use crate::clock::{Clock, ms};
use crate::data::LabEvent;
use crate::load::Outcome;
use crate::load::client::{Pool, one, pace};

/// Connections the clients may hold open at once (one is enough while the lab keeps up; more
/// open while it is frozen, so requests queue on the server's side, as real clients' would).
const CONNECTIONS: usize = 16;
/// A request not answered this long after its time is given up, and reported by no event.
const TIMEOUT: Duration = Duration::from_secs(60);

// snippet:start traffic-handler
/// `GET /ping?ms=N`, the other users' small request: a short async wait (a cache or database
/// call that awaits), then the reply.
pub async fn ping(
    State(lab): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let wait = match wait_of(&query) {
        Ok(wait) => wait,
        Err(why) => return bad(StatusCode::BAD_REQUEST, why),
    };
    tokio::time::sleep(wait).await;
    Json(json!({ "pong": true, "lab": lab.lab_id, "at_ms": ms(lab.clock.now()) })).into_response()
}
// snippet:end traffic-handler

/// The clients of one lab; they stop when told or dropped.
pub struct Clients {
    stop: Arc<AtomicBool>,
    /// Latency of the answered requests from their scheduled times, in µs (HTTP only).
    latency: Option<Arc<Mutex<Histogram<u64>>>>,
}

impl Clients {
    /// `rate` requests a second over HTTP to `door`, each awaiting `wait` on the lab; every
    /// answer is a `LabEvent::Request` on `events`.
    pub fn over_http(
        rate: u32,
        clock: Clock,
        door: SocketAddr,
        wait: Duration,
        events: UnboundedSender<LabEvent>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let latency = Arc::new(Mutex::new(
            Histogram::new_with_bounds(1, 1_000_000_000, 3).expect("valid bounds"),
        ));
        if rate > 0 {
            let (flag, hist) = (stop.clone(), latency.clone());
            let pool = Pool::new(
                vec![reachable(door)],
                &reachable(door).to_string(),
                &format!("/ping?ms={}", wait.as_millis()),
                CONNECTIONS,
                &[(TRAFFIC_HEADER.to_string(), "1".to_string())],
            )?;
            std::thread::Builder::new()
                .name("lab-clients".into())
                .spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build();
                    match rt {
                        Ok(rt) => {
                            rt.block_on(send(rate, clock, Arc::new(pool), events, flag, hist))
                        }
                        Err(e) => tracing::warn!("the traffic clients have no runtime: {e}"),
                    }
                })?;
        }
        Ok(Self {
            stop,
            latency: Some(latency),
        })
    }

    /// The same requests, for a lab without a front door: over a channel to [`serve`].
    pub fn in_process(
        rate: u32,
        clock: Clock,
        requests: UnboundedSender<Duration>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        if rate > 0 {
            let flag = stop.clone();
            let period = Duration::from_secs_f64(1.0 / f64::from(rate));
            std::thread::Builder::new()
                .name("lab-clients".into())
                .spawn(move || {
                    let start = Instant::now();
                    let mut sent = 0u32;
                    while !flag.load(Ordering::Relaxed) {
                        sent += 1;
                        let due = start + period * sent;
                        if let Some(wait) = due.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        if requests.send(clock.now()).is_err() {
                            break;
                        }
                    }
                })?;
        }
        Ok(Self {
            stop,
            latency: None,
        })
    }

    /// The answered requests' latency from their scheduled times, in µs (HTTP clients only).
    pub fn latency(&self) -> Option<Histogram<u64>> {
        let latency = self.latency.as_ref()?;
        Some(latency.lock().expect("not poisoned").clone())
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Drop for Clients {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The open-loop schedule: request `i` is due at `t0 + i / rate`, from `i = 1` (the lab that
/// retires as this one starts shares the socket for a moment); each answer becomes an event.
async fn send(
    rate: u32,
    clock: Clock,
    pool: Arc<Pool>,
    events: UnboundedSender<LabEvent>,
    stop: Arc<AtomicBool>,
    latency: Arc<Mutex<Histogram<u64>>>,
) {
    let t0 = tokio::time::Instant::now();
    // `t0` on the lab's clock: the events speak its time.
    let at0 = clock.now();
    let (due_tx, mut due_rx) = tokio::sync::mpsc::unbounded_channel();
    let _pacer = pace("lab-clients-pace", t0.into_std(), rate, 1..u64::MAX, due_tx);
    let mut requests = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            biased;
            Some(i) = due_rx.recv() => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let due = t0 + crate::load::scheduled(i, rate);
                requests.spawn(one(Arc::clone(&pool), t0, due, TIMEOUT));
            }
            Some(Ok(outcome)) = requests.join_next() => {
                // Failed and timed-out requests have no reply to report.
                if let Outcome::Answered { scheduled, done } = outcome {
                    let us = done.saturating_sub(scheduled).as_micros().max(1) as u64;
                    latency.lock().expect("not poisoned").saturating_record(us);
                    let event = LabEvent::Request {
                        sent: at0 + scheduled,
                        done: at0 + done,
                    };
                    if events.send(event).is_err() {
                        break;
                    }
                }
            }
            else => break,
        }
    }
    // The pacer ends at its next tick, when it finds the channel closed.
    requests.abort_all();
    pool.close_idle();
}

/// The server side of the in-process fallback: each request answered by [`ping`], as over HTTP.
pub async fn serve(
    mut requests: UnboundedReceiver<Duration>,
    lab: Arc<Shared>,
    wait: Duration,
    events: UnboundedSender<LabEvent>,
) {
    let query = HashMap::from([("ms".to_string(), wait.as_millis().to_string())]);
    while let Some(sent) = requests.recv().await {
        let (lab, query, events) = (lab.clone(), query.clone(), events.clone());
        tokio::spawn(async move {
            let clock = lab.clock;
            ping(State(lab), Query(query)).await;
            let _ = events.send(LabEvent::Request {
                sent,
                done: clock.now(),
            });
        });
    }
}
