//! What a strategy *is* — its name, its help line, what its size means, the threads it starts,
//! how many jobs it runs at once — as plain data. How it *runs* lives with the runtime, in the
//! lab's strategy registry (`lab::strategy`), which pairs each of these with its code.
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};

use super::config::{DEFAULT_QUEUE_WORKERS, LabConfig, python_executor_threads};

pub struct StrategyInfo {
    /// The name on the command line, in lesson files and in the JSON report.
    pub name: &'static str,
    /// One line for `blocklab run --help`.
    pub help: &'static str,
    /// What `size` means for it, and the default; `None` when it takes no size.
    pub size: Option<Size>,
    /// Threads one job starts for itself, which the lab's admission bounds.
    pub own_threads: OwnThreads,
    /// How many jobs of one batch can run their workload at the same time.
    pub at_once: AtOnce,
    /// Its jobs outlive their lab: kept in the queue file, a stopped lab's unfinished jobs
    /// wait there for the next lab's workers instead of being lost.
    pub durable: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Size {
    /// "pool threads", "permits", "child processes", "slice ms".
    pub means: &'static str,
    pub default: SizeDefault,
}

#[derive(Clone, Copy, Debug)]
pub enum SizeDefault {
    Fixed(u32),
    /// Python's default executor on the lab's cores: `min(32, cores + 4)`.
    PythonExecutor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnThreads {
    None,
    /// One thread per job (a detached thread).
    One,
    /// `size` threads per job (a pool built per request).
    Size,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtOnce {
    /// On the event loop: one job per loop thread.
    LoopThreads,
    /// tokio's blocking pool: up to `max_blocking_threads`.
    BlockingPool,
    /// The strategy's own size (pool threads, permits, children).
    Size,
    /// The lab's lifespan pool.
    LifespanPool,
    /// One after another.
    One,
    /// Every job on a thread of its own.
    Unbounded,
    /// The lab's queue workers.
    QueueWorkers,
}

impl StrategyInfo {
    /// The size a job really uses: the one asked for, or the default (0 when it takes none).
    pub fn size_for(&self, asked: u32, lab: &LabConfig) -> u32 {
        match self.size {
            None => 0,
            Some(_) if asked > 0 => asked,
            Some(Size {
                default: SizeDefault::Fixed(n),
                ..
            }) => n,
            Some(Size {
                default: SizeDefault::PythonExecutor,
                ..
            }) => python_executor_threads(lab.cores()) as u32,
        }
    }

    /// Threads one job of this size starts for itself.
    pub fn own_threads(&self, size: u32) -> usize {
        match self.own_threads {
            OwnThreads::None => 0,
            OwnThreads::One => 1,
            OwnThreads::Size => size as usize,
        }
    }

    /// How many of `jobs` jobs of this size can run their workload at once on `lab`.
    pub fn at_once(&self, jobs: usize, size: u32, lab: &LabConfig) -> usize {
        let cap = match self.at_once {
            AtOnce::LoopThreads => lab.loop_threads(),
            AtOnce::BlockingPool => lab.max_blocking_threads,
            AtOnce::Size => size as usize,
            AtOnce::LifespanPool => lab.lifespan_pool,
            AtOnce::One => 1,
            AtOnce::Unbounded => jobs,
            AtOnce::QueueWorkers => lab.queue_workers.unwrap_or(DEFAULT_QUEUE_WORKERS),
        };
        cap.clamp(1, jobs.max(1))
    }
}

/// A strategy, as the plain data that names it. Two are equal when their names are.
#[derive(Clone, Copy)]
pub struct Strategy(&'static StrategyInfo);

impl Strategy {
    pub const fn of(info: &'static StrategyInfo) -> Strategy {
        Strategy(info)
    }

    pub fn info(self) -> &'static StrategyInfo {
        self.0
    }

    pub fn as_str(self) -> &'static str {
        self.0.name
    }
}

impl PartialEq for Strategy {
    fn eq(&self, other: &Self) -> bool {
        // The registry's entries are one each: the same address is the same strategy.
        std::ptr::eq(self.0, other.0) || self.0.name == other.0.name
    }
}

impl Eq for Strategy {}

impl Hash for Strategy {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl fmt::Debug for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl Serialize for Strategy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

/// A stand-in strategy of this name for unit tests of the parts that only read strategies as
/// data (the model, the report, the views); the real ones live in `lab::strategy`.
#[cfg(test)]
pub fn fake(name: &'static str) -> Strategy {
    Strategy::of(Box::leak(Box::new(StrategyInfo {
        name,
        help: "",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::Unbounded,
        durable: false,
    })))
}

/// A stand-in durable strategy of this name (its jobs outlive their lab), for unit tests.
#[cfg(test)]
pub fn fake_durable(name: &'static str) -> Strategy {
    Strategy::of(Box::leak(Box::new(StrategyInfo {
        name,
        help: "",
        size: None,
        own_threads: OwnThreads::None,
        at_once: AtOnce::QueueWorkers,
        durable: true,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    static POOL: StrategyInfo = StrategyInfo {
        name: "pool",
        help: "",
        size: Some(Size {
            means: "pool threads",
            default: SizeDefault::PythonExecutor,
        }),
        own_threads: OwnThreads::None,
        at_once: AtOnce::Size,
        durable: false,
    };

    #[test]
    fn the_default_size_follows_the_labs_cores() {
        let on = |cpus| LabConfig {
            cpus: Some(cpus),
            ..LabConfig::default()
        };
        assert_eq!(POOL.size_for(0, &on(2)), 6);
        assert_eq!(POOL.size_for(0, &on(16)), 20);
        assert_eq!(POOL.size_for(3, &on(16)), 3);
        assert_eq!(POOL.at_once(8, 3, &on(1)), 3);
        assert_eq!(POOL.at_once(2, 3, &on(1)), 2, "never more than the jobs");
    }
}
