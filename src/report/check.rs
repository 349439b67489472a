//! `blocklab check --json`: every verdict of the run, the load and sizing tables `check` prints
//! as text, totals and the lab settings, as one JSON object. Field names are a contract:
//! `check.schema.json` beside this file describes them, and a test holds real output to it.
//! A load step and a sizing sweep are the objects `run --json` has (`schema.json`).
use serde::Serialize;

use super::{LoadStepOut, Report, SizingOut};
use crate::data::LabConfig;
use crate::headless::check::{ChoicesRow, Row};
use crate::lesson::Action;

#[derive(Clone, Debug, Serialize)]
pub struct CheckOut {
    pub lab: CheckLabOut,
    /// The lessons checked, in order.
    pub lessons: Vec<String>,
    /// One per expectation, in the order checked.
    pub verdicts: Vec<VerdictOut>,
    /// Each load test's steps (the text's per-rate table).
    pub load: Vec<LoadTableOut>,
    /// Each sizing sweep's steps (the text's sizing table).
    pub sizing: Vec<SizingTableOut>,
    /// For each lesson with prediction choices: which the measurement supports.
    pub choices: Vec<ChoicesOut>,
    pub totals: TotalsOut,
    /// Lesson files that did not load ("file:line: message"); any makes the check fail.
    pub skipped_files: Vec<String>,
}

/// The settings every action's lab ran with, on top of its lesson's own.
#[derive(Clone, Debug, Serialize)]
pub struct CheckLabOut {
    /// Cores each lab could use.
    pub cores: usize,
    /// `--cpus N`: the labs were pinned to N cores; null when not given.
    pub cpus: Option<usize>,
    pub tokio_unstable: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct VerdictOut {
    pub lesson: String,
    /// The action's key (`"1"`…`"9"`) and label.
    pub action: String,
    pub label: String,
    pub expectation: String,
    /// As the table shows it.
    pub measured: String,
    /// The measured number, where the metric has one, and its unit (`ms` or `count`).
    pub value: Option<f64>,
    pub unit: Option<&'static str>,
    pub result: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not measured in this build (no `tokio_unstable`).
    Skip,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoadTableOut {
    pub lesson: String,
    pub action: String,
    pub steps: Vec<LoadStepOut>,
    /// The highest rate held, with every lower rate held too (0: none).
    pub held_rate: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SizingTableOut {
    pub lesson: String,
    pub action: String,
    pub workload: &'static str,
    pub ms: u64,
    /// The pool "cores × 2" would give, to hold the best size against.
    pub x2_threads: usize,
    pub sizing: SizingOut,
}

/// A lesson's choices against the measurement: the claim is that exactly one is supported.
#[derive(Clone, Debug, Serialize)]
pub struct ChoicesOut {
    pub lesson: String,
    /// The letters (`a`…`d`) of the choices the measurement supports.
    pub supported: Vec<String>,
    pub result: Outcome,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct TotalsOut {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl CheckOut {
    /// An empty check of `lessons` on labs with `cpus` on top (`--cpus`).
    pub fn new(lessons: Vec<String>, cpus: Option<usize>) -> CheckOut {
        let lab = LabConfig {
            cpus,
            ..LabConfig::default()
        };
        CheckOut {
            lab: CheckLabOut {
                cores: lab.cores(),
                cpus,
                tokio_unstable: cfg!(tokio_unstable),
            },
            lessons,
            verdicts: Vec::new(),
            load: Vec::new(),
            sizing: Vec::new(),
            choices: Vec::new(),
            totals: TotalsOut::default(),
            skipped_files: Vec::new(),
        }
    }

    /// A lesson's choices, as `check` found them (a verdict in the totals).
    pub fn add_choices(&mut self, row: &ChoicesRow) {
        let result = if row.pass() {
            self.totals.passed += 1;
            Outcome::Pass
        } else {
            self.totals.failed += 1;
            Outcome::Fail
        };
        self.choices.push(ChoicesOut {
            lesson: row.lesson.clone(),
            supported: row
                .supported
                .iter()
                .map(|&i| crate::lesson::choice::letter(i).to_string())
                .collect(),
            result,
        });
    }

    /// One action's rows and report, as `check` found them.
    pub fn add(&mut self, lesson: &str, action: &Action, rows: &[Row], report: &Report) {
        for row in rows {
            let result = match (row.skipped, row.pass) {
                (true, _) => Outcome::Skip,
                (false, true) => Outcome::Pass,
                (false, false) => Outcome::Fail,
            };
            match result {
                Outcome::Pass => self.totals.passed += 1,
                Outcome::Fail => self.totals.failed += 1,
                Outcome::Skip => self.totals.skipped += 1,
            }
            self.verdicts.push(VerdictOut {
                lesson: row.lesson.clone(),
                action: row.key.to_string(),
                label: row.label.clone(),
                expectation: row.expectation.clone(),
                measured: row.measured.clone(),
                value: row.value.map(|(v, _)| v),
                unit: row.value.map(|(_, u)| u),
                result,
            });
        }
        if let Some(steps) = &report.load {
            self.load.push(LoadTableOut {
                lesson: lesson.to_string(),
                action: action.key.to_string(),
                steps: steps.clone(),
                held_rate: report.load_held_rate,
            });
        }
        if let Some(sizing) = &report.sizing {
            self.sizing.push(SizingTableOut {
                lesson: lesson.to_string(),
                action: action.key.to_string(),
                workload: action.work.workload.as_str(),
                ms: action.work.ms,
                x2_threads: 2 * sizing.cores,
                sizing: sizing.clone(),
            });
        }
    }
}
