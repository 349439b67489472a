//! What every job of one lab shares: the clock, the event channel, the counters, and the
//! pools that live as long as the lab (built on first use, or at start-up for the lifespan pool).
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;

use super::book::Book;
use super::cpus::CpuSet;
use super::gauges::Gauges;
use super::pool::{Shutdown, ThreadPool};
use super::process::ProcessPool;
use super::queue::Workers;
use crate::clock::Clock;
use crate::data::{LabConfig, LabEvent, RunId};
use crate::text::T;

pub struct Shared {
    /// Which lab this is (jobs carry it, so a lab's stop ends only its own jobs).
    pub lab_id: u64,
    pub clock: Clock,
    pub events: UnboundedSender<LabEvent>,
    pub gauges: Arc<Gauges>,
    /// Every job's state, for `GET /jobs/{id}` (in memory: gone with the lab).
    pub book: Book,
    pub config: LabConfig,
    /// The cores the lab's threads are pinned to.
    pub cpus: CpuSet,
    pools: Mutex<HashMap<u32, Arc<ThreadPool>>>,
    semaphores: Mutex<HashMap<u32, Arc<Semaphore>>>,
    run_locks: Mutex<HashMap<RunId, Arc<tokio::sync::Mutex<()>>>>,
    processes: OnceLock<std::io::Result<ProcessPool>>,
    pub lifespan: Option<Arc<ThreadPool>>,
    /// The async driver's connection thread, started on first use.
    driver: OnceLock<std::io::Result<Arc<ThreadPool>>>,
    /// The durable queue's workers, started with the lab or by its first durable job.
    queue_workers: OnceLock<Result<Workers, String>>,
    /// State that outlives every request, where the leak lesson's pools end up (they go only
    /// when the lab does).
    pub app_state: Mutex<Vec<ThreadPool>>,
}

impl Shared {
    pub fn new(
        lab_id: u64,
        clock: Clock,
        events: UnboundedSender<LabEvent>,
        config: LabConfig,
        cpus: CpuSet,
    ) -> std::io::Result<Shared> {
        let gauges = Arc::new(Gauges::default());
        let lifespan = match config.lifespan_pool {
            0 => None,
            n => Some(Arc::new(ThreadPool::new(
                "pool-lifespan",
                n,
                gauges.clone(),
                cpus.clone(),
            )?)),
        };
        Ok(Shared {
            lab_id,
            clock,
            events,
            gauges,
            book: Book::default(),
            config,
            cpus,
            pools: Mutex::default(),
            semaphores: Mutex::default(),
            run_locks: Mutex::default(),
            processes: OnceLock::new(),
            lifespan,
            driver: OnceLock::new(),
            queue_workers: OnceLock::new(),
            app_state: Mutex::default(),
        })
    }

    /// The lab's pool of `size` threads, built the first time it is asked for.
    pub fn pool(&self, size: u32) -> std::io::Result<Arc<ThreadPool>> {
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = pools.get(&size) {
            return Ok(p.clone());
        }
        let pool = Arc::new(ThreadPool::new(
            &format!("pool-{size}"),
            size as usize,
            self.gauges.clone(),
            self.cpus.clone(),
        )?);
        pools.insert(size, pool.clone());
        Ok(pool)
    }

    /// The async driver's thread: one, like one database connection.
    pub fn driver(&self) -> std::io::Result<Arc<ThreadPool>> {
        match self.driver.get_or_init(|| {
            ThreadPool::new("pool-driver", 1, self.gauges.clone(), self.cpus.clone()).map(Arc::new)
        }) {
            Ok(pool) => Ok(pool.clone()),
            Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
        }
    }

    pub fn semaphore(&self, permits: u32) -> Arc<Semaphore> {
        let mut s = self.semaphores.lock().unwrap_or_else(|e| e.into_inner());
        s.entry(permits)
            .or_insert_with(|| Arc::new(Semaphore::new(permits as usize)))
            .clone()
    }

    /// One lock per run: jobs of a run that take it go one after another, in order.
    pub fn run_lock(&self, run: RunId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.run_locks.lock().unwrap_or_else(|e| e.into_inner());
        // Forget the locks no job holds or waits for (bounded over a day of presses); a later
        // job of such a run gets a fresh lock, which is the same as the free old one.
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        locks.entry(run).or_default().clone()
    }

    /// The lab's process pool of `size` children, started on first use.
    pub fn processes(&self, size: u32) -> Result<&ProcessPool, String> {
        self.processes
            .get_or_init(|| {
                ProcessPool::start(size as usize, self.gauges.clone(), self.cpus.clone())
            })
            .as_ref()
            .map_err(|e| T::JobProcessPoolStartFailed.fill(&[("error", e)]))
    }

    /// Starts the durable queue's workers, once: `n`, else the configuration's number, else
    /// the default.
    pub fn start_queue_workers(self: &Arc<Self>, n: Option<usize>) -> Result<(), String> {
        let n = n
            .or(self.config.queue_workers)
            .unwrap_or(crate::data::config::DEFAULT_QUEUE_WORKERS);
        self.queue_workers
            .get_or_init(|| {
                let store = super::queue::file().store()?;
                Workers::start(self, store, n).map_err(|e| e.to_string())
            })
            .as_ref()
            .map(|_| ())
            .map_err(Clone::clone)
    }

    /// Stops the pools this lab owns, the lifespan pool as configured.
    pub fn shut_down(&self) {
        // The queue's workers first, as the shutdown says (a crash: mid-job, nothing recorded).
        if let Some(Ok(workers)) = self.queue_workers.get() {
            workers.stop(self.config.shutdown);
        }
        if let Some(pool) = &self.lifespan {
            pool.shutdown(self.config.shutdown, std::time::Duration::from_secs(10));
        }
        if let Some(Ok(driver)) = self.driver.get() {
            driver.shutdown(Shutdown::Abrupt, std::time::Duration::ZERO);
        }
        for pool in self
            .pools
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
        {
            pool.shutdown(Shutdown::Abrupt, std::time::Duration::ZERO);
        }
        if let Some(Ok(p)) = self.processes.get() {
            p.stop();
        }
    }
}
