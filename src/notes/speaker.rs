//! What the notes screen shows of the presenter, as plain data, and its line on the wire.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The version of the wire format: a line carries it as `"v"`; a follower refuses others.
pub const VERSION: u32 = 1;

/// Where the presenter is, in the presenter's language. Times are wall-clock (Unix
/// milliseconds): both ends run on the same machine, so they share the clock, and a state that
/// stays put stays equal — the presenter sends only changes, the follower ticks on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// Presenter mode is on (else only the lesson is said).
    pub presenting: bool,
    /// The presenter's language code (`en`, `zh-TW`, `zh-CN`): the texts below are in it.
    pub lang: String,
    pub lesson: LessonAt,
    /// The current step, in presenter mode.
    pub step: Option<StepAt>,
    /// The notes of the current step; empty when the lesson gives none.
    pub notes: String,
    /// What "next" leads to; `None` on the last step of the last lesson.
    pub next: Option<Next>,
    /// When presenter mode was turned on (Unix ms).
    pub presenting_since: Option<u64>,
    /// When the current step was reached (Unix ms).
    pub step_since: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonAt {
    pub id: String,
    /// 1-based.
    pub n: usize,
    pub of: usize,
    pub title: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepAt {
    /// 1-based.
    pub n: usize,
    pub of: usize,
    /// Its short name as the presenter's header says it ("Idea", "Run 2").
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Next {
    /// The next step's name.
    pub step: String,
    /// The next lesson's title, when the next step is its first.
    pub lesson: Option<String>,
}

/// One line on the wire: the version, then the state's fields.
#[derive(Serialize, Deserialize)]
struct Line {
    v: u32,
    #[serde(flatten)]
    speaker: Speaker,
}

/// The version alone, read first so another version is refused by name, not as a bad line.
#[derive(Deserialize)]
struct Version {
    v: u32,
}

/// Why a line was not a state.
#[derive(Debug, PartialEq, Eq)]
pub enum LineError {
    /// A line of another version of the format.
    Version(u32),
    /// Not a line of this format at all.
    Bad(String),
}

impl Speaker {
    /// Its line on the wire, newline included.
    pub fn to_line(&self) -> String {
        let line = Line {
            v: VERSION,
            speaker: self.clone(),
        };
        let mut text = serde_json::to_string(&line).expect("plain data");
        text.push('\n');
        text
    }

    /// A line read off the wire (with or without its newline).
    pub fn from_line(line: &str) -> Result<Speaker, LineError> {
        let version: Version =
            serde_json::from_str(line).map_err(|e| LineError::Bad(e.to_string()))?;
        if version.v != VERSION {
            return Err(LineError::Version(version.v));
        }
        let line: Line = serde_json::from_str(line).map_err(|e| LineError::Bad(e.to_string()))?;
        Ok(line.speaker)
    }
}

/// `epoch + at` in Unix milliseconds.
pub fn unix_ms(epoch: SystemTime, at: Duration) -> u64 {
    (epoch + at)
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}

/// How long ago `since` (Unix ms) was, at `now`; zero for a time ahead (a clock stepped back).
pub fn elapsed(since: u64, now: SystemTime) -> Duration {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    now.saturating_sub(Duration::from_millis(since))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> Speaker {
        Speaker {
            presenting: true,
            lang: "zh-TW".into(),
            lesson: LessonAt {
                id: "event-loop".into(),
                n: 1,
                of: 18,
                title: "事件迴圈與它的延遲".into(),
            },
            step: Some(StepAt {
                n: 2,
                of: 6,
                name: "預測".into(),
            }),
            notes: "先問大家：\n\"最慢的 ping\" 是多少？".into(),
            next: Some(Next {
                step: "執行 1".into(),
                lesson: None,
            }),
            presenting_since: Some(1_790_000_000_000),
            step_since: Some(1_790_000_012_345),
        }
    }

    #[test]
    fn a_state_goes_through_the_wire_and_back_unchanged() {
        let s = sample();
        let line = s.to_line();
        assert!(line.starts_with("{\"v\":1,"), "{line}");
        assert_eq!(line.matches('\n').count(), 1, "one line: {line}");
        assert_eq!(Speaker::from_line(&line), Ok(s.clone()));
        let off = Speaker {
            presenting: false,
            step: None,
            next: None,
            presenting_since: None,
            step_since: None,
            notes: String::new(),
            ..s
        };
        assert_eq!(Speaker::from_line(off.to_line().trim_end()), Ok(off));
    }

    #[test]
    fn another_version_or_a_stranger_line_is_refused_by_name() {
        let line = sample().to_line().replacen("\"v\":1", "\"v\":2", 1);
        assert_eq!(Speaker::from_line(&line), Err(LineError::Version(2)));
        assert!(matches!(
            Speaker::from_line("{\"v\":1}"),
            Err(LineError::Bad(_))
        ));
        assert!(matches!(
            Speaker::from_line("hello"),
            Err(LineError::Bad(_))
        ));
    }

    #[test]
    fn elapsed_counts_from_a_wall_clock_start_and_never_goes_negative() {
        let epoch = UNIX_EPOCH + Duration::from_secs(1_000);
        let since = unix_ms(epoch, Duration::from_millis(1_500));
        assert_eq!(since, 1_001_500);
        let now = UNIX_EPOCH + Duration::from_millis(1_004_000);
        assert_eq!(elapsed(since, now), Duration::from_millis(2_500));
        assert_eq!(elapsed(since, epoch), Duration::ZERO);
    }
}
