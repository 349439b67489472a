//! The learner's progress, kept between sessions: per lesson id, whether it was shown, which
//! action keys ran to their end, and which of those passed every expectation on their latest
//! run; plus the lesson shown last (the TUI reopens there).
//!
//! Plain data and pure functions: recording, summaries, and the JSON text (`file` reads and
//! writes it). The format is versioned, and fields this version does not know are kept as they
//! are, so a later blocklab can add some (predictions) without an older one dropping them.
pub mod file;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::lesson::Lesson;
use crate::text::T;

/// The format this blocklab writes, and the newest it reads.
pub const VERSION: u64 = 1;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The id of the lesson shown last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_lesson: Option<String>,
    /// By lesson id; ids no longer loaded stay (another `--lessons` folder may have them).
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
    /// Fields a later blocklab wrote, kept for it.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    #[serde(default)]
    pub visited: bool,
    /// Action keys that ran to their end at least once.
    #[serde(default)]
    pub ran: BTreeSet<char>,
    /// Action keys whose latest finished run passed every expectation.
    #[serde(default)]
    pub passed: BTreeSet<char>,
    /// The prediction picked from the lesson's choices (absent in files from before picks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick: Option<Pick>,
    #[serde(flatten)]
    pub unknown: BTreeMap<String, Value>,
}

/// A choice picked as the prediction, and whether the measurement supported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    /// Index into the lesson's choices (0 is `a`).
    pub choice: usize,
    /// After the runs that decide it: whether the measurement supported this choice alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported: Option<bool>,
}

/// `done` of `of`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub done: usize,
    pub of: usize,
}

impl Count {
    fn add(&mut self, other: Count) {
        self.done += other.done;
        self.of += other.of;
    }
}

/// One lesson's progress, counted against the actions it has now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LessonSummary {
    pub visited: bool,
    pub ran: Count,
    /// Of the actions with at least one expectation.
    pub passed: Count,
    /// A pick among the lesson's choices (`of` is 0 for a lesson without choices).
    pub predicted: Count,
}

/// The loaded lessons' progress.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub visited: Count,
    pub ran: Count,
    pub passed: Count,
    /// Of the lessons with choices.
    pub predicted: Count,
}

impl Progress {
    /// `lesson` is shown. True if that changed anything.
    pub fn visit(&mut self, lesson: &str) -> bool {
        let entry = self.lessons.entry(lesson.to_string()).or_default();
        let changed = !entry.visited || self.last_lesson.as_deref() != Some(lesson);
        entry.visited = true;
        self.last_lesson = Some(lesson.to_string());
        changed
    }

    /// Action `key` of `lesson` ran to its end; `passed` if every expectation held. True if
    /// that changed anything.
    pub fn finished(&mut self, lesson: &str, key: char, passed: bool) -> bool {
        let entry = self.lessons.entry(lesson.to_string()).or_default();
        let ran = entry.ran.insert(key);
        let verdict = if passed {
            entry.passed.insert(key)
        } else {
            entry.passed.remove(&key)
        };
        ran || verdict
    }

    /// Choice `choice` of `lesson` is picked (again: changed; the verdict on it starts over).
    /// True if that changed anything.
    pub fn pick(&mut self, lesson: &str, choice: usize) -> bool {
        let entry = self.lessons.entry(lesson.to_string()).or_default();
        let new = Some(Pick {
            choice,
            supported: None,
        });
        let changed = entry.pick.map(|p| p.choice) != Some(choice);
        if changed {
            entry.pick = new;
        }
        changed
    }

    /// The runs that decide `lesson`'s choices are in: whether they supported its pick alone.
    /// True if that changed anything (nothing without a pick).
    pub fn judge(&mut self, lesson: &str, supported: bool) -> bool {
        let Some(pick) = self.lessons.get_mut(lesson).and_then(|e| e.pick.as_mut()) else {
            return false;
        };
        let changed = pick.supported != Some(supported);
        pick.supported = Some(supported);
        changed
    }

    /// The pick of `lesson`, if it still names one of its choices.
    pub fn pick_of(&self, lesson: &Lesson) -> Option<Pick> {
        let pick = self.lessons.get(&lesson.id)?.pick?;
        (pick.choice < lesson.choices.len()).then_some(pick)
    }

    /// One lesson's progress; keys it no longer has are not counted.
    pub fn of_lesson(&self, lesson: &Lesson) -> LessonSummary {
        let entry = self.lessons.get(&lesson.id);
        let has = |set: fn(&LessonProgress) -> &BTreeSet<char>, key: char| {
            entry.is_some_and(|e| set(e).contains(&key))
        };
        let has_choices = !lesson.choices.is_empty();
        let mut summary = LessonSummary {
            visited: entry.is_some_and(|e| e.visited),
            predicted: Count {
                done: usize::from(self.pick_of(lesson).is_some()),
                of: usize::from(has_choices),
            },
            ..LessonSummary::default()
        };
        for action in &lesson.actions {
            summary.ran.of += 1;
            summary.ran.done += usize::from(has(|e| &e.ran, action.key));
            if !action.expect.is_empty() {
                summary.passed.of += 1;
                summary.passed.done += usize::from(has(|e| &e.passed, action.key));
            }
        }
        summary
    }

    /// The progress over `lessons` (the ones loaded now).
    pub fn summary(&self, lessons: &[Lesson]) -> Summary {
        let mut total = Summary::default();
        for lesson in lessons {
            let one = self.of_lesson(lesson);
            total.visited.add(Count {
                done: usize::from(one.visited),
                of: 1,
            });
            total.ran.add(one.ran);
            total.passed.add(one.passed);
            total.predicted.add(one.predicted);
        }
        total
    }

    /// Where `lessons` holds the lesson shown last.
    pub fn last_index(&self, lessons: &[Lesson]) -> Option<usize> {
        let last = self.last_lesson.as_deref()?;
        lessons.iter().position(|l| l.id == last)
    }

    /// The file's text: `{"version": 1, …}`, pretty-printed (a person may look at it).
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct Versioned<'a> {
            version: u64,
            #[serde(flatten)]
            progress: &'a Progress,
        }
        let file = Versioned {
            version: VERSION,
            progress: self,
        };
        let mut text = serde_json::to_string_pretty(&file).expect("plain data");
        text.push('\n');
        text
    }

    /// Reads a file's text.
    pub fn parse(text: &[u8]) -> Result<Progress, Unreadable> {
        let corrupt = |e: serde_json::Error| Unreadable::Corrupt(e.to_string());
        let mut value: Value = serde_json::from_slice(text).map_err(corrupt)?;
        let Some(object) = value.as_object_mut() else {
            return Err(Unreadable::NoVersion);
        };
        let version = object.remove("version").ok_or(Unreadable::NoVersion)?;
        match version.as_u64() {
            Some(VERSION) => {}
            Some(found) if found > VERSION => return Err(Unreadable::Newer(found)),
            _ => return Err(Unreadable::UnknownVersion(version.to_string())),
        }
        serde_json::from_value(value).map_err(corrupt)
    }
}

/// Why a progress file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unreadable {
    /// The file is there but cannot be read (the OS's words).
    Io(String),
    /// Not JSON, or not the shape of this format (serde's words, with line and column).
    Corrupt(String),
    /// Not an object with a `version`: some other file.
    NoVersion,
    UnknownVersion(String),
    /// Written by a newer blocklab, in a format this one does not know.
    Newer(u64),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            Unreadable::Io(error) | Unreadable::Corrupt(error) => error.clone(),
            Unreadable::NoVersion => T::ProgressNoVersion.text().to_string(),
            Unreadable::UnknownVersion(found) => {
                T::ProgressUnknownVersion.fill(&[("found", found)])
            }
            Unreadable::Newer(found) => {
                T::ProgressNewer.fill(&[("found", found), ("known", &VERSION)])
            }
        };
        f.write_str(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lessons() -> Vec<Lesson> {
        crate::lesson::builtin().lessons
    }

    #[test]
    fn a_visit_changes_progress_once_and_moves_the_last_lesson() {
        let mut p = Progress::default();
        assert!(p.visit("event-loop"));
        assert!(
            !p.visit("event-loop"),
            "the same lesson again changes nothing"
        );
        assert!(p.visit("cpu-inline"));
        assert!(
            p.visit("event-loop"),
            "visited already, but now the last one"
        );
        assert_eq!(p.last_lesson.as_deref(), Some("event-loop"));
        assert!(p.lessons["cpu-inline"].visited);
    }

    #[test]
    fn a_finished_run_counts_once_and_its_latest_verdict_wins() {
        let mut p = Progress::default();
        assert!(p.finished("event-loop", '2', false));
        assert!(!p.finished("event-loop", '2', false));
        assert!(p.finished("event-loop", '2', true), "now it passed");
        assert!(!p.finished("event-loop", '2', true));
        assert!(
            p.finished("event-loop", '2', false),
            "the latest run failed"
        );
        let lesson = &p.lessons["event-loop"];
        assert_eq!(lesson.ran, BTreeSet::from(['2']));
        assert!(lesson.passed.is_empty());
        assert!(!lesson.visited, "running is not visiting");
    }

    #[test]
    fn the_summary_counts_the_loaded_lessons_and_their_actions_only() {
        let lessons = lessons();
        let actions: usize = lessons.iter().map(|l| l.actions.len()).sum();
        let mut p = Progress::default();
        p.visit("event-loop");
        p.visit("cpu-inline");
        p.finished("event-loop", '1', true);
        p.finished("event-loop", '2', false);
        // A lesson of another folder, and a key lesson 1 does not have: kept, not counted.
        p.visit("not-loaded");
        p.finished("not-loaded", '1', true);
        p.finished("event-loop", '9', true);
        let s = p.summary(&lessons);
        assert_eq!(
            s.visited,
            Count {
                done: 2,
                of: lessons.len()
            }
        );
        assert_eq!(
            s.ran,
            Count {
                done: 2,
                of: actions
            }
        );
        assert_eq!(
            s.passed,
            Count {
                done: 1,
                of: actions
            }
        );
        let one = p.of_lesson(&lessons[0]);
        assert!(one.visited);
        let n = lessons[0].actions.len();
        assert_eq!(one.ran, Count { done: 2, of: n });
        assert_eq!(one.passed, Count { done: 1, of: n });
        assert!(p.lessons.contains_key("not-loaded"));
        assert_eq!(
            p.last_index(&lessons),
            None,
            "the last lesson is not loaded"
        );
        p.visit("cpu-inline");
        assert_eq!(p.last_index(&lessons), Some(2));
    }

    #[test]
    fn a_pick_counts_once_per_lesson_with_choices_and_its_verdict_starts_over_on_a_change() {
        let lessons = lessons();
        let with = lessons.iter().find(|l| !l.choices.is_empty()).unwrap();
        let without = lessons.iter().find(|l| l.choices.is_empty()).unwrap();
        let mut p = Progress::default();
        assert!(!p.judge(&with.id, true), "nothing to judge without a pick");
        assert!(p.pick(&with.id, 1));
        assert!(!p.pick(&with.id, 1), "the same pick again changes nothing");
        assert!(p.judge(&with.id, false));
        assert_eq!(p.lessons[&with.id].pick.unwrap().supported, Some(false));
        assert!(p.pick(&with.id, 0), "a changed pick");
        assert_eq!(p.lessons[&with.id].pick.unwrap().supported, None);
        // A pick past the lesson's choices (the file changed) is not counted.
        p.pick(&without.id, 0);
        let s = p.summary(&lessons);
        let predictable = lessons.iter().filter(|l| !l.choices.is_empty()).count();
        assert_eq!(
            s.predicted,
            Count {
                done: 1,
                of: predictable
            }
        );
        assert_eq!(p.of_lesson(without).predicted, Count { done: 0, of: 0 });
    }

    #[test]
    fn a_pick_round_trips_and_an_older_file_without_picks_reads_fine() {
        let mut p = Progress::default();
        p.visit("event-loop");
        p.pick("event-loop", 2);
        p.judge("event-loop", true);
        let text = p.to_json();
        assert!(text.contains("\"pick\""), "{text}");
        assert_eq!(Progress::parse(text.as_bytes()), Ok(p));
        let older = r#"{"version": 1, "lessons": {"event-loop": {"visited": true, "ran": ["2"]}}}"#;
        let p = Progress::parse(older.as_bytes()).unwrap();
        assert_eq!(p.lessons["event-loop"].pick, None);
        assert!(!p.to_json().contains("pick"), "no pick, no field");
    }

    #[test]
    fn the_json_round_trips_and_says_its_version_first() {
        let mut p = Progress::default();
        p.visit("event-loop");
        p.finished("event-loop", '3', true);
        p.finished("load", '1', false);
        let text = p.to_json();
        assert!(text.starts_with("{\n  \"version\": 1,"), "{text}");
        assert_eq!(Progress::parse(text.as_bytes()), Ok(p));
        let empty = Progress::default();
        assert_eq!(Progress::parse(empty.to_json().as_bytes()), Ok(empty));
    }

    #[test]
    fn fields_of_a_later_blocklab_are_read_and_written_back() {
        let text = r#"{
            "version": 1,
            "last_lesson": "load",
            "predictions": {"load": {"1": "a"}},
            "lessons": {"load": {"visited": true, "ran": ["1"], "guessed": 3}}
        }"#;
        let p = Progress::parse(text.as_bytes()).unwrap();
        assert_eq!(p.lessons["load"].ran, BTreeSet::from(['1']));
        assert_eq!(p.lessons["load"].unknown["guessed"], 3);
        let again = Progress::parse(p.to_json().as_bytes()).unwrap();
        assert_eq!(again.unknown["predictions"]["load"]["1"], "a");
        assert_eq!(again, p);
    }

    #[test]
    fn a_file_this_version_cannot_use_says_why() {
        let parse = |text: &str| Progress::parse(text.as_bytes());
        assert_eq!(
            parse(r#"{"version": 2, "x": 1}"#),
            Err(Unreadable::Newer(2))
        );
        assert_eq!(
            parse(r#"{"version": 0}"#),
            Err(Unreadable::UnknownVersion("0".into()))
        );
        assert_eq!(
            parse(r#"{"version": "1"}"#),
            Err(Unreadable::UnknownVersion("\"1\"".into()))
        );
        assert_eq!(parse(r#"{"lessons": {}}"#), Err(Unreadable::NoVersion));
        assert_eq!(parse("[1, 2]"), Err(Unreadable::NoVersion));
        for bad in [
            "",
            "{",
            "{\"version\": 1,",
            "\u{0}\u{1}",
            r#"{"version": 1, "lessons": 3}"#,
        ] {
            assert!(
                matches!(parse(bad), Err(Unreadable::Corrupt(_))),
                "{bad:?}: {:?}",
                parse(bad)
            );
        }
        assert!(matches!(
            Progress::parse(&[0xff, 0xfe]),
            Err(Unreadable::Corrupt(_))
        ));
        let lang = crate::text::Lang::En;
        let newer = lang.scoped(|| Unreadable::Newer(2).to_string());
        assert_eq!(
            newer,
            "written by a newer blocklab (format 2; this one reads 1)"
        );
        // serde's words say where.
        let why = parse("{\n  \"version\": 1,\n  \"lessons\": [\n").unwrap_err();
        assert!(why.to_string().contains("line 4"), "{why}");
    }
}
