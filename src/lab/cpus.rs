//! Pinning the lab to N cores (`--cpus N`): a presenter with 16 cores can show the 2-core
//! picture, and the tests can run the lab on 1 or 2 cores on any machine.
//!
//! Only the lab is pinned — its runtime's threads (workers and the blocking pool, through
//! tokio's `on_thread_start`), blocklab's own pools and detached threads, and the process
//! pool's manager thread, whose children inherit its mask. The observer, the UI and the
//! traffic clients are the instrument and the other users, not the server: they stay free.
use std::sync::OnceLock;

use crate::text::T;

/// The cores a lab may run on: `None` is every core the process may use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CpuSet(Option<Vec<usize>>);

/// The CPUs this process was allowed when blocklab started (before any pinning).
fn allowed() -> &'static [usize] {
    static ALLOWED: OnceLock<Vec<usize>> = OnceLock::new();
    ALLOWED.get_or_init(read_affinity)
}

#[cfg(target_os = "linux")]
fn read_affinity() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; the size passed is its own.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
            return Vec::new();
        }
        (0..libc::CPU_SETSIZE as usize)
            .filter(|&c| libc::CPU_ISSET(c, &set))
            .collect()
    }
}

#[cfg(not(target_os = "linux"))]
fn read_affinity() -> Vec<usize> {
    Vec::new()
}

/// How many cores `--cpus` may ask for here (at least 1).
pub fn max_cpus() -> usize {
    allowed().len().max(1)
}

impl CpuSet {
    /// The first `n` cores blocklab may use, or all of them for `None`.
    pub fn first(n: Option<usize>) -> Result<CpuSet, String> {
        let Some(n) = n else {
            return Ok(CpuSet(None));
        };
        let allowed = allowed();
        if !cfg!(target_os = "linux") || allowed.is_empty() {
            return Err(T::CpusNeedLinux.into());
        }
        if n == 0 || n > allowed.len() {
            return Err(T::CpusTooMany.fill(&[("n", &n), ("max", &allowed.len())]));
        }
        Ok(CpuSet(Some(allowed[..n].to_vec())))
    }

    /// Pins the calling thread (and whatever it starts later) to the set. Best effort: a
    /// failure leaves the thread free and is logged.
    pub fn pin_this_thread(&self) {
        let Some(cpus) = &self.0 else { return };
        #[cfg(target_os = "linux")]
        // SAFETY: the set is built from valid CPU numbers below CPU_SETSIZE; size is its own.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &c in cpus {
                libc::CPU_SET(c, &mut set);
            }
            if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                tracing::warn!(
                    "could not pin a lab thread: {}",
                    std::io::Error::last_os_error()
                );
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = cpus;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pinned_thread_sees_only_its_cores() {
        let set = CpuSet::first(Some(1)).unwrap();
        let seen = std::thread::spawn(move || {
            set.pin_this_thread();
            std::thread::available_parallelism().unwrap().get()
        })
        .join()
        .unwrap();
        assert_eq!(seen, 1);
        let too_many = CpuSet::first(Some(max_cpus() + 1)).unwrap_err();
        assert!(too_many.contains("allowed: 1…"), "{too_many}");
    }
}
