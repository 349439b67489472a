//! The strategy registry: every way the lab can run a job's workload from an async handler,
//! each with its plain-data description (name, help line, size, threads, how many at once) and
//! its code.
//!
//! Each strategy is one small file with `async fn run(job: JobCtx)` and an [`Entry`]. The
//! handler task that runs it replies when `run` returns, and the job reports its own lifecycle
//! through the `JobCtx`. **To add a strategy:** write its file (see `inline.rs`), then add
//! `mod` and its `ENTRY` to [`REGISTRY`] below. The command line, `run --help`, the lab's
//! admission and the lesson files all read this list.
use std::future::Future;
use std::pin::Pin;

use super::job::JobCtx;
use crate::data::{Strategy, StrategyInfo};
use crate::text::T;

mod background;
mod block_in_place;
mod chunked;
mod detached;
mod driver;
pub mod durable;
mod inline;
mod lifespan;
mod pipeline;
mod pool_per_request;
mod process_per_task;
mod process_pool;
mod runtime_in_runtime;
mod semaphore;
mod spawn_blocking;
mod thread_pool;

pub use spawn_blocking::offload;

pub type Running = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A strategy: what it is, and how it runs a job.
pub struct Entry {
    pub info: StrategyInfo,
    pub run: fn(JobCtx) -> Running,
}

/// Every strategy, in the order `--help` lists them.
pub static REGISTRY: &[Entry] = &[
    inline::ENTRY,
    chunked::ENTRY,
    spawn_blocking::ENTRY,
    spawn_blocking::FUTURE,
    block_in_place::ENTRY,
    thread_pool::ENTRY,
    pool_per_request::ENTRY,
    pool_per_request::KEPT,
    detached::ENTRY,
    process_pool::ENTRY,
    semaphore::ENTRY,
    background::ENTRY,
    background::OFFLOADED,
    background::UNWATCHED,
    background::SEQUENTIAL,
    background::FROM_DEPENDENCY,
    process_per_task::ENTRY,
    durable::ENTRY,
    driver::ENTRY,
    pipeline::INLINE,
    pipeline::OFFLOADED,
    lifespan::ENTRY,
    runtime_in_runtime::NESTED,
    runtime_in_runtime::HANDLE_CURRENT,
    runtime_in_runtime::FROM_PLAIN_THREAD,
    runtime_in_runtime::FROM_BLOCKING_POOL,
];

/// Every strategy, as plain data.
pub fn all() -> impl Iterator<Item = Strategy> {
    REGISTRY.iter().map(|e| Strategy::of(&e.info))
}

/// The strategy of this name, or an error listing the known ones.
pub fn find(name: &str) -> Result<Strategy, String> {
    all().find(|s| s.as_str() == name).ok_or_else(|| {
        let known: Vec<_> = all().map(Strategy::as_str).collect();
        T::UnknownWord.fill(&[
            ("what", &T::WordStrategy),
            ("value", &name),
            ("allowed", &known.join(", ")),
        ])
    })
}

/// The strategy of this name; for code that names a built-in one.
///
/// # Panics
/// When no strategy has that name (a typo in blocklab's own code).
pub fn named(name: &str) -> Strategy {
    find(name).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `job` the way its strategy does.
pub fn run(job: JobCtx) -> Running {
    let name = job.spec.strategy.as_str();
    let entry = REGISTRY
        .iter()
        .find(|e| e.info.name == name)
        .expect("a job's strategy comes from the registry");
    (entry.run)(job)
}

/// Strategies are written by name (see `Serialize` in `data::strategy`); read back through the
/// registry, so a recording naming a strategy this build lacks is refused, not guessed.
impl<'de> serde::Deserialize<'de> for Strategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        find(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let mut names: Vec<_> = all().map(Strategy::as_str).collect();
        for n in &names {
            assert_eq!(find(n).unwrap().as_str(), *n);
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), REGISTRY.len(), "two strategies share a name");
        let e = find("threads").unwrap_err();
        assert!(e.starts_with("unknown strategy `threads` (allowed: inline, chunked,"));
    }

    #[test]
    fn every_strategy_has_a_help_line() {
        for e in REGISTRY {
            assert!(!e.info.help.is_empty(), "{}", e.info.name);
        }
    }
}
