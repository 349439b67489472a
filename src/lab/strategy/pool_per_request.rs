//! `pool-per-request`: the pattern of building a `ThreadPoolExecutor` inside the handler (in a
//! `with` block) for every request. It offloads, but pays for starting `size` threads each time,
//! and sets no cap on threads across concurrent requests.
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

// snippet:start strategy-pool-per-request
pub async fn run(job: JobCtx) {
    // Starting the threads happens here, on the event loop, for every request.
    let pool = match ThreadPool::new(
        &format!("pool-req{}", job.spec.id),
        job.spec.size as usize,
        job.lab.gauges.clone(),
        job.lab.cpus.clone(),
    ) {
        Ok(pool) => pool,
        Err(e) => return job.ended(Outcome::Failed, format!("could not start the pool: {e}")),
    };
    super::thread_pool::run_on(&pool, &job).await;
    // Leaving the `with` block: the pool's threads are told to stop (they are idle by now).
    pool.shutdown(Shutdown::Abrupt, std::time::Duration::ZERO);
}
// snippet:end strategy-pool-per-request
