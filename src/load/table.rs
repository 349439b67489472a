//! The run as people read it: a table, one row per rate, and the live progress line.
use crate::text::T;
use crate::text::width::width;

use super::{LoadReport, Progress, StepReport};

/// The columns, each with its heading; a row's cells in the same order.
const COLUMNS: [T; 11] = [
    T::LoadColRate,
    T::LoadColSent,
    T::LoadColAnswered,
    T::LoadColErrors,
    T::LoadColTimeouts,
    T::LoadColAchieved,
    T::LoadColP50,
    T::LoadColP90,
    T::LoadColP99,
    T::LoadColMax,
    T::LoadColHeld,
];

/// `s` right-aligned in `columns` display columns.
fn right(s: &str, columns: usize) -> String {
    format!("{}{s}", " ".repeat(columns.saturating_sub(width(s))))
}

/// Milliseconds with the digits that matter: `0.42`, `12.3`, `1840`; `-` for none.
fn ms(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if v < 10.0 => format!("{v:.2}"),
        Some(v) if v < 1000.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.0}"),
    }
}

fn cells(s: &StepReport) -> [String; 11] {
    [
        s.rate.to_string(),
        s.sent.to_string(),
        s.answered.to_string(),
        s.errors.to_string(),
        s.timeouts.to_string(),
        format!("{:.1}", s.achieved_per_s),
        ms(s.p50_ms),
        ms(s.p90_ms),
        ms(s.p99_ms),
        ms(s.max_ms),
        if s.held { T::Yes } else { T::No }.to_string(),
    ]
}

impl LoadReport {
    /// The run as a table, with what it found under it.
    pub fn table(&self) -> String {
        let title = T::LoadTitle.fill(&[
            ("url", &self.url),
            ("seconds", &self.settings.seconds),
            ("connections", &self.settings.connections),
            ("timeout", &self.settings.timeout_ms),
        ]);
        let heads = COLUMNS.map(|c| c.text().to_string());
        let rows: Vec<[String; 11]> = self.steps.iter().map(cells).collect();
        let widths: Vec<usize> = (0..COLUMNS.len())
            .map(|i| {
                rows.iter()
                    .map(|r| width(&r[i]))
                    .chain([width(&heads[i]), 6])
                    .max()
                    .unwrap_or(6)
            })
            .collect();
        let line = |cells: &[String]| {
            let cells: Vec<String> = cells
                .iter()
                .zip(&widths)
                .map(|(c, &w)| right(c, w))
                .collect();
            format!(" {}\n", cells.join("  "))
        };
        let mut out = format!("{title}\n\n");
        out += &line(&heads);
        for row in &rows {
            out += &line(row);
        }
        out.push('\n');
        for s in self.steps.iter().filter(|s| s.errors > 0) {
            let error = s.error.as_deref().unwrap_or_default();
            let text = T::LoadStepErrors.fill(&[
                ("rate", &s.rate),
                ("errors", &s.errors),
                ("error", &error),
            ]);
            out += &format!("{text}\n");
        }
        if self.answered() == 0 {
            let error = self
                .first_error()
                .map_or_else(|| T::LoadNoReplyTimedOut.to_string(), |e| e.to_string());
            let text = T::LoadNoneAnswered.fill(&[("url", &self.url), ("error", &error)]);
            out += &format!("{text}\n");
        }
        let text = match self.held_rate {
            Some(rate) => T::LoadHeldRate.fill(&[("rate", &rate), ("bound", &self.bound_ms)]),
            None => T::LoadHeldNone.fill(&[("bound", &self.bound_ms)]),
        };
        out += &format!("{text}\n");
        out
    }
}

impl Progress {
    /// One line: the step, its rate, its time, what was sent and answered.
    pub fn line(&self) -> String {
        T::LoadProgress.fill(&[
            ("step", &self.step),
            ("steps", &self.steps),
            ("rate", &self.rate),
            ("elapsed", &format!("{:.1}", self.elapsed.as_secs_f64())),
            ("sent", &self.sent),
            ("answered", &self.answered),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::super::{LoadPlan, StepTally, Target};
    use super::*;
    use crate::load::Outcome;
    use std::time::Duration;

    #[test]
    fn the_table_has_a_row_per_rate_and_says_what_it_found() {
        let plan = LoadPlan::default();
        let target = Target::parse("http://127.0.0.1:8000/").unwrap();
        let mut ok = StepTally::new(50, plan.step);
        let mut refused = StepTally::new(100, plan.step);
        for i in 0..50 {
            ok.sent();
            ok.add(Outcome::Answered {
                scheduled: Duration::from_millis(i * 20),
                done: Duration::from_millis(i * 20 + 1),
            });
        }
        refused.sent();
        refused.add(Outcome::Failed("Connection refused (os error 111)".into()));
        let report = LoadReport::new(&target, &plan, vec![ok.finish(), refused.finish()]);
        let table = crate::text::Lang::En.scoped(|| report.table());
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].contains("http://127.0.0.1:8000/"), "{table}");
        assert!(
            lines[2].contains("req/s") && lines[2].contains("held"),
            "{table}"
        );
        assert!(lines[3].trim_start().starts_with("50 "), "{table}");
        assert!(lines[3].trim_end().ends_with("yes"), "{table}");
        assert!(lines[4].trim_end().ends_with("no"), "{table}");
        assert!(table.contains("Connection refused"), "{table}");
        assert!(table.contains("50 req/s"), "{table}");
        // Every row as wide as the heading.
        assert_eq!(width(lines[2]), width(lines[3]), "{table}");
        assert_eq!(width(lines[2]), width(lines[4]), "{table}");
    }
}
