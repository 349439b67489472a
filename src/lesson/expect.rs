//! Expectations: the claims a lesson makes, written so the lab can check them.
//!
//! Grammar (one per string, see `lessons/README.md`):
//!
//! ```text
//! <metric> <op> <value>
//!   op     : <  <=  >  >=  ==  within  is
//!   value  : 5 ms | 2 s | 3 | at_once | 90% of block | 85% of cpu.waves × job.cpu.mean | this | ok
//! ```
//! `within X% of Y` holds when |metric − Y| ≤ X % of Y. `block` is the action's `ms`.
//!
//! Some metrics are *given*, not measured: they follow from the action and the lab — the
//! learner's cores among them — so a claim like "eight CPU jobs on eight threads take as many
//! waves as the cores need" holds on 1 core and on 64.
use std::fmt;

use crate::clock::human;
use crate::data::{LabConfig, Outcome};
use crate::report::Report;
use crate::text::T;

/// A metric with a number (milliseconds, or a count).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Number {
    LagMax,
    LagP99,
    LagP50,
    RequestsMax,
    RequestsP99,
    RequestsP50,
    BaselineLagP99,
    /// How many stalls (single freezes of at least the stall threshold).
    Stalls,
    /// The longest stall.
    StallMax,
    /// The longest job run time (start → finish).
    JobRun,
    /// The longest wait for a thread (submit → start).
    JobWait,
    /// The most CPU time one job used.
    JobCpu,
    /// The CPU time the jobs used, on average: what one job of the batch costs.
    JobCpuMean,
    /// First submit → last finish.
    JobTotal,
    /// First start → last finish: how long the work itself took, waits before it aside.
    JobSpan,
    /// Most jobs of the action running at once.
    JobConcurrency,
    /// The longest time from submit to the handler's reply.
    JobReply,
    /// Threads of blocklab's own pools alive at the peak.
    ThreadsMax,
    /// Threads of blocklab's own pools still alive at the end, beyond those before the jobs.
    ThreadsLeft,
    /// Jobs whose work started before their handler replied.
    JobsBeforeReply,
    /// Child processes of the process pool busy at the peak.
    ChildrenBusyMax,
    /// Wait (submit → start) of the job submitted last.
    LastWait,
    /// Run time of the job submitted last.
    LastRun,
    /// Jobs that ended each way.
    JobsOk,
    JobsFailed,
    JobsLost,
    JobsCancelled,
    JobsAbandoned,
    JobsRunning,
    /// Jobs a thread started more than once (a durable job whose worker died).
    JobsRetried,
    /// The most times one job was started.
    JobAttempts,
    /// The longest single poll the poll hooks saw (any worker).
    LongPollMax,
    /// Threads of tokio's blocking pool at the peak.
    BlockingThreadsMax,
    /// The highest request rate a load test held (req/s).
    LoadHeldRate,
    /// A sizing sweep's best pool size, as a multiple of the cores (the smallest within 95 %
    /// of the highest throughput), and in threads.
    SizingBestMultiple,
    SizingBestThreads,
    /// A sweep's throughput (jobs/s): its first step, its best, the step at cores × 2, its last.
    SizingThroughputFirst,
    SizingThroughputBest,
    SizingThroughputX2,
    SizingThroughputLast,
    /// A sweep's p99 run time (start → end of a job): its first step, at cores × 2, its last.
    SizingRunP99First,
    SizingRunP99X2,
    SizingRunP99Last,
    // Given: from the action and its lab, not measured.
    /// The action's `ms` parameter.
    Block,
    /// The size the action's jobs use (its `size`, or the strategy's default).
    Size,
    /// Jobs the action submits at once.
    Jobs,
    /// Cores the lab may use.
    Cores,
    /// How many of the action's jobs its strategy lets run at once (pool size, permits, …).
    AtOnce,
    /// ⌈jobs / at_once⌉: rounds of jobs when each waits for a free slot.
    Waves,
    /// The fewest rounds of one job's CPU time that `jobs` CPU jobs can take, `at_once` at a
    /// time on `cores` cores: max(⌈jobs / at_once⌉, jobs / cores). With fewer running jobs than
    /// cores each has a core and they go in waves; with more, the OS time-slices them and the
    /// cores' total decides (8 jobs on 3 cores: 2.67 rounds, not 3).
    CpuWaves,
}

/// A metric with a name as value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    /// Where the jobs ran: `event-loop`, `blocking-pool`, `other`, or `mixed`.
    JobThread,
    /// How the jobs ended: `ok`, `failed`, … or `mixed`.
    JobOutcome,
    /// Whom the longest stall is attributed to: `this` (a job of the action), `none`, `other`.
    StallJob,
    /// Whom the longest poll (poll hooks, per worker) belonged to: `this`, `none`, `other`.
    LongPollJob,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    Ms,
    Count,
}

use Unit::{Count, Ms};

const NUMBERS: &[(&str, Number, Unit)] = &[
    ("lag.max", Number::LagMax, Ms),
    ("lag.p99", Number::LagP99, Ms),
    ("lag.p50", Number::LagP50, Ms),
    ("requests.max", Number::RequestsMax, Ms),
    ("requests.p99", Number::RequestsP99, Ms),
    ("requests.p50", Number::RequestsP50, Ms),
    ("baseline.lag.p99", Number::BaselineLagP99, Ms),
    ("stalls", Number::Stalls, Count),
    ("stall.max", Number::StallMax, Ms),
    ("job.run", Number::JobRun, Ms),
    ("job.wait", Number::JobWait, Ms),
    ("job.cpu", Number::JobCpu, Ms),
    ("job.cpu.mean", Number::JobCpuMean, Ms),
    ("job.total", Number::JobTotal, Ms),
    ("job.span", Number::JobSpan, Ms),
    ("job.concurrency", Number::JobConcurrency, Count),
    ("job.reply", Number::JobReply, Ms),
    ("threads.max", Number::ThreadsMax, Count),
    ("threads.left", Number::ThreadsLeft, Count),
    ("children.busy.max", Number::ChildrenBusyMax, Count),
    ("last.wait", Number::LastWait, Ms),
    ("last.run", Number::LastRun, Ms),
    ("jobs.ok", Number::JobsOk, Count),
    ("jobs.failed", Number::JobsFailed, Count),
    ("jobs.lost", Number::JobsLost, Count),
    ("jobs.cancelled", Number::JobsCancelled, Count),
    ("jobs.abandoned", Number::JobsAbandoned, Count),
    ("jobs.running", Number::JobsRunning, Count),
    ("jobs.retried", Number::JobsRetried, Count),
    ("jobs.before_reply", Number::JobsBeforeReply, Count),
    ("job.attempts", Number::JobAttempts, Count),
    ("long_poll.max", Number::LongPollMax, Ms),
    ("blocking.threads.max", Number::BlockingThreadsMax, Count),
    ("load.held_rate", Number::LoadHeldRate, Count),
    ("sizing.best_multiple", Number::SizingBestMultiple, Count),
    ("sizing.best_threads", Number::SizingBestThreads, Count),
    (
        "sizing.throughput.first",
        Number::SizingThroughputFirst,
        Count,
    ),
    (
        "sizing.throughput.best",
        Number::SizingThroughputBest,
        Count,
    ),
    ("sizing.throughput.x2", Number::SizingThroughputX2, Count),
    (
        "sizing.throughput.last",
        Number::SizingThroughputLast,
        Count,
    ),
    ("sizing.run.p99.first", Number::SizingRunP99First, Ms),
    ("sizing.run.p99.x2", Number::SizingRunP99X2, Ms),
    ("sizing.run.p99.last", Number::SizingRunP99Last, Ms),
    ("block", Number::Block, Ms),
    ("size", Number::Size, Count),
    ("jobs", Number::Jobs, Count),
    ("cores", Number::Cores, Count),
    ("at_once", Number::AtOnce, Count),
    ("waves", Number::Waves, Count),
    ("cpu.waves", Number::CpuWaves, Count),
];

const WORDS: &[(&str, Word, &[&str])] = &[
    (
        "job.thread",
        Word::JobThread,
        &[
            "event-loop",
            "handed-off",
            "blocking-pool",
            "dedicated",
            "detached",
            "process",
            "other",
            "mixed",
            "none",
        ],
    ),
    (
        "job.outcome",
        Word::JobOutcome,
        &[
            "ok",
            "failed",
            "cancelled",
            "lost",
            "abandoned",
            "running",
            "mixed",
        ],
    ),
    ("stall.job", Word::StallJob, &["this", "none", "other"]),
    (
        "long_poll.job",
        Word::LongPollJob,
        &["this", "none", "other"],
    ),
];

impl Number {
    /// True for the metrics that follow from the action and its lab, with no run.
    pub fn is_given(self) -> bool {
        matches!(
            self,
            Number::Block
                | Number::Size
                | Number::Jobs
                | Number::Cores
                | Number::AtOnce
                | Number::Waves
                | Number::CpuWaves
        )
    }

    /// True for the metrics whose value depends on how many cores the lab has.
    pub fn depends_on_cores(self) -> bool {
        matches!(self, Number::Cores | Number::CpuWaves)
    }

    pub fn name(self) -> &'static str {
        NUMBERS
            .iter()
            .find(|(_, x, _)| *x == self)
            .map_or("?", |(n, _, _)| *n)
    }

    fn unit(self) -> Unit {
        NUMBERS
            .iter()
            .find(|(_, x, _)| *x == self)
            .map_or(Count, |&(_, _, u)| u)
    }

    /// The metric of this name.
    pub fn named(name: &str) -> Option<Number> {
        NUMBERS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|&(_, m, _)| m)
    }

    /// A value of this metric for people: "812 ms", "3".
    pub fn show(self, v: f64) -> String {
        match self.unit() {
            Ms => human(std::time::Duration::from_secs_f64(v.max(0.0) / 1e3)),
            Count if v.fract() == 0.0 => format!("{v}"),
            Count => format!("{v:.2}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    /// Within this fraction of the reference.
    Within,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Milliseconds (or a count for count metrics).
    Fixed(f64),
    /// A share of a metric, or of the product of two (`85% of cpu.waves × job.cpu.mean`).
    Of(f64, Vec<Number>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    Compare {
        metric: Number,
        op: Op,
        value: Value,
    },
    Is {
        metric: Word,
        word: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    pub text: String,
    pub rule: Expectation,
}

/// The outcome of checking one expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub measured: String,
    /// The measured number, for a metric that has one, and its unit (`ms` or `count`).
    pub value: Option<(f64, &'static str)>,
    pub pass: bool,
    /// Not checked: this build cannot measure it (no `tokio_unstable`).
    pub skipped: bool,
}

impl Verdict {
    fn of(measured: String, pass: bool) -> Verdict {
        Verdict {
            measured,
            value: None,
            pass,
            skipped: false,
        }
    }

    fn skipped() -> Verdict {
        Verdict {
            measured: T::NotUnstable.into(),
            value: None,
            pass: true,
            skipped: true,
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn known() -> String {
    let mut names: Vec<&str> = NUMBERS.iter().map(|(n, _, _)| *n).collect();
    names.extend(WORDS.iter().map(|(n, _, _)| *n));
    names.join(", ")
}

impl Expect {
    pub fn parse(text: &str) -> Result<Expect, String> {
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let [metric, op, rest @ ..] = tokens.as_slice() else {
            return Err(T::ExpectShape.fill(&[("text", &text)]));
        };
        if let Some(&(_, word_metric, allowed)) = WORDS.iter().find(|(n, _, _)| n == metric) {
            let [word] = rest else {
                return Err(T::ExpectOneWord.fill(&[("text", &text), ("metric", metric)]));
            };
            if *op != "is" {
                return Err(T::ExpectUseIs.fill(&[("text", &text), ("metric", metric)]));
            }
            if !allowed.contains(word) {
                return Err(T::ExpectOneOf.fill(&[
                    ("text", &text),
                    ("metric", metric),
                    ("allowed", &allowed.join(", ")),
                ]));
            }
            return Ok(Expect {
                text: text.into(),
                rule: Expectation::Is {
                    metric: word_metric,
                    word: word.to_string(),
                },
            });
        }
        let Some(metric) = Number::named(metric) else {
            return Err(T::ExpectUnknownMetric.fill(&[
                ("text", &text),
                ("metric", metric),
                ("known", &known()),
            ]));
        };
        let op = match *op {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "==" => Op::Eq,
            "within" => Op::Within,
            other => {
                return Err(T::ExpectUnknownOp.fill(&[("text", &text), ("op", &other)]));
            }
        };
        let value = parse_value(rest, metric.unit())
            .map_err(|e| T::ExpectBadValue.fill(&[("text", &text), ("error", &e)]))?;
        if op == Op::Within && !matches!(value, Value::Of(..)) {
            return Err(T::ExpectWithin.fill(&[("text", &text)]));
        }
        Ok(Expect {
            text: text.into(),
            rule: Expectation::Compare { metric, op, value },
        })
    }

    /// The metrics it reads.
    pub fn metrics(&self) -> Vec<Number> {
        match &self.rule {
            Expectation::Is { .. } => Vec::new(),
            Expectation::Compare { metric, value, .. } => {
                let mut v = vec![*metric];
                if let Value::Of(_, of) = value {
                    v.extend(of);
                }
                v
            }
        }
    }

    /// True when what it claims depends on the lab's cores.
    pub fn depends_on_cores(&self) -> bool {
        self.metrics().into_iter().any(Number::depends_on_cores)
    }

    /// Checks it against the facts of the action's run.
    pub fn check(&self, facts: &Facts) -> Verdict {
        if !facts.can_measure(&self.rule) {
            return Verdict::skipped();
        }
        match &self.rule {
            Expectation::Is { metric, word } => {
                let measured = facts.word(*metric);
                Verdict::of(measured.clone(), &measured == word)
            }
            Expectation::Compare { metric, op, value } => {
                let m = facts.number(*metric);
                let (target, tolerance) = match value {
                    Value::Fixed(v) => (*v, 0.0),
                    Value::Of(share, of) => {
                        let reference: f64 = of.iter().map(|n| facts.number(*n)).product();
                        if *op == Op::Within {
                            (reference, share * reference)
                        } else {
                            (share * reference, 0.0)
                        }
                    }
                };
                let pass = match op {
                    Op::Lt => m < target,
                    Op::Le => m <= target,
                    Op::Gt => m > target,
                    Op::Ge => m >= target,
                    Op::Eq => (m - target).abs() < 1e-9,
                    Op::Within => (m - target).abs() <= tolerance,
                };
                let mut measured = match metric.unit() {
                    Ms => T::Millis.fill(&[("n", &format!("{m:.1}"))]),
                    Count => format!("{m}"),
                };
                if let Value::Of(_, of) = value {
                    let reference: f64 = of.iter().map(|n| facts.number(*n)).product();
                    let names: Vec<_> = of.iter().map(|n| n.name()).collect();
                    measured += &T::MeasuredShare.fill(&[
                        (
                            "percent",
                            &format!("{:.0}", 100.0 * m / reference.max(1e-9)),
                        ),
                        ("of", &names.join(" × ")),
                    ]);
                }
                let unit = match metric.unit() {
                    Ms => "ms",
                    Count => "count",
                };
                Verdict {
                    value: Some((m, unit)),
                    ..Verdict::of(measured, pass)
                }
            }
        }
    }
}

fn parse_value(tokens: &[&str], unit: Unit) -> Result<Value, String> {
    let number = |s: &str| {
        s.parse::<f64>()
            .map_err(|_| T::ExpectNotNumber.fill(&[("value", &s)]))
    };
    let metric =
        |s: &str| Number::named(s).ok_or_else(|| T::ExpectMetricAfterOf.fill(&[("metric", &s)]));
    match tokens {
        [share, "of", reference] if share.ends_with('%') => {
            let share = number(share.trim_end_matches('%'))? / 100.0;
            Ok(Value::Of(share, vec![metric(reference)?]))
        }
        [share, "of", a, "×" | "x" | "*", b] if share.ends_with('%') => {
            let share = number(share.trim_end_matches('%'))? / 100.0;
            Ok(Value::Of(share, vec![metric(a)?, metric(b)?]))
        }
        [name] if Number::named(name).is_some() => Ok(Value::Of(1.0, vec![metric(name)?])),
        [v, unit_word] if unit == Ms => {
            let v = number(v)?;
            match *unit_word {
                "ms" => Ok(Value::Fixed(v)),
                "s" => Ok(Value::Fixed(v * 1000.0)),
                other => Err(T::ExpectUnknownUnit.fill(&[("unit", &other)])),
            }
        }
        [v] if unit == Ms => Err(T::ExpectNeedsUnit.fill(&[("value", v)])),
        [v] => Ok(Value::Fixed(number(v)?)),
        _ => Err(T::ExpectValue.into()),
    }
}

/// What follows from an action and its lab alone, before anything runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Given {
    pub block_ms: f64,
    pub size: f64,
    pub jobs: f64,
    pub cores: f64,
    pub at_once: f64,
}

impl Given {
    /// For `action` on `lab` (the lab it really runs on: the lesson's, with the command line's
    /// flags on top).
    pub fn of(action: &crate::lesson::Action, lab: &LabConfig) -> Given {
        let info = action.work.strategy.info();
        let size = info.size_for(action.work.size, lab);
        Given {
            block_ms: action.work.ms as f64,
            size: f64::from(size),
            jobs: action.jobs as f64,
            cores: lab.cores() as f64,
            at_once: info.at_once(action.jobs, size, lab) as f64,
        }
    }

    fn number(&self, metric: Number) -> Option<f64> {
        let waves = (self.jobs / self.at_once.max(1.0)).ceil();
        Some(match metric {
            Number::Block => self.block_ms,
            Number::Size => self.size,
            Number::Jobs => self.jobs,
            Number::Cores => self.cores,
            Number::AtOnce => self.at_once,
            Number::Waves => waves,
            Number::CpuWaves => waves.max(self.jobs / self.cores.max(1.0)),
            _ => return None,
        })
    }
}

/// The facts an action's expectations are checked against: what its run measured, and what
/// follows from the action and its lab.
pub struct Facts<'a> {
    pub report: &'a Report,
    pub given: Given,
}

impl<'a> Facts<'a> {
    pub fn of(report: &'a Report, given: Given) -> Facts<'a> {
        Facts { report, given }
    }

    pub fn number(&self, metric: Number) -> f64 {
        if let Some(v) = self.given.number(metric) {
            return v;
        }
        let r = self.report;
        let jobs = &r.jobs;
        let max_of = |f: fn(&crate::report::JobOut) -> Option<f64>| {
            jobs.iter().filter_map(f).fold(0.0, f64::max)
        };
        let min_of = |f: fn(&crate::report::JobOut) -> Option<f64>| {
            jobs.iter().filter_map(f).fold(f64::INFINITY, f64::min)
        };
        let count = |o: Outcome| jobs.iter().filter(|j| j.outcome == o).count() as f64;
        match metric {
            Number::LagMax => r.lag_ms.max,
            Number::LagP99 => r.lag_ms.p99,
            Number::LagP50 => r.lag_ms.p50,
            Number::RequestsMax => r.requests.max_ms,
            Number::RequestsP99 => r.requests.p99_ms,
            Number::RequestsP50 => r.requests.p50_ms,
            Number::BaselineLagP99 => r.baseline.lag_p99_ms,
            Number::Stalls => r.stalls.len() as f64,
            Number::StallMax => r.stalls.iter().map(|s| s.duration_ms).fold(0.0, f64::max),
            Number::JobRun => max_of(|j| j.run_ms),
            Number::JobWait => max_of(|j| j.wait_ms),
            Number::JobCpu => max_of(|j| j.cpu_ms),
            Number::JobCpuMean => {
                let cpu: Vec<f64> = jobs.iter().filter_map(|j| j.cpu_ms).collect();
                cpu.iter().sum::<f64>() / cpu.len().max(1) as f64
            }
            Number::JobTotal if jobs.is_empty() => 0.0,
            Number::JobTotal => max_of(|j| j.finished_ms) - min_of(|j| Some(j.submitted_ms)),
            Number::JobSpan => {
                let first = min_of(|j| j.started_ms);
                if first.is_finite() {
                    max_of(|j| j.finished_ms) - first
                } else {
                    0.0
                }
            }
            Number::JobConcurrency => r
                .pools
                .offload
                .values()
                .map(|o| o.peak_running)
                .max()
                .unwrap_or(0) as f64,
            Number::JobReply => max_of(|j| j.reply_ms),
            Number::ThreadsMax => r.pools.dedicated.threads_max as f64,
            Number::ThreadsLeft => r.pools.dedicated.threads_left as f64,
            Number::ChildrenBusyMax => r.pools.processes.busy_max as f64,
            Number::LastWait => jobs
                .iter()
                .max_by_key(|j| j.id)
                .and_then(|j| j.wait_ms)
                .unwrap_or(0.0),
            Number::LastRun => jobs
                .iter()
                .max_by_key(|j| j.id)
                .and_then(|j| j.run_ms)
                .unwrap_or(0.0),
            Number::JobsOk => count(Outcome::Ok),
            Number::JobsFailed => count(Outcome::Failed),
            Number::JobsLost => count(Outcome::Lost),
            Number::JobsCancelled => count(Outcome::Cancelled),
            Number::JobsAbandoned => count(Outcome::Abandoned),
            Number::JobsRunning => count(Outcome::Running),
            Number::JobsRetried => jobs.iter().filter(|j| j.attempts > 1).count() as f64,
            Number::JobsBeforeReply => jobs
                .iter()
                .filter(|j| matches!((j.started_ms, j.replied_ms), (Some(s), Some(r)) if s < r))
                .count() as f64,
            Number::JobAttempts => jobs.iter().map(|j| j.attempts).max().unwrap_or(0) as f64,
            Number::BlockingThreadsMax => r
                .pools
                .blocking
                .as_ref()
                .map_or(0.0, |b| b.threads_max as f64),
            // A load test that measured nothing (no front door) holds no claim either way.
            Number::LoadHeldRate => match &r.load {
                Some(steps) if !steps.is_empty() => f64::from(r.load_held_rate.unwrap_or(0)),
                _ => f64::NAN,
            },
            // A sweep that measured nothing holds no claim either way.
            Number::SizingBestMultiple
            | Number::SizingBestThreads
            | Number::SizingThroughputFirst
            | Number::SizingThroughputBest
            | Number::SizingThroughputX2
            | Number::SizingThroughputLast
            | Number::SizingRunP99First
            | Number::SizingRunP99X2
            | Number::SizingRunP99Last => sizing(r, metric).unwrap_or(f64::NAN),
            Number::LongPollMax => r
                .long_polls
                .iter()
                .flatten()
                .map(|p| p.duration_ms)
                .fold(0.0, f64::max),
            Number::Block
            | Number::Size
            | Number::Jobs
            | Number::Cores
            | Number::AtOnce
            | Number::Waves
            | Number::CpuWaves => unreachable!("given, answered above"),
        }
    }

    /// False for a rule on a metric this build cannot see.
    fn can_measure(&self, rule: &Expectation) -> bool {
        match rule {
            Expectation::Is {
                metric: Word::LongPollJob,
                ..
            } => self.measures(Number::LongPollMax),
            Expectation::Is { .. } => true,
            Expectation::Compare { metric, .. } => self.measures(*metric),
        }
    }

    /// False for metrics this build cannot see: poll hooks and the blocking pool's gauges
    /// need `tokio_unstable`.
    pub fn measures(&self, metric: Number) -> bool {
        match metric {
            Number::LongPollMax => self.report.long_polls.is_some(),
            Number::BlockingThreadsMax => self.report.pools.blocking.is_some(),
            _ => true,
        }
    }

    pub fn word(&self, metric: Word) -> String {
        let jobs = &self.report.jobs;
        let common = |values: Vec<&str>| -> String {
            match values.first() {
                None => "none".into(),
                Some(first) if values.iter().all(|v| v == first) => first.to_string(),
                Some(_) => "mixed".into(),
            }
        };
        match metric {
            Word::JobThread => common(
                jobs.iter()
                    .map(|j| j.thread_kind.map_or("none", |k| k.as_str()))
                    .collect(),
            ),
            Word::JobOutcome => common(jobs.iter().map(|j| j.outcome.as_str()).collect()),
            Word::LongPollJob => {
                let polls = self.report.long_polls.iter().flatten();
                match polls
                    .max_by(|a, b| a.duration_ms.total_cmp(&b.duration_ms))
                    .map(|p| p.job)
                {
                    None | Some(None) => "none".into(),
                    Some(Some(id)) if jobs.iter().any(|j| j.id == id) => "this".into(),
                    Some(Some(_)) => "other".into(),
                }
            }
            Word::StallJob => {
                let longest = self
                    .report
                    .stalls
                    .iter()
                    .max_by(|a, b| a.duration_ms.total_cmp(&b.duration_ms));
                match longest.map(|s| s.job) {
                    None | Some(None) => "none".into(),
                    Some(Some(id)) if jobs.iter().any(|j| j.id == id) => "this".into(),
                    Some(Some(_)) => "other".into(),
                }
            }
        }
    }
}

/// A sweep's figure, when it ran at least one step with jobs that ended.
fn sizing(r: &Report, metric: Number) -> Option<f64> {
    let s = r.sizing.as_ref().filter(|s| s.best_throughput > 0.0)?;
    let (first, last) = (s.steps.first()?, s.steps.last()?);
    let best = s.step(s.best_multiple)?;
    Some(match metric {
        Number::SizingBestMultiple => f64::from(s.best_multiple),
        Number::SizingBestThreads => f64::from(best.threads),
        Number::SizingThroughputFirst => first.throughput,
        Number::SizingThroughputBest => s.best_throughput,
        Number::SizingThroughputX2 => s.step(2)?.throughput,
        Number::SizingThroughputLast => last.throughput,
        Number::SizingRunP99First => first.run_p99_ms,
        Number::SizingRunP99X2 => s.step(2)?.run_p99_ms,
        Number::SizingRunP99Last => last.run_p99_ms,
        _ => return None,
    })
}

/// Checks every expectation of `action` against its run's report: the one verdict table that
/// `blocklab check` prints and the TUI's Check section shows.
pub fn verdicts(action: &crate::lesson::Action, lab: &LabConfig, report: &Report) -> Vec<Verdict> {
    let facts = Facts::of(report, Given::of(action, lab));
    action.expect.iter().map(|e| e.check(&facts)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_form() {
        let e = Expect::parse("lag.max >= 90% of block").unwrap();
        assert_eq!(
            e.rule,
            Expectation::Compare {
                metric: Number::LagMax,
                op: Op::Ge,
                value: Value::Of(0.9, vec![Number::Block])
            }
        );
        let e = Expect::parse("requests.max < 2 s").unwrap();
        assert_eq!(
            e.rule,
            Expectation::Compare {
                metric: Number::RequestsMax,
                op: Op::Lt,
                value: Value::Fixed(2000.0)
            }
        );
        let e = Expect::parse("stalls == 1").unwrap();
        assert_eq!(
            e.rule,
            Expectation::Compare {
                metric: Number::Stalls,
                op: Op::Eq,
                value: Value::Fixed(1.0)
            }
        );
        let e = Expect::parse("job.thread is blocking-pool").unwrap();
        assert_eq!(
            e.rule,
            Expectation::Is {
                metric: Word::JobThread,
                word: "blocking-pool".into()
            }
        );
        let e = Expect::parse("job.span >= 85% of cpu.waves × job.cpu.mean").unwrap();
        assert_eq!(
            e.rule,
            Expectation::Compare {
                metric: Number::JobSpan,
                op: Op::Ge,
                value: Value::Of(0.85, vec![Number::CpuWaves, Number::JobCpuMean])
            }
        );
        assert!(e.depends_on_cores());
        let e = Expect::parse("job.concurrency == at_once").unwrap();
        assert_eq!(
            e.rule,
            Expectation::Compare {
                metric: Number::JobConcurrency,
                op: Op::Eq,
                value: Value::Of(1.0, vec![Number::AtOnce])
            }
        );
        assert!(!e.depends_on_cores());
    }

    /// Lesson 17 with no front door: the generator measured nothing, and neither of its
    /// claims passes on the zero that would otherwise stand in.
    #[test]
    fn a_load_test_that_measured_nothing_holds_no_claim() {
        let lesson = crate::lesson::builtin()
            .lessons
            .into_iter()
            .find(|l| l.id == "load")
            .unwrap();
        let mut report = Report::empty();
        report.load = Some(Vec::new());
        for action in &lesson.actions {
            let v = verdicts(action, &LabConfig::default(), &report);
            assert!(v.iter().all(|v| !v.pass), "[{}] {v:?}", action.key);
        }
    }

    #[test]
    fn bad_expectations_say_what_is_allowed() {
        for (text, hint) in [
            ("lag.mx < 5 ms", "unknown metric `lag.mx`"),
            ("lag.max < 5", "needs a unit"),
            ("lag.max ~ 5 ms", "unknown operator"),
            ("lag.max within 5 ms", "`within` takes"),
            ("job.thread is gpu", "one of event-loop"),
            ("lag.max", "expected `<metric> <op> <value>`"),
            ("lag.max < 10% of nothing", "unknown metric `nothing`"),
            (
                "job.span >= 85% of cpu.waves × nothing",
                "unknown metric `nothing`",
            ),
        ] {
            let err = Expect::parse(text).unwrap_err();
            assert!(err.contains(hint), "{text}: {err}");
        }
    }

    #[test]
    fn waves_follow_the_slots_and_the_cores() {
        let given = |jobs, at_once, cores| Given {
            block_ms: 200.0,
            size: at_once,
            jobs,
            cores,
            at_once,
        };
        // Eight CPU jobs on eight threads: as many rounds as the cores need.
        let eight_on = [
            (1.0, 8.0),
            (2.0, 4.0),
            (3.0, 8.0 / 3.0),
            (4.0, 2.0),
            (8.0, 1.0),
        ];
        for (cores, cpu_waves) in eight_on.into_iter().chain([(64.0, 1.0)]) {
            let g = given(8.0, 8.0, cores);
            assert_eq!(g.number(Number::CpuWaves), Some(cpu_waves), "{cores} cores");
            assert_eq!(g.number(Number::Waves), Some(1.0), "sleeps need no core");
        }
        assert_eq!(given(12.0, 4.0, 64.0).number(Number::Waves), Some(3.0));
        assert_eq!(given(3.0, 8.0, 2.0).number(Number::CpuWaves), Some(1.5));
        // A pool smaller than the cores goes in waves: 8 jobs, 2 at a time, 16 cores.
        assert_eq!(given(8.0, 2.0, 16.0).number(Number::CpuWaves), Some(4.0));
    }
}
