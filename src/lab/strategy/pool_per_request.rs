//! `pool-per-request`: the pattern of building a `ThreadPoolExecutor` inside the handler (in a
//! `with` block) for every request. It offloads, but pays for starting `size` threads each time,
//! and sets no cap on threads across concurrent requests.
use crate::lab::job::{JobCtx, Outcome};
use crate::lab::pool::{Shutdown, ThreadPool};

// snippet:start strategy-pool-per-request
pub async fn run(job: JobCtx) {
    let size = size(job.spec.size);
    // Starting the threads happens here, on the event loop, for every request.
    let pool = match ThreadPool::new(
        &format!("pool-req{}", job.spec.id),
        size as usize,
        job.lab.gauges.clone(),
    ) {
        Ok(pool) => pool,
        Err(e) => return job.ended(Outcome::Failed, format!("could not start the pool: {e}")),
    };
    super::thread_pool::run_on(&pool, &job).await;
    // Leaving the `with` block: the pool's threads are told to stop (they are idle by now).
    pool.shutdown(Shutdown::Abrupt, std::time::Duration::ZERO);
}
// snippet:end strategy-pool-per-request

/// The pool's size: the job's, or 4.
pub fn size(size: u32) -> u32 {
    if size == 0 { 4 } else { size }
}
