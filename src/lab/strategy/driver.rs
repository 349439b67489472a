//! `async-driver`: what an "async" SQLite driver is underneath (aiosqlite in Python,
//! tokio-rusqlite in Rust): the connection lives on a thread of its own, the handler sends it
//! the query and awaits the answer. The loop is free; the queries take turns on that thread.
use super::Entry;
use crate::data::Outcome;
use crate::data::strategy::{AtOnce, OwnThreads, StrategyInfo};
use crate::lab::job::JobCtx;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "async-driver",
        help: "Send the work to the lab's driver thread (one connection, like aiosqlite) and await it.",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::One,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-async-driver
/// The lab's driver: one thread that owns the connection, started on first use. Awaiting it
/// frees the loop; it does not make SQLite itself asynchronous.
pub async fn run(job: JobCtx) {
    match job.lab.driver() {
        Ok(connection_thread) => super::thread_pool::run_on(&connection_thread, &job).await,
        Err(e) => job.ended(Outcome::Failed, e.to_string()),
    }
}
// snippet:end strategy-async-driver
