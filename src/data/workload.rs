//! Workloads: the kinds of "work" a job does. What each does when run is the lab's business
//! (`lab::workload`); here is only what it is.
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
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
}

impl Workload {
    pub const ALL: [Workload; 5] = [
        Workload::Sleep,
        Workload::Cpu,
        Workload::Async,
        Workload::Panic,
        Workload::Query,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Workload::Sleep => "sleep",
            Workload::Cpu => "cpu",
            Workload::Async => "async",
            Workload::Panic => "panic",
            Workload::Query => "query",
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
        }
    }

    /// True when running it on a thread keeps that thread from doing anything else.
    pub fn blocks_thread(self) -> bool {
        !matches!(self, Workload::Async)
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
        assert!(err.contains("sleep, cpu, async, panic, query"), "{err}");
    }
}
