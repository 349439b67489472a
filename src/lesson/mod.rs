//! Lessons: one TOML file each in `lessons/` (format in `lessons/README.md`). They are embedded
//! at build time and parsed at start-up, so any error names its file and line.
pub mod expect;
pub mod snippet;

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::lab::strategy::Strategy;
use crate::lab::workload::Workload;
use crate::lab::{Flavor, LabConfig};
pub use expect::Expect;
pub use snippet::Snippet;

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

#[derive(Clone, Debug)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub file: String,
    /// The idea, in a few short paragraphs.
    pub idea: String,
    /// The Python / FastAPI form, and what FastAPI really does.
    pub python: String,
    /// How the tokio form differs, in prose.
    pub rust: String,
    pub snippets: Vec<&'static Snippet>,
    pub predict: String,
    pub takeaway: String,
    pub lab: LabConfig,
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug)]
pub struct Action {
    pub key: char,
    pub label: String,
    pub workload: Workload,
    pub strategy: Strategy,
    pub ms: u64,
    pub jobs: usize,
    pub expect: Vec<Expect>,
}

#[derive(Debug, PartialEq)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for LessonError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    id: Spanned<String>,
    title: String,
    idea: String,
    python: String,
    rust: String,
    snippets: Vec<Spanned<String>>,
    predict: String,
    takeaway: String,
    #[serde(default)]
    lab: RawLab,
    action: Vec<Spanned<RawAction>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLab {
    runtime: Option<Spanned<String>>,
    workers: Option<Spanned<i64>>,
    max_blocking_threads: Option<Spanned<i64>>,
    traffic_rate: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    key: Spanned<String>,
    label: String,
    workload: Spanned<String>,
    strategy: Spanned<String>,
    ms: Spanned<i64>,
    jobs: Option<Spanned<i64>>,
    #[serde(default)]
    expect: Vec<Spanned<String>>,
}

/// Parses one lesson file. `file` is the name used in errors.
pub fn parse(file: &str, text: &str) -> Result<Lesson, LessonError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let err = |offset: usize, message: String| LessonError {
        file: file.to_string(),
        line: line_of(offset),
        message,
    };
    let raw: RawLesson = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        err(offset, e.message().trim().to_string())
    })?;
    let positive = |v: &Spanned<i64>, what: &str| -> Result<u64, LessonError> {
        u64::try_from(*v.get_ref())
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| {
                err(
                    v.span().start,
                    format!(
                        "`{what}` must be a whole number above 0, not {}",
                        v.get_ref()
                    ),
                )
            })
    };

    let id = raw.id.get_ref().clone();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(err(
            raw.id.span().start,
            format!("id `{id}` must be lowercase letters, digits and `-`"),
        ));
    }

    let mut snippets = Vec::new();
    for name in &raw.snippets {
        let found = snippet::find(name.get_ref()).ok_or_else(|| {
            let known: Vec<_> = snippet::SNIPPETS.iter().map(|s| s.name).collect();
            err(
                name.span().start,
                format!(
                    "no snippet named `{}` in the source (known: {})",
                    name.get_ref(),
                    known.join(", ")
                ),
            )
        })?;
        snippets.push(found);
    }

    let mut lab = LabConfig::default();
    if let Some(r) = &raw.lab.runtime {
        lab.flavor = match r.get_ref().as_str() {
            "current-thread" => Flavor::CurrentThread,
            "multi-thread" => Flavor::MultiThread,
            other => {
                return Err(err(
                    r.span().start,
                    format!("unknown runtime `{other}` (allowed: current-thread, multi-thread)"),
                ));
            }
        };
    }
    if let Some(w) = &raw.lab.workers {
        lab.workers = positive(w, "workers")? as usize;
    }
    if let Some(m) = &raw.lab.max_blocking_threads {
        lab.max_blocking_threads = positive(m, "max_blocking_threads")? as usize;
    }
    if let Some(t) = &raw.lab.traffic_rate {
        lab.traffic_rate = u32::try_from(*t.get_ref())
            .map_err(|_| err(t.span().start, "`traffic_rate` must be 0 or more".into()))?;
    }

    if raw.action.is_empty() {
        return Err(err(0, "a lesson needs at least one [[action]]".into()));
    }
    let mut actions: Vec<Action> = Vec::new();
    for spanned in &raw.action {
        let a = spanned.get_ref();
        let key = a.key.get_ref();
        let mut chars = key.chars();
        let (Some(k), None) = (chars.next(), chars.next()) else {
            return Err(err(
                a.key.span().start,
                format!("key `{key}` must be one character"),
            ));
        };
        if !k.is_ascii_digit() {
            return Err(err(
                a.key.span().start,
                format!("key `{key}` must be a digit 1-9 (other keys drive the app)"),
            ));
        }
        if actions.iter().any(|x| x.key == k) {
            return Err(err(
                a.key.span().start,
                format!("key `{k}` is used twice in this lesson"),
            ));
        }
        let workload = a
            .workload
            .get_ref()
            .parse()
            .map_err(|e| err(a.workload.span().start, e))?;
        let strategy = a
            .strategy
            .get_ref()
            .parse()
            .map_err(|e| err(a.strategy.span().start, e))?;
        let ms = positive(&a.ms, "ms")?;
        let jobs = a
            .jobs
            .as_ref()
            .map(|j| positive(j, "jobs"))
            .transpose()?
            .unwrap_or(1) as usize;
        let mut expect = Vec::new();
        for e in &a.expect {
            expect.push(Expect::parse(e.get_ref()).map_err(|m| err(e.span().start, m))?);
        }
        actions.push(Action {
            key: k,
            label: a.label.clone(),
            workload,
            strategy,
            ms,
            jobs,
            expect,
        });
    }

    Ok(Lesson {
        id,
        title: raw.title,
        file: file.to_string(),
        idea: raw.idea.trim().to_string(),
        python: raw.python.trim().to_string(),
        rust: raw.rust.trim().to_string(),
        snippets,
        predict: raw.predict.trim().to_string(),
        takeaway: raw.takeaway.trim().to_string(),
        lab,
        actions,
    })
}

/// Parses a set of (file name, text) pairs in order; ids must be unique.
pub fn parse_all<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<Lesson>, LessonError> {
    let mut lessons: Vec<Lesson> = Vec::new();
    for (file, text) in files {
        let lesson = parse(file, text)?;
        if lessons.iter().any(|l| l.id == lesson.id) {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("id"))
                .unwrap_or(0)
                + 1;
            return Err(LessonError {
                file: file.into(),
                line,
                message: format!("id `{}` is used by another lesson", lesson.id),
            });
        }
        lessons.push(lesson);
    }
    if lessons.is_empty() {
        return Err(LessonError {
            file: "lessons/".into(),
            line: 0,
            message: "no lesson files (*.toml)".into(),
        });
    }
    Ok(lessons)
}

/// The lessons built into the binary.
pub fn builtin() -> Result<Vec<Lesson>, LessonError> {
    parse_all(LESSON_FILES.iter().copied())
}

/// Lessons from a directory instead (for lesson authors: edit, rerun, no rebuild).
pub fn from_dir(dir: &Path) -> Result<Vec<Lesson>, LessonError> {
    let io = |e: std::io::Error| LessonError {
        file: dir.display().to_string(),
        line: 0,
        message: e.to_string(),
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut texts = Vec::new();
    for p in &paths {
        texts.push((
            p.display().to_string(),
            std::fs::read_to_string(p).map_err(io)?,
        ));
    }
    parse_all(texts.iter().map(|(f, t)| (f.as_str(), t.as_str())))
}

impl Lesson {
    pub fn action(&self, key: char) -> Option<&Action> {
        self.actions.iter().find(|a| a.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id = "demo"
title = "Demo"
idea = "An idea."
python = "time.sleep(1)"
rust = "std::thread::sleep"
snippets = ["strategy-inline"]
predict = "What happens?"
takeaway = "This."

[[action]]
key = "1"
label = "block"
workload = "sleep"
strategy = "inline"
ms = 200
expect = ["lag.max >= 90% of block"]
"#;

    #[test]
    fn the_builtin_lessons_parse() {
        let lessons = builtin().unwrap();
        assert!(lessons.len() >= 3);
        for l in &lessons {
            assert!(!l.snippets.is_empty(), "{} shows no code", l.id);
            assert!(
                l.actions.iter().all(|a| !a.expect.is_empty()),
                "{} has an action with no expectation",
                l.id
            );
        }
    }

    #[test]
    fn a_good_file_parses() {
        let l = parse("demo.toml", GOOD).unwrap();
        assert_eq!(l.actions[0].key, '1');
        assert_eq!(l.actions[0].jobs, 1);
        assert_eq!(l.snippets[0].name, "strategy-inline");
    }

    fn error_of(from: &str, to: &str) -> LessonError {
        let text = GOOD.replace(from, to);
        assert_ne!(text, GOOD, "replacement {from:?} did nothing");
        parse("lessons/demo.toml", &text).unwrap_err()
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = error_of("ms = 200", "ms = 0");
        assert_eq!((e.file.as_str(), e.line), ("lessons/demo.toml", 16));
        assert!(
            e.to_string()
                .starts_with("lessons/demo.toml:16: `ms` must be"),
            "{e}"
        );

        let e = error_of(
            r#"snippets = ["strategy-inline"]"#,
            r#"snippets = ["no-such-snippet"]"#,
        );
        assert_eq!(e.line, 7);
        assert!(
            e.message.contains("no snippet named `no-such-snippet`"),
            "{e}"
        );

        let e = error_of(r#"strategy = "inline""#, r#"strategy = "threads""#);
        assert_eq!(e.line, 15);
        assert!(e.message.contains("allowed: inline, spawn-blocking"), "{e}");

        let e = error_of(
            r#"expect = ["lag.max >= 90% of block"]"#,
            r#"expect = ["lag.max >= lots"]"#,
        );
        assert_eq!(e.line, 17);

        let e = error_of("title = \"Demo\"", "title = ");
        assert_eq!(e.line, 3, "{e}");

        let e = error_of("takeaway", "takeway");
        assert!(e.message.contains("unknown field `takeway`"), "{e}");
    }
}
