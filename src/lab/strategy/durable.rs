//! A durable queue: the handler replies once the job is a committed row in the queue file
//! (SQLite); a queue worker runs it later — in this lab, or in the next one if this one stops.
use super::Entry;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;
use crate::lab::queue::{self, owner};
use crate::queue::{NewJob, unix_ms};

pub const NAME: &str = "durable-queue";

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: NAME,
        help: "Reply once the job is committed to the SQLite queue file; a queue worker runs it (again, after a crash).",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::QueueWorkers,
        durable: true,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-durable-queue
/// Reply once the job is in the queue file: an insert and an fsync, blocking I/O, so it goes
/// to the blocking pool. The reply is the acknowledgement: from then on the job survives a
/// crash, and a queue worker runs it (at least once).
pub async fn run(job: JobCtx) {
    let row = NewJob {
        job: job.spec.id,
        owner: owner().to_string(),
        run: job.spec.run,
        workload: job.spec.workload.as_str().to_string(),
        ms: job.spec.ms,
    };
    let pushed = tokio::task::spawn_blocking(move || {
        let task = queue::file().store()?.push(&row, unix_ms())?;
        queue::wake_workers();
        Ok::<_, String>(task)
    })
    .await;
    match pushed {
        Ok(Ok(task)) => {
            job.lab.book.set_task(job.spec.id, task);
            job.queued();
            if let Err(why) = job.lab.start_queue_workers(None) {
                tracing::warn!("{why}");
            }
        }
        Ok(Err(why)) => job.ended(crate::data::Outcome::Failed, why),
        Err(err) => job.ended_by(err),
    }
}
// snippet:end strategy-durable-queue
