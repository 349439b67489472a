//! The command line (a contract: see README "Command line").
use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use crate::data::{Flavor, LabConfig, Shutdown, Strategy, Workload};
use crate::lab::strategy::{self, REGISTRY};

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
    /// What each job does.
    #[arg(long, value_parser = workloads())]
    pub workload: Workload,
    /// How the handler runs it.
    #[arg(long, value_parser = strategies())]
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
    #[arg(long, value_parser = words::<Shutdown>(&Shutdown::ALL, Shutdown::as_str))]
    pub shutdown: Option<Shutdown>,
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
    #[arg(long, global = true, value_parser = words::<Flavor>(&Flavor::ALL, Flavor::as_str))]
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
    /// Pin the lab (its runtime, pools, threads and child processes) to N cores, to see the
    /// picture of a smaller machine.
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true, value_parser = cpus)]
    pub cpus: Option<usize>,
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
        if let Some(n) = self.cpus {
            base.cpus = Some(n);
        }
        base
    }
}

/// `--strategy`: the registry's names, each with its help line in `run --help`.
fn strategies() -> impl TypedValueParser<Value = Strategy> {
    let names = REGISTRY
        .iter()
        .map(|e| PossibleValue::new(e.info.name).help(e.info.help));
    PossibleValuesParser::new(names).map(|name| strategy::named(&name))
}

fn workloads() -> impl TypedValueParser<Value = Workload> {
    let names = Workload::ALL.map(|w| PossibleValue::new(w.as_str()).help(w.help()));
    PossibleValuesParser::new(names).map(|name| name.parse::<Workload>().expect("listed"))
}

fn words<T: std::str::FromStr + Clone + Send + Sync + 'static>(
    all: &[T],
    name: fn(T) -> &'static str,
) -> impl TypedValueParser<Value = T>
where
    T::Err: std::fmt::Debug,
{
    let names: Vec<_> = all.iter().cloned().map(name).collect();
    PossibleValuesParser::new(names).map(|n| n.parse::<T>().expect("listed"))
}

fn cpus(s: &str) -> Result<usize, String> {
    let max = crate::lab::cpus::max_cpus();
    match s.parse::<i64>() {
        Ok(n) if (1..=max as i64).contains(&n) => Ok(n as usize),
        _ => Err(format!(
            "blocklab may use {max} cores here: give a whole number from 1 to {max}, not {s}"
        )),
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
