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
    Truncated { line: usize, whole: Box<Recording> },
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
                    whole: Box::new(recording),
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::data::Sample;
    use crate::record::format::{Entry, Input, Start, header};
    use crate::text::Lang;

    fn file() -> String {
        let start = Start {
            lessons: vec!["01-event-loop".into()],
            lesson: 0,
            overrides: Default::default(),
            progress: Default::default(),
            log: "off".into(),
            skipped: Vec::new(),
            ambiguous_wide: false,
            no_color: false,
            present: false,
            address: Some("127.0.0.1:8080".parse().unwrap()),
            notice: None,
        };
        let lines = [
            Line {
                t: 5,
                entry: Entry::Event {
                    event: Input::Key {
                        code: "2".into(),
                        modifiers: vec!["ctrl".into()],
                        repeat: false,
                    },
                },
            },
            Line {
                t: 7,
                entry: Entry::Samples {
                    samples: vec![Sample::Lag {
                        sent: Duration::from_millis(3),
                        lag: Duration::from_micros(40),
                    }],
                },
            },
            Line {
                t: 9,
                entry: Entry::LabStarted {
                    lab: 1,
                    at: Duration::from_millis(9),
                },
            },
            Line {
                t: 10,
                entry: Entry::Step,
            },
        ];
        let mut out = serde_json::to_string(&header(Lang::En, [80, 24], start)).unwrap();
        for line in lines {
            out.push('\n');
            out.push_str(&serde_json::to_string(&line).unwrap());
        }
        out.push('\n');
        out
    }

    #[test]
    fn a_recording_reads_back_as_written() {
        let text = file();
        let r = parse(text.as_bytes()).unwrap();
        assert_eq!(r.header.size, [80, 24]);
        assert_eq!(r.lines.len(), 4);
        assert_eq!(r.lines[3].entry, Entry::Step);
        // The names are the format.
        let second = text.lines().nth(2).unwrap();
        assert!(second.starts_with(r#"{"t":7,"kind":"samples","samples":[{"type":"lag","#));
        let key = r.lines[0].entry.clone();
        let Entry::Event { event } = key else {
            panic!("{key:?}")
        };
        assert_eq!(Input::of(&event.event().unwrap()), Some(event));
    }

    /// A file from before presenter mode was recorded reads as a session without it.
    #[test]
    fn a_header_without_a_later_field_reads_with_its_default() {
        let text = file().replacen("\"present\":false,", "", 1);
        assert!(!text.contains("present"));
        let r = parse(text.as_bytes()).unwrap();
        assert!(!r.header.start.present);
        let text = file().replacen("\"present\":false", "\"present\":true", 1);
        assert!(parse(text.as_bytes()).unwrap().header.start.present);
    }

    #[test]
    fn a_foreign_file_is_refused_plainly() {
        for text in ["", "hello\n", "{\"format\":\"other\"}\n", "\u{0}\u{1}"] {
            let e = parse(text.as_bytes()).unwrap_err();
            assert!(matches!(e, ReadError::Foreign), "{text:?}: {e:?}");
        }
        let e = Lang::En.scoped(|| ReadError::Foreign.to_string());
        assert!(e.starts_with("not a blocklab session recording"), "{e}");
    }

    #[test]
    fn a_newer_version_is_refused_naming_it() {
        let text = file().replacen("\"version\":1", "\"version\":7", 1);
        let e = parse(text.as_bytes()).unwrap_err();
        let said = Lang::En.scoped(|| e.to_string());
        assert!(matches!(e, ReadError::Newer { version: 7, .. }), "{e:?}");
        assert!(said.contains("format version 7") && said.contains("up to version 1"));
    }

    #[test]
    fn a_file_cut_mid_line_keeps_its_whole_lines_and_says_where() {
        let text = file();
        let cut = &text[..text.len() - 8];
        let e = parse(cut.as_bytes()).unwrap_err();
        let ReadError::Truncated { line, whole } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(*line, 5);
        assert_eq!(whole.lines.len(), 3);
        let said = Lang::En.scoped(|| e.to_string());
        assert!(said.starts_with("the file was cut at line 5"), "{said}");
    }

    #[test]
    fn a_bad_line_is_named_by_its_number() {
        let mut lines: Vec<&str> = file().leak().lines().collect();
        lines[2] = r#"{"t":7,"kind":"nonsense"}"#;
        let text = lines.join("\n") + "\n";
        let e = parse(text.as_bytes()).unwrap_err();
        assert!(matches!(e, ReadError::BadLine { line: 3, .. }), "{e:?}");
        let said = Lang::En.scoped(|| e.to_string());
        assert!(
            said.starts_with("line 3 is not a line of a session recording"),
            "{said}"
        );
    }
}
