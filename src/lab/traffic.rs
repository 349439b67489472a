//! Steady background traffic: the other users of the server.
//!
//! The clients live on their own thread and runtime, outside the lab, like real clients on a
//! network: real HTTP/1.1 requests to the lab's front door (`GET /ping?ms=N`), open loop —
//! request `i` leaves at its time whatever became of the earlier ones, and its latency counts
//! from that time. When the event loop freezes, their requests keep arriving and wait, and
//! their latency shows it. A lab without a front door (no loopback socket) gets the same
//! requests over a channel, answered by the same handler.
//!
//! The rate can change while the lab runs ([`Clients::set_rate`]: the TUI lets the traffic rest
//! while nobody uses it): a new rate starts a new open-loop schedule from the moment it
//! arrives, and every request is still timed from its own due time.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
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
use crate::load::client::{Pool, one};
use crate::load::{Outcome, scheduled};

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
    /// New rates for the pacer (none when the clients send nothing at all).
    rates: Option<Sender<u32>>,
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
        let mut rates = None;
        if rate > 0 {
            let (flag, hist) = (stop.clone(), latency.clone());
            let (rates_tx, rates_rx) = std::sync::mpsc::channel();
            rates = Some(rates_tx);
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
                        Ok(rt) => rt.block_on(send(
                            (rate, rates_rx),
                            clock,
                            Arc::new(pool),
                            events,
                            flag,
                            hist,
                        )),
                        Err(e) => tracing::warn!("the traffic clients have no runtime: {e}"),
                    }
                })?;
        }
        Ok(Self {
            stop,
            latency: Some(latency),
            rates,
        })
    }

    /// The same requests, for a lab without a front door: over a channel to [`serve`].
    pub fn in_process(
        rate: u32,
        clock: Clock,
        requests: UnboundedSender<Duration>,
    ) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut rates = None;
        if rate > 0 {
            let flag = stop.clone();
            let (rates_tx, rates_rx) = std::sync::mpsc::channel();
            rates = Some(rates_tx);
            std::thread::Builder::new()
                .name("lab-clients".into())
                .spawn(move || {
                    pace(rate, &rates_rx, |_due| {
                        !flag.load(Ordering::Relaxed) && requests.send(clock.now()).is_ok()
                    })
                })?;
        }
        Ok(Self {
            stop,
            latency: None,
            rates,
        })
    }

    /// The answered requests' latency from their scheduled times, in µs (HTTP clients only).
    pub fn latency(&self) -> Option<Histogram<u64>> {
        let latency = self.latency.as_ref()?;
        Some(latency.lock().expect("not poisoned").clone())
    }

    /// From now on `rate` requests a second (a new open-loop schedule from this moment). A
    /// rate of 0 sends nothing until the next change; clients started at 0 never send.
    pub fn set_rate(&self, rate: u32) {
        if let Some(rates) = &self.rates {
            let _ = rates.send(rate);
        }
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

/// The open-loop schedule, on the calling thread: `on_due` is called with each request's due
/// time, `t0 + i / rate` from `i = 1` (at once when that has passed), where `t0` is the start or
/// the moment the latest rate came from `rates`. Ends when `on_due` says false or `rates`
/// closes. It sleeps in `recv_timeout`, so a new rate applies at once, not at the next request
/// of the old one (200 ms away at a resting 5 req/s).
fn pace(mut rate: u32, rates: &Receiver<u32>, mut on_due: impl FnMut(Instant) -> bool) {
    let (mut t0, mut i) = (Instant::now(), 1u64);
    loop {
        let due = (rate > 0).then(|| t0 + scheduled(i, rate));
        let news = match due {
            Some(at) => rates.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => rates.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match (news, due) {
            (Ok(new), _) if new != rate => (rate, t0, i) = (new, Instant::now(), 1),
            (Ok(_), _) => {}
            (Err(RecvTimeoutError::Timeout), Some(at)) => {
                if !on_due(at) {
                    return;
                }
                i += 1;
            }
            (Err(_), _) => return,
        }
    }
}

/// The clients' side: each due time from the pacer thread becomes a request, sent at once
/// whatever became of the earlier ones (from `i = 1`: the lab that retires as this one starts
/// shares the socket for a moment); each answer becomes an event.
async fn send(
    (rate, rates): (u32, Receiver<u32>),
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
    // The pacer sleeps to each due time on its own thread (to tens of microseconds, where a
    // tokio timer rounds up to its millisecond tick) and wakes this runtime with it.
    let pacer = std::thread::Builder::new()
        .name("lab-clients-pace".into())
        .spawn(move || pace(rate, &rates, |due| due_tx.send(due).is_ok()));
    if let Err(e) = pacer {
        tracing::warn!("the traffic clients have no pacer: {e}");
        return;
    }
    let mut requests = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            biased;
            Some(due) = due_rx.recv() => {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let due = tokio::time::Instant::from_std(due);
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
    // The pacer ends at its next due time, or at once when the clients are dropped (their
    // `rates` closes), finding the channel closed.
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
