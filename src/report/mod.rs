//! The headless report: the same model the TUI draws, as a JSON object or a short summary.
//! Field names here are a contract other tools read: `schema.json` beside this file describes
//! them, and a test holds real output against it.
pub mod check;
pub mod sizing;
mod summary;
use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::clock::ms;
use crate::data::{JobId, Outcome, RunId, ThreadKind};
use crate::data::{LabConfig, STALL_THRESHOLD};
use crate::load::StepReport;
use crate::model::{Counters, JobRecord, Model, counters};
use crate::text::T;
pub use sizing::{SizingOut, SizingStepOut};

/// What part of the model a report covers.
#[derive(Clone, Debug)]
pub struct Scope {
    pub from: Duration,
    pub to: Duration,
    /// The quiet stretch before the jobs, for "what is normal here".
    pub baseline: (Duration, Duration),
    /// Only this run's jobs (an action press); `None` for every job in the window.
    pub run: Option<RunId>,
    /// A load test's steps, as its HTTP load generator measured them.
    pub load: Option<Vec<StepReport>>,
    /// A sizing sweep's steps that ran (their jobs are the run's on each step's pool size).
    pub sweep: Option<Vec<crate::data::SweepStep>>,
}

/// A load step holds its rate when every request was answered and the 99th percentile of
/// the replies came within this bound.
pub const LOAD_BOUND: Duration = Duration::from_millis(100);

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub duration_ms: f64,
    pub lag_ms: LagOut,
    pub baseline: BaselineOut,
    pub stalls: Vec<StallOut>,
    pub requests: RequestsOut,
    pub jobs: Vec<JobOut>,
    pub long_polls: Option<Vec<LongPollOut>>,
    pub runtime: RuntimeOut,
    pub pools: PoolsOut,
    pub traffic: TrafficOut,
    /// Per step of a load test: rate, throughput and reply latency.
    pub load: Option<Vec<LoadStepOut>>,
    /// The highest rate held (see `LOAD_BOUND`), with every lower rate held too.
    pub load_held_rate: Option<u32>,
    /// A sizing sweep: per pool size, throughput and latency, and the best size.
    pub sizing: Option<SizingOut>,
}

/// One step of a load test, measured over HTTP from each request's scheduled send time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadStepOut {
    /// Offered: requests per second.
    pub rate: u32,
    pub sent: u64,
    /// 2xx replies.
    pub answered: u64,
    /// Other statuses and failed connections.
    pub errors: u64,
    /// No full reply within the generator's timeout.
    pub timeouts: u64,
    /// 2xx replies per second that came during the step.
    pub throughput: f64,
    /// Of the 2xx replies (0 when none came).
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub held: bool,
}

impl From<&StepReport> for LoadStepOut {
    fn from(s: &StepReport) -> Self {
        LoadStepOut {
            rate: s.rate,
            sent: s.sent,
            answered: s.answered,
            errors: s.errors,
            timeouts: s.timeouts,
            throughput: s.achieved_per_s,
            p50_ms: s.p50_ms.unwrap_or(0.0),
            p99_ms: s.p99_ms.unwrap_or(0.0),
            held: s.held,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LagOut {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
    pub samples: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BaselineOut {
    pub lag_p50_ms: f64,
    pub lag_p99_ms: f64,
    pub requests_p99_ms: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StallOut {
    pub start_ms: f64,
    pub duration_ms: f64,
    pub job: Option<JobId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RequestsOut {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct JobOut {
    pub id: JobId,
    pub workload: &'static str,
    pub strategy: &'static str,
    pub ms: u64,
    pub submitted_ms: f64,
    pub queued_ms: Option<f64>,
    pub started_ms: Option<f64>,
    pub finished_ms: Option<f64>,
    pub thread: Option<String>,
    pub thread_kind: Option<ThreadKind>,
    pub outcome: Outcome,
    pub replied_ms: Option<f64>,
    /// Submit → the handler's reply.
    pub reply_ms: Option<f64>,
    /// Submit → start: time spent waiting for a thread.
    pub wait_ms: Option<f64>,
    /// Start → finish.
    pub run_ms: Option<f64>,
    pub cpu_ms: Option<f64>,
    pub error: Option<String>,
    /// Times a thread started it (2 or more: a durable job run again after its worker died).
    pub attempts: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct LongPollOut {
    pub thread: String,
    pub start_ms: f64,
    pub duration_ms: f64,
    pub job: Option<JobId>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RuntimeOut {
    pub flavor: &'static str,
    pub workers: usize,
    /// Cores the lab could use, and whether `--cpus` pinned it to them.
    pub cores: usize,
    pub cpus_pinned: bool,
    pub max_blocking_threads: usize,
    pub busy_ratio_mean: f64,
    pub busy_ratio_max: f64,
    pub global_queue_max: usize,
    pub tokio_unstable: bool,
    pub stall_threshold_ms: f64,
    /// Polls at least this long are listed in `long_polls`.
    pub long_poll_ms: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PoolsOut {
    /// tokio's blocking pool, peaks over the window; `None` without `tokio_unstable`.
    pub blocking: Option<BlockingOut>,
    pub blocking_note: Option<&'static str>,
    /// The jobs of each strategy: how many waited, ran, and ended each way (strategy name →
    /// counters; the Pools pane shows the same).
    pub offload: BTreeMap<&'static str, Counters>,
    /// blocklab's own thread pools (peaks over the window).
    pub dedicated: DedicatedOut,
    /// The process pool's children (peaks over the window).
    pub processes: ProcessesOut,
    /// Detached threads alive at the peak.
    pub detached_max: usize,
    /// Jobs waiting for a semaphore permit at the peak.
    pub permits_waiting_max: usize,
    /// Jobs submitted and not yet ended, at the peak.
    pub in_flight_max: usize,
    /// Jobs the lab refused since it started (past its bound on jobs in flight or threads).
    pub refused: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct DedicatedOut {
    pub threads_max: usize,
    /// Threads alive at the end beyond those alive before the first job: pools left running.
    pub threads_left: usize,
    pub busy_max: usize,
    pub queued_max: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ProcessesOut {
    pub children_max: usize,
    pub busy_max: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct BlockingOut {
    pub threads_max: usize,
    pub busy_max: usize,
    pub queue_max: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrafficOut {
    pub rate_per_s: u32,
    pub request_ms: u64,
}

/// Threads of blocklab's own pools alive at the end of the run, beyond those alive when its
/// first job was submitted: what the run's pools left behind.
fn threads_left(runtime: &[&crate::data::RuntimeSample], jobs: &[&JobRecord]) -> usize {
    let Some(first) = jobs.iter().map(|j| j.submitted).min() else {
        return 0;
    };
    let before = runtime
        .iter()
        .take_while(|r| r.at <= first)
        .last()
        .map_or(0, |r| r.gauges.pool_threads);
    let after = runtime.last().map_or(0, |r| r.gauges.pool_threads);
    after.saturating_sub(before)
}

impl Report {
    pub fn build(model: &Model, scope: Scope, config: &LabConfig) -> Report {
        let Scope {
            from,
            to,
            baseline,
            run,
            load,
            sweep,
        } = scope;
        let lag = model.lag_summary(from, to);
        let requests = model.request_summary(from, to);
        let jobs: Vec<&JobRecord> = model
            .timeline
            .all()
            .filter(|j| {
                run.is_none_or(|r| j.spec.run == r) && j.submitted < to && j.submitted >= from
            })
            .collect();
        let rel = |d: Duration| ms(d.saturating_sub(from));
        let runtime: Vec<_> = model.runtime_in(from, to).collect();
        let busy: Vec<f64> = runtime.iter().map(|r| r.busy_ratio).collect();
        let gauge = |f: fn(&crate::data::GaugeSample) -> usize| {
            runtime.iter().map(|r| f(&r.gauges)).max().unwrap_or(0)
        };
        let blocking = |f: fn(&crate::data::BlockingPool) -> usize| {
            runtime
                .iter()
                .filter_map(|r| r.blocking.as_ref())
                .map(f)
                .max()
                .unwrap_or(0)
        };
        let load_held_rate = load
            .as_ref()
            .map(|steps| crate::load::held_rate(steps).unwrap_or(0));
        let load: Option<Vec<LoadStepOut>> =
            load.map(|steps| steps.iter().map(LoadStepOut::from).collect());
        let sizing = sweep.map(|steps| SizingOut::of(&steps, &jobs, config.cores()));

        Report {
            duration_ms: ms(to.saturating_sub(from)),
            lag_ms: LagOut {
                p50: ms(lag.p50),
                p99: ms(lag.p99),
                max: ms(model.worst_lag(from, to)),
                samples: lag.count,
            },
            baseline: {
                let l = model.lag_summary(baseline.0, baseline.1);
                let r = model.request_summary(baseline.0, baseline.1);
                BaselineOut {
                    lag_p50_ms: ms(l.p50),
                    lag_p99_ms: ms(l.p99),
                    requests_p99_ms: ms(r.p99),
                }
            },
            stalls: model
                .stalls_in(from, to)
                .iter()
                .map(|s| StallOut {
                    start_ms: rel(s.start),
                    duration_ms: ms(s.duration()),
                    job: model.stall_job(s),
                })
                .collect(),
            requests: RequestsOut {
                count: requests.count,
                p50_ms: ms(requests.p50),
                p99_ms: ms(requests.p99),
                max_ms: ms(requests.max),
            },
            jobs: jobs
                .iter()
                .map(|j| JobOut {
                    id: j.id(),
                    workload: j.spec.workload.as_str(),
                    strategy: j.spec.strategy.as_str(),
                    ms: j.spec.ms,
                    submitted_ms: rel(j.submitted),
                    queued_ms: j.queued.map(rel),
                    started_ms: j.started.map(rel),
                    finished_ms: j.finished.map(rel),
                    thread: j.thread.clone(),
                    thread_kind: j.thread_kind,
                    outcome: j.outcome,
                    replied_ms: j.replied.map(rel),
                    reply_ms: j.replied.map(|r| ms(r.saturating_sub(j.submitted))),
                    wait_ms: j.wait_time().map(ms),
                    run_ms: j.run_time().map(ms),
                    cpu_ms: j.cpu.map(ms),
                    error: j.error.clone(),
                    attempts: j.attempts,
                })
                .collect(),
            long_polls: model.watch().and_then(|w| w.workers.as_ref()).map(|_| {
                model
                    .long_polls_in(from, to)
                    .map(|p| LongPollOut {
                        thread: p.thread.clone(),
                        start_ms: rel(p.start),
                        duration_ms: ms(p.duration),
                        job: model.timeline.job_of_task(p.task),
                    })
                    .collect()
            }),
            runtime: RuntimeOut {
                flavor: config.flavor.as_str(),
                workers: config.loop_threads(),
                cores: config.cores(),
                cpus_pinned: config.cpus.is_some(),
                max_blocking_threads: config.max_blocking_threads,
                busy_ratio_mean: if busy.is_empty() {
                    0.0
                } else {
                    busy.iter().sum::<f64>() / busy.len() as f64
                },
                busy_ratio_max: busy.iter().copied().fold(0.0, f64::max),
                global_queue_max: runtime.iter().map(|r| r.global_queue).max().unwrap_or(0),
                tokio_unstable: cfg!(tokio_unstable),
                stall_threshold_ms: ms(STALL_THRESHOLD),
                long_poll_ms: ms(config.long_poll),
            },
            pools: PoolsOut {
                blocking: runtime
                    .iter()
                    .any(|r| r.blocking.is_some())
                    .then(|| BlockingOut {
                        threads_max: blocking(|b| b.threads),
                        busy_max: blocking(|b| b.busy()),
                        queue_max: blocking(|b| b.queue),
                    }),
                // The JSON report is for machines: its note stays in English.
                blocking_note: (!cfg!(tokio_unstable)).then_some(T::NotUnstable.en()),
                offload: counters::per_strategy(jobs.iter().copied())
                    .into_iter()
                    .map(|(s, c)| (s.as_str(), c))
                    .collect(),
                dedicated: DedicatedOut {
                    threads_max: gauge(|g| g.pool_threads_peak.max(g.pool_threads)),
                    threads_left: threads_left(&runtime, &jobs),
                    busy_max: gauge(|g| g.pool_busy),
                    queued_max: gauge(|g| g.pool_queued),
                },
                processes: ProcessesOut {
                    children_max: gauge(|g| g.children),
                    busy_max: gauge(|g| g.children_busy),
                },
                detached_max: gauge(|g| g.detached),
                permits_waiting_max: gauge(|g| g.permits_waiting),
                in_flight_max: gauge(|g| g.in_flight),
                refused: gauge(|g| g.refused as usize),
            },
            load_held_rate,
            load,
            sizing,
            traffic: TrafficOut {
                rate_per_s: config.traffic_rate,
                request_ms: config.request_ms,
            },
        }
    }

    /// A report of nothing: no run, no samples.
    pub fn empty() -> Report {
        let scope = Scope {
            from: Duration::ZERO,
            to: Duration::ZERO,
            baseline: (Duration::ZERO, Duration::ZERO),
            run: None,
            load: None,
            sweep: None,
        };
        Report::build(&Model::new(), scope, &LabConfig::default())
    }
}
