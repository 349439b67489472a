//! The playground (`g`, or → past the last lesson): the learner composes the experiment —
//! workload, strategy, ms, jobs, size — and the lab's settings, changed live. Pure state: the
//! values, the `blocklab run` flags they are, and the work and lab those flags give. The flags
//! are the one source: the lab, the work and the command line on screen are all read off
//! [`Playground::flags`], and a value is only taken when the real parser accepts it.
use clap::Parser;

use crate::cli::{Cli, LabArgs, RunArgs};
use crate::data::{Flavor, LabConfig, Strategy, Work, Workload};
use crate::lab::strategy;
use crate::text::T;

/// The field ←/→ changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Workload,
    Strategy,
    Ms,
    Jobs,
    Size,
    Runtime,
    Workers,
    MaxBlocking,
    Rate,
    Cpus,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Workload,
        Field::Strategy,
        Field::Ms,
        Field::Jobs,
        Field::Size,
        Field::Runtime,
        Field::Workers,
        Field::MaxBlocking,
        Field::Rate,
        Field::Cpus,
    ];

    /// True for the lab's settings: changing one restarts the lab with it.
    pub fn is_lab(self) -> bool {
        matches!(
            self,
            Field::Runtime | Field::Workers | Field::MaxBlocking | Field::Rate | Field::Cpus
        )
    }

    /// Its name on screen: the flag's, which the command line below repeats.
    pub fn flag(self) -> &'static str {
        match self {
            Field::Workload => "workload",
            Field::Strategy => "strategy",
            Field::Ms => "ms",
            Field::Jobs => "jobs",
            Field::Size => "size",
            Field::Runtime => "runtime",
            Field::Workers => "workers",
            Field::MaxBlocking => "max-blocking-threads",
            Field::Rate => "rate",
            Field::Cpus => "cpus",
        }
    }
}

/// The steps ←/→ take through the numbers (the parser has the last word on the range).
const MS: &[i64] = &[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
const JOBS: &[i64] = &[1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64, 128];
/// 0: the strategy's default size (no `--size`).
const SIZE: &[i64] = &[0, 1, 2, 3, 4, 6, 8, 12, 16, 32, 64];
const WORKERS: &[i64] = &[1, 2, 3, 4, 6, 8, 12, 16, 32, 64];
const MAX_BLOCKING: &[i64] = &[1, 2, 4, 8, 16, 40, 64, 128, 512, 1024, 4096];
const RATE: &[i64] = &[0, 10, 50, 100, 200, 500, 1000, 2000, 5000];

#[derive(Clone, Debug, PartialEq)]
pub struct Playground {
    pub field: Field,
    pub workload: Workload,
    pub strategy: Strategy,
    pub ms: i64,
    pub jobs: i64,
    /// 0: the strategy's default.
    pub size: i64,
    pub runtime: Flavor,
    pub workers: i64,
    pub max_blocking: i64,
    pub rate: i64,
    pub cpus: i64,
}

impl Playground {
    /// A blocking sleep run inline, on a lab like `lab` (all its cores named: the command line
    /// pins as many as the lab had).
    pub fn new(lab: &LabConfig) -> Playground {
        Playground {
            field: Field::Workload,
            workload: Workload::Sleep,
            strategy: strategy::named("inline"),
            ms: 200,
            jobs: 1,
            size: 0,
            runtime: lab.flavor,
            workers: lab.workers as i64,
            max_blocking: lab.max_blocking_threads as i64,
            rate: i64::from(lab.traffic_rate),
            cpus: lab.cores().min(crate::lab::cpus::max_cpus()) as i64,
        }
    }

    /// The fields on screen: size only for a strategy that takes one, workers only on a
    /// multi-thread runtime.
    pub fn fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| match f {
                Field::Size => self.takes_size(),
                Field::Workers => self.runtime == Flavor::MultiThread,
                _ => true,
            })
            .collect()
    }

    pub fn takes_size(&self) -> bool {
        self.strategy.info().size.is_some()
    }

    /// `blocklab run`'s flags for these values: the one place the values become a run.
    pub fn flags(&self) -> (RunArgs, LabArgs) {
        let run = RunArgs {
            workload: self.workload,
            strategy: self.strategy,
            ms: self.ms,
            jobs: self.jobs,
            size: (self.takes_size() && self.size > 0).then_some(self.size),
            stop_after_ms: None,
            long_poll_ms: None,
            lifespan_pool: None,
            shutdown: None,
            seconds: None,
            sweep: None,
            json: false,
        };
        let lab = LabArgs {
            runtime: Some(self.runtime),
            workers: (self.runtime == Flavor::MultiThread).then_some(self.workers),
            max_blocking_threads: Some(self.max_blocking),
            rate: Some(self.rate),
            cpus: Some(self.cpus as usize),
        };
        (run, lab)
    }

    /// The work one job does.
    pub fn work(&self) -> Work {
        self.flags().0.work()
    }

    /// The lab the experiment runs on, as `blocklab run` would start it.
    pub fn lab(&self) -> LabConfig {
        let (run, lab) = self.flags();
        run.lab(&lab)
    }

    pub fn jobs(&self) -> usize {
        self.jobs as usize
    }

    /// The arguments after `blocklab` that run this experiment headless.
    pub fn args(&self) -> Vec<String> {
        let (run, lab) = self.flags();
        run.command_line(&lab)
    }

    /// The command line to paste into a shell.
    pub fn command_line(&self) -> String {
        let mut line = String::from("blocklab");
        for a in self.args() {
            line.push(' ');
            line.push_str(&a);
        }
        line
    }

    /// True when the real parser takes these values.
    pub fn parses(&self) -> bool {
        let args = std::iter::once("blocklab".to_string()).chain(self.args());
        Cli::try_parse_from(args).is_ok()
    }

    /// A field's value as the screen shows it.
    pub fn value(&self, field: Field) -> String {
        match field {
            Field::Workload => self.workload.as_str().into(),
            Field::Strategy => self.strategy.as_str().into(),
            Field::Ms => self.ms.to_string(),
            Field::Jobs => self.jobs.to_string(),
            Field::Size if self.size == 0 => {
                let lab = self.lab();
                let n = self.strategy.info().size_for(0, &lab);
                T::PlaySizeDefault.fill(&[("n", &n)])
            }
            Field::Size => self.size.to_string(),
            Field::Runtime => self.runtime.as_str().into(),
            Field::Workers => self.workers.to_string(),
            Field::MaxBlocking => self.max_blocking.to_string(),
            Field::Rate => self.rate.to_string(),
            Field::Cpus => self.cpus.to_string(),
        }
    }

    /// ↑/↓: the field before or after, among those on screen.
    pub fn choose(&mut self, by: isize) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.field).unwrap_or(0) as isize;
        let to = (at + by).clamp(0, fields.len() as isize - 1);
        self.field = fields[to as usize];
    }

    /// ←/→: the chosen field's previous or next value; at either end, or where the parser
    /// refuses the value, it stays. Returns true when it changed.
    pub fn change(&mut self, up: bool) -> bool {
        let before = self.clone();
        match self.field {
            Field::Workload => self.workload = along(&Workload::ALL, self.workload, up),
            Field::Strategy => {
                let all: Vec<Strategy> = strategy::all().collect();
                self.strategy = along(&all, self.strategy, up);
            }
            Field::Runtime => self.runtime = along(&Flavor::ALL, self.runtime, up),
            Field::Ms => self.ms = ladder(MS, self.ms, up),
            Field::Jobs => self.jobs = ladder(JOBS, self.jobs, up),
            Field::Size => self.size = ladder(SIZE, self.size, up),
            Field::Workers => self.workers = ladder(WORKERS, self.workers, up),
            Field::MaxBlocking => self.max_blocking = ladder(MAX_BLOCKING, self.max_blocking, up),
            Field::Rate => self.rate = ladder(RATE, self.rate, up),
            Field::Cpus => {
                let max = crate::lab::cpus::max_cpus() as i64;
                self.cpus = (self.cpus + if up { 1 } else { -1 }).clamp(1, max);
            }
        }
        if !self.parses() {
            *self = before;
            return false;
        }
        // A field that left the screen (size, workers) is not the one chosen any more.
        if !self.fields().contains(&self.field) {
            self.field = Field::Strategy;
        }
        *self != before
    }
}

/// The item before or after `now` in `all`, kept at the ends.
fn along<X: Copy + PartialEq>(all: &[X], now: X, up: bool) -> X {
    let at = all.iter().position(|x| *x == now).unwrap_or(0);
    let to = if up {
        (at + 1).min(all.len() - 1)
    } else {
        at.saturating_sub(1)
    };
    all[to]
}

/// The next step of `steps` above (or below) `now`; `now` itself past the last (first).
fn ladder(steps: &[i64], now: i64, up: bool) -> i64 {
    if up {
        steps.iter().copied().find(|&s| s > now).unwrap_or(now)
    } else {
        steps
            .iter()
            .rev()
            .copied()
            .find(|&s| s < now)
            .unwrap_or(now)
    }
}

/// What a run measured, said the same way for any combination on any machine: where the jobs
/// ran, whether the loop stayed free, how long they waited for a thread, how they ended.
pub fn findings(report: &crate::report::Report) -> Vec<String> {
    use crate::clock::human;
    use std::time::Duration;
    let ms = |v: f64| human(Duration::from_secs_f64(v.max(0.0) / 1e3));
    let jobs = &report.jobs;
    let mut out = Vec::new();
    // Where: each kind of thread, with how many jobs ran on one.
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for j in jobs {
        let kind = j.thread_kind.map_or("none", |k| k.as_str());
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((kind, 1)),
        }
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
    out.push(T::PlayRanOn.fill(&[("kinds", &kinds.join(", "))]));
    // The loop: the worst lag against the stall threshold, and whom the longest stall held.
    let threshold = ms(report.runtime.stall_threshold_ms);
    let worst = ms(report.lag_ms.max);
    let longest = report
        .stalls
        .iter()
        .max_by(|a, b| a.duration_ms.total_cmp(&b.duration_ms));
    out.push(match longest {
        None => T::PlayLoopFree.fill(&[("lag", &worst), ("threshold", &threshold)]),
        Some(s) => {
            let who = match s.job {
                Some(id) => T::SummaryStallJob.fill(&[("id", &id)]),
                None => T::SummaryStallNoJob.text().to_string(),
            };
            let values: [(&str, &dyn std::fmt::Display); 5] = [
                ("lag", &worst),
                ("threshold", &threshold),
                ("n", &report.stalls.len()),
                ("longest", &ms(s.duration_ms)),
                ("who", &who),
            ];
            T::PlayLoopStalled.fill(&values)
        }
    });
    // The queue: submit → start, as the job table's "waited" column shows it.
    let waits: Vec<f64> = jobs.iter().filter_map(|j| j.wait_ms).collect();
    if waits.is_empty() {
        out.push(T::PlayNeverStarted.text().to_string());
    } else {
        let least = waits.iter().copied().fold(f64::INFINITY, f64::min);
        let most = waits.iter().copied().fold(0.0, f64::max);
        out.push(T::PlayWaited.fill(&[("least", &ms(least)), ("most", &ms(most))]));
    }
    let mut ends: Vec<(&str, usize)> = Vec::new();
    for j in jobs {
        match ends.iter_mut().find(|(o, _)| *o == j.outcome.as_str()) {
            Some((_, n)) => *n += 1,
            None => ends.push((j.outcome.as_str(), 1)),
        }
    }
    let ends: Vec<String> = ends.iter().map(|(o, n)| format!("{o} ×{n}")).collect();
    out.push(T::PlayEnded.fill(&[("outcomes", &ends.join(", "))]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[String]) -> Cli {
        let all = std::iter::once("blocklab".to_string()).chain(args.iter().cloned());
        Cli::try_parse_from(all).expect("the command line parses")
    }

    /// A combination per strategy, its size set where it takes one, on a multi-thread lab.
    fn every_strategy() -> Vec<Playground> {
        strategy::all()
            .enumerate()
            .map(|(i, s)| {
                let mut p = Playground::new(&LabConfig::default());
                p.strategy = s;
                p.workload = Workload::ALL[i % Workload::ALL.len()];
                p.ms = 20;
                p.jobs = 2;
                p.size = if p.takes_size() { 2 } else { 0 };
                if i % 2 == 1 {
                    p.runtime = Flavor::MultiThread;
                    p.workers = 3;
                }
                p.rate = 50;
                p.cpus = 1;
                p
            })
            .collect()
    }

    #[test]
    fn the_command_line_parses_back_to_the_same_work_and_lab_for_every_strategy() {
        let all = every_strategy();
        assert_eq!(all.len(), strategy::all().count());
        for p in all {
            let cli = parse(&p.args());
            let Some(crate::cli::Command::Run(run)) = &cli.command else {
                panic!("not a run: {}", p.command_line());
            };
            assert_eq!(run.work(), p.work(), "{}", p.command_line());
            assert_eq!(run.lab(&cli.lab), p.lab(), "{}", p.command_line());
            assert_eq!(run.jobs as usize, p.jobs());
            assert!(p.command_line().starts_with("blocklab run --workload "));
            // Size only for a strategy that takes one; workers only on multi-thread.
            assert_eq!(p.command_line().contains("--size"), p.takes_size());
            assert_eq!(
                p.command_line().contains("--workers"),
                p.runtime == Flavor::MultiThread
            );
        }
    }

    #[test]
    fn every_strategy_makes_a_plan_the_runner_starts_with_its_lab() {
        for p in every_strategy() {
            let plan = crate::runner::Plan::once(p.lab(), p.work(), p.jobs());
            let mut runner = crate::runner::Runner::new(plan, 1);
            let orders = runner.start();
            assert_eq!(
                orders,
                vec![crate::runner::Order::StartLab(p.lab())],
                "{}",
                p.command_line()
            );
            assert_eq!(p.lab().cpus, Some(1));
            assert_eq!(p.lab().traffic_rate, 50);
        }
    }

    #[test]
    fn stepping_walks_the_ladders_and_stops_at_the_ends() {
        let mut p = Playground::new(&LabConfig::default());
        p.field = Field::Ms;
        p.ms = 1;
        assert!(!p.change(false), "no ms below 1");
        assert_eq!(p.ms, 1);
        assert!(p.change(true));
        assert_eq!(p.ms, 2);
        for _ in 0..30 {
            p.change(true);
        }
        assert_eq!(p.ms, 5000);
        p.field = Field::Rate;
        p.rate = 100;
        p.change(true);
        assert_eq!(p.rate, 200);
        for _ in 0..30 {
            p.change(false);
        }
        assert_eq!(p.rate, 0);
        p.field = Field::Cpus;
        for _ in 0..200 {
            p.change(true);
        }
        assert_eq!(p.cpus as usize, crate::lab::cpus::max_cpus());
        for _ in 0..200 {
            p.change(false);
        }
        assert_eq!(p.cpus, 1);
        p.field = Field::Workload;
        for _ in 0..10 {
            p.change(false);
        }
        assert_eq!(p.workload, Workload::ALL[0]);
        assert!(p.parses());
    }

    #[test]
    fn size_and_workers_show_only_where_they_mean_something() {
        let mut p = Playground::new(&LabConfig::default());
        p.runtime = Flavor::CurrentThread;
        assert!(!p.fields().contains(&Field::Workers));
        assert!(!p.fields().contains(&Field::Size), "inline takes no size");
        p.field = Field::Runtime;
        p.change(true);
        assert_eq!(p.runtime, Flavor::MultiThread);
        assert!(p.fields().contains(&Field::Workers));
        p.strategy = strategy::named("thread-pool");
        assert!(p.fields().contains(&Field::Size));
        p.field = Field::Size;
        p.change(true);
        assert_eq!(p.size, 1);
        assert!(p.command_line().contains("--size 1"));
        // ↑/↓ stay within the fields on screen.
        p.field = Field::Workload;
        p.choose(-1);
        assert_eq!(p.field, Field::Workload);
        for _ in 0..20 {
            p.choose(1);
        }
        assert_eq!(p.field, Field::Cpus);
    }
}
