//! The lab: the tokio runtime under study, on its own threads, that the user deliberately blocks.
//!
//! It runs three kinds of task: the probe (answers the observer's pings), the server (handles
//! the background traffic) and the jobs the user submits. Everything it knows leaves as plain
//! [`LabEvent`]s on one channel; nothing in here draws or aggregates.
pub mod admission;
pub mod gauges;
pub mod hooks;
pub mod job;
pub mod pool;
pub mod process;
pub mod shared;
pub mod strategy;
pub mod traffic;
pub mod workload;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use std::time::Duration;

use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;

use crate::clock::Clock;
use hooks::PollHooks;
use job::{JobCtx, JobEvent, JobEventKind, JobId, JobSpec, RunId, Work};
pub use pool::Shutdown;
use shared::Shared;

/// Panics in lab threads are part of the lessons (a job that fails): they go to the log, not
/// to the terminal, where they would print over the TUI or the headless output.
pub fn quiet_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current().name().unwrap_or("").to_string();
        let lab_thread = ["lab-", "pool-", "detached-"]
            .iter()
            .any(|p| thread.starts_with(p));
        if lab_thread {
            tracing::warn!(%thread, "a job panicked: {info}");
        } else {
            previous(info);
        }
    }));
}

/// A single poll (or an unanswered ping) at least this long is a stall.
pub const STALL_THRESHOLD: Duration = Duration::from_millis(10);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    /// One event loop on one thread: the asyncio / uvicorn situation.
    CurrentThread,
    /// N worker threads sharing the tasks.
    MultiThread,
}

impl Flavor {
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current-thread",
            Flavor::MultiThread => "multi-thread",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabConfig {
    pub flavor: Flavor,
    /// Worker threads (multi-thread only; a current-thread runtime has one loop).
    pub workers: usize,
    pub max_blocking_threads: usize,
    /// Background requests per second.
    pub traffic_rate: u32,
    /// The async wait inside each background request.
    pub request_ms: u64,
    /// Threads of the pool built at start-up and shut down with the lab (0: none).
    pub lifespan_pool: usize,
    /// What the lab does with the lifespan pool's work when it stops.
    pub shutdown: Shutdown,
}

impl Default for LabConfig {
    fn default() -> Self {
        Self {
            flavor: Flavor::CurrentThread,
            workers: 2,
            max_blocking_threads: 512,
            traffic_rate: 100,
            request_ms: 1,
            lifespan_pool: 0,
            shutdown: Shutdown::Graceful,
        }
    }
}

impl LabConfig {
    /// Event-loop threads: 1 on current-thread, N on multi-thread.
    pub fn loop_threads(&self) -> usize {
        match self.flavor {
            Flavor::CurrentThread => 1,
            Flavor::MultiThread => self.workers,
        }
    }

    pub fn describe(&self) -> String {
        match self.flavor {
            Flavor::CurrentThread => "current-thread".to_string(),
            Flavor::MultiThread => format!("multi-thread ×{}", self.workers),
        }
    }
}

/// Everything the lab tells the observer.
#[derive(Clone, Debug, PartialEq)]
pub enum LabEvent {
    Job(JobEvent),
    /// A background request: when its client sent it, when the handler replied.
    Request {
        sent: Duration,
        done: Duration,
    },
    /// The probe task received ping `seq` (sent by the observer at `sent`) at `received`.
    PingAnswer {
        seq: u64,
        sent: Duration,
        received: Duration,
    },
    /// The lab has shut down; its jobs that never ended are lost (or cancelled, if they never
    /// started).
    Stopped {
        lab: u64,
        at: Duration,
    },
}

#[derive(Clone, Copy, Debug)]
pub struct Ping {
    pub seq: u64,
    pub sent: Duration,
}

enum Command {
    Run(JobSpec),
}

/// A running lab. Dropping it stops the lab without waiting for a frozen loop.
pub struct Lab {
    pub config: LabConfig,
    pub clock: Clock,
    shared: Arc<Shared>,
    handle: Handle,
    commands: UnboundedSender<Command>,
    pings: UnboundedSender<Ping>,
    hooks: Option<Arc<PollHooks>>,
    shutdown: Option<oneshot::Sender<()>>,
    _clients: traffic::Clients,
}

impl Lab {
    /// Builds the runtime and starts the probe, the server and the clients.
    pub fn start(
        config: LabConfig,
        clock: Clock,
    ) -> std::io::Result<(Lab, UnboundedReceiver<LabEvent>)> {
        static NEXT_LAB: AtomicU64 = AtomicU64::new(1);
        let (events_tx, events_rx) = unbounded_channel();
        let (commands_tx, commands_rx) = unbounded_channel();
        let (pings_tx, pings_rx) = unbounded_channel();
        let (requests_tx, requests_rx) = unbounded_channel();
        let (shutdown_tx, shutdown_rx) = oneshot::channel();

        let lab_id = NEXT_LAB.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::new(Shared::new(
            lab_id,
            clock,
            events_tx.clone(),
            config.clone(),
        )?);
        let hooks = hooks_for(clock);
        let runtime = build_runtime(&config, hooks.clone())?;
        let handle = runtime.handle().clone();

        let loop_name = match config.flavor {
            // On a current-thread runtime, the thread that calls `block_on` *is* the event loop.
            Flavor::CurrentThread => job::ThreadKind::LOOP_PREFIX.to_string(),
            Flavor::MultiThread => "lab-main".to_string(),
        };
        let (lab, request_wait) = (shared.clone(), Duration::from_millis(config.request_ms));
        std::thread::Builder::new().name(loop_name).spawn(move || {
            let events = lab.events.clone();
            runtime.block_on(async {
                tokio::spawn(probe(pings_rx, clock, events.clone()));
                tokio::spawn(traffic::serve(
                    requests_rx,
                    request_wait,
                    clock,
                    events.clone(),
                ));
                tokio::spawn(accept(commands_rx, lab.clone()));
                let _ = shutdown_rx.await;
            });
            // The lifespan pool as configured (graceful waits for its work), then the runtime:
            // blocking jobs still running are left to finish on their own threads.
            lab.shut_down();
            runtime.shutdown_timeout(Duration::from_millis(100));
            let _ = events.send(LabEvent::Stopped {
                lab: lab.lab_id,
                at: clock.now(),
            });
        })?;

        let clients = traffic::Clients::start(config.traffic_rate, clock, requests_tx)?;
        let lab = Lab {
            config,
            clock,
            shared,
            handle,
            commands: commands_tx,
            pings: pings_tx,
            hooks,
            shutdown: Some(shutdown_tx),
            _clients: clients,
        };
        Ok((lab, events_rx))
    }

    /// Submits `count` jobs at once; returns their ids. Never waits for the lab: the
    /// `Submitted` event is stamped here even while the loop is frozen.
    pub fn submit(&self, run: RunId, work: Work, count: usize) -> Vec<JobId> {
        (0..count)
            .map(|_| {
                let spec = JobSpec::new(job::next_id(), run, work, self.shared.lab_id);
                let submitted = JobEvent {
                    job: spec.id,
                    at: self.clock.now(),
                    kind: JobEventKind::Submitted(spec.clone()),
                };
                let _ = self.shared.events.send(LabEvent::Job(submitted));
                let id = spec.id;
                match self.shared.gauges.admission.admit(id, &work) {
                    Ok(()) => {
                        let _ = self.commands.send(Command::Run(spec));
                    }
                    Err(why) => {
                        JobCtx::new(spec, self.shared.clone()).ended(job::Outcome::Cancelled, why)
                    }
                }
                id
            })
            .collect()
    }

    /// Asks the lab to stop; a `Stopped` event follows once its pools have shut down.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub fn id(&self) -> u64 {
        self.shared.lab_id
    }

    pub fn gauges(&self) -> Arc<gauges::Gauges> {
        self.shared.gauges.clone()
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    pub fn pinger(&self) -> UnboundedSender<Ping> {
        self.pings.clone()
    }

    pub fn hooks(&self) -> Option<Arc<PollHooks>> {
        self.hooks.clone()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(tokio_unstable)]
fn hooks_for(clock: Clock) -> Option<Arc<PollHooks>> {
    Some(Arc::new(PollHooks::new(clock, STALL_THRESHOLD)))
}

#[cfg(not(tokio_unstable))]
fn hooks_for(_clock: Clock) -> Option<Arc<PollHooks>> {
    None
}

fn build_runtime(
    config: &LabConfig,
    hooks: Option<Arc<PollHooks>>,
) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = match config.flavor {
        Flavor::CurrentThread => tokio::runtime::Builder::new_current_thread(),
        Flavor::MultiThread => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(config.workers);
            b
        }
    };
    // tokio names every thread it starts with this function; a multi-thread runtime starts its
    // workers first, so the first `workers` names go to them and the rest to the blocking pool.
    let workers = match config.flavor {
        Flavor::CurrentThread => 0,
        Flavor::MultiThread => config.workers,
    };
    let started = AtomicUsize::new(0);
    builder
        .enable_time()
        .max_blocking_threads(config.max_blocking_threads)
        .thread_name_fn(move || {
            let n = started.fetch_add(1, Ordering::Relaxed);
            if n < workers {
                format!("{}{n}", job::ThreadKind::WORKER_PREFIX)
            } else {
                format!("{}{}", job::ThreadKind::BLOCKING_PREFIX, n - workers)
            }
        });
    #[cfg(tokio_unstable)]
    if let Some(hooks) = hooks {
        hooks::install(&mut builder, hooks);
    }
    #[cfg(not(tokio_unstable))]
    let _ = hooks;
    builder.build()
}

/// The probe: answers each ping the moment the loop gets to it. The delay between the
/// observer's send and this receive is the event-loop lag.
async fn probe(
    mut pings: UnboundedReceiver<Ping>,
    clock: Clock,
    events: UnboundedSender<LabEvent>,
) {
    while let Some(ping) = pings.recv().await {
        let answer = LabEvent::PingAnswer {
            seq: ping.seq,
            sent: ping.sent,
            received: clock.now(),
        };
        if events.send(answer).is_err() {
            break;
        }
    }
}

/// Accepts submitted jobs: each runs in its own handler task, like a request. The handler
/// replies when its strategy returns (at once, for fire-and-forget strategies).
async fn accept(mut commands: UnboundedReceiver<Command>, lab: Arc<Shared>) {
    while let Some(Command::Run(spec)) = commands.recv().await {
        let job = JobCtx::new(spec, lab.clone());
        let handler = {
            let job = job.clone();
            tokio::spawn(async move {
                job.spec.strategy.run(job.clone()).await;
                job.replied();
            })
        };
        // A handler that panics (or is cancelled) still ends its job in the timeline.
        tokio::spawn(async move {
            if let Err(err) = handler.await {
                let (outcome, message) = strategy::describe_join_error(err);
                job.ended(outcome, message);
            }
        });
    }
}
