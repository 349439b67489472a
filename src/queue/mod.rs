//! The durable job queue: one SQLite file (WAL mode, bundled SQLite), one row per job, with
//! its state, its attempts, a lease and its result. Plain I/O, no runtime: the lab's queue
//! workers call it from their own threads, and a request handler through `spawn_blocking`.
//!
//! The rules that make it durable:
//! * **Acknowledged means committed.** [`Store::push`] returns only after the row's
//!   transaction is committed with `synchronous = FULL`: a process killed afterwards, or a
//!   machine that loses power, still has the job.
//! * **A worker owns a job only while its lease lasts.** [`Store::claim`] takes the oldest job
//!   that is queued or whose lease has run out, and counts an attempt; the worker renews the
//!   lease while it works and records the result with the same lease. A worker that dies
//!   stops renewing, the lease runs out, and another worker takes the job again: at least
//!   once, so a job must be safe to run twice (idempotent).
//!
//! Lease times are wall-clock (Unix ms): leases are compared across processes.
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::text::T;

/// The schema this blocklab writes; a file with a higher `user_version` is refused.
pub const SCHEMA_VERSION: i64 = 1;

/// How long a worker may hold a job without renewing its lease.
pub const LEASE: Duration = Duration::from_millis(1000);

// `job` is blocklab's job id in the process that submitted it (`owner`); lease and other
// times are Unix ms.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    job          INTEGER NOT NULL,
    owner        TEXT    NOT NULL,
    run          INTEGER NOT NULL,
    workload     TEXT    NOT NULL,
    ms           INTEGER NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_owner  TEXT,
    lease_until  INTEGER,
    result       TEXT,
    submitted_at INTEGER NOT NULL,
    started_at   INTEGER,
    ended_at     INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (state, id);
";

/// Ended jobs the file keeps (the newest); older ones are removed when it is opened.
pub const KEEP_ENDED: usize = 10_000;

const PRUNE: &str = "DELETE FROM jobs WHERE state IN ('done', 'failed')
    AND id <= (SELECT MAX(id) FROM jobs) - ?1";

/// A queue file, opened.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

/// What a job in the queue is: enough to run it in any process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    pub job: u64,
    pub owner: String,
    pub run: u64,
    pub workload: String,
    pub ms: u64,
}

/// A job a worker claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub task: i64,
    pub job: NewJob,
    /// This attempt's number: 1 the first time, 2 when a worker died holding it, …
    pub attempt: u32,
}

/// A row, as `GET /queue/{task}` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub task: i64,
    pub job: u64,
    pub workload: String,
    pub ms: u64,
    pub state: String,
    pub attempts: u32,
    pub lease_until: Option<i64>,
    pub result: Option<String>,
    pub submitted_at: i64,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
}

/// Jobs per state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
    /// Jobs that needed more than one attempt.
    pub retried: u64,
}

/// Now, in Unix ms (the leases' clock).
pub fn unix_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Store {
    /// Opens (or creates) the queue at `path`, with its folder. A file that is not a queue
    /// (corrupt, another program's database, a newer schema), locked, or not writable gives
    /// an error that names it.
    pub fn open(path: &Path) -> Result<Store, String> {
        let fail = |e: &dyn std::fmt::Display| {
            T::QueueOpenFailed.fill(&[("path", &path.display()), ("error", e)])
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        }
        let conn = Connection::open(path).map_err(|e| fail(&e))?;
        // Wait this long for a lock another process holds, then say so.
        conn.busy_timeout(Duration::from_secs(2))
            .map_err(|e| fail(&e))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| fail(&e))?;
        if version > SCHEMA_VERSION {
            let newer =
                T::QueueNewerSchema.fill(&[("found", &version), ("known", &SCHEMA_VERSION)]);
            return Err(fail(&newer));
        }
        // WAL: readers do not block the writer; FULL: a commit is on disk when it returns.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| fail(&e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            let why = T::QueueNoWal.fill(&[("mode", &mode)]);
            return Err(fail(&why));
        }
        conn.execute_batch("PRAGMA synchronous = FULL;")
            .and_then(|()| conn.execute_batch(SCHEMA))
            .and_then(|()| conn.execute(PRUNE, params![KEEP_ENDED as i64]).map(drop))
            .and_then(|()| conn.pragma_update(None, "user_version", SCHEMA_VERSION))
            .map_err(|e| fail(&e))?;
        // A table of the same name from something else: its columns are not ours.
        conn.prepare("SELECT id, job, owner, run, workload, ms, state, attempts, lease_owner, lease_until, result, submitted_at, started_at, ended_at FROM jobs LIMIT 0")
            .map_err(|e| fail(&e))?;
        Ok(Store {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn error(&self, e: rusqlite::Error) -> String {
        T::QueueFailed.fill(&[("path", &self.path.display()), ("error", &e)])
    }

    // snippet:start queue-store
    /// Adds a job; returns its task id once the row is committed (the acknowledgement).
    pub fn push(&self, job: &NewJob, now: i64) -> Result<i64, String> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO jobs (job, owner, run, workload, ms, state, submitted_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'queued', ?6)",
            params![
                job.job as i64,
                job.owner,
                job.run as i64,
                job.workload,
                job.ms as i64,
                now
            ],
        )
        .map_err(|e| self.error(e))?;
        Ok(conn.last_insert_rowid())
    }

    /// Takes the oldest job that is queued, or running on a lease that ran out (its worker
    /// died): one statement, so two workers never take the same job. Each half is one lookup
    /// in the `(state, id)` index, however many finished jobs the file keeps.
    pub fn claim(
        &self,
        worker: &str,
        now: i64,
        lease: Duration,
    ) -> Result<Option<Claimed>, String> {
        self.conn()
            .query_row(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1,
                        lease_owner = ?1, lease_until = ?2 + ?3, started_at = ?2
                 WHERE id = (SELECT MIN(id) FROM (
                     SELECT MIN(id) AS id FROM jobs WHERE state = 'queued'
                     UNION ALL
                     SELECT MIN(id) FROM jobs WHERE state = 'running' AND lease_until < ?2))
                 RETURNING id, job, owner, run, workload, ms, attempts",
                params![worker, now, lease.as_millis() as i64],
                |r| {
                    Ok(Claimed {
                        task: r.get(0)?,
                        job: NewJob {
                            job: r.get::<_, i64>(1)? as u64,
                            owner: r.get(2)?,
                            run: r.get::<_, i64>(3)? as u64,
                            workload: r.get(4)?,
                            ms: r.get::<_, i64>(5)? as u64,
                        },
                        attempt: r.get(6)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Extends the worker's lease; false when it no longer holds the job.
    pub fn renew(
        &self,
        task: i64,
        worker: &str,
        now: i64,
        lease: Duration,
    ) -> Result<bool, String> {
        let changed = self
            .conn()
            .execute(
                "UPDATE jobs SET lease_until = ?3 + ?4
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                params![task, worker, now, lease.as_millis() as i64],
            )
            .map_err(|e| self.error(e))?;
        Ok(changed == 1)
    }

    /// Records how the job ended — only while the worker still holds it.
    pub fn finish(
        &self,
        task: i64,
        worker: &str,
        ok: bool,
        result: &str,
        now: i64,
    ) -> Result<bool, String> {
        let state = if ok { "done" } else { "failed" };
        let changed = self
            .conn()
            .execute(
                "UPDATE jobs SET state = ?3, result = ?4, ended_at = ?5,
                        lease_owner = NULL, lease_until = NULL
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                params![task, worker, state, result, now],
            )
            .map_err(|e| self.error(e))?;
        Ok(changed == 1)
    }
    // snippet:end queue-store

    /// Takes the oldest queued job and marks it done in one write: a queue without leases (a
    /// worker that dies mid-job loses it). Only the cost comparison uses it.
    pub fn pop_unleased(&self, now: i64) -> Result<Option<i64>, String> {
        self.conn()
            .query_row(
                "UPDATE jobs SET state = 'done', attempts = attempts + 1, started_at = ?1, ended_at = ?1
                 WHERE id = (SELECT MIN(id) FROM jobs WHERE state = 'queued')
                 RETURNING id",
                params![now],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// When the earliest lease held runs out (a worker waiting for work wakes then).
    pub fn next_expiry(&self) -> Result<Option<i64>, String> {
        self.conn()
            .query_row(
                "SELECT MIN(lease_until) FROM jobs WHERE state = 'running'",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.error(e))
    }

    pub fn get(&self, task: i64) -> Result<Option<Row>, String> {
        self.conn()
            .query_row(
                "SELECT id, job, workload, ms, state, attempts, lease_until, result,
                        submitted_at, started_at, ended_at
                 FROM jobs WHERE id = ?1",
                params![task],
                |r| {
                    Ok(Row {
                        task: r.get(0)?,
                        job: r.get::<_, i64>(1)? as u64,
                        workload: r.get(2)?,
                        ms: r.get::<_, i64>(3)? as u64,
                        state: r.get(4)?,
                        attempts: r.get(5)?,
                        lease_until: r.get(6)?,
                        result: r.get(7)?,
                        submitted_at: r.get(8)?,
                        started_at: r.get(9)?,
                        ended_at: r.get(10)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    pub fn counts(&self) -> Result<Counts, String> {
        let conn = self.conn();
        let mut counts = Counts::default();
        let mut stmt = conn
            .prepare("SELECT state, COUNT(*), SUM(attempts > 1) FROM jobs GROUP BY state")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        for row in rows {
            let (state, n, retried) = row.map_err(|e| self.error(e))?;
            counts.retried += retried.unwrap_or(0) as u64;
            match state.as_str() {
                "queued" => counts.queued = n as u64,
                "running" => counts.running = n as u64,
                "done" => counts.done = n as u64,
                _ => counts.failed += n as u64,
            }
        }
        Ok(counts)
    }
}

/// Where the queue lives by default: `queue.sqlite3` in the state folder.
pub fn default_path() -> PathBuf {
    crate::paths::state_dir().join("queue.sqlite3")
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "blocklab-queue-test-{}-{name}-{}",
            std::process::id(),
            unix_ms()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("q.sqlite3")
    }

    fn job(n: u64) -> NewJob {
        NewJob {
            job: n,
            owner: "p1".into(),
            run: 7,
            workload: "sleep".into(),
            ms: 50,
        }
    }

    #[test]
    fn a_job_is_claimed_once_renewed_and_finished_with_its_lease() {
        let q = Store::open(&scratch("claim")).unwrap();
        let t = q.push(&job(1), 1_000).unwrap();
        let c = q.claim("w1", 1_000, LEASE).unwrap().unwrap();
        assert_eq!((c.task, c.attempt, c.job.job, c.job.run), (t, 1, 1, 7));
        assert_eq!(q.claim("w2", 1_500, LEASE).unwrap(), None, "leased");
        assert!(q.renew(t, "w1", 1_900, LEASE).unwrap());
        assert!(!q.renew(t, "w2", 1_900, LEASE).unwrap(), "not w2's");
        assert!(q.finish(t, "w1", true, "ok", 2_000).unwrap());
        let row = q.get(t).unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.attempts), ("done", 1));
        assert_eq!(
            q.claim("w2", 9_000, LEASE).unwrap(),
            None,
            "done stays done"
        );
    }

    #[test]
    fn a_lease_that_runs_out_gives_the_job_to_another_worker_as_attempt_two() {
        let q = Store::open(&scratch("expire")).unwrap();
        let t = q.push(&job(1), 0).unwrap();
        q.claim("dead", 0, LEASE).unwrap().unwrap();
        assert_eq!(q.next_expiry().unwrap(), Some(1_000));
        let again = q.claim("w2", 1_001, LEASE).unwrap().unwrap();
        assert_eq!((again.task, again.attempt), (t, 2));
        assert!(
            !q.finish(t, "dead", true, "late", 1_002).unwrap(),
            "the dead worker lost it"
        );
        assert!(q.finish(t, "w2", true, "ok", 1_003).unwrap());
        assert_eq!(
            q.counts().unwrap(),
            Counts {
                done: 1,
                retried: 1,
                ..Counts::default()
            }
        );
    }

    #[test]
    fn jobs_survive_reopening_the_file() {
        let path = scratch("reopen");
        let t = {
            let q = Store::open(&path).unwrap();
            q.push(&job(3), 0).unwrap()
        };
        let q = Store::open(&path).unwrap();
        assert_eq!(q.get(t).unwrap().unwrap().state, "queued");
        assert_eq!(q.claim("w", 1, LEASE).unwrap().unwrap().job, job(3));
    }

    #[test]
    fn a_file_that_is_not_a_queue_is_refused_with_its_name() {
        let path = scratch("corrupt");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            b"this is not a database, just text that is long enough",
        )
        .unwrap();
        let e = Store::open(&path).err().unwrap();
        assert!(e.contains(&path.display().to_string()), "{e}");

        let other = scratch("other");
        let conn = Connection::open(&other).unwrap();
        conn.execute_batch("CREATE TABLE jobs (name TEXT)").unwrap();
        drop(conn);
        let e = Store::open(&other).err().unwrap();
        assert!(
            e.contains("queue") || e.contains(&other.display().to_string()),
            "{e}"
        );

        let newer = scratch("newer");
        let conn = Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let e = Store::open(&newer).err().unwrap();
        assert!(e.contains("99"), "{e}");
    }

    #[test]
    fn the_default_path_is_under_the_state_folder() {
        assert!(default_path().ends_with("blocklab/queue.sqlite3"));
    }
}
