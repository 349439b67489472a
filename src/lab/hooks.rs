//! Poll hooks: a per-worker "poll in progress since" slot, so the observer can see — live, from
//! its own thread — which task holds a worker and for how long, on either runtime flavour.
//!
//! Under a poll-heavy load the hooks run a million times a second, so they do as little as they
//! can: read the CPU's counter in its own ticks (scaled to time only when someone looks), store
//! two atomics in a slot only this thread writes, and compare a difference of ticks with the
//! long-poll threshold; only a long poll takes the slow, logging path.
//! Installing them needs `--cfg tokio_unstable`; the rest of this file builds either way.
use std::cell::Cell;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::clock::{self, Clock};
use crate::data::{LongPoll, WorkerPoll};

/// Enough slots for any worker count blocklab accepts (workers, and threads that take over a
/// worker after `block_in_place`).
const MAX_SLOTS: usize = 256;

/// tokio's task `Id` is opaque; its `Hash` writes the inner `u64`, which this captures.
pub fn task_id_u64(id: tokio::task::Id) -> u64 {
    struct Capture(u64);
    impl Hasher for Capture {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.0 = self.0.rotate_left(8) ^ u64::from(*b);
            }
        }
        fn write_u64(&mut self, v: u64) {
            self.0 = v;
        }
    }
    let mut c = Capture(0);
    id.hash(&mut c);
    c.finish()
}

/// One worker's slot, alone on its cache lines: workers store to their slots on every poll, and
/// two slots sharing a line would bounce it between their cores on each poll.
#[derive(Default)]
#[repr(align(128))]
struct Slot {
    /// The counter's raw reading when the poll in progress began; 0 between polls.
    since_raw: AtomicU64,
    task: AtomicU64,
    thread: OnceLock<String>,
}

pub struct PollHooks {
    id: usize,
    clock: Clock,
    /// The long-poll threshold in the counter's ticks.
    threshold_ticks: u64,
    slots: Box<[Slot]>,
    registered: AtomicUsize,
    long_polls: Mutex<Vec<LongPoll>>,
}

thread_local! {
    /// (hooks instance, slot index) of the current thread.
    static SLOT: Cell<(usize, usize)> = const { Cell::new((0, usize::MAX)) };
}

impl PollHooks {
    pub fn new(clock: Clock, threshold: Duration) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        Self {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            clock,
            threshold_ticks: clock::ticks(threshold),
            slots: (0..MAX_SLOTS).map(|_| Slot::default()).collect(),
            registered: AtomicUsize::new(0),
            long_polls: Mutex::new(Vec::new()),
        }
    }

    /// This thread's slot, registered on its first poll.
    #[inline]
    fn slot(&self) -> Option<usize> {
        let (owner, index) = SLOT.with(Cell::get);
        if owner == self.id {
            return (index < MAX_SLOTS).then_some(index);
        }
        self.register()
    }

    #[cold]
    fn register(&self) -> Option<usize> {
        let index = self.registered.fetch_add(1, Ordering::Relaxed);
        if index < MAX_SLOTS {
            let name = std::thread::current()
                .name()
                .unwrap_or("unnamed")
                .to_string();
            let _ = self.slots[index].thread.set(name);
        }
        SLOT.with(|cell| cell.set((self.id, index)));
        (index < MAX_SLOTS).then_some(index)
    }

    #[inline]
    pub fn before_poll(&self, task: tokio::task::Id) {
        if let Some(i) = self.slot() {
            let slot = &self.slots[i];
            slot.task.store(task_id_u64(task), Ordering::Relaxed);
            slot.since_raw.store(clock::raw(), Ordering::Release);
        }
    }

    #[inline]
    pub fn after_poll(&self) {
        let Some(i) = self.slot() else { return };
        let slot = &self.slots[i];
        // Only this thread writes its slot (the observer only reads it): a load and a store,
        // not a locked swap, on every poll.
        let since = slot.since_raw.load(Ordering::Relaxed);
        if since == 0 {
            return;
        }
        slot.since_raw.store(0, Ordering::Release);
        let now = clock::raw();
        if now.saturating_sub(since) >= self.threshold_ticks {
            self.log_long_poll(i, since, now);
        }
    }

    /// The slow path, out of line so the hooks stay small.
    #[cold]
    #[inline(never)]
    fn log_long_poll(&self, i: usize, since: u64, now: u64) {
        let slot = &self.slots[i];
        let start = self.clock.at(since);
        let poll = LongPoll {
            worker: i,
            thread: slot.thread.get().cloned().unwrap_or_default(),
            task: slot.task.load(Ordering::Relaxed),
            start,
            duration: self.clock.at(now).saturating_sub(start),
        };
        self.long_polls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(poll);
    }

    /// Every registered worker's current poll.
    pub fn snapshot(&self) -> Vec<WorkerPoll> {
        let n = self.registered.load(Ordering::Relaxed).min(MAX_SLOTS);
        (0..n)
            .map(|i| {
                let slot = &self.slots[i];
                let since = slot.since_raw.load(Ordering::Acquire);
                WorkerPoll {
                    worker: i,
                    thread: slot.thread.get().cloned().unwrap_or_default(),
                    polling_since: (since != 0).then(|| self.clock.at(since)),
                    task: (since != 0).then(|| slot.task.load(Ordering::Relaxed)),
                }
            })
            .collect()
    }

    /// When the oldest poll in progress began, if any: a few atomic loads, cheap enough for
    /// every ping.
    pub fn oldest_since(&self) -> Option<Duration> {
        let n = self.registered.load(Ordering::Relaxed).min(MAX_SLOTS);
        self.slots[..n]
            .iter()
            .map(|slot| slot.since_raw.load(Ordering::Acquire))
            .filter(|&since| since != 0)
            .min()
            .map(|since| self.clock.at(since))
    }

    pub fn drain_long_polls(&self) -> Vec<LongPoll> {
        std::mem::take(&mut *self.long_polls.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Wires the hooks into a runtime builder (needs `--cfg tokio_unstable`).
#[cfg(tokio_unstable)]
pub fn install(builder: &mut tokio::runtime::Builder, hooks: std::sync::Arc<PollHooks>) {
    let after = hooks.clone();
    builder
        .on_before_task_poll(move |meta| hooks.before_poll(meta.id()))
        .on_after_task_poll(move |_| after.after_poll());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_ids_are_captured_as_their_numbers() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let handle = rt.spawn(async {});
        let id = handle.id();
        assert_eq!(task_id_u64(id).to_string(), id.to_string());
    }

    #[test]
    fn a_long_poll_is_seen_live_and_logged_after() {
        let hooks = PollHooks::new(Clock::start(), Duration::from_millis(5));
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let id = rt.spawn(async {}).id();
        hooks.before_poll(id);
        std::thread::sleep(Duration::from_millis(8));
        let live = hooks.snapshot();
        assert_eq!(live.len(), 1);
        assert!(live[0].polling_since.is_some());
        assert_eq!(live[0].task, Some(task_id_u64(id)));
        hooks.after_poll();
        assert_eq!(hooks.snapshot()[0].polling_since, None);
        let logged = hooks.drain_long_polls();
        assert_eq!(logged.len(), 1);
        assert!(logged[0].duration >= Duration::from_millis(8));
    }
}
