//! The lab's HTTP front door: HTTP/1.1 on loopback, served by the lab's own runtime, so a loop
//! that is blocked really stops accepting and answering — for `curl`, `oha` or a browser as
//! for blocklab. Every strategy is an endpoint; a job started here runs exactly as a key press
//! starts it, and the reply comes when its handler replies.
//!
//! | route | what |
//! | --- | --- |
//! | `GET /` | this list, with the workloads and strategies |
//! | `GET /ping[?ms=N]` | the other users' request: an awaited wait of `ms` (0 by default), then the reply |
//! | `GET /work/{workload}/{strategy}?ms=N[&size=N]` | one job; replies when its handler does |
//! | `POST /jobs/{workload}/{strategy}?ms=N[&size=N]` | one job in the background: `202` and its id at once |
//! | `GET /jobs/{id}` | where that job stands: queued, running, ended (and how), its timings |
//! | `GET /queue` | the durable queue: its file and its jobs per state |
//! | `GET /queue/{task}` | one job in the durable queue: state, attempts, lease, result |
use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::shared::Shared;
use crate::clock::ms;
use crate::data::{LabEvent, RunId, Work, Workload};
use crate::text::T;

/// Jobs started over HTTP belong to no experiment of blocklab's own...
pub const HTTP_RUN: RunId = 0;

/// ...unless the request says which: a load test of blocklab's own sets this to its run id.
pub const RUN_HEADER: &str = "x-blocklab-run";

/// Set by blocklab's own background traffic.
pub const TRAFFIC_HEADER: &str = "x-blocklab-traffic";

/// Whether a request is blocklab's own (its traffic or a load test), not one from outside.
fn own(headers: &HeaderMap) -> bool {
    headers.contains_key(RUN_HEADER) || headers.contains_key(TRAFFIC_HEADER)
}

/// The run a request's job belongs to.
fn run_of(headers: &HeaderMap) -> RunId {
    headers
        .get(RUN_HEADER)
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or(HTTP_RUN)
}

/// Connections served at once; more wait in the kernel's backlog until one closes.
pub const MAX_CONNECTIONS: usize = 256;

/// The bounds of a job's parameters: the same as `blocklab run`'s flags.
pub const MS_RANGE: (u64, u64) = (1, 600_000);
pub const SIZE_RANGE: (u64, u64) = (1, 4096);

/// Where blocklab's own clients reach a front door: on loopback when it listens on every
/// address.
pub fn reachable(door: SocketAddr) -> SocketAddr {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    match door.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => (Ipv4Addr::LOCALHOST, door.port()).into(),
        IpAddr::V6(ip) if ip.is_unspecified() => (Ipv6Addr::LOCALHOST, door.port()).into(),
        _ => door,
    }
}

/// Serves HTTP on `listener` until `stop`: then it stops accepting and closes each connection
/// after its current request — the next lab serves on the same socket.
pub async fn serve(
    listener: std::net::TcpListener,
    lab: Arc<Shared>,
    stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = match listener
        .set_nonblocking(true)
        .and_then(|()| TcpListener::from_std(listener))
    {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("the HTTP front door cannot listen: {e}");
            return;
        }
    };
    let bounded = Bounded {
        listener,
        slots: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
    };
    let serving = axum::serve(bounded, router(lab)).with_graceful_shutdown(async {
        let _ = stop.await;
    });
    if let Err(e) = serving.await {
        tracing::warn!("the HTTP front door stopped: {e}");
    }
}

pub fn router(lab: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/ping", get(super::traffic::ping))
        .route("/work/{workload}/{strategy}", get(work))
        .route("/jobs/{workload}/{strategy}", axum::routing::post(submit))
        .route("/jobs/{id}", get(status))
        .route("/queue", get(queue_counts))
        .route("/queue/{task}", get(queue_task))
        .fallback(not_found)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::middleware::from_fn_with_state(lab.clone(), record))
        .with_state(lab)
}

/// Every request from outside blocklab the front door answers: its status and times, for the
/// model. blocklab's own (marked by a header) are counted by their clients instead.
async fn record(
    State(lab): State<Arc<Shared>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let received = lab.clock.now();
    let outside = !own(request.headers());
    let response = next.run(request).await;
    if outside {
        let _ = lab.events.send(LabEvent::Http {
            status: response.status().as_u16(),
            received,
            done: lab.clock.now(),
        });
    }
    response
}

/// The routes, as `GET /` and `blocklab serve` list them.
pub const ROUTES: [(&str, &str); 7] = [
    ("GET", "/"),
    ("GET", "/ping[?ms=N]"),
    ("GET", "/work/{workload}/{strategy}?ms=N[&size=N]"),
    ("POST", "/jobs/{workload}/{strategy}?ms=N[&size=N]"),
    ("GET", "/jobs/{id}"),
    ("GET", "/queue"),
    ("GET", "/queue/{task}"),
];

#[derive(Serialize)]
struct RouteInfo {
    method: &'static str,
    path: &'static str,
    what: &'static str,
}

fn routes() -> Vec<RouteInfo> {
    let what = [
        T::HttpRouteIndex,
        T::HttpRoutePing,
        T::HttpRouteWork,
        T::HttpRouteSubmit,
        T::HttpRouteStatus,
        T::HttpRouteQueue,
        T::HttpRouteQueueTask,
    ];
    ROUTES
        .iter()
        .zip(what)
        .map(|(&(method, path), what)| RouteInfo {
            method,
            path,
            what: what.text(),
        })
        .collect()
}

async fn index(State(lab): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let strategies: Vec<_> = super::strategy::all().map(|s| s.as_str()).collect();
    let workloads: Vec<_> = Workload::ALL.iter().map(|w| w.as_str()).collect();
    Json(json!({
        "lab": lab.lab_id,
        "routes": routes(),
        "workloads": workloads,
        "strategies": strategies,
        "ms": {"min": MS_RANGE.0, "max": MS_RANGE.1},
        "size": {"min": SIZE_RANGE.0, "max": SIZE_RANGE.1},
    }))
}

/// A bad request, said the way the CLI says it: what is wrong and what is allowed.
pub(super) fn bad(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn not_found(method: Method, uri: Uri) -> Response {
    let message = T::HttpNoRoute.fill(&[("method", &method), ("path", &uri.path())]);
    let body = json!({ "error": message, "routes": routes() });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

async fn wrong_method(method: Method, uri: Uri) -> Response {
    let message = T::HttpWrongMethod.fill(&[("method", &method), ("path", &uri.path())]);
    bad(StatusCode::METHOD_NOT_ALLOWED, message)
}

/// Refuses a query with a parameter not in `allowed`.
fn only(query: &HashMap<String, String>, allowed: &[&str]) -> Result<(), String> {
    match query.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => {
            let allowed = allowed.join(", ");
            Err(T::HttpUnknownParam.fill(&[("name", unknown), ("allowed", &allowed)]))
        }
        None => Ok(()),
    }
}

/// A whole number in its range from the query (`None`: absent and not required).
fn number(
    query: &HashMap<String, String>,
    name: &str,
    (min, max): (u64, u64),
    required: bool,
) -> Result<Option<u64>, String> {
    let range = T::HttpRange.fill(&[("name", &name), ("min", &min), ("max", &max)]);
    match query.get(name) {
        None if required => Err(T::HttpMissingParam.fill(&[("range", &range)])),
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(T::HttpBadParam.fill(&[("value", v), ("range", &range)])),
        },
    }
}

/// `/ping`'s wait: `ms` from 0 (the default) to the longest job's.
pub(super) fn wait_of(query: &HashMap<String, String>) -> Result<Duration, String> {
    only(query, &["ms"])?;
    let ms = number(query, "ms", (0, MS_RANGE.1), false)?.unwrap_or(0);
    Ok(Duration::from_millis(ms))
}

/// `ms` and `size` from the query: whole numbers in their ranges; nothing else is accepted.
fn work_of(
    workload: &str,
    strategy: &str,
    query: &HashMap<String, String>,
) -> Result<Work, String> {
    let workload: Workload = workload.parse()?;
    let strategy = super::strategy::find(strategy)?;
    only(query, &["ms", "size"])?;
    let ms = number(query, "ms", MS_RANGE, true)?.unwrap_or(MS_RANGE.0);
    let size = number(query, "size", SIZE_RANGE, false)?.unwrap_or(0) as u32;
    Ok(Work {
        workload,
        strategy,
        ms,
        size,
    })
}

/// A job from a request: its parameters checked (400 with what is allowed), then let into the
/// lab (503 with why, when a thread budget would be exceeded).
fn admit(
    lab: &Arc<Shared>,
    headers: &HeaderMap,
    workload: &str,
    strategy: &str,
    query: &HashMap<String, String>,
) -> Result<super::job::JobCtx, (StatusCode, String)> {
    let work = work_of(workload, strategy, query).map_err(|m| (StatusCode::BAD_REQUEST, m))?;
    super::enter(lab, run_of(headers), work)
        .map_err(|(_, why)| (StatusCode::SERVICE_UNAVAILABLE, why))
}

#[derive(Serialize)]
struct WorkReply {
    job: u64,
    lab: u64,
    workload: &'static str,
    strategy: &'static str,
    ms: u64,
    size: u32,
    /// On the lab's clock, in ms since blocklab started.
    submitted_ms: f64,
    replied_ms: f64,
    /// How long the request took inside the server.
    reply_ms: f64,
    /// A durable job's row in the queue file (`GET /queue/{task}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// `GET /work/{workload}/{strategy}?ms=N`: one job, run as a key press runs it; the reply
/// comes when the job's handler replies (at once for fire-and-forget strategies).
async fn work(
    State(lab): State<Arc<Shared>>,
    Path((workload, strategy)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let submitted = lab.clock.now();
    let job = match admit(&lab, &headers, &workload, &strategy, &query) {
        Ok(job) => job,
        Err((status, why)) => return bad(status, why),
    };
    let spec = job.spec.clone();
    let outcome = super::handle(job).await;
    let replied = lab.clock.now();
    let entry = lab.book.get(spec.id);
    let error = match outcome {
        // A job that failed before its handler replied (a durable job whose queue file
        // cannot be written) is an error too.
        Ok(Ok(())) => entry
            .as_ref()
            .filter(|e| e.outcome == Some(crate::data::Outcome::Failed))
            .and_then(|e| e.error.clone()),
        Ok(Err(why)) => Some(why),
        Err(_) => Some(T::HttpLabStopped.text().to_string()),
    };
    let status = if error.is_some() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let reply = WorkReply {
        job: spec.id,
        lab: spec.lab,
        workload: spec.workload.as_str(),
        strategy: spec.strategy.as_str(),
        ms: spec.ms,
        size: spec.size,
        submitted_ms: ms(submitted),
        replied_ms: ms(replied),
        reply_ms: ms(replied.saturating_sub(submitted)),
        task: entry.and_then(|e| e.task),
        error,
    };
    (status, Json(reply)).into_response()
}

/// `POST /jobs/{workload}/{strategy}?ms=N`: the job starts in the background and the reply
/// is `202 Accepted` with its id at once; `GET /jobs/{id}` tells how it goes.
async fn submit(
    State(lab): State<Arc<Shared>>,
    Path((workload, strategy)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let job = match admit(&lab, &headers, &workload, &strategy, &query) {
        Ok(job) => job,
        Err((status, why)) => return bad(status, why),
    };
    let id = job.spec.id;
    let durable = job.spec.strategy.info().durable;
    let handler = super::handle(job);
    if durable {
        // Acknowledged means committed: the 202 waits for the row to be in the queue file.
        let _ = handler.await;
        if let Some(entry) = lab.book.get(id)
            && entry.outcome == Some(crate::data::Outcome::Failed)
        {
            let why = entry.error.unwrap_or_default();
            return bad(StatusCode::SERVICE_UNAVAILABLE, why);
        }
    } else {
        drop(handler);
    }
    let body = json!({
        "job": id,
        "lab": lab.lab_id,
        "status": format!("/jobs/{id}"),
        "entry": lab.book.get(id),
    });
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

/// `GET /jobs/{id}`: the job as this lab's book has it. The book is in memory: a lab that
/// restarted has forgotten its jobs, and says so.
async fn status(State(lab): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<u64>() else {
        return bad(
            StatusCode::BAD_REQUEST,
            T::HttpBadJobId.fill(&[("id", &id)]),
        );
    };
    match lab.book.get(id) {
        Some(entry) => (StatusCode::OK, Json(entry)).into_response(),
        None => bad(
            StatusCode::NOT_FOUND,
            T::HttpNoJob.fill(&[("id", &id), ("lab", &lab.lab_id)]),
        ),
    }
}

/// `GET /queue`: the queue file and its jobs per state.
async fn queue_counts() -> Response {
    let file = super::queue::file();
    let counts = tokio::task::spawn_blocking(|| super::queue::file().store()?.counts()).await;
    match counts {
        Ok(Ok(counts)) => Json(json!({ "file": file.path, "jobs": counts })).into_response(),
        Ok(Err(why)) => bad(StatusCode::SERVICE_UNAVAILABLE, why),
        Err(e) => bad(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /queue/{task}`: one row of the queue file, read there (it outlives labs and processes).
async fn queue_task(Path(task): Path<String>) -> Response {
    let Ok(task) = task.parse::<i64>() else {
        return bad(
            StatusCode::BAD_REQUEST,
            T::HttpBadTaskId.fill(&[("id", &task)]),
        );
    };
    let row = tokio::task::spawn_blocking(move || super::queue::file().store()?.get(task)).await;
    match row {
        Ok(Ok(Some(row))) => Json(row).into_response(),
        Ok(Ok(None)) => bad(
            StatusCode::NOT_FOUND,
            T::HttpNoTask.fill(&[
                ("task", &task),
                ("path", &super::queue::file().path.display()),
            ]),
        ),
        Ok(Err(why)) => bad(StatusCode::SERVICE_UNAVAILABLE, why),
        Err(e) => bad(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// A listener that serves at most `MAX_CONNECTIONS` at once: each accepted connection holds a
/// slot until it closes, and no connection is accepted while none is free.
struct Bounded {
    listener: TcpListener,
    slots: Arc<Semaphore>,
}

impl axum::serve::Listener for Bounded {
    type Io = Counted;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Counted, SocketAddr) {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        loop {
            match self.listener.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        Counted {
                            stream,
                            _slot: slot,
                        },
                        addr,
                    );
                }
                // Out of file descriptors, say: wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A connection and its slot.
struct Counted {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parameters_are_checked_against_the_clis_bounds() {
        let w = work_of("sleep", "inline", &query(&[("ms", "200")])).unwrap();
        assert_eq!((w.ms, w.size), (200, 0));
        let w = work_of("cpu", "thread-pool", &query(&[("ms", "5"), ("size", "3")])).unwrap();
        assert_eq!(w.size, 3);
        for (workload, strategy, q, says) in [
            ("sleep", "inline", vec![], "600000"),
            ("sleep", "inline", vec![("ms", "0")], "600000"),
            ("sleep", "inline", vec![("ms", "abc")], "abc"),
            ("sleep", "inline", vec![("ms", "5"), ("size", "0")], "4096"),
            ("sleep", "inline", vec![("ms", "5"), ("n", "1")], "ms, size"),
            ("nap", "inline", vec![("ms", "5")], "sleep"),
            ("sleep", "threads", vec![("ms", "5")], "spawn-blocking"),
        ] {
            let e = work_of(workload, strategy, &query(&q)).unwrap_err();
            assert!(e.contains(says), "{workload}/{strategy} {q:?}: {e}");
        }
    }
}
