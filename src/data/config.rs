//! How a lab is set up: runtime flavour, workers, pool caps, traffic, and the cores it may use.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::text::T;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flavor {
    /// One event loop on one thread: the asyncio / uvicorn situation.
    CurrentThread,
    /// N worker threads sharing the tasks.
    MultiThread,
}

impl Flavor {
    pub const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread];

    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::CurrentThread => "current-thread",
            Flavor::MultiThread => "multi-thread",
        }
    }
}

/// What a stopping lab does with its lifespan pool's work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shutdown {
    /// Close the queue and wait (bounded) for queued and running work to finish.
    Graceful,
    /// Drop the queued work (it is cancelled); running work is abandoned.
    Abrupt,
    /// Do nothing: the pool and its work are simply left behind.
    None,
}

impl Shutdown {
    pub const ALL: [Shutdown; 3] = [Shutdown::Graceful, Shutdown::Abrupt, Shutdown::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Shutdown::Graceful => "graceful",
            Shutdown::Abrupt => "abrupt",
            Shutdown::None => "none",
        }
    }
}

/// `FromStr` for the small closed vocabularies: an unknown word lists the allowed ones.
macro_rules! words {
    ($ty:ty, $what:expr) => {
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| {
                        let allowed: Vec<_> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        $crate::text::T::UnknownWord.fill(&[
                            ("what", &$what.text()),
                            ("value", &s),
                            ("allowed", &allowed.join(", ")),
                        ])
                    })
            }
        }
    };
}
pub(crate) use words;

words!(Flavor, crate::text::T::WordRuntime);
words!(Shutdown, crate::text::T::WordShutdown);

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabConfig {
    pub flavor: Flavor,
    /// Worker threads (multi-thread only; a current-thread runtime has one loop).
    pub workers: usize,
    pub max_blocking_threads: usize,
    /// Background requests per second.
    pub traffic_rate: u32,
    /// The async wait inside each background request.
    pub request_ms: u64,
    /// Threads of the pool built at start-up and shut down with the lab (0: none).
    pub lifespan_pool: usize,
    /// What the lab does with the lifespan pool's work when it stops.
    pub shutdown: Shutdown,
    /// Pin the lab (its runtime, pools, threads and children) to this many cores; `None`:
    /// every core blocklab may use.
    pub cpus: Option<usize>,
    /// The poll hooks report every single poll at least this long (with its task).
    pub long_poll: Duration,
    /// Durable-queue workers started with the lab (they resume the jobs left in the queue
    /// file at once); `None`: [`DEFAULT_QUEUE_WORKERS`] when the first durable job comes.
    pub queue_workers: Option<usize>,
}

impl Default for LabConfig {
    fn default() -> Self {
        Self {
            flavor: Flavor::CurrentThread,
            workers: 2,
            max_blocking_threads: TOKIO_MAX_BLOCKING,
            traffic_rate: 100,
            request_ms: 1,
            lifespan_pool: 0,
            shutdown: Shutdown::Graceful,
            cpus: None,
            long_poll: Duration::from_millis(1),
            queue_workers: None,
        }
    }
}

/// Durable-queue workers a lab starts with its first durable job, when its configuration
/// names none.
pub const DEFAULT_QUEUE_WORKERS: usize = 2;

/// tokio's default cap on its blocking pool.
pub const TOKIO_MAX_BLOCKING: usize = 512;
/// anyio's default thread limiter (FastAPI's `def` routes and `run_in_threadpool`).
pub const ANYIO_TOKENS: usize = 40;

/// The threads of Python's default executor (`ThreadPoolExecutor()` with no size,
/// `asyncio.to_thread`, `run_in_executor(None, …)`) on a machine with `cores` cores.
pub fn python_executor_threads(cores: usize) -> usize {
    (cores + 4).min(32)
}

/// Cores this process may use: what `available_parallelism` reports, which follows CPU
/// affinity and cgroup quotas (1 when it cannot tell). Read once: it reads cgroup files, and
/// the screen asks on every frame.
pub fn machine_cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

impl LabConfig {
    /// Event-loop threads: 1 on current-thread, N on multi-thread.
    pub fn loop_threads(&self) -> usize {
        match self.flavor {
            Flavor::CurrentThread => 1,
            Flavor::MultiThread => self.workers,
        }
    }

    /// Cores the lab may use: `--cpus N`, else the whole machine's.
    pub fn cores(&self) -> usize {
        self.cpus.unwrap_or_else(machine_cores).max(1)
    }

    /// "2 cores", "1 core (pinned)".
    pub fn describe_cores(&self) -> String {
        let n = self.cores();
        let text = match (n, self.cpus) {
            (1, Some(_)) => T::CoresOnePinned,
            (_, Some(_)) => T::CoresManyPinned,
            (1, None) => T::CoresOne,
            (_, None) => T::CoresMany,
        };
        text.fill(&[("n", &n)])
    }

    pub fn describe(&self) -> String {
        match self.flavor {
            Flavor::CurrentThread => "current-thread".to_string(),
            Flavor::MultiThread => format!("multi-thread ×{}", self.workers),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_unknown_ones_list_the_allowed() {
        for f in Flavor::ALL {
            assert_eq!(f.as_str().parse::<Flavor>().unwrap(), f);
        }
        let e = "abrupty".parse::<Shutdown>().unwrap_err();
        assert_eq!(
            e,
            "unknown shutdown `abrupty` (allowed: graceful, abrupt, none)"
        );
    }

    #[test]
    fn python_default_executor_follows_the_cores() {
        assert_eq!(python_executor_threads(1), 5);
        assert_eq!(python_executor_threads(2), 6);
        assert_eq!(python_executor_threads(16), 20);
        assert_eq!(python_executor_threads(64), 32);
    }

    #[test]
    fn pinned_cores_override_the_machine() {
        let lab = LabConfig {
            cpus: Some(3),
            ..LabConfig::default()
        };
        assert_eq!(lab.cores(), 3);
        assert_eq!(LabConfig::default().cores(), machine_cores());
    }
}
