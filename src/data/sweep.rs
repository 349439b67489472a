//! A sizing sweep: the same work on a pool of each multiple of the lab's cores in turn (1×,
//! 2×, … the cores), one step at a time, to measure which size the work really wants.
use std::time::Duration;

/// Each step runs this many waves of the largest pool's threads, so every step fills its pool
/// many times over and lasts long enough to measure (about a second for 50 ms of CPU a job),
/// whatever the cores: jobs and threads both grow with them.
pub const WAVES: usize = 5;

/// A step's first jobs — one per thread — are handed out over one job's length in this many
/// slices. Requests reach a server at scattered times; a batch that starts every thread at the
/// same instant keeps their waits and their CPU parts in lockstep (all waiting, then all
/// computing), which wastes the cores half the time and makes a mixed job seem to want ever
/// more threads.
pub const SLICES: u32 = 10;

#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// Pool sizes, as multiples of the lab's cores, in the order they run.
    pub multiples: Vec<u32>,
}

/// One step of a sweep on a given number of cores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepStep {
    pub multiple: u32,
    /// Pool threads: multiple × cores.
    pub size: u32,
    pub jobs: usize,
}

impl Sweep {
    /// The steps on `cores` cores: each the same number of jobs, [`WAVES`] waves of the
    /// largest pool.
    pub fn steps(&self, cores: usize) -> Vec<SweepStep> {
        let largest = self.multiples.iter().copied().max().unwrap_or(1) as usize;
        let jobs = WAVES * largest * cores.max(1);
        self.multiples
            .iter()
            .map(|&multiple| SweepStep {
                multiple,
                size: multiple * cores.max(1) as u32,
                jobs,
            })
            .collect()
    }
}

impl SweepStep {
    /// When the step's jobs are submitted, from its start: (after, jobs), in order. One job per
    /// thread spread over one job's length (`ms`) in [`SLICES`] slices, the rest queued with
    /// the last slice (a thread takes the next one as its job ends).
    pub fn schedule(&self, ms: u64) -> Vec<(Duration, usize)> {
        let (size, slices) = (self.size as usize, SLICES as usize);
        let first = size.min(self.jobs);
        let mut out: Vec<(Duration, usize)> = (0..slices)
            .map(|s| {
                // Rounded up: the first slice always has a job.
                let n = ((s + 1) * first).div_ceil(slices) - (s * first).div_ceil(slices);
                (Duration::from_millis(ms) * s as u32 / SLICES, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        if let Some(last) = out.last_mut() {
            last.1 += self.jobs - first;
        }
        out
    }

    /// How long the step may take before it is overdue: twice the time its jobs need if no
    /// more than the cores run at once, plus five seconds.
    pub fn patience(&self, ms: u64, cores: usize) -> Duration {
        let at_once = (self.size as usize).min(cores.max(1)).max(1);
        Duration::from_millis(2 * ms * self.jobs as u64 / at_once as u64) + Duration::from_secs(5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_grow_with_the_cores_and_keep_the_jobs_equal() {
        let sweep = Sweep {
            multiples: vec![1, 2, 3, 4],
        };
        let steps = sweep.steps(2);
        assert_eq!(
            steps.iter().map(|s| s.size).collect::<Vec<_>>(),
            [2, 4, 6, 8]
        );
        assert!(steps.iter().all(|s| s.jobs == WAVES * 8));
        assert_eq!(sweep.steps(64)[3].size, 256);
        assert_eq!(sweep.steps(64)[0].jobs, WAVES * 256);
    }

    #[test]
    fn a_step_hands_one_job_per_thread_over_one_job_length_then_the_rest() {
        let step = SweepStep {
            multiple: 2,
            size: 4,
            jobs: 40,
        };
        let ms = Duration::from_millis;
        // Four threads: slices 0, 2, 5 and 7 of ten (one job each), the other 36 with the last.
        assert_eq!(
            step.schedule(100),
            vec![(ms(0), 1), (ms(20), 1), (ms(50), 1), (ms(70), 37)]
        );
        let two = SweepStep {
            multiple: 2,
            size: 2,
            jobs: 20,
        };
        assert_eq!(two.schedule(100), vec![(ms(0), 1), (ms(50), 19)]);
        let wide = SweepStep {
            multiple: 4,
            size: 256,
            jobs: 1280,
        };
        let plan = wide.schedule(100);
        assert_eq!(plan.len(), 10);
        assert_eq!(plan.iter().map(|(_, n)| n).sum::<usize>(), 1280);
        assert_eq!(plan[0], (Duration::ZERO, 26));
        let one = SweepStep {
            multiple: 1,
            size: 1,
            jobs: 20,
        };
        assert_eq!(one.schedule(100), vec![(ms(0), 20)]);
    }
}
