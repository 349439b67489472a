//! CPU time, read from Linux's `/proc`: per thread of this process (by name), and for the
//! whole machine (how much went to other processes, how much the hypervisor stole).
use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

/// CPU time of each of this process's threads, by thread name.
#[derive(Clone, Debug, Default)]
pub struct ThreadTimes(HashMap<String, Duration>);

impl ThreadTimes {
    /// Now. Threads of one name add up (tokio's blocking threads, say).
    pub fn read() -> ThreadTimes {
        let mut times = HashMap::new();
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return ThreadTimes(times);
        };
        for task in tasks.flatten() {
            let dir = task.path();
            let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            // schedstat's first field: nanoseconds on a CPU (finer than stat's ticks).
            let ns = std::fs::read_to_string(dir.join("schedstat"))
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
            if let Some(ns) = ns {
                *times.entry(name.trim().to_string()).or_default() += Duration::from_nanos(ns);
            }
        }
        ThreadTimes(times)
    }

    /// What each thread spent since `before` (threads that ended meanwhile are not counted).
    pub fn since(&self, before: &ThreadTimes) -> ThreadTimes {
        let spent = self
            .0
            .iter()
            .map(|(name, now)| {
                let then = before.0.get(name).copied().unwrap_or_default();
                (name.clone(), now.saturating_sub(then))
            })
            .collect();
        ThreadTimes(spent)
    }

    /// The time of the threads named `name`, or whose name starts with it.
    pub fn of(&self, name: &str) -> Duration {
        self.0
            .iter()
            .filter(|(n, _)| n.starts_with(name))
            .map(|(_, d)| *d)
            .sum()
    }

    pub fn total(&self) -> Duration {
        self.0.values().sum()
    }
}

/// How the whole machine was used over a stretch of time.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MachineLoad {
    /// Of all CPU time, the share other processes used.
    pub others_pct: f64,
    /// Of all CPU time, the share the hypervisor gave to other guests.
    pub steal_pct: f64,
    /// The counters behind it: (busy, steal, total) in ticks, and this process's ticks.
    #[serde(skip)]
    ticks: (u64, u64, u64, u64),
}

/// The machine's counters now.
pub fn machine() -> MachineLoad {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let at = |i: usize| fields.get(i).copied().unwrap_or(0);
    // user nice system idle iowait irq softirq steal …
    let busy = at(0) + at(1) + at(2) + at(5) + at(6);
    let total = busy + at(3) + at(4) + at(7);
    let own = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised name: utime is the 14th field, stime the 15th.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<u64> = rest
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            Some(f.get(10)? + f.get(11)?)
        })
        .unwrap_or(0);
    MachineLoad {
        others_pct: 0.0,
        steal_pct: 0.0,
        ticks: (busy, at(7), total, own),
    }
}

impl MachineLoad {
    /// The load between `before` and now (`self`).
    pub fn since(&self, before: &MachineLoad) -> MachineLoad {
        let (b1, s1, t1, o1) = self.ticks;
        let (b0, s0, t0, o0) = before.ticks;
        let total = t1.saturating_sub(t0).max(1) as f64;
        let others = b1.saturating_sub(b0).saturating_sub(o1.saturating_sub(o0));
        MachineLoad {
            others_pct: 100.0 * others as f64 / total,
            steal_pct: 100.0 * s1.saturating_sub(s0) as f64 / total,
            ticks: self.ticks,
        }
    }
}
