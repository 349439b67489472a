//! Where code runs. The lab names every thread it makes; the name alone says what kind of
//! thread it is, so a job's "started on" report, the poll hooks and the views agree on it.
use serde::{Deserialize, Serialize};

use super::config::Flavor;

/// Where a job's code ran, read from the thread's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThreadKind {
    /// The thread that drives the event loop (current-thread) or one of its workers.
    EventLoop,
    /// A worker that handed its queue to another thread to block in place (`block_in_place`).
    HandedOff,
    /// A thread of tokio's blocking pool (`spawn_blocking`).
    BlockingPool,
    /// A thread of a pool blocklab built itself (a `ThreadPoolExecutor`).
    Dedicated,
    /// A thread started for one job and never joined.
    Detached,
    /// A child process.
    Process,
    Other,
}

/// The thread-name prefixes the lab uses, with the kind each stands for (longest first where
/// one is a prefix of another).
const PREFIXES: &[(&str, ThreadKind)] = &[
    (ThreadKind::LOOP_PREFIX, ThreadKind::EventLoop),
    (ThreadKind::WORKER_PREFIX, ThreadKind::EventLoop),
    (ThreadKind::BLOCKING_PREFIX, ThreadKind::BlockingPool),
    (ThreadKind::POOL_PREFIX, ThreadKind::Dedicated),
    (ThreadKind::DETACHED_PREFIX, ThreadKind::Detached),
    (ThreadKind::PROCESS_PREFIX, ThreadKind::Process),
];

impl ThreadKind {
    pub const ALL: [ThreadKind; 7] = [
        ThreadKind::EventLoop,
        ThreadKind::HandedOff,
        ThreadKind::BlockingPool,
        ThreadKind::Dedicated,
        ThreadKind::Detached,
        ThreadKind::Process,
        ThreadKind::Other,
    ];

    /// The current-thread runtime's loop thread.
    pub const LOOP_PREFIX: &'static str = "lab-loop";
    /// A multi-thread runtime's workers: `lab-worker-0`, `lab-worker-1`, …
    pub const WORKER_PREFIX: &'static str = "lab-worker-";
    pub const BLOCKING_PREFIX: &'static str = "lab-blocking-";
    /// blocklab's own pools: `pool-4-0`, `pool-lifespan-1`, `pool-req12-3`.
    pub const POOL_PREFIX: &'static str = "pool-";
    pub const DETACHED_PREFIX: &'static str = "detached-";
    /// A child process, named by its pid: `child-4711`.
    pub const PROCESS_PREFIX: &'static str = "child-";

    pub fn of_name(name: &str) -> ThreadKind {
        PREFIXES
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix))
            .map_or(ThreadKind::Other, |&(_, kind)| kind)
    }

    pub fn of_current_thread() -> (String, ThreadKind) {
        let name = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        let kind = Self::of_name(&name);
        (name, kind)
    }

    /// True for a thread the lab made (its panics are part of the lessons, not crashes).
    pub fn is_lab_thread(name: &str) -> bool {
        Self::of_name(name) != ThreadKind::Other || name.starts_with("lab-")
    }

    /// The name of event-loop thread `i` of a runtime of this flavour.
    pub fn loop_thread(flavor: Flavor, i: usize) -> String {
        match flavor {
            Flavor::CurrentThread => Self::LOOP_PREFIX.to_string(),
            Flavor::MultiThread => format!("{}{i}", Self::WORKER_PREFIX),
        }
    }

    /// The name of the `n`-th thread of tokio's blocking pool.
    pub fn blocking_thread(n: usize) -> String {
        format!("{}{n}", Self::BLOCKING_PREFIX)
    }

    /// The name of a child process's stand-in thread.
    pub fn process(pid: u32) -> String {
        format!("{}{pid}", Self::PROCESS_PREFIX)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ThreadKind::EventLoop => "event-loop",
            ThreadKind::HandedOff => "handed-off",
            ThreadKind::BlockingPool => "blocking-pool",
            ThreadKind::Dedicated => "dedicated",
            ThreadKind::Detached => "detached",
            ThreadKind::Process => "process",
            ThreadKind::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_lab_gives_read_back_as_their_kind() {
        assert_eq!(
            ThreadKind::of_name(&ThreadKind::loop_thread(Flavor::CurrentThread, 0)),
            ThreadKind::EventLoop
        );
        assert_eq!(
            ThreadKind::of_name(&ThreadKind::loop_thread(Flavor::MultiThread, 3)),
            ThreadKind::EventLoop
        );
        assert_eq!(
            ThreadKind::of_name(&ThreadKind::blocking_thread(7)),
            ThreadKind::BlockingPool
        );
        assert_eq!(ThreadKind::of_name("pool-4-1"), ThreadKind::Dedicated);
        assert_eq!(ThreadKind::of_name("detached-9"), ThreadKind::Detached);
        assert_eq!(
            ThreadKind::of_name(&ThreadKind::process(42)),
            ThreadKind::Process
        );
        assert_eq!(ThreadKind::of_name("main"), ThreadKind::Other);
        assert!(ThreadKind::is_lab_thread("lab-main"));
        assert!(!ThreadKind::is_lab_thread("observer"));
    }
}
