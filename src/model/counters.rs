//! Counters per strategy: how many of a set of jobs wait, run, and ended each way. The one
//! derivation the Pools pane, the JSON report and the expectations all read.
use std::time::Duration;

use serde::Serialize;

use super::timeline::JobRecord;
use crate::data::{Outcome, Strategy};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub jobs: usize,
    /// Submitted, not started, not ended.
    pub waiting: usize,
    /// Started, not ended.
    pub running: usize,
    pub ok: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub lost: usize,
    pub abandoned: usize,
    /// Most of these jobs running at the same moment.
    pub peak_running: usize,
}

impl Counters {
    /// Jobs that ended neither ok nor failed: cancelled, lost or abandoned.
    pub fn gone(&self) -> usize {
        self.cancelled + self.lost + self.abandoned
    }

    /// One job, counted where it stands.
    pub fn of_one(j: &JobRecord) -> Counters {
        let mut c = Counters::default();
        count(&mut c, j);
        c
    }

    /// `self` with `gone` taken out and `came` put in (one job moving on).
    pub fn moved(&mut self, gone: &Counters, came: &Counters) {
        let step =
            |now: &mut usize, out: usize, inn: usize| *now = (*now + inn).saturating_sub(out);
        step(&mut self.jobs, gone.jobs, came.jobs);
        step(&mut self.waiting, gone.waiting, came.waiting);
        step(&mut self.running, gone.running, came.running);
        step(&mut self.ok, gone.ok, came.ok);
        step(&mut self.failed, gone.failed, came.failed);
        step(&mut self.cancelled, gone.cancelled, came.cancelled);
        step(&mut self.lost, gone.lost, came.lost);
        step(&mut self.abandoned, gone.abandoned, came.abandoned);
    }
}

fn count(c: &mut Counters, j: &JobRecord) {
    c.jobs += 1;
    match (j.started, j.finished, j.outcome) {
        (None, None, _) => c.waiting += 1,
        (Some(_), None, _) => c.running += 1,
        (_, Some(_), Outcome::Ok) => c.ok += 1,
        (_, Some(_), Outcome::Failed) => c.failed += 1,
        (_, Some(_), Outcome::Cancelled) => c.cancelled += 1,
        (_, Some(_), Outcome::Lost) => c.lost += 1,
        (_, Some(_), Outcome::Abandoned) => c.abandoned += 1,
        (_, Some(_), Outcome::Running) => c.running += 1,
    }
}

/// Counters for each strategy of `jobs`, in the order the strategies first appear, with the
/// most of them running at once.
pub fn per_strategy<'a>(
    jobs: impl IntoIterator<Item = &'a JobRecord>,
) -> Vec<(Strategy, Counters)> {
    // Per strategy: its counters, and the starts (+1) and ends (−1) of its jobs.
    type Edges = Vec<(Duration, i32)>;
    let mut out: Vec<(Strategy, Counters, Edges)> = Vec::new();
    for j in jobs {
        let at = match out.iter().position(|(s, _, _)| *s == j.spec.strategy) {
            Some(i) => i,
            None => {
                out.push((j.spec.strategy, Counters::default(), Vec::new()));
                out.len() - 1
            }
        };
        let (_, c, edges) = &mut out[at];
        count(c, j);
        if let Some(s) = j.started {
            edges.push((s, 1));
            edges.push((j.finished.unwrap_or(Duration::MAX), -1));
        }
    }
    out.into_iter()
        .map(|(s, mut c, mut edges)| {
            // Ends sort before starts at the same instant: back-to-back jobs do not overlap.
            edges.sort();
            let (mut now, mut peak) = (0i32, 0i32);
            for (_, d) in edges {
                now += d;
                peak = peak.max(now);
            }
            c.peak_running = peak as usize;
            (s, c)
        })
        .collect()
}
