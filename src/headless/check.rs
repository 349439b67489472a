//! `blocklab check`: runs every action of the chosen lessons headless and checks each of its
//! expectations against what the lab measured.
use crate::data::{LabConfig, Work};
use crate::lesson::choice::{self, Answer};
use crate::lesson::expect::verdicts;
use crate::lesson::{Action, Lesson};
use crate::report::{LoadStepOut, Report, SizingOut};
use crate::runner::Plan;
use crate::text::T;

#[derive(Clone, Debug)]
pub struct Row {
    pub lesson: String,
    /// The action's key and label.
    pub key: char,
    pub label: String,
    pub expectation: String,
    pub measured: String,
    /// The measured number and its unit, where the metric has one.
    pub value: Option<(f64, &'static str)>,
    pub pass: bool,
    pub skipped: bool,
}

/// Runs one action on `lab` (its lab, with the command line's `--cpus` on top) and checks its
/// expectations; `on_row` sees each row as soon as it is known.
pub fn check_action(
    lesson: &Lesson,
    action: &Action,
    lab: &LabConfig,
    on_row: &mut impl FnMut(&Row),
) -> std::io::Result<(Vec<Row>, Report)> {
    let (report, _) = super::run(Plan::of_action(action, lab.clone()))?;
    let rows: Vec<Row> = action
        .expect
        .iter()
        .zip(verdicts(action, lab, &report))
        .map(|(e, v)| Row {
            lesson: lesson.id.clone(),
            key: action.key,
            label: action.label.to_string(),
            expectation: e.text.clone(),
            measured: v.measured,
            value: v.value,
            pass: v.pass,
            skipped: v.skipped,
        })
        .collect();
    rows.iter().for_each(&mut *on_row);
    Ok((rows, report))
}

/// What `check` found of a lesson's choices: the ones the measurement supports (the claim is
/// that exactly one is: the lesson's answer).
#[derive(Clone, Debug)]
pub struct ChoicesRow {
    pub lesson: String,
    /// Indices of the supported choices.
    pub supported: Vec<usize>,
}

impl ChoicesRow {
    pub fn pass(&self) -> bool {
        self.supported.len() == 1
    }

    /// `b`, `a, c`, or "none".
    pub fn measured(&self) -> String {
        if self.supported.is_empty() {
            return T::CheckChoicesNone.text().to_string();
        }
        let letters: Vec<String> = self
            .supported
            .iter()
            .map(|&i| choice::letter(i).to_string())
            .collect();
        letters.join(", ")
    }
}

/// Checks a lesson's choices on the runs of its actions (key, lab, report); `None` for a
/// lesson without choices.
pub fn check_choices(lesson: &Lesson, runs: &[(char, LabConfig, Report)]) -> Option<ChoicesRow> {
    if lesson.choices.is_empty() {
        return None;
    }
    let verdicts: Vec<Vec<_>> = lesson
        .choices
        .iter()
        .map(|c| {
            let run = runs.iter().rev().find(|(k, _, _)| *k == c.action);
            match (lesson.action(c.action), run) {
                (Some(action), Some((_, lab, report))) => c.verdicts(action, lab, report),
                _ => Vec::new(),
            }
        })
        .collect();
    // A choice whose action did not run is not supported (it has no verdicts, so `supports`
    // would say yes to nothing checked).
    let supported = Answer::of(&verdicts)
        .supported()
        .into_iter()
        .filter(|&i| !verdicts[i].is_empty())
        .collect();
    Some(ChoicesRow {
        lesson: lesson.id.clone(),
        supported,
    })
}

pub fn format_choices(row: &ChoicesRow) -> String {
    format_row([
        &row.lesson,
        T::CheckChoicesAction.text(),
        T::CheckChoicesClaim.text(),
        &row.measured(),
        if row.pass() {
            T::CheckPass.text()
        } else {
            T::CheckFail.text()
        },
    ])
}

/// A load test's steps, one line each, for the check's output.
pub fn format_load(steps: &[LoadStepOut]) -> String {
    let mut out = format!("    {}\n", T::CheckLoadTableHeader);
    for s in steps {
        let held = if s.held { T::Yes } else { T::No };
        out += &format!(
            "    {:>5}   {:>8.0}   {:>7.1}   {:>7.1}   {held}\n",
            s.rate, s.throughput, s.p50_ms, s.p99_ms
        );
    }
    out
}

/// Columns of the sizing table's bar: the sweep's best throughput fills them.
const SIZING_BAR: usize = 20;

/// A sizing sweep's steps, one line each with a bar of its throughput, then the best size
/// against "cores × 2", for the output of `check` and of `run --sweep`.
pub fn format_sizing(work: &Work, lab: &LabConfig, sizing: &SizingOut) -> String {
    let (lo, hi) = (
        sizing.steps.iter().map(|s| s.multiple).min().unwrap_or(0),
        sizing.steps.iter().map(|s| s.multiple).max().unwrap_or(0),
    );
    let x2 = 2 * sizing.cores;
    let title = T::CheckSizingTitle.fill(&[
        (
            "workload",
            &format!("{} {} ms", work.workload.as_str(), work.ms),
        ),
        ("lo", &lo),
        ("hi", &hi),
        ("cores", &lab.describe_cores()),
        ("x2", &x2),
    ]);
    let mut out = format!(
        "    {title}
    {}
",
        T::CheckSizingTableHeader
    );
    for s in &sizing.steps {
        let share = if sizing.best_throughput > 0.0 {
            s.throughput / sizing.best_throughput
        } else {
            0.0
        };
        let bar = "#".repeat((share * SIZING_BAR as f64).round() as usize);
        let best = if s.multiple == sizing.best_multiple {
            "*"
        } else {
            " "
        };
        out += &format!(
            "    {:>5}×   {:>7}   {:>7.1}   {:>6.0} %   {:>10.1}   {:>10.1}   {best}{bar}\n",
            s.multiple,
            s.threads,
            s.throughput,
            share * 100.0,
            s.run_p50_ms,
            s.run_p99_ms,
        );
    }
    let threads = sizing.step(sizing.best_multiple).map_or(0, |s| s.threads);
    let best = T::CheckSizingBest.fill(&[
        ("multiple", &sizing.best_multiple),
        ("threads", &threads),
        ("x2", &x2),
    ]);
    out + &format!("    {best}\n")
}

/// Picks the lessons named in `ids` (all when empty); an unknown id lists the known ones.
pub fn select<'a>(lessons: &'a [Lesson], ids: &[String]) -> Result<Vec<&'a Lesson>, String> {
    if ids.is_empty() {
        return Ok(lessons.iter().collect());
    }
    ids.iter()
        .map(|id| {
            lessons.iter().find(|l| &l.id == id).ok_or_else(|| {
                let known: Vec<_> = lessons.iter().map(|l| l.id.as_str()).collect();
                T::CheckUnknownLesson.fill(&[("id", id), ("known", &known.join(", "))])
            })
        })
        .collect()
}

pub const HEADER: [T; 5] = [
    T::CheckColLesson,
    T::CheckColAction,
    T::CheckColExpectation,
    T::CheckColMeasured,
    T::CheckColResult,
];
pub const WIDTHS: [usize; 4] = [18, 30, 34, 30];

pub fn format_row(cells: [&str; 5]) -> String {
    let mut line = String::new();
    for (cell, width) in cells.iter().zip(WIDTHS) {
        // By display width: a lesson's label in Chinese takes two columns a character.
        line += &crate::text::width::pad(&crate::text::width::cut(cell, width), width);
        line += "  ";
    }
    line + cells[4]
}

pub fn format(row: &Row) -> String {
    format_row([
        &row.lesson,
        &format!("[{}] {}", row.key, row.label),
        &row.expectation,
        &row.measured,
        if row.skipped {
            T::CheckSkip.text()
        } else if row.pass {
            T::CheckPass.text()
        } else {
            T::CheckFail.text()
        },
    ])
}
