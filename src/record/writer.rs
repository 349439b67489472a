//! Writes a recording as the session goes. Buffered, flushed at least once a second and at the
//! end; a failed write stops the recording (the session goes on) and is said once.
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::format::{Entry, Header, Line};

/// Longest a line waits in the buffer: a crash loses at most this much of the session.
const FLUSH_EVERY: Duration = Duration::from_secs(1);

pub struct Writer {
    path: PathBuf,
    /// `None` once a write failed: nothing more is written.
    out: Option<BufWriter<File>>,
    flushed: Instant,
    /// The failure, until the UI has said it.
    failure: Option<String>,
}

impl Writer {
    /// Creates (or empties) `path` and writes the header.
    pub fn create(path: &Path, header: &Header) -> std::io::Result<Writer> {
        let mut out = BufWriter::new(File::create(path)?);
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(Writer {
            path: path.to_path_buf(),
            out: Some(out),
            flushed: Instant::now(),
            failure: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// One input at session time `at`.
    pub fn write(&mut self, at: Duration, entry: Entry) {
        let Some(out) = &mut self.out else {
            return;
        };
        let line = Line {
            t: u64::try_from(at.as_nanos()).unwrap_or(u64::MAX),
            entry,
        };
        let mut result = serde_json::to_writer(&mut *out, &line)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if result.is_ok() && self.flushed.elapsed() >= FLUSH_EVERY {
            result = out.flush();
            self.flushed = Instant::now();
        }
        if let Err(e) = result {
            self.fail(e);
        }
    }

    /// Writes out what is buffered (at the end of the session).
    pub fn flush(&mut self) {
        if let Some(out) = &mut self.out
            && let Err(e) = out.flush()
        {
            self.fail(e);
        }
    }

    fn fail(&mut self, e: std::io::Error) {
        self.out = None;
        self.failure = Some(e.to_string());
    }

    /// The error that stopped the recording, once.
    pub fn take_failure(&mut self) -> Option<String> {
        self.failure.take()
    }

    /// True while lines are still written.
    pub fn is_recording(&self) -> bool {
        self.out.is_some()
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.flush();
    }
}
