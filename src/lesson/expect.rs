//! Expectations: the claims a lesson makes, written so the lab can check them.
//!
//! Grammar (one per string, see `lessons/README.md`):
//!
//! ```text
//! <metric> <op> <value>
//!   op     : <  <=  >  >=  ==  within  is
//!   value  : 5 ms | 2 s | 3 | 90% of block | 10% of job.run | blocking-pool | this | ok
//! ```
//! `within X% of Y` holds when |metric − Y| ≤ X % of Y. `block` is the action's `ms`.
use std::fmt;

use crate::lab::job::Outcome;
use crate::report::Report;

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
    /// First submit → last finish.
    JobTotal,
    /// Most jobs of the action running at once.
    JobConcurrency,
    /// The action's `ms` parameter.
    Block,
    /// The action's `size` parameter (pool threads, permits, chunk ms).
    Size,
    /// The longest time from submit to the handler's reply.
    JobReply,
    /// Threads of blocklab's own pools alive at the peak.
    ThreadsMax,
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
    /// The longest single poll the poll hooks saw (any worker).
    LongPollMax,
    /// Threads of tokio's blocking pool at the peak.
    BlockingThreadsMax,
    /// The highest request rate a load test held (req/s).
    LoadHeldRate,
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

const NUMBERS: &[(&str, Number, bool)] = &[
    // (name, metric, is a time)
    ("lag.max", Number::LagMax, true),
    ("lag.p99", Number::LagP99, true),
    ("lag.p50", Number::LagP50, true),
    ("requests.max", Number::RequestsMax, true),
    ("requests.p99", Number::RequestsP99, true),
    ("requests.p50", Number::RequestsP50, true),
    ("baseline.lag.p99", Number::BaselineLagP99, true),
    ("stalls", Number::Stalls, false),
    ("stall.max", Number::StallMax, true),
    ("job.run", Number::JobRun, true),
    ("job.wait", Number::JobWait, true),
    ("job.cpu", Number::JobCpu, true),
    ("job.total", Number::JobTotal, true),
    ("job.concurrency", Number::JobConcurrency, false),
    ("block", Number::Block, true),
    ("size", Number::Size, false),
    ("job.reply", Number::JobReply, true),
    ("threads.max", Number::ThreadsMax, false),
    ("children.busy.max", Number::ChildrenBusyMax, false),
    ("last.wait", Number::LastWait, true),
    ("last.run", Number::LastRun, true),
    ("jobs.ok", Number::JobsOk, false),
    ("jobs.failed", Number::JobsFailed, false),
    ("jobs.lost", Number::JobsLost, false),
    ("jobs.cancelled", Number::JobsCancelled, false),
    ("jobs.abandoned", Number::JobsAbandoned, false),
    ("jobs.running", Number::JobsRunning, false),
    ("long_poll.max", Number::LongPollMax, true),
    ("blocking.threads.max", Number::BlockingThreadsMax, false),
    ("load.held_rate", Number::LoadHeldRate, false),
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
    /// A fraction of another metric.
    Share(f64, Number),
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
    pub pass: bool,
    /// Not checked: this build cannot measure it (no `tokio_unstable`).
    pub skipped: bool,
}

impl Verdict {
    fn of(measured: String, pass: bool) -> Verdict {
        Verdict {
            measured,
            pass,
            skipped: false,
        }
    }

    fn skipped() -> Verdict {
        Verdict {
            measured: crate::report::NOT_UNSTABLE.into(),
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

fn number(name: &str) -> Option<(Number, bool)> {
    NUMBERS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, m, t)| (m, t))
}

fn number_name(m: Number) -> &'static str {
    NUMBERS
        .iter()
        .find(|(_, x, _)| *x == m)
        .map(|(n, _, _)| *n)
        .unwrap_or("?")
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
            return Err(format!(
                "`{text}`: expected `<metric> <op> <value>`, e.g. `lag.max < 5 ms`"
            ));
        };
        if let Some(&(_, word_metric, allowed)) = WORDS.iter().find(|(n, _, _)| n == metric) {
            let [word] = rest else {
                return Err(format!("`{text}`: `{metric} is` takes one word"));
            };
            if *op != "is" {
                return Err(format!("`{text}`: `{metric}` is compared with `is`"));
            }
            if !allowed.contains(word) {
                return Err(format!(
                    "`{text}`: `{metric}` is one of {}",
                    allowed.join(", ")
                ));
            }
            return Ok(Expect {
                text: text.into(),
                rule: Expectation::Is {
                    metric: word_metric,
                    word: word.to_string(),
                },
            });
        }
        let Some((metric, is_time)) = number(metric) else {
            return Err(format!(
                "`{text}`: unknown metric `{metric}` (known: {})",
                known()
            ));
        };
        let op = match *op {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "==" => Op::Eq,
            "within" => Op::Within,
            other => {
                return Err(format!(
                    "`{text}`: unknown operator `{other}` (known: < <= > >= == within is)"
                ));
            }
        };
        let value = parse_value(rest, is_time).map_err(|e| format!("`{text}`: {e}"))?;
        if op == Op::Within && !matches!(value, Value::Share(..)) {
            return Err(format!("`{text}`: `within` takes `N% of <metric>`"));
        }
        Ok(Expect {
            text: text.into(),
            rule: Expectation::Compare { metric, op, value },
        })
    }

    /// Checks it against a report of the action's run.
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
                    Value::Share(share, of) if *op == Op::Within => {
                        (facts.number(*of), share * facts.number(*of))
                    }
                    Value::Share(share, of) => (share * facts.number(*of), 0.0),
                };
                let pass = match op {
                    Op::Lt => m < target,
                    Op::Le => m <= target,
                    Op::Gt => m > target,
                    Op::Ge => m >= target,
                    Op::Eq => (m - target).abs() < 1e-9,
                    Op::Within => (m - target).abs() <= tolerance,
                };
                let is_time = NUMBERS.iter().any(|(_, x, t)| x == metric && *t);
                let mut measured = if is_time {
                    format!("{m:.1} ms")
                } else {
                    format!("{m}")
                };
                if let Value::Share(_, of) = value {
                    let reference = facts.number(*of);
                    measured += &format!(
                        " ({:.0}% of {})",
                        100.0 * m / reference.max(1e-9),
                        number_name(*of)
                    );
                }
                Verdict::of(measured, pass)
            }
        }
    }
}

fn parse_value(tokens: &[&str], is_time: bool) -> Result<Value, String> {
    let number = |s: &str| {
        s.parse::<f64>()
            .map_err(|_| format!("`{s}` is not a number"))
    };
    match tokens {
        [share, "of", reference] if share.ends_with('%') => {
            let share = number(share.trim_end_matches('%'))? / 100.0;
            let (of, _) = self::number(reference)
                .ok_or_else(|| format!("unknown metric `{reference}` after `of`"))?;
            Ok(Value::Share(share, of))
        }
        [v, unit] if is_time => {
            let v = number(v)?;
            match *unit {
                "ms" => Ok(Value::Fixed(v)),
                "s" => Ok(Value::Fixed(v * 1000.0)),
                other => Err(format!("unknown unit `{other}` (ms or s)")),
            }
        }
        [v] if is_time => Err(format!("`{v}` needs a unit (`{v} ms`)")),
        [v] => Ok(Value::Fixed(number(v)?)),
        _ => Err("expected a value such as `5 ms`, `3` or `90% of block`".into()),
    }
}

/// The measured facts of one action's run that expectations are checked against.
pub struct Facts<'a> {
    pub report: &'a Report,
    /// The action's `ms`.
    pub block_ms: f64,
    /// The action's `size`.
    pub size: f64,
}

impl<'a> Facts<'a> {
    pub fn of(report: &'a Report, action: &crate::lesson::Action) -> Facts<'a> {
        Facts {
            report,
            block_ms: action.work.ms as f64,
            size: f64::from(action.work.size),
        }
    }

    pub fn number(&self, metric: Number) -> f64 {
        let r = self.report;
        let jobs = &r.jobs;
        let max_of = |f: fn(&crate::report::JobOut) -> Option<f64>| {
            jobs.iter().filter_map(f).fold(0.0, f64::max)
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
            Number::JobTotal => {
                let first = jobs
                    .iter()
                    .map(|j| j.submitted_ms)
                    .fold(f64::INFINITY, f64::min);
                let last = max_of(|j| j.finished_ms);
                if jobs.is_empty() { 0.0 } else { last - first }
            }
            Number::JobConcurrency => r
                .pools
                .offload
                .values()
                .map(|o| o.peak_running)
                .max()
                .unwrap_or(0) as f64,
            Number::Block => self.block_ms,
            Number::Size => self.size,
            Number::JobReply => max_of(|j| j.reply_ms),
            Number::ThreadsMax => r.pools.dedicated.threads_max as f64,
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
            Number::BlockingThreadsMax => r
                .pools
                .blocking
                .as_ref()
                .map_or(0.0, |b| b.threads_max as f64),
            Number::LoadHeldRate => f64::from(r.load_held_rate.unwrap_or(0)),
            Number::LongPollMax => r
                .long_polls
                .iter()
                .flatten()
                .map(|p| p.duration_ms)
                .fold(0.0, f64::max),
        }
    }

    /// False for metrics this build cannot see (poll hooks and the blocking pool's gauges need
    /// `tokio_unstable`).
    fn can_measure(&self, rule: &Expectation) -> bool {
        let hooks = self.report.long_polls.is_some();
        let blocking = self.report.pools.blocking.is_some();
        match rule {
            Expectation::Is {
                metric: Word::LongPollJob,
                ..
            } => hooks,
            Expectation::Compare {
                metric: Number::LongPollMax,
                ..
            } => hooks,
            Expectation::Compare {
                metric: Number::BlockingThreadsMax,
                ..
            } => blocking,
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
                value: Value::Share(0.9, Number::Block)
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
        ] {
            let err = Expect::parse(text).unwrap_err();
            assert!(err.contains(hint), "{text}: {err}");
        }
    }
}
