//! The command line (a contract: see README "Command line"). Its words come from the text
//! table: `about` and `help` name a key (clap evaluates them at run time), so they are not
//! doc comments here.
use std::path::PathBuf;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};

use crate::data::{Flavor, LabConfig, Shutdown, Strategy, Work, Workload};
use crate::lab::strategy::{self, REGISTRY};
use crate::load;
use crate::text::{Lang, T};

#[derive(Parser, Debug)]
#[command(
    name = "blocklab",
    version,
    about = T::CliAbout.text()
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lab: LabArgs,

    #[arg(long, global = true, help = T::CliLesson.text())]
    pub lesson: Option<String>,

    #[arg(long, global = true, value_name = "DIR", help = T::CliLessons.text())]
    pub lessons: Option<PathBuf>,

    #[arg(long, global = true, value_name = "FILE", help = T::CliLog.text())]
    pub log: Option<PathBuf>,

    #[arg(long, help = T::CliFresh.text())]
    pub fresh: bool,

    #[arg(long, value_name = "FILE", help = T::CliRecord.text())]
    pub record: Option<PathBuf>,
    #[arg(long, help = T::CliPresent.text())]
    pub present: bool,

    #[arg(long, global = true, value_name = "LANG", value_parser = clap::value_parser!(Lang), help = T::CliLang.text())]
    pub lang: Option<Lang>,

    #[arg(long, global = true, help = T::CliAmbiguousWide.text())]
    pub ambiguous_wide: bool,

    #[arg(long, global = true, default_value_t = 0, help = T::CliPort.text())]
    pub port: u16,

    #[arg(long, global = true, value_name = "ADDR", conflicts_with = "port", help = T::CliListen.text())]
    pub listen: Option<std::net::SocketAddr>,

    #[arg(long, global = true, value_name = "FILE", help = T::CliQueue.text())]
    pub queue: Option<PathBuf>,
}

/// The language asked for, read before clap builds its help (which is in that language): the
/// last `--lang X` / `--lang=X` on the command line, else the locale. A bad value is left for
/// clap to report.
pub fn language(args: &[std::ffi::OsString]) -> Lang {
    let mut chosen = None;
    let mut args = args.iter().filter_map(|a| a.to_str());
    while let Some(a) = args.next() {
        let value = match a.strip_prefix("--lang") {
            Some("") => args.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(lang) = value.and_then(|v| v.parse().ok()) {
            chosen = Some(lang);
        }
    }
    chosen.unwrap_or_else(|| Lang::from_env(|k| std::env::var(k).ok()))
}

#[derive(Subcommand, Debug)]
pub enum Command {
    #[command(about = T::CliList.text())]
    List,
    #[command(about = T::CliRun.text())]
    Run(RunArgs),
    /// A child of the process pool (started by blocklab itself).
    #[command(hide = true)]
    Worker,
    #[command(about = T::CliValidate.text())]
    Validate,
    #[command(about = T::CliCheck.text())]
    Check {
        #[arg(value_name = "LESSON", help = T::CliCheckIds.text())]
        ids: Vec<String>,
        #[arg(long, help = T::CliCheckJson.text())]
        json: bool,
    },
    #[command(about = T::CliCalibrate.text())]
    Calibrate {
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=200), help = T::CliCalibrateRuns.text())]
        runs: u64,
        #[arg(long, help = T::CliCalibrateOverhead.text())]
        overhead: bool,
        #[arg(long, value_name = "N", default_value_t = crate::headless::overhead::CALIBRATE_PAIRS as u64, value_parser = clap::value_parser!(u64).range(7..=201), requires = "overhead", help = T::CliCalibratePairs.text())]
        pairs: u64,
        #[arg(long, help = T::CliRunJson.text())]
        json: bool,
    },
    #[command(about = T::CliServe.text())]
    Serve,
    #[command(about = T::CliReplay.text())]
    Replay {
        #[arg(value_name = "FILE", help = T::CliReplayFile.text())]
        file: PathBuf,
        /// The index of the speed in `ui::replay::SPEEDS`.
        #[arg(long, value_name = "X", default_value = "1", value_parser = replay_speed, help = T::CliReplaySpeed.text())]
        speed: usize,
        #[arg(long, help = T::CliReplayPartial.text())]
        partial: bool,
    },
    #[command(about = T::CliNotes.text())]
    Notes {
        #[arg(long, value_name = "ADDR", help = T::CliNotesConnect.text())]
        connect: Option<std::net::SocketAddr>,
    },
    #[command(about = T::CliLoad.text())]
    Load {
        #[arg(value_name = "URL", value_parser = load::Target::parse, help = T::CliLoadUrl.text())]
        url: load::Target,
        #[arg(long, value_name = "R,R,…", default_value = "50,100,200,400,800", value_parser = rates, help = T::CliLoadRates.text())]
        rates: Rates,
        #[arg(long, default_value_t = 1.0, allow_negative_numbers = true, value_parser = load::parse_seconds, help = T::CliLoadSeconds.text())]
        seconds: f64,
        #[arg(long, default_value_t = 64, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(load::CONNECTIONS), help = T::CliLoadConnections.text())]
        connections: i64,
        #[arg(long, default_value_t = 2000, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(load::TIMEOUT_MS), help = T::CliLoadTimeoutMs.text())]
        timeout_ms: i64,
        #[arg(long, help = T::CliRunJson.text())]
        json: bool,
    },
}

/// `load --rates`: the whole list as one value (clap would read a `Vec` as a repeated flag).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rates(pub Vec<u32>);

fn rates(s: &str) -> Result<Rates, String> {
    load::parse_rates(s).map(Rates)
}

/// `run --sweep`: multiples of the cores, 1 to 16 each, as one value.
#[derive(Clone, Debug)]
pub struct Multiples(pub Vec<u32>);

fn sweep(s: &str) -> Result<Multiples, String> {
    s.split(',')
        .map(|m| match m.trim().parse::<u32>() {
            Ok(n @ 1..=16) => Ok(n),
            _ => Err(T::LessonSweepMax.fill(&[("n", &m.trim())])),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Multiples)
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    #[arg(long, value_parser = workloads(), help = T::CliRunWorkload.text())]
    pub workload: Workload,
    #[arg(long, value_parser = strategies(), help = T::CliRunStrategy.text())]
    pub strategy: Strategy,
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=600_000), help = T::CliRunMs.text())]
    pub ms: i64,
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=10_000), help = T::CliRunJobs.text())]
    pub jobs: i64,
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=4096), help = T::CliRunSize.text())]
    pub size: Option<i64>,
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=600_000), help = T::CliRunStopAfterMs.text())]
    pub stop_after_ms: Option<i64>,
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=600_000), help = T::CliRunLongPollMs.text())]
    pub long_poll_ms: Option<i64>,
    #[arg(long, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=4096), help = T::CliRunLifespanPool.text())]
    pub lifespan_pool: Option<i64>,
    #[arg(long, value_parser = words::<Shutdown>(&Shutdown::ALL, Shutdown::as_str), help = T::CliRunShutdown.text())]
    pub shutdown: Option<Shutdown>,
    #[arg(long, value_parser = positive_seconds, help = T::CliRunSeconds.text())]
    pub seconds: Option<f64>,
    #[arg(long, value_name = "MULTIPLES", value_parser = sweep, help = T::CliRunSweep.text())]
    pub sweep: Option<Multiples>,
    #[arg(long, help = T::CliRunJson.text())]
    pub json: bool,
}

impl RunArgs {
    /// The work one job of `run` does.
    pub fn work(&self) -> Work {
        Work {
            workload: self.workload,
            strategy: self.strategy,
            ms: self.ms as u64,
            size: self.size.unwrap_or(0) as u32,
        }
    }

    /// The lab `run` starts: the lab flags on the defaults, then `run`'s own lab flags.
    pub fn lab(&self, flags: &LabArgs) -> LabConfig {
        let mut config = flags.apply(LabConfig::default());
        if let Some(n) = self.lifespan_pool {
            config.lifespan_pool = n as usize;
        }
        if let Some(mode) = self.shutdown {
            config.shutdown = mode;
        }
        if let Some(ms) = self.long_poll_ms {
            config.long_poll = std::time::Duration::from_millis(ms as u64);
        }
        config
    }

    /// The arguments after `blocklab` that parse back to these flags and `flags`: what to type
    /// to run this again. Flags left at their defaults are left out.
    pub fn command_line(&self, flags: &LabArgs) -> Vec<String> {
        let mut out: Vec<String> = vec!["run".into()];
        let mut flag = |name: &str, value: String| {
            out.push(format!("--{name}"));
            out.push(value);
        };
        flag("workload", self.workload.as_str().into());
        flag("strategy", self.strategy.as_str().into());
        flag("ms", self.ms.to_string());
        if self.jobs != 1 {
            flag("jobs", self.jobs.to_string());
        }
        let optional = [
            ("size", self.size),
            ("stop-after-ms", self.stop_after_ms),
            ("long-poll-ms", self.long_poll_ms),
            ("lifespan-pool", self.lifespan_pool),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                flag(name, v.to_string());
            }
        }
        if let Some(mode) = self.shutdown {
            flag("shutdown", mode.as_str().into());
        }
        if let Some(s) = self.seconds {
            flag("seconds", s.to_string());
        }
        if let Some(Multiples(m)) = &self.sweep {
            let m: Vec<String> = m.iter().map(u32::to_string).collect();
            flag("sweep", m.join(","));
        }
        if let Some(f) = flags.runtime {
            flag("runtime", f.as_str().into());
        }
        let numbers = [
            ("workers", flags.workers),
            ("max-blocking-threads", flags.max_blocking_threads),
            ("rate", flags.rate),
            ("cpus", flags.cpus.map(|n| n as i64)),
        ];
        for (name, value) in numbers {
            if let Some(v) = value {
                flag(name, v.to_string());
            }
        }
        if self.json {
            out.push("--json".into());
        }
        out
    }
}

/// Settings of the runtime under study (the TUI and `run`).
#[derive(Args, Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabArgs {
    #[arg(long, global = true, value_parser = words::<Flavor>(&Flavor::ALL, Flavor::as_str), help = T::CliRuntime.text())]
    pub runtime: Option<Flavor>,
    #[arg(long, global = true, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=64), help = T::CliWorkers.text())]
    pub workers: Option<i64>,
    #[arg(long, global = true, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=4096), help = T::CliMaxBlockingThreads.text())]
    pub max_blocking_threads: Option<i64>,
    #[arg(long, global = true, allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(0..=5_000), help = T::CliRate.text())]
    pub rate: Option<i64>,
    #[arg(long, global = true, value_name = "N", allow_negative_numbers = true, value_parser = cpus, help = T::CliCpus.text())]
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

/// `replay --speed`: one of the replay's speeds, as its index.
fn replay_speed(s: &str) -> Result<usize, String> {
    let speeds = crate::ui::replay::SPEEDS;
    s.parse::<f64>()
        .ok()
        .and_then(|x| speeds.iter().position(|&v| (v - x).abs() < 1e-9))
        .ok_or_else(|| T::CliReplaySpeedBad.fill(&[("value", &s)]))
}

fn cpus(s: &str) -> Result<usize, String> {
    let max = crate::lab::cpus::max_cpus();
    match s.parse::<i64>() {
        Ok(n) if (1..=max as i64).contains(&n) => Ok(n as usize),
        _ => Err(T::CliCpusRange.fill(&[("max", &max), ("value", &s)])),
    }
}

fn positive_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| T::CliSecondsNotNumber.fill(&[("value", &s)]))?;
    if v > 0.0 && v <= 3600.0 {
        Ok(v)
    } else {
        Err(T::CliSecondsRange.fill(&[("value", &s)]))
    }
}
