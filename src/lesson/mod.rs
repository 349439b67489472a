//! Lessons: one TOML file each in `lessons/` (format in `lessons/README.md`). They are embedded
//! at build time and parsed at start-up, so any error names its file and line.
pub mod choice;
pub mod expect;
mod localized;
pub mod snippet;
pub mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::data::{Batch, Load, Sweep, Work};
use crate::data::{Flavor, LabConfig, Shutdown, Strategy};
use crate::text::{Lang, T};
pub use choice::Choice;
pub use expect::Expect;
pub use localized::Localized;
pub use snippet::Snippet;

include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

#[derive(Clone, Debug)]
pub struct Lesson {
    pub id: String,
    pub title: Localized,
    pub file: String,
    /// The language of the file's top-level texts (`lang`, English unless it says).
    pub lang: Lang,
    /// The idea, in a few short paragraphs.
    pub idea: Localized,
    /// The Python / FastAPI form, and what FastAPI really does.
    pub python: Localized,
    /// How the tokio form differs, in prose.
    pub rust: Localized,
    pub snippets: Vec<&'static Snippet>,
    pub predict: Localized,
    pub takeaway: Localized,
    pub lab: LabConfig,
    pub actions: Vec<Action>,
    /// Answers to the prediction the learner may pick from (`[[choice]]`, optional).
    pub choices: Vec<Choice>,
    /// What the presenter says at each step (`[notes]`, optional): for a second screen.
    pub notes: Notes,
}

/// Speaker notes, one per kind of presenter step; each optional, in any language.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Notes {
    pub idea: Localized,
    pub predict: Localized,
    /// For every Run step.
    pub run: Localized,
    pub reveal: Localized,
}

#[derive(Clone, Debug)]
pub struct Action {
    pub key: char,
    pub label: Localized,
    /// The first batch's work (its `ms` is the `block` expectations speak of).
    pub work: Work,
    pub jobs: usize,
    /// More jobs later in the same action.
    pub then: Vec<Batch>,
    /// The lab this action runs on: the lesson's, with the action's `[action.lab]` on top.
    pub lab: LabConfig,
    /// Stop (restart) the lab this long after the first submission.
    pub stop_after: Option<Duration>,
    /// Stop the lab this long after the first submission, start a fresh one, and wait for the
    /// jobs to end there (a server restarted under durable work).
    pub restart_after: Option<Duration>,
    /// Instead of `jobs` at once: requests at rising rates (a load test).
    pub load: Option<Load>,
    /// Instead of `jobs` at once: the work on a pool of each multiple of the cores in turn.
    pub sweep: Option<Sweep>,
    pub expect: Vec<Expect>,
}

impl Action {
    /// The jobs submitted straight into the lab (none for a load test: its jobs come over
    /// HTTP; none for a sweep: the runner submits its steps one by one).
    pub fn batches(&self) -> Vec<Batch> {
        if self.load.is_some() || self.sweep.is_some() {
            return Vec::new();
        }
        let first = Batch {
            work: self.work,
            jobs: self.jobs,
            after: Duration::ZERO,
        };
        std::iter::once(first)
            .chain(self.then.iter().copied())
            .collect()
    }

    /// "sleep × inline", "sleep × spawn-blocking ×8", "sleep × inline at 50…800 req/s".
    pub fn describe(&self) -> String {
        if let Some(load) = &self.load {
            let (lo, hi) = (
                load.rates.first().copied().unwrap_or(0),
                load.rates.last().copied().unwrap_or(0),
            );
            return T::ActionAtRates.fill(&[
                ("workload", &self.work.workload.as_str()),
                ("strategy", &self.work.strategy.as_str()),
                ("lo", &lo),
                ("hi", &hi),
            ]);
        }
        if let Some(sweep) = &self.sweep {
            let (lo, hi) = (
                sweep.multiples.iter().min().copied().unwrap_or(0),
                sweep.multiples.iter().max().copied().unwrap_or(0),
            );
            return T::ActionSweep.fill(&[
                ("workload", &self.work.workload.as_str()),
                ("strategy", &self.work.strategy.as_str()),
                ("lo", &lo),
                ("hi", &hi),
            ]);
        }
        let jobs = if self.jobs > 1 {
            format!(" ×{}", self.jobs)
        } else {
            String::new()
        };
        format!(
            "{} × {}{jobs}",
            self.work.workload.as_str(),
            self.work.strategy.as_str()
        )
    }
}

#[derive(Debug, PartialEq)]
pub struct LessonError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            // Not about one line (an unreadable file, an empty folder).
            0 => write!(f, "{}: {}", self.file, self.message),
            line => write!(f, "{}:{line}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for LessonError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLesson {
    id: Spanned<String>,
    lang: Option<Spanned<String>>,
    title: Spanned<String>,
    idea: Spanned<String>,
    python: Spanned<String>,
    rust: Spanned<String>,
    snippets: Vec<Spanned<String>>,
    predict: Spanned<String>,
    takeaway: Spanned<String>,
    #[serde(default)]
    lab: RawLab,
    action: Vec<Spanned<RawAction>>,
    #[serde(default)]
    choice: Vec<Spanned<RawChoice>>,
    notes: Option<RawNotes>,
    en: Option<Spanned<RawTexts>>,
    #[serde(rename = "zh-TW")]
    zh_tw: Option<Spanned<RawTexts>>,
    #[serde(rename = "zh-CN")]
    zh_cn: Option<Spanned<RawTexts>>,
}

/// A language's section (`[zh-TW]`): the lesson's texts in that language, each optional.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTexts {
    title: Option<Spanned<String>>,
    idea: Option<Spanned<String>>,
    python: Option<Spanned<String>>,
    rust: Option<Spanned<String>>,
    predict: Option<Spanned<String>>,
    takeaway: Option<Spanned<String>>,
    /// The choices' texts, in the order of the `[[choice]]` blocks.
    choices: Option<Spanned<Vec<String>>>,
    /// Action labels by key.
    #[serde(default)]
    labels: BTreeMap<String, Spanned<String>>,
    notes: Option<RawNotes>,
}

/// `[[choice]]`: one answer to the prediction, and when the measurement supports it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    text: String,
    action: Spanned<String>,
    holds: Spanned<Vec<Spanned<String>>>,
}

/// `[notes]` (or `[zh-TW.notes]`): speaker notes, each optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNotes {
    idea: Option<String>,
    predict: Option<String>,
    run: Option<String>,
    reveal: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLab {
    runtime: Option<Spanned<String>>,
    workers: Option<Spanned<i64>>,
    max_blocking_threads: Option<Spanned<i64>>,
    traffic_rate: Option<Spanned<i64>>,
    lifespan_pool: Option<Spanned<i64>>,
    shutdown: Option<Spanned<String>>,
    queue_workers: Option<Spanned<i64>>,
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
    size: Option<Spanned<i64>>,
    stop_after_ms: Option<Spanned<i64>>,
    restart_after_ms: Option<Spanned<i64>>,
    load: Option<Vec<Spanned<i64>>>,
    step_ms: Option<Spanned<i64>>,
    sweep: Option<Spanned<Vec<Spanned<i64>>>>,
    lab: Option<RawLab>,
    #[serde(default)]
    then: Vec<RawBatch>,
    #[serde(default)]
    expect: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBatch {
    after_ms: Spanned<i64>,
    workload: Option<Spanned<String>>,
    strategy: Option<Spanned<String>>,
    ms: Option<Spanned<i64>>,
    jobs: Option<Spanned<i64>>,
    size: Option<Spanned<i64>>,
}

/// Reads one file: turns spans into lines for every error.
struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    /// The language of the top-level texts.
    base: Lang,
}

impl Reader<'_> {
    fn err(&self, offset: usize, message: impl Into<String>) -> LessonError {
        let line = self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1;
        LessonError {
            file: self.file.to_string(),
            line,
            message: message.into(),
        }
    }

    fn number(&self, v: &Spanned<i64>, what: &str, min: i64) -> Result<u64, LessonError> {
        let n = *v.get_ref();
        if n < min {
            let bound = match min {
                0 => T::LessonNumberZeroOrMore.into(),
                1 => T::LessonNumberAboveZero.into(),
                _ => T::LessonNumberAtLeast.fill(&[("min", &min)]),
            };
            let message = T::LessonNumber.fill(&[("what", &what), ("bound", &bound), ("n", &n)]);
            return Err(self.err(v.span().start, message));
        }
        Ok(n as u64)
    }

    fn parsed<T: std::str::FromStr<Err = String>>(
        &self,
        v: &Spanned<String>,
    ) -> Result<T, LessonError> {
        v.get_ref().parse().map_err(|e| self.err(v.span().start, e))
    }

    /// A strategy of the registry, by name.
    fn strategy(&self, v: &Spanned<String>) -> Result<Strategy, LessonError> {
        crate::lab::strategy::find(v.get_ref()).map_err(|e| self.err(v.span().start, e))
    }

    /// An optional number: `None` when the key is absent, an error naming the line when bad.
    fn opt_number(
        &self,
        v: &Option<Spanned<i64>>,
        what: &str,
        min: i64,
    ) -> Result<Option<u64>, LessonError> {
        v.as_ref().map(|v| self.number(v, what, min)).transpose()
    }

    fn opt_parsed<T: std::str::FromStr<Err = String>>(
        &self,
        v: &Option<Spanned<String>>,
    ) -> Result<Option<T>, LessonError> {
        v.as_ref().map(|v| self.parsed(v)).transpose()
    }

    fn lab(&self, raw: &RawLab, mut lab: LabConfig) -> Result<LabConfig, LessonError> {
        if let Some(r) = &raw.runtime {
            lab.flavor = self.parsed::<Flavor>(r)?;
        }
        if let Some(w) = &raw.workers {
            lab.workers = self.number(w, "workers", 1)? as usize;
        }
        if let Some(m) = &raw.max_blocking_threads {
            lab.max_blocking_threads = self.number(m, "max_blocking_threads", 1)? as usize;
        }
        if let Some(t) = &raw.traffic_rate {
            lab.traffic_rate = self.number(t, "traffic_rate", 0)? as u32;
        }
        if let Some(p) = &raw.lifespan_pool {
            lab.lifespan_pool = self.number(p, "lifespan_pool", 0)? as usize;
        }
        if let Some(s) = &raw.shutdown {
            lab.shutdown = self.parsed::<Shutdown>(s)?;
        }
        if let Some(q) = &raw.queue_workers {
            lab.queue_workers = Some(self.number(q, "queue_workers", 1)? as usize);
        }
        Ok(lab)
    }

    fn action(
        &self,
        a: &RawAction,
        lesson_lab: &LabConfig,
        taken: &[Action],
    ) -> Result<Action, LessonError> {
        let key = a.key.get_ref();
        let mut chars = key.chars();
        let (Some(k), None) = (chars.next(), chars.next()) else {
            return Err(self.err(
                a.key.span().start,
                T::LessonKeyOneChar.fill(&[("key", key)]),
            ));
        };
        if !k.is_ascii_digit() {
            return Err(self.err(a.key.span().start, T::LessonKeyDigit.fill(&[("key", key)])));
        }
        if taken.iter().any(|x| x.key == k) {
            return Err(self.err(a.key.span().start, T::LessonKeyTwice.fill(&[("key", &k)])));
        }
        let work = Work {
            workload: self.parsed(&a.workload)?,
            strategy: self.strategy(&a.strategy)?,
            ms: self.number(&a.ms, "ms", 1)?,
            size: self.opt_number(&a.size, "size", 1)?.unwrap_or(0) as u32,
        };
        let jobs = self.opt_number(&a.jobs, "jobs", 1)?.unwrap_or(1) as usize;
        let mut then = Vec::new();
        for b in &a.then {
            let work = Work {
                workload: self.opt_parsed(&b.workload)?.unwrap_or(work.workload),
                strategy: match &b.strategy {
                    Some(s) => self.strategy(s)?,
                    None => work.strategy,
                },
                ms: self.opt_number(&b.ms, "ms", 1)?.unwrap_or(work.ms),
                size: self
                    .opt_number(&b.size, "size", 1)?
                    .map_or(work.size, |s| s as u32),
            };
            let jobs = self.opt_number(&b.jobs, "jobs", 1)?.unwrap_or(1) as usize;
            let after = Duration::from_millis(self.number(&b.after_ms, "after_ms", 0)?);
            then.push(Batch { work, jobs, after });
        }
        let lab = match &a.lab {
            Some(raw) => self.lab(raw, lesson_lab.clone())?,
            None => lesson_lab.clone(),
        };
        let stop_after = self
            .opt_number(&a.stop_after_ms, "stop_after_ms", 1)?
            .map(Duration::from_millis);
        let restart_after = self
            .opt_number(&a.restart_after_ms, "restart_after_ms", 1)?
            .map(Duration::from_millis);
        if let (Some(_), Some(r)) = (stop_after, &a.restart_after_ms) {
            return Err(self.err(r.span().start, T::LessonStopAndRestart.text().to_string()));
        }
        let mut expect = Vec::new();
        for e in &a.expect {
            let bad = |m: String| self.err(e.span().start, T::LessonExpect.fill(&[("error", &m)]));
            expect.push(Expect::parse(e.get_ref()).map_err(bad)?);
        }
        let load = match &a.load {
            None => None,
            Some(rates) => {
                let mut steps = Vec::new();
                for r in rates {
                    steps.push(self.number(r, "load", 1)? as u32);
                }
                let step = self.opt_number(&a.step_ms, "step_ms", 100)?.unwrap_or(1000);
                Some(Load {
                    rates: steps,
                    step: Duration::from_millis(step),
                })
            }
        };
        let sweep = match &a.sweep {
            None => None,
            Some(multiples) => {
                if a.load.is_some() {
                    let message = T::LessonSweepAndLoad.text().to_string();
                    return Err(self.err(multiples.span().start, message));
                }
                if work.strategy.info().size.is_none() {
                    let message =
                        T::LessonSweepNoSize.fill(&[("strategy", &work.strategy.as_str())]);
                    return Err(self.err(multiples.span().start, message));
                }
                let mut steps = Vec::new();
                for m in multiples.get_ref() {
                    // At most 16 × the cores: 1,024 threads on 64 cores, within the lab's caps.
                    let n = self.number(m, "sweep", 1)?;
                    if n > 16 {
                        let message = T::LessonSweepMax.fill(&[("n", &n)]);
                        return Err(self.err(m.span().start, message));
                    }
                    steps.push(n as u32);
                }
                Some(Sweep { multiples: steps })
            }
        };
        Ok(Action {
            key: k,
            label: Localized::new(self.base, a.label.clone()),
            work,
            jobs,
            then,
            lab,
            stop_after,
            restart_after,
            load,
            sweep,
            expect,
        })
    }
}

impl Reader<'_> {
    /// The `[[choice]]` blocks: at most one per pick key, each tied to an action of the
    /// lesson, with conditions in the expectation language.
    fn choices(
        &self,
        raw: &[Spanned<RawChoice>],
        actions: &[Action],
    ) -> Result<Vec<Choice>, LessonError> {
        if let Some(extra) = raw.get(choice::MAX) {
            let message = T::LessonChoicesMax.fill(&[("max", &choice::MAX), ("n", &raw.len())]);
            return Err(self.err(extra.span().start, message));
        }
        let mut choices = Vec::new();
        for spanned in raw {
            let c = spanned.get_ref();
            let key = c.action.get_ref();
            let Some(action) = actions
                .iter()
                .find(|a| key.chars().eq(std::iter::once(a.key)))
            else {
                let message = T::LessonChoiceNoAction.fill(&[("key", key)]);
                return Err(self.err(c.action.span().start, message));
            };
            if c.holds.get_ref().is_empty() {
                let message = T::LessonChoiceNoHolds.text().to_string();
                return Err(self.err(c.holds.span().start, message));
            }
            let mut holds = Vec::new();
            for e in c.holds.get_ref() {
                let bad = |m: String| {
                    self.err(e.span().start, T::LessonChoiceHolds.fill(&[("error", &m)]))
                };
                holds.push(Expect::parse(e.get_ref()).map_err(bad)?);
            }
            choices.push(Choice {
                text: Localized::new(self.base, c.text.clone()),
                action: action.key,
                holds,
            });
        }
        Ok(choices)
    }
}

/// Parses one lesson file. `file` is the name used in errors.
pub fn parse(file: &str, text: &str) -> Result<Lesson, LessonError> {
    let mut r = Reader {
        file,
        text,
        base: Lang::En,
    };
    let raw: RawLesson = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        r.err(offset, e.message().trim())
    })?;
    if let Some(lang) = &raw.lang {
        r.base = r.parsed(lang)?;
    }

    let id = raw.id.get_ref().clone();
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(r.err(raw.id.span().start, T::LessonBadId.fill(&[("id", &id)])));
    }

    let mut snippets = Vec::new();
    for name in &raw.snippets {
        let found = snippet::find(name.get_ref()).ok_or_else(|| {
            let known: Vec<_> = snippet::SNIPPETS.iter().map(|s| s.name).collect();
            let msg =
                T::LessonNoSnippet.fill(&[("name", name.get_ref()), ("known", &known.join(", "))]);
            r.err(name.span().start, msg)
        })?;
        snippets.push(found);
    }

    let lab = r.lab(&raw.lab, LabConfig::default())?;
    if raw.action.is_empty() {
        return Err(r.err(0, T::LessonNeedsAction));
    }
    let mut actions: Vec<Action> = Vec::new();
    for spanned in &raw.action {
        let action = r.action(spanned.get_ref(), &lab, &actions)?;
        actions.push(action);
    }
    let choices = r.choices(&raw.choice, &actions)?;

    let mut lesson = Lesson {
        id,
        title: Localized::default(),
        file: file.to_string(),
        lang: r.base,
        idea: Localized::default(),
        python: Localized::default(),
        rust: Localized::default(),
        snippets,
        predict: Localized::default(),
        takeaway: Localized::default(),
        lab,
        actions,
        choices,
        notes: Notes::default(),
    };
    let top = RawTexts {
        title: Some(raw.title),
        idea: Some(raw.idea),
        python: Some(raw.python),
        rust: Some(raw.rust),
        predict: Some(raw.predict),
        takeaway: Some(raw.takeaway),
        choices: None,
        labels: BTreeMap::new(),
        notes: raw.notes,
    };
    r.texts(&mut lesson, r.base, top)?;
    let sections = [
        (Lang::En, raw.en),
        (Lang::ZhTw, raw.zh_tw),
        (Lang::ZhCn, raw.zh_cn),
    ];
    for (lang, section) in sections {
        let Some(section) = section else { continue };
        if lang == r.base {
            let message = T::LessonSectionIsBase.fill(&[("lang", &lang)]);
            return Err(r.err(section.span().start, message));
        }
        r.texts(&mut lesson, lang, section.into_inner())?;
    }
    Ok(lesson)
}

/// A lesson's texts, part by part: what `blocklab validate` counts as given or missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Title,
    Idea,
    Python,
    Rust,
    Predict,
    Takeaway,
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Title,
        Part::Idea,
        Part::Python,
        Part::Rust,
        Part::Predict,
        Part::Takeaway,
    ];

    /// Its key in a lesson file.
    pub fn key(self) -> &'static str {
        match self {
            Part::Title => "title",
            Part::Idea => "idea",
            Part::Python => "python",
            Part::Rust => "rust",
            Part::Predict => "predict",
            Part::Takeaway => "takeaway",
        }
    }
}

impl Reader<'_> {
    /// Puts one language's texts into the lesson, checking each `${…}` field and label key.
    fn texts(&self, lesson: &mut Lesson, lang: Lang, raw: RawTexts) -> Result<(), LessonError> {
        let parts = [
            (Part::Title, raw.title),
            (Part::Idea, raw.idea),
            (Part::Python, raw.python),
            (Part::Rust, raw.rust),
            (Part::Predict, raw.predict),
            (Part::Takeaway, raw.takeaway),
        ];
        for (part, text) in parts {
            let Some(text) = text else { continue };
            self.fields(&text, &lesson.actions)?;
            let value = text.into_inner();
            let value = if part == Part::Title {
                value
            } else {
                value.trim().to_string()
            };
            lesson.part_mut(part).set(lang, value);
        }
        let notes = raw.notes.unwrap_or_default();
        let kinds = [
            (&mut lesson.notes.idea, notes.idea),
            (&mut lesson.notes.predict, notes.predict),
            (&mut lesson.notes.run, notes.run),
            (&mut lesson.notes.reveal, notes.reveal),
        ];
        for (note, text) in kinds {
            if let Some(text) = text {
                note.set(lang, text.trim().to_string());
            }
        }
        if let Some(texts) = raw.choices {
            let (n, of) = (texts.get_ref().len(), lesson.choices.len());
            if n != of {
                let message = T::LessonChoicesCount.fill(&[("n", &n), ("of", &of)]);
                return Err(self.err(texts.span().start, message));
            }
            for (choice, text) in lesson.choices.iter_mut().zip(texts.into_inner()) {
                choice.text.set(lang, text);
            }
        }
        for (key, label) in raw.labels {
            let action = lesson
                .actions
                .iter_mut()
                .find(|a| key.chars().eq(std::iter::once(a.key)));
            let Some(action) = action else {
                let message = T::LessonLabelNoAction.fill(&[("key", &key)]);
                return Err(self.err(label.span().start, message));
            };
            action.label.set(lang, label.into_inner());
        }
        Ok(())
    }

    /// Texts may quote the learner's cores and this run's figures: `${cores}`, `${2.job.reply}`.
    fn fields(&self, t: &Spanned<String>, actions: &[Action]) -> Result<(), LessonError> {
        if let Err((at, message)) = text::check(t.get_ref(), actions) {
            // Where the field stands in the file: the same `${…}` within the value's span.
            let name = &t.get_ref()[at..];
            let name = &name[..name.find('}').map_or(name.len(), |c| c + 1)];
            let span = t.span();
            let offset = self.text[span.clone()]
                .find(name)
                .map_or(span.start, |i| span.start + i);
            return Err(self.err(offset, message));
        }
        Ok(())
    }
}

/// The lessons that loaded, and the files that were skipped (with why).
#[derive(Debug, Default)]
pub struct Catalog {
    pub lessons: Vec<Lesson>,
    pub skipped: Vec<LessonError>,
}

/// Parses a set of (file name, text) pairs in order. A bad file is skipped with its error, and
/// so is a file whose id an earlier file already took: one typo never hides the other lessons.
pub fn load<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Catalog {
    let mut catalog = Catalog::default();
    for (file, text) in files {
        let lesson = match parse(file, text) {
            Ok(l) => l,
            Err(e) => {
                catalog.skipped.push(e);
                continue;
            }
        };
        if let Some(first) = catalog.lessons.iter().find(|l| l.id == lesson.id) {
            // The line of `id = …` (not `idea = …`).
            let is_id = |l: &str| {
                let rest = l.trim_start().strip_prefix("id").unwrap_or("x");
                rest.trim_start().starts_with('=')
            };
            let line = text.lines().position(is_id).unwrap_or(0) + 1;
            let message = T::LessonIdTaken.fill(&[("id", &lesson.id), ("file", &first.file)]);
            catalog.skipped.push(LessonError {
                file: file.into(),
                line,
                message,
            });
            continue;
        }
        catalog.lessons.push(lesson);
    }
    catalog
}

/// The lessons built into the binary.
pub fn builtin() -> Catalog {
    load(LESSON_FILES.iter().copied())
}

/// Lessons from a directory instead (a presenter's own; edit, rerun, no rebuild). Fails only
/// when the directory cannot be read or holds no lesson file at all.
pub fn from_dir(dir: &Path) -> Result<Catalog, LessonError> {
    let io = |file: &Path, e: std::io::Error| LessonError {
        file: file.display().to_string(),
        line: 0,
        message: e.to_string(),
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(LessonError {
            file: dir.display().to_string(),
            line: 0,
            message: T::LessonNoFiles.into(),
        });
    }
    let mut texts = Vec::new();
    let mut unreadable = Vec::new();
    for p in &paths {
        match std::fs::read_to_string(p) {
            Ok(text) => texts.push((p.display().to_string(), text)),
            Err(e) => unreadable.push(io(p, e)),
        }
    }
    let mut catalog = load(texts.iter().map(|(f, t)| (f.as_str(), t.as_str())));
    catalog.skipped.extend(unreadable);
    Ok(catalog)
}

impl Lesson {
    pub fn action(&self, key: char) -> Option<&Action> {
        self.actions.iter().find(|a| a.key == key)
    }

    pub fn part(&self, part: Part) -> &Localized {
        match part {
            Part::Title => &self.title,
            Part::Idea => &self.idea,
            Part::Python => &self.python,
            Part::Rust => &self.rust,
            Part::Predict => &self.predict,
            Part::Takeaway => &self.takeaway,
        }
    }

    fn part_mut(&mut self, part: Part) -> &mut Localized {
        match part {
            Part::Title => &mut self.title,
            Part::Idea => &mut self.idea,
            Part::Python => &mut self.python,
            Part::Rust => &mut self.rust,
            Part::Predict => &mut self.predict,
            Part::Takeaway => &mut self.takeaway,
        }
    }

    /// What the file does not give in `lang`: parts by key, labels as `label K`.
    pub fn missing(&self, lang: Lang) -> Vec<String> {
        let parts = Part::ALL
            .into_iter()
            .filter(|p| !self.part(*p).has(lang))
            .map(|p| p.key().to_string());
        let labels = self
            .actions
            .iter()
            .filter(|a| !a.label.has(lang))
            .map(|a| format!("label {}", a.key));
        let choices = self
            .choices
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.text.has(lang))
            .map(|(i, _)| format!("choice {}", choice::letter(i)));
        parts.chain(labels).chain(choices).collect()
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
        let Catalog { lessons, skipped } = builtin();
        assert_eq!(skipped, vec![], "built-in lesson files must all load");
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
    fn notes_are_optional_and_localized() {
        let l = parse("demo.toml", GOOD).unwrap();
        assert_eq!(l.notes, Notes::default());
        let with = format!(
            "{GOOD}\n[notes]\nidea = \" Point at the lag. \"\nrun = \"Wait.\"\n\n\
             [zh-TW]\n[zh-TW.notes]\nidea = \"指著延遲圖。\"\n"
        );
        let l = parse("demo.toml", &with).unwrap();
        assert_eq!(l.notes.idea.in_lang(Lang::En), "Point at the lag.");
        assert_eq!(l.notes.idea.in_lang(Lang::ZhTw), "指著延遲圖。");
        assert_eq!(l.notes.run.in_lang(Lang::ZhCn), "Wait.");
        assert!(!l.notes.predict.has(Lang::En));
        let typo = format!("{GOOD}\n[notes]\nidae = \"x\"\n");
        assert!(
            parse("demo.toml", &typo).is_err(),
            "an unknown note is an error"
        );
        // Every built-in lesson has notes for every step, in every language (not falling back).
        for lesson in builtin().lessons {
            let n = &lesson.notes;
            for note in [&n.idea, &n.predict, &n.run, &n.reveal] {
                for lang in [Lang::En, Lang::ZhTw, Lang::ZhCn] {
                    assert!(note.has(lang), "{} {lang}", lesson.id);
                    assert!(
                        note.in_lang(lang).chars().count() > 40,
                        "{} {lang}",
                        lesson.id
                    );
                }
            }
        }
    }

    const CHOICES: &str = r#"
[[choice]]
text = "a few ms"
action = "1"
holds = ["lag.max < 15% of block"]

[[choice]]
text = "about the block"
action = "1"
holds = ["lag.max >= 90% of block", "stall.job is this"]
"#;

    #[test]
    fn choices_parse_localized_and_are_counted_when_missing() {
        let l = parse("demo.toml", GOOD).unwrap();
        assert!(l.choices.is_empty(), "choices are optional");
        let sections = SECTIONS.replace(
            "labels =",
            "choices = [\"幾 ms\", \"約等於阻塞\"]\nlabels =",
        );
        let l = parse("demo.toml", &format!("{GOOD}{CHOICES}{sections}")).unwrap();
        assert_eq!(l.choices.len(), 2);
        assert_eq!(l.choices[1].action, '1');
        assert_eq!(l.choices[1].holds.len(), 2);
        assert_eq!(l.choices[1].holds[1].text, "stall.job is this");
        assert_eq!(l.choices[0].text.in_lang(Lang::En), "a few ms");
        assert_eq!(l.choices[1].text.in_lang(Lang::ZhTw), "約等於阻塞");
        assert_eq!(l.choices[1].text.in_lang(Lang::ZhCn), "about the block");
        assert!(l.missing(Lang::ZhCn).contains(&"choice b".to_string()));
        assert!(
            !l.missing(Lang::ZhTw)
                .iter()
                .any(|m| m.starts_with("choice"))
        );
        // The built-in lessons that offer choices give them in all three languages.
        for l in builtin().lessons.iter().filter(|l| !l.choices.is_empty()) {
            assert_eq!(l.choices.len(), 3, "{}", l.id);
            for lang in Lang::ALL {
                let missing = l.missing(lang);
                assert!(!missing.iter().any(|m| m.starts_with("choice")), "{}", l.id);
            }
        }
    }

    #[test]
    fn bad_choices_name_the_file_and_line() {
        let text = format!("{GOOD}{CHOICES}");
        let lines = GOOD.lines().count();
        let bad = |from: &str, to: &str| {
            let changed = text.replace(from, to);
            assert_ne!(changed, text, "{from:?}");
            parse("lessons/demo.toml", &changed).unwrap_err()
        };
        let e = bad(
            "action = \"1\"\nholds = [\"lag.max <",
            "action = \"7\"\nholds = [\"lag.max <",
        );
        assert_eq!(e.line, lines + 4, "{e}");
        assert_eq!(e.message, "choice: this lesson has no action `7`");
        let e = bad("\"stall.job is this\"", "\"stall.job is soon\"");
        assert_eq!(e.line, lines + 10, "{e}");
        assert!(e.message.starts_with("holds: "), "{e}");
        assert!(
            e.to_string()
                .starts_with(&format!("lessons/demo.toml:{}: holds:", lines + 10))
        );
        let e = bad("holds = [\"lag.max < 15% of block\"]", "holds = []");
        assert_eq!(e.line, lines + 5, "{e}");
        let count = format!("{text}\n[zh-TW]\nchoices = [\"一\"]\n");
        let e = parse("lessons/demo.toml", &count).unwrap_err();
        assert_eq!(e.line, lines + 13, "{e}");
        assert_eq!(e.message, "choices: 1 texts for 2 [[choice]] blocks");
        let five = format!("{GOOD}{}", CHOICES.repeat(3));
        let e = parse("lessons/demo.toml", &five).unwrap_err();
        // The fifth `[[choice]]` (its header, or its first key).
        assert!((lines + 22..=lines + 23).contains(&e.line), "{e}");
        assert!(e.message.starts_with("at most 4 choices"), "{e}");
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

    const SECTIONS: &str = r#"
[zh-TW]
title = "示範"
idea = "一個想法：${cores} 個核心。"
labels = { "1" = "阻塞" }

[zh-CN]
title = "示范"
"#;

    #[test]
    fn language_sections_give_texts_and_what_they_lack_falls_back() {
        let l = parse("demo.toml", &format!("{GOOD}{SECTIONS}")).unwrap();
        assert_eq!(l.title.in_lang(Lang::ZhTw), "示範");
        assert_eq!(l.title.in_lang(Lang::ZhCn), "示范");
        assert_eq!(
            l.idea.in_lang(Lang::ZhCn),
            "An idea.",
            "falls back to English"
        );
        assert_eq!(l.actions[0].label.in_lang(Lang::ZhTw), "阻塞");
        assert_eq!(l.missing(Lang::En), Vec::<String>::new());
        assert_eq!(
            l.missing(Lang::ZhTw),
            ["python", "rust", "predict", "takeaway"]
        );
        assert!(l.missing(Lang::ZhCn).contains(&"label 1".to_string()));
    }

    #[test]
    fn a_file_in_chinese_only_shows_its_own_words_everywhere() {
        let text = GOOD
            .replace("id = \"demo\"", "id = \"demo\"\nlang = \"zh-TW\"")
            .replace("title = \"Demo\"", "title = \"示範\"");
        let l = parse("demo.toml", &text).unwrap();
        assert_eq!(l.lang, Lang::ZhTw);
        assert_eq!(l.title.in_lang(Lang::En), "示範");
        assert_eq!(l.title.in_lang(Lang::ZhCn), "示範");
        assert!(l.missing(Lang::En).contains(&"title".to_string()));
    }

    #[test]
    fn bad_sections_name_the_file_and_line() {
        let base = format!("{GOOD}{SECTIONS}").replace("[zh-CN]", "[en]");
        let e = parse("demo.toml", &base).unwrap_err();
        assert_eq!(e.line, 24, "{e}");
        assert!(e.message.contains("en"), "{e}");

        let label = format!("{GOOD}{SECTIONS}").replace("\"1\" = \"阻塞\"", "\"7\" = \"阻塞\"");
        let e = parse("demo.toml", &label).unwrap_err();
        assert_eq!(e.line, 22, "{e}");
        assert!(e.message.contains('7'), "{e}");

        let field = format!("{GOOD}{SECTIONS}").replace("${cores}", "${coers}");
        let e = parse("demo.toml", &field).unwrap_err();
        assert_eq!(e.line, 21, "{e}");

        let unknown = format!("{GOOD}{SECTIONS}").replace("[zh-CN]\n", "[zh-CN]\nidear = \"x\"\n");
        let e = parse("demo.toml", &unknown).unwrap_err();
        assert_eq!(e.line, 25, "{e}");

        let lang = GOOD.replace("id = \"demo\"", "id = \"demo\"\nlang = \"fr\"");
        let e = parse("demo.toml", &lang).unwrap_err();
        assert!(e.message.contains("zh-TW"), "{e}");
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
        assert!(
            e.message
                .contains("allowed: inline, chunked, spawn-blocking"),
            "{e}"
        );

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

    /// Every kind of mistake a lesson author makes, with the exact file, line and message.
    #[test]
    fn each_kind_of_bad_file_names_file_line_and_field() {
        let second_action = "expect = [\"lag.max >= 90% of block\"]\n\n[[action]]\nkey = \"1\"\n\
                             label = \"again\"\nworkload = \"sleep\"\nstrategy = \"inline\"\nms = 20";
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "title = \"Demo\"",
                "title = \"Demo",
                3,
                "invalid basic string",
            ),
            ("label = \"block\"\n", "", 11, "missing field `label`"),
            (
                "predict = \"What happens?\"\n",
                "",
                1,
                "missing field `predict`",
            ),
            (
                "strategy = \"inline\"",
                "strategy = \"threads\"",
                15,
                "unknown strategy `threads` (allowed: inline, chunked,",
            ),
            (
                "workload = \"sleep\"",
                "workload = \"nap\"",
                14,
                "unknown workload `nap` (allowed: sleep, cpu, async, panic, query, mixed)",
            ),
            (
                "expect = [\"lag.max >= 90% of block\"]",
                second_action,
                20,
                "key `1` is used twice in this lesson",
            ),
            (
                "snippets = [\"strategy-inline\"]",
                "snippets = [\"strategy-inlined\"]",
                7,
                "no snippet named `strategy-inlined` in the source (known: ",
            ),
            (
                "expect = [\"lag.max >= 90% of block\"]",
                "expect = [\n  \"lag.max >= 90% of block\",\n  \"lag.maxx < 2 ms\",\n]",
                19,
                "expect: `lag.maxx < 2 ms`: unknown metric `lag.maxx` (known: lag.max,",
            ),
            (
                "ms = 200",
                "ms = \"fast\"",
                16,
                "invalid type: string \"fast\", expected i64",
            ),
        ];
        for (from, to, line, message) in cases {
            let e = error_of(from, to);
            assert_eq!(
                (e.file.as_str(), e.line),
                ("lessons/demo.toml", *line),
                "{e}"
            );
            assert!(e.message.starts_with(message), "{e}");
            assert!(
                e.to_string()
                    .starts_with(&format!("lessons/demo.toml:{line}: {message}")),
                "{e}"
            );
        }
    }

    #[test]
    fn bad_files_are_skipped_and_the_good_ones_load() {
        let bad = GOOD.replace("ms = 200", "ms = -5");
        // The same id again, after the idea: the error points at the `id` line.
        let again = GOOD
            .replace("id = \"demo\"\n", "")
            .replace("idea = \"An idea.\"", "idea = \"An idea.\"\nid = \"demo\"");
        let files = [
            ("a.toml", GOOD),
            ("b.toml", bad.as_str()),
            ("c.toml", again.as_str()),
        ];
        let Catalog { lessons, skipped } = load(files);
        assert_eq!(lessons.len(), 1);
        assert_eq!(lessons[0].file, "a.toml");
        let shown: Vec<String> = skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "b.toml:16: `ms` must be a whole number above 0, not -5",
                "c.toml:4: id `demo` is already used by a.toml",
            ]
        );
    }
}
