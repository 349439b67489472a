//! A sizing sweep's figures: per pool size, the jobs' throughput and latency, and the best
//! size the sweep found.
use std::time::Duration;

use serde::Serialize;

use crate::clock::ms;
use crate::data::SweepStep;
use crate::model::{JobRecord, Summary};

/// The best size is the smallest whose throughput is at least this share of the sweep's
/// highest. Beyond the size the work needs, throughput is flat and the steps differ only by
/// noise (a few per cent on a busy machine): "the highest" alone would pick a needlessly large
/// pool half the time, while a real shortfall (half the cores idle at 1× for a 50/50 job) is
/// far larger than 5 %.
pub const BEST_SHARE: f64 = 0.95;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizingOut {
    /// The cores the lab could use: the multiples count in them.
    pub cores: usize,
    pub steps: Vec<SizingStepOut>,
    /// The smallest multiple within [`BEST_SHARE`] of the highest throughput (0: no step ran).
    pub best_multiple: u32,
    /// The highest throughput of any step (jobs/s).
    pub best_throughput: f64,
}

/// One pool size of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizingStepOut {
    /// Pool threads as a multiple of the cores.
    pub multiple: u32,
    /// Pool threads.
    pub threads: u32,
    pub jobs: u64,
    /// Jobs that ended ok.
    pub ok: u64,
    /// First submit → last end.
    pub span_ms: f64,
    /// Ended jobs ÷ the span, per second.
    pub throughput: f64,
    /// Submit → end of each job (its wait in the pool's queue included).
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    /// Start → end of each job: how long a job takes once a thread has it.
    pub run_p50_ms: f64,
    pub run_p99_ms: f64,
}

impl SizingOut {
    /// The figures of `steps`, from the run's jobs (a step's jobs are those on its pool size).
    pub fn of(steps: &[SweepStep], jobs: &[&JobRecord], cores: usize) -> SizingOut {
        let steps: Vec<SizingStepOut> = steps
            .iter()
            .map(|step| {
                let mine: Vec<&JobRecord> = jobs
                    .iter()
                    .copied()
                    .filter(|j| j.spec.size == step.size)
                    .collect();
                SizingStepOut::of(step, &mine)
            })
            .collect();
        let best_throughput = steps.iter().map(|s| s.throughput).fold(0.0, f64::max);
        SizingOut {
            cores,
            best_multiple: best_multiple(&steps, best_throughput),
            best_throughput,
            steps,
        }
    }

    /// The step of a multiple.
    pub fn step(&self, multiple: u32) -> Option<&SizingStepOut> {
        self.steps.iter().find(|s| s.multiple == multiple)
    }
}

/// The smallest multiple within [`BEST_SHARE`] of `best` (0 when nothing ran).
fn best_multiple(steps: &[SizingStepOut], best: f64) -> u32 {
    if best <= 0.0 {
        return 0;
    }
    steps
        .iter()
        .filter(|s| s.throughput >= BEST_SHARE * best)
        .map(|s| s.multiple)
        .min()
        .unwrap_or(0)
}

impl SizingStepOut {
    fn of(step: &SweepStep, jobs: &[&JobRecord]) -> SizingStepOut {
        let first = jobs.iter().map(|j| j.submitted).min();
        let ended: Vec<&&JobRecord> = jobs.iter().filter(|j| j.finished.is_some()).collect();
        let last = ended.iter().filter_map(|j| j.finished).max();
        let span = match (first, last) {
            (Some(a), Some(b)) => b.saturating_sub(a),
            _ => Duration::ZERO,
        };
        let latency = Summary::of(
            ended
                .iter()
                .filter_map(|j| Some(j.finished?.saturating_sub(j.submitted))),
        );
        let run = Summary::of(ended.iter().filter_map(|j| j.run_time()));
        SizingStepOut {
            multiple: step.multiple,
            threads: step.size,
            jobs: jobs.len() as u64,
            ok: jobs
                .iter()
                .filter(|j| j.outcome == crate::data::Outcome::Ok)
                .count() as u64,
            span_ms: ms(span),
            // To 0.01 jobs/s: the measurement is not finer than that.
            throughput: if span.is_zero() {
                0.0
            } else {
                (ended.len() as f64 / span.as_secs_f64() * 100.0).round() / 100.0
            },
            latency_p50_ms: ms(latency.p50),
            latency_p99_ms: ms(latency.p99),
            run_p50_ms: ms(run.p50),
            run_p99_ms: ms(run.p99),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(multiple: u32, throughput: f64) -> SizingStepOut {
        SizingStepOut {
            multiple,
            threads: multiple * 2,
            jobs: 40,
            ok: 40,
            span_ms: 1000.0,
            throughput,
            latency_p50_ms: 0.0,
            latency_p99_ms: 0.0,
            run_p50_ms: 0.0,
            run_p99_ms: 0.0,
        }
    }

    #[test]
    fn the_best_is_the_smallest_multiple_within_five_per_cent_of_the_highest() {
        let steps = [step(1, 20.0), step(2, 38.5), step(3, 40.0), step(4, 39.0)];
        assert_eq!(best_multiple(&steps, 40.0), 2);
        let steps = [step(1, 20.0), step(2, 37.0), step(3, 40.0), step(4, 39.0)];
        assert_eq!(best_multiple(&steps, 40.0), 3);
        assert_eq!(best_multiple(&[step(1, 0.0)], 0.0), 0);
    }
}
