//! The lab: the tokio runtime under study, on its own threads, that the user deliberately blocks.
//!
//! It runs three kinds of task: the probe (answers the observer's pings), the HTTP front door
//! (answers the background traffic and requests from outside) and the jobs the user submits.
//! Everything it knows leaves as plain [`LabEvent`]s on one channel; nothing in here draws or
//! aggregates.
//!
//! Layout, bottom up: `gauges`, `admission`, `hooks`, `cpus`, `workload` and `traffic` stand
//! alone; `pool` and `process` run work on threads and children; `shared` is what every job of
//! one lab shares; `job` is a job and its reports; `strategy` is the registry of ways to run a
//! job, one file each; this file starts and stops a lab.
pub mod admission;
pub mod book;
pub mod cpus;
pub mod gauges;
pub mod hooks;
pub mod http;
pub mod job;
pub mod pool;
pub mod process;
pub mod queue;
pub mod shared;
pub mod strategy;
pub mod traffic;
pub mod workload;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;

use crate::clock::Clock;
use crate::data::{
    Flavor, JobEvent, JobEventKind, JobId, JobSpec, LabConfig, LabEvent, Outcome, Ping, RunId,
    ThreadKind, Work,
};
use cpus::CpuSet;
use hooks::PollHooks;
use job::JobCtx;
use shared::Shared;

/// Panics in lab threads are part of the lessons (a job that fails): they go to the log, not
/// to the terminal, where they would print over the TUI or the headless output.
pub fn quiet_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current().name().unwrap_or("").to_string();
        if ThreadKind::is_lab_thread(&thread) {
            tracing::warn!(%thread, "a job panicked: {info}");
        } else {
            previous(info);
        }
    }));
}

enum Command {
    Run(JobCtx),
}

/// A running lab. Dropping it stops the lab without waiting for a frozen loop.
pub struct Lab {
    pub config: LabConfig,
    pub clock: Clock,
    /// When the lab started, on its clock.
    pub started_at: Duration,
    shared: Arc<Shared>,
    handle: Handle,
    commands: UnboundedSender<Command>,
    pings: UnboundedSender<Ping>,
    hooks: Option<Arc<PollHooks>>,
    shutdown: Option<oneshot::Sender<()>>,
    clients: traffic::Clients,
}

impl Lab {
    /// Builds the runtime and starts the probe, the server and the clients — and, given a
    /// listening socket, the HTTP front door on the lab's own runtime.
    pub fn start(
        config: LabConfig,
        clock: Clock,
        front_door: Option<std::net::TcpListener>,
    ) -> std::io::Result<(Lab, UnboundedReceiver<LabEvent>)> {
        Self::start_hooked(config, clock, front_door, true)
    }

    /// The same lab without the poll hooks: what observation costs is measured against it
    /// (`calibrate --overhead`), so the two differ in nothing but the instrument.
    pub fn start_unhooked(
        config: LabConfig,
        clock: Clock,
    ) -> std::io::Result<(Lab, UnboundedReceiver<LabEvent>)> {
        Self::start_hooked(config, clock, None, false)
    }

    fn start_hooked(
        config: LabConfig,
        clock: Clock,
        front_door: Option<std::net::TcpListener>,
        hooked: bool,
    ) -> std::io::Result<(Lab, UnboundedReceiver<LabEvent>)> {
        static NEXT_LAB: AtomicU64 = AtomicU64::new(1);
        let (events_tx, events_rx) = unbounded_channel();
        let (commands_tx, commands_rx) = unbounded_channel();
        let (pings_tx, pings_rx) = unbounded_channel();
        let (requests_tx, requests_rx) = unbounded_channel();
        let (shutdown_tx, shutdown_rx) = oneshot::channel();

        let started_at = clock.now();
        let cpus = CpuSet::first(config.cpus)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let lab_id = NEXT_LAB.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::new(Shared::new(
            lab_id,
            clock,
            events_tx.clone(),
            config.clone(),
            cpus.clone(),
        )?);
        // A lab configured with queue workers resumes the jobs left in the queue file at once.
        if let Some(n) = config.queue_workers
            && let Err(why) = shared.start_queue_workers(Some(n))
        {
            tracing::warn!("{why}");
        }
        let hooks = hooks_for(clock, config.long_poll).filter(|_| hooked);
        let runtime = build_runtime(&config, hooks.clone(), cpus.clone())?;
        let handle = runtime.handle().clone();

        let loop_name = match config.flavor {
            // On a current-thread runtime, the thread that calls `block_on` *is* the event loop.
            Flavor::CurrentThread => ThreadKind::loop_thread(Flavor::CurrentThread, 0),
            Flavor::MultiThread => "lab-main".to_string(),
        };
        let request_wait = Duration::from_millis(config.request_ms);
        // The traffic goes through the front door when there is one, else over a channel.
        let door = front_door.as_ref().and_then(|l| l.local_addr().ok());
        let clients = match door {
            Some(addr) => traffic::Clients::over_http(
                config.traffic_rate,
                clock,
                addr,
                request_wait,
                events_tx.clone(),
            ),
            None => traffic::Clients::in_process(config.traffic_rate, clock, requests_tx),
        };
        let lab = shared.clone();
        std::thread::Builder::new().name(loop_name).spawn(move || {
            lab.cpus.pin_this_thread();
            let events = lab.events.clone();
            runtime.block_on(async {
                tokio::spawn(probe(pings_rx, clock, events.clone()));
                tokio::spawn(traffic::serve(
                    requests_rx,
                    lab.clone(),
                    request_wait,
                    events.clone(),
                ));
                tokio::spawn(accept(commands_rx));
                let (door_stop, door_stopped) = oneshot::channel();
                if let Some(listener) = front_door {
                    tokio::spawn(http::serve(listener, lab.clone(), door_stopped));
                }
                let _ = shutdown_rx.await;
                // The next lab serves on the same socket: stop accepting at once.
                let _ = door_stop.send(());
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

        let clients = clients?;
        let lab = Lab {
            config,
            clock,
            started_at,
            shared,
            handle,
            commands: commands_tx,
            pings: pings_tx,
            hooks,
            shutdown: Some(shutdown_tx),
            clients,
        };
        Ok((lab, events_rx))
    }

    /// Submits `count` jobs at once; returns their ids. Never waits for the lab: the
    /// `Submitted` event is stamped here even while the loop is frozen.
    pub fn submit(&self, run: RunId, work: Work, count: usize) -> Vec<JobId> {
        (0..count)
            .map(|_| match enter(&self.shared, run, work) {
                Ok(job) => {
                    let id = job.spec.id;
                    let _ = self.commands.send(Command::Run(job));
                    id
                }
                Err((id, _)) => id,
            })
            .collect()
    }

    /// Asks the lab to stop; a `Stopped` event follows once its pools have shut down. Its
    /// clients stop too (over HTTP, they would otherwise go on loading the next lab).
    pub fn stop(&mut self) {
        self.clients.stop();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Background traffic at `rate` requests a second from now on (the lab and its timeline go
    /// on); its configuration keeps the rate it started with.
    pub fn set_traffic_rate(&self, rate: u32) {
        self.clients.set_rate(rate);
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

    /// The background requests' latency from their scheduled times, in µs, as their clients
    /// measured it (`None` for a lab without a front door).
    pub fn traffic_latency(&self) -> Option<hdrhistogram::Histogram<u64>> {
        self.clients.latency()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Poll hooks that report every poll of at least `long_poll`.
#[cfg(tokio_unstable)]
fn hooks_for(clock: Clock, long_poll: Duration) -> Option<Arc<PollHooks>> {
    Some(Arc::new(PollHooks::new(clock, long_poll)))
}

#[cfg(not(tokio_unstable))]
fn hooks_for(_clock: Clock, _long_poll: Duration) -> Option<Arc<PollHooks>> {
    None
}

fn build_runtime(
    config: &LabConfig,
    hooks: Option<Arc<PollHooks>>,
    cpus: CpuSet,
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
        // The HTTP front door's sockets.
        .enable_io()
        .max_blocking_threads(config.max_blocking_threads)
        .thread_name_fn(move || {
            let n = started.fetch_add(1, Ordering::Relaxed);
            if n < workers {
                ThreadKind::loop_thread(Flavor::MultiThread, n)
            } else {
                ThreadKind::blocking_thread(n - workers)
            }
        })
        // Workers and blocking-pool threads alike run only on the lab's cores.
        .on_thread_start(move || cpus.pin_this_thread());
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

/// A job enters the lab: its size resolved (the strategy's default where none was asked for),
/// `Submitted` stamped now — even while the loop is frozen — then admitted, or ended as
/// cancelled with why (a thread budget would be exceeded).
fn enter(shared: &Arc<Shared>, run: RunId, work: Work) -> Result<JobCtx, (JobId, String)> {
    let info = work.strategy.info();
    let work = Work {
        size: info.size_for(work.size, &shared.config),
        ..work
    };
    let spec = JobSpec::new(job::next_id(), run, work, shared.lab_id);
    let submitted = JobEvent {
        job: spec.id,
        at: shared.clock.now(),
        kind: JobEventKind::Submitted(spec.clone()),
    };
    shared.book.note(&submitted);
    let _ = shared.events.send(LabEvent::Job(submitted));
    let id = spec.id;
    let job = JobCtx::new(spec, shared.clone());
    match shared
        .gauges
        .admission
        .admit(id, info.own_threads(work.size))
    {
        Ok(()) => Ok(job),
        Err(why) => {
            job.ended(Outcome::Cancelled, why.clone());
            Err((id, why))
        }
    }
}

/// Runs a job as a request handler: a task of its own that replies when its strategy returns
/// (at once, for fire-and-forget strategies). A handler that panics (or is cancelled) still
/// ends its job in the timeline. The receiver hears when the handler is done, and how.
fn handle(job: JobCtx) -> oneshot::Receiver<Result<(), String>> {
    let (done_tx, done_rx) = oneshot::channel();
    let handler = {
        let job = job.clone();
        tokio::spawn(async move {
            strategy::run(job.clone()).await;
            job.replied();
        })
    };
    tokio::spawn(async move {
        let result = match handler.await {
            Ok(()) => Ok(()),
            Err(err) => {
                let why = err.to_string();
                job.ended_by(err);
                Err(why)
            }
        };
        let _ = done_tx.send(result);
    });
    done_rx
}

/// Accepts submitted jobs: each runs in its own handler task, like a request.
async fn accept(mut commands: UnboundedReceiver<Command>) {
    while let Some(Command::Run(job)) = commands.recv().await {
        drop(handle(job));
    }
}
