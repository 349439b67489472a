//! `lifespan-pool`: one pool built when the lab starts and shut down when it stops (FastAPI's
//! lifespan). The handler submits and replies with the job id at once; the status comes later
//! (the timeline and `blocklab run --json` are the status queries).
use super::Entry;
use crate::data::Outcome;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "lifespan-pool",
        help: "Submit to the lab's lifespan pool, reply with the job id at once; the status \
               comes later.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::LifespanPool,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-lifespan-pool
pub async fn run(job: JobCtx) {
    let Some(pool) = job.lab.lifespan.clone() else {
        return job.ended(
            Outcome::Failed,
            "this lab has no lifespan pool ([lab] lifespan_pool = N)",
        );
    };
    job.queued();
    let worker = job.clone();
    let queued = pool.submit(Box::new(move |cancelled| {
        if cancelled {
            worker.ended(
                Outcome::Cancelled,
                "cancelled: the pool shut down before it ran",
            );
        } else {
            worker.started();
            worker.run_blocking_here();
        }
    }));
    if queued.is_err() {
        job.ended(Outcome::Cancelled, "the pool is shut down");
    }
    // Reply now, with the id: the job is known, queued, and will report its own end.
}
// snippet:end strategy-lifespan-pool
