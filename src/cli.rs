//! The command line (a contract: see README "Command line").
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::lab::strategy::Strategy;
use crate::lab::workload::Workload;
use crate::lab::{Flavor, LabConfig};

#[derive(Parser, Debug)]
#[command(
    name = "blocklab",
    version,
    about = "See, on a live tokio runtime, what blocking code does to an async server."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lab: LabArgs,

    /// Open the TUI on this lesson (id or number).
    #[arg(long, global = true)]
    pub lesson: Option<String>,

    /// Read lessons from this directory instead of the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub lessons: Option<PathBuf>,

    /// Write blocklab's own log to this file (filter with RUST_LOG). The TUI logs to
    /// $XDG_STATE_HOME/blocklab/blocklab.log (or ~/.local/state/…) without it; the help shows where.
    #[arg(long, global = true, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// One line per lesson: ID  TITLE.
    List,
    /// Run one experiment headless and print a summary (or JSON).
    Run(RunArgs),
    /// A child of the process pool (started by blocklab itself).
    #[command(hide = true)]
    Worker,
    /// Check the lesson files (built-in, or `--lessons DIR`): one line per file, every error
    /// with its file and line; exit 1 if any file is bad.
    Validate,
    /// Run every expectation of the named lessons (default: all); exit 1 if any fails.
    Check {
        /// Lesson ids (see `blocklab list`).
        #[arg(value_name = "LESSON")]
        ids: Vec<String>,
    },
}

#[derive(Args, Debug)]
pub struct RunArgs {
    #[arg(long, value_enum)]
    pub workload: Workload,
    #[arg(long, value_enum)]
    pub strategy: Strategy,
    /// Length of each job in milliseconds (sleep / wait length, or CPU work calibrated to it).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=600_000))]
    pub ms: i64,
    /// How many jobs to submit at once.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=10_000))]
    pub jobs: i64,
    /// The strategy's size: pool threads, permits, processes, or chunk length in ms.
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=4096))]
    pub size: Option<i64>,
    /// Stop the lab this many ms after submitting (what happens to work in flight?).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=600_000))]
    pub stop_after_ms: Option<i64>,
    /// Threads of a pool built when the lab starts (for `--strategy lifespan-pool`).
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=4096))]
    pub lifespan_pool: Option<i64>,
    /// What the lab does with the lifespan pool's work when it stops.
    #[arg(long, value_enum)]
    pub shutdown: Option<crate::lab::Shutdown>,
    /// Run this long in all (seconds) instead of until the jobs finish.
    #[arg(long, value_parser = positive_seconds)]
    pub seconds: Option<f64>,
    /// Print exactly one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Settings of the runtime under study (the TUI and `run`).
#[derive(Args, Debug, Clone, Default)]
pub struct LabArgs {
    /// Runtime flavour: one event loop (like asyncio) or N workers.
    #[arg(long, value_enum, global = true)]
    pub runtime: Option<Flavor>,
    /// Worker threads of a multi-thread runtime.
    #[arg(long, global = true, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=64))]
    pub workers: Option<i64>,
    /// Cap of tokio's blocking pool (tokio's default: 512).
    #[arg(long, global = true, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=4096))]
    pub max_blocking_threads: Option<i64>,
    /// Background requests per second (0 turns the traffic off).
    #[arg(long, global = true, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(0..=5_000))]
    pub rate: Option<i64>,
}

impl LabArgs {
    /// `base` with the flags given on the command line laid over it.
    pub fn apply(&self, mut base: LabConfig) -> LabConfig {
        if let Some(f) = self.runtime {
            base.flavor = f;
        }
        if let Some(w) = self.workers {
            base.workers = w as usize;
            // `--workers N` alone means "a runtime with N workers".
            if self.runtime.is_none() {
                base.flavor = Flavor::MultiThread;
            }
        }
        if let Some(m) = self.max_blocking_threads {
            base.max_blocking_threads = m as usize;
        }
        if let Some(r) = self.rate {
            base.traffic_rate = r as u32;
        }
        base
    }
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if v > 0.0 && v <= 3600.0 {
        Ok(v)
    } else {
        Err(format!("must be above 0 and at most 3600, not {s}"))
    }
}
