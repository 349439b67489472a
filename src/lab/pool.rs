//! A fixed-size thread pool with a FIFO queue — blocklab's `ThreadPoolExecutor(max_workers=N)`.
//!
//! Written here rather than taken from a crate because it is what several lessons look at:
//! its size bounds how many jobs run at once, its queue is where the others wait, and how it
//! shuts down decides what happens to that work (`shutdown(wait=True)`, `cancel_futures`).
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::cpus::CpuSet;
use super::gauges::Gauges;
pub use crate::data::Shutdown;

/// A queued piece of work. It gets `true` when the pool was shut down abruptly before it ran.
pub type Task = Box<dyn FnOnce(bool) + Send>;

/// Dropping the pool drops the queue's sender: each idle thread's `recv` then fails and the
/// thread exits. A pool nobody owns any more ends itself; only a pool kept somewhere leaks.
pub struct ThreadPool {
    queue: Mutex<Option<Sender<Task>>>,
    cancel: Arc<AtomicBool>,
    /// Threads still alive, and a condvar to wait for them to go.
    alive: Arc<(Mutex<usize>, Condvar)>,
    gauges: Arc<Gauges>,
}

// snippet:start thread-pool
impl ThreadPool {
    /// Starts `size` threads named `{name}-{i}` that take work from one FIFO queue.
    pub fn new(
        name: &str,
        size: usize,
        gauges: Arc<Gauges>,
        cpus: CpuSet,
    ) -> std::io::Result<ThreadPool> {
        let (tx, rx) = channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        let cancel = Arc::new(AtomicBool::new(false));
        let alive = Arc::new((Mutex::new(0usize), Condvar::new()));
        for i in 0..size.max(1) {
            let (rx, cancel, alive, gauges, cpus) = (
                rx.clone(),
                cancel.clone(),
                alive.clone(),
                gauges.clone(),
                cpus.clone(),
            );
            *alive.0.lock().unwrap() += 1;
            std::thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || {
                    cpus.pin_this_thread();
                    let _thread = gauges.pool_threads.hold();
                    work(&rx, &cancel, &gauges);
                    let (count, gone) = &*alive;
                    *count.lock().unwrap() -= 1;
                    gone.notify_all();
                })?;
        }
        Ok(ThreadPool {
            queue: Mutex::new(Some(tx)),
            cancel,
            alive,
            gauges,
        })
    }

    /// Queues a task; gives it back if the pool is shut down.
    pub fn submit(&self, task: Task) -> Result<(), Task> {
        let queue = self.queue.lock().unwrap();
        let Some(tx) = queue.as_ref() else {
            return Err(task);
        };
        self.gauges.pool_queued.up();
        tx.send(task).map_err(|e| {
            self.gauges.pool_queued.down();
            e.0
        })
    }
    // snippet:end thread-pool

    /// Stops taking work. `Graceful` waits up to `wait` for the queue to drain.
    pub fn shutdown(&self, mode: Shutdown, wait: Duration) {
        match mode {
            Shutdown::None => {}
            Shutdown::Abrupt => {
                self.cancel.store(true, Ordering::Relaxed);
                self.queue.lock().unwrap().take();
            }
            Shutdown::Graceful => {
                self.queue.lock().unwrap().take();
                let (count, gone) = &*self.alive;
                let guard = count.lock().unwrap();
                let _ = gone.wait_timeout_while(guard, wait, |n| *n > 0);
            }
        }
    }
}

fn work(rx: &Mutex<Receiver<Task>>, cancel: &AtomicBool, gauges: &Gauges) {
    loop {
        // The lock is held only while waiting for the next task, never while running one.
        let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(task) = next else { return };
        gauges.pool_queued.down();
        let _busy = gauges.pool_busy.hold();
        task(cancel.load(Ordering::Relaxed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    #[test]
    fn dropping_the_pool_ends_its_threads() {
        let gauges = Arc::new(Gauges::default());
        let pool = ThreadPool::new("pool-drop", 3, gauges.clone(), CpuSet::default()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while gauges.pool_threads.get() < 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(gauges.pool_threads.get(), 3, "all three threads started");
        drop(pool);
        while gauges.pool_threads.get() > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(gauges.pool_threads.get(), 0, "no thread outlives its pool");
    }

    #[test]
    fn runs_at_most_size_tasks_at_once_in_waves() {
        let gauges = Arc::new(Gauges::default());
        let pool = ThreadPool::new("pool-test", 2, gauges.clone(), CpuSet::default()).unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let start = Instant::now();
        for _ in 0..4 {
            let done = done.clone();
            pool.submit(Box::new(move |_| {
                std::thread::sleep(Duration::from_millis(50));
                done.fetch_add(1, Ordering::Relaxed);
            }))
            .ok()
            .unwrap();
        }
        pool.shutdown(Shutdown::Graceful, Duration::from_secs(5));
        assert_eq!(
            done.load(Ordering::Relaxed),
            4,
            "graceful shutdown waits for the queue"
        );
        assert!(
            start.elapsed() >= Duration::from_millis(100),
            "two waves of two"
        );
        assert_eq!(gauges.pool_busy.peak(), 2);
        assert!(
            pool.submit(Box::new(|_| {})).is_err(),
            "no work after shutdown"
        );
    }

    #[test]
    fn abrupt_shutdown_cancels_what_waits() {
        let gauges = Arc::new(Gauges::default());
        let pool = ThreadPool::new("pool-test", 1, gauges, CpuSet::default()).unwrap();
        let cancelled = Arc::new(AtomicUsize::new(0));
        for _ in 0..3 {
            let cancelled = cancelled.clone();
            let _ = pool.submit(Box::new(move |was_cancelled| {
                if was_cancelled {
                    cancelled.fetch_add(1, Ordering::Relaxed);
                } else {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }));
        }
        std::thread::sleep(Duration::from_millis(10));
        pool.shutdown(Shutdown::Abrupt, Duration::ZERO);
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(cancelled.load(Ordering::Relaxed), 2);
    }
}
