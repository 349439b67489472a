//! Workloads: the kinds of "work" a job does. What each does when run is the lab's business
//! (`lab::workload`); here is only what it is.
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Workload {
    /// A blocking sleep (stands for synchronous I/O).
    Sleep,
    /// CPU-bound work calibrated to about N ms.
    Cpu,
    /// A non-blocking `tokio::time::sleep` (awaited).
    Async,
    /// A blocking sleep that then fails: a panic in a thread, a crash in a child process.
    Panic,
    /// A real SQLite query (a recursive CTE) sized to take about N ms: what a sync database
    /// driver runs on the calling thread.
    Query,
    /// Half a blocking wait, then half calibrated CPU work: a request that waits on I/O and
    /// then computes (what pool sizing rules are about).
    Mixed,
}

impl Workload {
    pub const ALL: [Workload; 6] = [
        Workload::Sleep,
        Workload::Cpu,
        Workload::Async,
        Workload::Panic,
        Workload::Query,
        Workload::Mixed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Workload::Sleep => "sleep",
            Workload::Cpu => "cpu",
            Workload::Async => "async",
            Workload::Panic => "panic",
            Workload::Query => "query",
            Workload::Mixed => "mixed",
        }
    }

    /// One line for `--help`.
    pub fn help(self) -> &'static str {
        match self {
            Workload::Sleep => "a blocking sleep (stands for synchronous I/O)",
            Workload::Cpu => "CPU-bound work calibrated to about N ms",
            Workload::Async => "a non-blocking tokio::time::sleep (awaited)",
            Workload::Panic => "a blocking sleep that then fails (a panic, a crashed child)",
            Workload::Query => "a real SQLite query (a recursive CTE) sized to about N ms",
            Workload::Mixed => "a blocking wait for half of N ms, then CPU work for the other half",
        }
    }

    /// True when running it on a thread keeps that thread from doing anything else.
    pub fn blocks_thread(self) -> bool {
        !matches!(self, Workload::Async)
    }

    /// The blocking wait and the CPU work (in ms) that make up `ms` of this workload: half
    /// each for `mixed`; all of one or the other otherwise.
    pub fn split(self, ms: u64) -> (u64, u64) {
        match self {
            Workload::Mixed => (ms / 2, ms - ms / 2),
            Workload::Cpu | Workload::Query => (0, ms),
            Workload::Sleep | Workload::Async | Workload::Panic => (ms, 0),
        }
    }
}

super::config::words!(Workload, crate::text::T::WordWorkload);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_allowed_ones() {
        for w in Workload::ALL {
            assert_eq!(w.as_str().parse::<Workload>().unwrap(), w);
        }
        let err = "disk".parse::<Workload>().unwrap_err();
        assert!(
            err.contains("sleep, cpu, async, panic, query, mixed"),
            "{err}"
        );
    }

    #[test]
    fn mixed_work_is_half_a_wait_and_half_cpu() {
        assert_eq!(Workload::Mixed.split(100), (50, 50));
        assert_eq!(Workload::Mixed.split(101), (50, 51));
        assert_eq!(Workload::Cpu.split(100), (0, 100));
        assert_eq!(Workload::Sleep.split(100), (100, 0));
    }
}
