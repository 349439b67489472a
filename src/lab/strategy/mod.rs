//! Strategies: how a job's workload is run from an async handler on the lab.
//!
//! Each strategy is one small module with `async fn run(job: JobCtx)`. It runs inside a fresh
//! task on the lab (the "request handler") and reports the job's lifecycle through the `JobCtx`.
//! To add one: a module, a variant, a name, and an arm in [`Strategy::run`].
use std::str::FromStr;

use serde::Serialize;

use super::job::JobCtx;

mod inline;
mod spawn_blocking;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Run the workload right inside the async handler, on the event loop.
    Inline,
    /// Hand the workload to tokio's blocking pool and await it.
    SpawnBlocking,
}

impl Strategy {
    pub const ALL: [Strategy; 2] = [Strategy::Inline, Strategy::SpawnBlocking];

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Inline => "inline",
            Strategy::SpawnBlocking => "spawn-blocking",
        }
    }

    pub async fn run(self, job: JobCtx) {
        match self {
            Strategy::Inline => inline::run(job).await,
            Strategy::SpawnBlocking => spawn_blocking::run(job).await,
        }
    }
}

impl FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Strategy::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown strategy `{s}` (allowed: {})",
                    Strategy::ALL.map(|w| w.as_str()).join(", ")
                )
            })
    }
}

/// The message of a task that panicked or was cancelled, for the timeline.
pub fn describe_join_error(err: tokio::task::JoinError) -> (crate::lab::job::Outcome, String) {
    use crate::lab::job::Outcome;
    if err.is_cancelled() {
        return (Outcome::Cancelled, "cancelled".into());
    }
    let payload = err.into_panic();
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panicked".into());
    (Outcome::Failed, format!("panicked: {msg}"))
}
