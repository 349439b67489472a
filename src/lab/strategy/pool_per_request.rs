//! `pool-per-request`: the pattern of building a `ThreadPoolExecutor` inside the handler (in a
//! `with` block) for every request. It offloads, but pays for starting `size` threads each time,
//! and sets no cap on threads across concurrent requests. And its leaky twin, whose pools are
//! kept where no request ends them.
use super::Entry;
use crate::data::Outcome;
use crate::data::config::Shutdown;
use crate::data::strategy::{AtOnce, OwnThreads, Size, SizeDefault, StrategyInfo};
use crate::lab::job::JobCtx;
use crate::lab::pool::ThreadPool;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "pool-per-request",
        help: "A new pool of `size` threads (default 4) built inside the handler for each request.",
        size: Some(Size {
            means: "threads per request",
            default: SizeDefault::Fixed(4),
        }),
        own_threads: OwnThreads::Size,
        at_once: AtOnce::Unbounded,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

pub const KEPT: Entry = Entry {
    info: StrategyInfo {
        name: "pool-per-request-kept",
        help: "A new pool of `size` threads (default 4) per request, kept in the app's state \
               and never shut down: its threads stay (a leak).",
        size: Some(Size {
            means: "threads per request",
            default: SizeDefault::Fixed(4),
        }),
        own_threads: OwnThreads::Size,
        at_once: AtOnce::Unbounded,
        durable: false,
    },
    run: |job| Box::pin(run_kept(job)),
};

// snippet:start strategy-pool-per-request
pub async fn run(job: JobCtx) {
    let Some(pool) = new_pool(&job) else { return };
    super::thread_pool::run_on(&pool, &job).await;
    // Leaving the `with` block: the pool's threads are told to stop (they are idle by now).
    pool.shutdown(Shutdown::Abrupt, std::time::Duration::ZERO);
}

/// A pool of the job's size, just for it. Starting its threads happens here, on the event
/// loop, for every request; if they cannot start, the job has failed.
fn new_pool(job: &JobCtx) -> Option<ThreadPool> {
    let name = format!("pool-req{}", job.spec.id);
    let size = job.spec.size as usize;
    match ThreadPool::new(&name, size, job.lab.gauges.clone(), job.lab.cpus.clone()) {
        Ok(pool) => Some(pool),
        Err(e) => {
            job.ended(Outcome::Failed, format!("could not start the pool: {e}"));
            None
        }
    }
}
// snippet:end strategy-pool-per-request

// snippet:start strategy-pool-per-request-kept
pub async fn run_kept(job: JobCtx) {
    let Some(pool) = new_pool(&job) else { return };
    super::thread_pool::run_on(&pool, &job).await;
    // The leak: the pool is put where it outlives the request ("for later", a cache, a global
    // list), so no `Drop` ends it. Its idle threads stay, `size` more per request.
    let mut state = job.lab.app_state.lock().unwrap_or_else(|e| e.into_inner());
    state.push(pool);
    job.lab.gauges.admission.keep_threads(job.spec.id); // the lab's bound still counts them
}
// snippet:end strategy-pool-per-request-kept
