//! `blocklab load URL`: an open-loop HTTP/1.1 load generator, for any server (a learner's
//! FastAPI app as well as blocklab's own lab).
//!
//! The promises (README, "`blocklab load`"):
//! * open loop: request `i` of a step at rate R is issued at `t0 + i/R` whether or not the
//!   earlier ones were answered, and its latency counts from that scheduled time — a request
//!   that waited for a free connection or behind a slow one waited on the server's account (no
//!   coordinated omission);
//! * at most `connections` keep-alive connections, opened as needed; one that fails is
//!   dropped and replaced;
//! * steps one after another, each waiting for its own requests (up to the timeout), so each
//!   rate is measured on its own;
//! * a step holds its rate when every request was answered 2xx and p99 is within
//!   [`LOAD_BOUND`](crate::report::LOAD_BOUND).
//!
//! The generator runs on its own thread and current-thread runtime ([`client`]); the caller's
//! thread only reads its progress. The figures are computed from plain data ([`summary`]).
pub(crate) mod client;
mod plan;
mod summary;
mod table;

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde::Serialize;

pub use plan::{
    CONNECTIONS, LoadPlan, MAX_RATE, MAX_SECONDS, TIMEOUT_MS, Target, parse_rates, parse_seconds,
    requests_in, scheduled,
};
pub use summary::{Outcome, StepReport, StepTally, held_rate};

use crate::clock::ms;
use crate::report::LOAD_BOUND;

/// Where the run is, for a live progress line.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    /// The step running, from 1.
    pub step: usize,
    pub steps: usize,
    pub rate: u32,
    /// Since the step started (past the step's length while its last requests finish).
    pub elapsed: Duration,
    pub sent: u64,
    /// 2xx replies so far in this step.
    pub answered: u64,
}

/// What a run measured: `--json` prints this object.
#[derive(Clone, Debug, Serialize)]
pub struct LoadReport {
    pub url: String,
    pub settings: Settings,
    /// A step holds when every request was answered 2xx with p99 within this.
    pub bound_ms: f64,
    pub steps: Vec<StepReport>,
    /// The highest rate held, with every lower rate held too.
    pub held_rate: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Settings {
    pub rates: Vec<u32>,
    pub seconds: f64,
    pub connections: usize,
    pub timeout_ms: f64,
}

impl LoadReport {
    pub fn new(target: &Target, plan: &LoadPlan, steps: Vec<StepReport>) -> LoadReport {
        LoadReport {
            url: target.url(),
            settings: Settings {
                rates: plan.rates.clone(),
                seconds: plan.step.as_secs_f64(),
                connections: plan.connections,
                timeout_ms: ms(plan.timeout),
            },
            bound_ms: ms(LOAD_BOUND),
            held_rate: held_rate(&steps),
            steps,
        }
    }

    /// 2xx replies over every step: none means the target was not load-tested at all.
    pub fn answered(&self) -> u64 {
        self.steps.iter().map(|s| s.answered).sum()
    }

    /// The first error of the run.
    pub fn first_error(&self) -> Option<&str> {
        self.steps.iter().find_map(|s| s.error.as_deref())
    }
}

/// Runs `plan` against `target` on a thread and runtime of its own; `progress` is called on
/// the calling thread about ten times a second. An error is one that stopped the run before
/// it started (the name did not resolve, no runtime); a target that fails requests gives a
/// report of errors instead.
pub fn run(
    target: &Target,
    plan: &LoadPlan,
    mut progress: impl FnMut(&Progress),
) -> io::Result<LoadReport> {
    let addrs = target.resolve()?;
    if addrs.is_empty() {
        return Err(io::ErrorKind::NotFound.into());
    }
    allow_open_files(plan.connections);
    let live = Arc::new(client::Live::default());
    let origin = Instant::now();
    let (tx, rx) = mpsc::channel();
    let generator = {
        let (target, plan, live) = (target.clone(), plan.clone(), Arc::clone(&live));
        std::thread::Builder::new()
            .name("blocklab-load".into())
            .spawn(move || {
                let _ = tx.send(client::generate(&target, addrs, &plan, &live, origin));
            })?
    };
    let steps = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(steps) => break steps,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let step = live.step.load(Ordering::Relaxed);
                if step == 0 {
                    continue;
                }
                let started = Duration::from_nanos(live.started_ns.load(Ordering::Relaxed));
                progress(&Progress {
                    step,
                    steps: plan.rates.len(),
                    rate: live.rate.load(Ordering::Relaxed),
                    elapsed: origin.elapsed().saturating_sub(started),
                    sent: live.sent.load(Ordering::Relaxed),
                    answered: live.answered.load(Ordering::Relaxed),
                });
            }
            // The generator panicked: a bug, passed on as it is.
            Err(mpsc::RecvTimeoutError::Disconnected) => match generator.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => unreachable!("the generator sends before it ends"),
            },
        }
    };
    let _ = generator.join();
    Ok(LoadReport::new(target, plan, steps?))
}

/// Raises the soft limit of open files to fit `connections` sockets, where the hard limit
/// allows (a failed connect counts as an error otherwise).
fn allow_open_files(connections: usize) {
    #[cfg(unix)]
    {
        let want = connections as libc::rlim_t + 64;
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit and setrlimit read and write a plain struct we own.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < want {
                lim.rlim_cur = want.min(lim.rlim_max);
                libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = connections;
}
