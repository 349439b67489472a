//! Reads a recording back, refusing plainly what it cannot play: not a blocklab session, a
//! newer version, a bad line (by its number). A last line cut short (the session was killed
//! mid-write) is reported with the whole lines before it, for the caller to play or refuse.
use std::path::Path;

use super::format::{FORMAT, Header, Line, VERSION};
use crate::text::T;

/// A recording read whole.
#[derive(Clone, Debug)]
pub struct Recording {
    pub header: Header,
    pub lines: Vec<Line>,
}

#[derive(Clone, Debug)]
pub enum ReadError {
    /// Could not be opened or read.
    Io(String),
    /// The first line is not a blocklab session's header.
    Foreign,
    /// Written by a newer blocklab.
    Newer { version: u32, by: String },
    /// Line `line` (1-based) is not a line of the format.
    BadLine { line: usize, why: String },
    /// The last line, `line`, is cut short; what came before is whole.
    Truncated { line: usize, whole: Recording },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            ReadError::Io(e) => e.clone(),
            ReadError::Foreign => T::RecordForeign.text().to_string(),
            ReadError::Newer { version, by } => {
                T::RecordNewer.fill(&[("version", version), ("by", by), ("ours", &VERSION)])
            }
            ReadError::BadLine { line, why } => {
                T::RecordBadLine.fill(&[("line", line), ("why", why)])
            }
            ReadError::Truncated { line, .. } => T::RecordTruncated.fill(&[("line", line)]),
        };
        f.write_str(&text)
    }
}

/// Reads the file at `path`.
pub fn read(path: &Path) -> Result<Recording, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?;
    parse(&bytes)
}

/// Reads a recording from its bytes.
pub fn parse(bytes: &[u8]) -> Result<Recording, ReadError> {
    // Whether the file ends with a newline: a writer always ends a line with one.
    let complete = bytes.last() == Some(&b'\n');
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines().enumerate().peekable();
    let (_, first) = lines.next().ok_or(ReadError::Foreign)?;
    let value: serde_json::Value = serde_json::from_str(first).map_err(|_| ReadError::Foreign)?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(ReadError::Foreign);
    }
    let version = value.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
    if version > u64::from(VERSION) {
        let by = value
            .get("blocklab")
            .and_then(|v| v.as_str())
            .unwrap_or("?");
        return Err(ReadError::Newer {
            version: u32::try_from(version).unwrap_or(u32::MAX),
            by: by.to_string(),
        });
    }
    let header: Header = serde_json::from_value(value).map_err(|e| ReadError::BadLine {
        line: 1,
        why: e.to_string(),
    })?;
    let mut recording = Recording {
        header,
        lines: Vec::new(),
    };
    while let Some((i, text)) = lines.next() {
        let last = lines.peek().is_none();
        match serde_json::from_str::<Line>(text) {
            Ok(line) => recording.lines.push(line),
            Err(_) if last && !complete => {
                return Err(ReadError::Truncated {
                    line: i + 1,
                    whole: recording,
                });
            }
            Err(e) => {
                return Err(ReadError::BadLine {
                    line: i + 1,
                    why: e.to_string(),
                });
            }
        }
    }
    Ok(recording)
}
