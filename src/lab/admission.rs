//! The lab's front door. A held-down action key, a soak run or a typo in `--jobs` must not take
//! the machine with it, so the lab bounds the jobs in flight and the threads blocklab itself
//! starts for them (detached threads, a pool per request). Like a server's backlog: past the
//! bound a job is refused at once, and says why. tokio's own blocking pool has its own cap
//! (`max_blocking_threads`); work beyond it waits in tokio's queue, which the Pools pane shows.
use std::collections::HashMap;
use std::sync::Mutex;

use crate::data::JobId;
use crate::text::T;

/// Jobs submitted and not yet ended, per lab.
pub const MAX_IN_FLIGHT: usize = 10_000;
/// Threads blocklab starts for jobs in flight (not counting the lab's long-lived pools).
pub const MAX_OWN_THREADS: usize = 2_048;

#[derive(Debug, Default)]
pub struct Admission {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Each job in flight, with the threads it may start.
    jobs: HashMap<JobId, usize>,
    threads: usize,
    refused: u64,
}

impl Admission {
    /// Lets the job in (it will start `threads` threads of its own), or says why not.
    pub fn admit(&self, job: JobId, threads: usize) -> Result<(), String> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let refusal = if inner.jobs.len() >= MAX_IN_FLIGHT {
            Some(T::JobRefusedInFlight.fill(&[("max", &MAX_IN_FLIGHT)]))
        } else if threads > 0 && inner.threads + threads > MAX_OWN_THREADS {
            Some(T::JobRefusedThreads.fill(&[("n", &inner.threads), ("cap", &MAX_OWN_THREADS)]))
        } else {
            None
        };
        if let Some(why) = refusal {
            inner.refused += 1;
            return Err(why);
        }
        inner.threads += threads;
        inner.jobs.insert(job, threads);
        Ok(())
    }

    /// The job's threads outlive it (a pool kept past its request, the leak lesson): they
    /// stay counted against the bound after the job ends, until the lab goes.
    pub fn keep_threads(&self, job: JobId) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(threads) = inner.jobs.get_mut(&job) {
            *threads = 0; // `release` gives nothing back; `inner.threads` keeps them
        }
    }

    /// The job ended (a second report of the same end is ignored).
    pub fn release(&self, job: JobId) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(threads) = inner.jobs.remove(&job) {
            inner.threads -= threads;
        }
    }

    pub fn in_flight(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.jobs.len())
    }

    pub fn refused(&self) -> u64 {
        self.inner.lock().map_or(0, |i| i.refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_threads_stay_counted_after_their_job_ends() {
        let a = Admission::default();
        a.admit(1, MAX_OWN_THREADS - 4).unwrap();
        a.keep_threads(1);
        a.release(1);
        let why = a.admit(2, 8).unwrap_err();
        assert!(why.contains(&MAX_OWN_THREADS.to_string()), "{why}");
        a.admit(3, 4).unwrap();
    }

    #[test]
    fn jobs_past_the_bound_are_refused_until_others_end() {
        let a = Admission::default();
        for id in 0..MAX_IN_FLIGHT as u64 {
            a.admit(id, 0).unwrap();
        }
        let why = a.admit(u64::MAX, 0).unwrap_err();
        assert!(why.contains("10000 jobs in flight"), "{why}");
        a.release(0);
        a.release(0); // twice: counted once
        assert_eq!(a.in_flight(), MAX_IN_FLIGHT - 1);
        a.admit(u64::MAX, 0).unwrap();
        assert_eq!(a.refused(), 1);
    }

    #[test]
    fn threads_of_our_own_are_bounded_too() {
        let a = Admission::default();
        for id in 0..(MAX_OWN_THREADS / 64) as u64 {
            a.admit(id, 64).unwrap();
        }
        assert!(a.admit(999, 64).unwrap_err().contains("cap 2048"));
        // Work that starts no thread of ours still gets in.
        a.admit(1000, 0).unwrap();
        a.release(0);
        a.admit(999, 64).unwrap();
    }
}
