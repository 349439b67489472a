//! Lesson texts that follow the learner's machine and runs.
//!
//! A text may hold `${name}` fields, filled in when the lesson is drawn:
//!
//! | field | shows |
//! | --- | --- |
//! | `${cores}` | the cores the lab may use (`--cpus N`, else the machine's) |
//! | `${cores.words}` | the same, with its noun: "1 core", "4 cores" |
//! | `${python.pool}` | Python's default executor on those cores: `min(32, cores + 4)` |
//! | `${anyio.tokens}` | anyio's default thread limiter (FastAPI's `def` routes): 40 |
//! | `${tokio.max_blocking}` | tokio's default cap on its blocking pool: 512 |
//! | `${K.metric}` | for action `K`: a given metric (`${3.cpu.waves}`) at once, a measured one (`${2.job.reply}`) once the action ran, "(press K)" before |
//!
//! So a figure quoted in a lesson is either the learner's own or says where it was measured.
use crate::data::LabConfig;
use crate::data::config::{ANYIO_TOKENS, TOKIO_MAX_BLOCKING, python_executor_threads};
use crate::lesson::expect::{Facts, Given, Number};
use crate::lesson::{Action, Lesson};
use crate::report::Report;
use crate::text::T;

/// What a lesson text can be filled from: the labs the actions run on, and their latest runs.
pub trait Runs {
    /// The lab an action runs on (its own, with the command line's flags on top).
    fn lab(&self, action: &Action) -> LabConfig;
    /// The report of the action's latest run, if it ran.
    fn report(&self, key: char) -> Option<&Report>;
}

enum Field {
    Cores,
    /// "1 core", "4 cores".
    CoresWords,
    PythonPool,
    AnyioTokens,
    TokioMaxBlocking,
    Action(char, Number),
}

fn field(name: &str, lesson_actions: &[Action]) -> Result<Field, String> {
    match name {
        "cores" => return Ok(Field::Cores),
        "cores.words" => return Ok(Field::CoresWords),
        "python.pool" => return Ok(Field::PythonPool),
        "anyio.tokens" => return Ok(Field::AnyioTokens),
        "tokio.max_blocking" => return Ok(Field::TokioMaxBlocking),
        _ => {}
    }
    // As the author wrote it: `${name}`.
    let shown = || format!("${{{name}}}");
    let unknown = || T::FieldUnknown.fill(&[("field", &shown())]);
    let Some((key, metric)) = name.split_once('.') else {
        return Err(unknown());
    };
    let mut chars = key.chars();
    let (Some(k), None) = (chars.next(), chars.next()) else {
        return Err(unknown());
    };
    if !lesson_actions.iter().any(|a| a.key == k) {
        return Err(T::FieldNoAction.fill(&[("field", &shown()), ("key", &k)]));
    }
    let metric_of = Number::named(metric)
        .ok_or_else(|| T::FieldUnknownMetric.fill(&[("field", &shown()), ("metric", &metric)]))?;
    Ok(Field::Action(k, metric_of))
}

/// The `${…}` fields of a text: (byte offset, name).
pub fn fields(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("${") {
        let start = from + open;
        let Some(close) = text[start..].find('}') else {
            out.push((start, &text[start + 2..]));
            break;
        };
        out.push((start, &text[start + 2..start + close]));
        from = start + close + 1;
    }
    out
}

/// Checks every field of a text; on an error, its byte offset in the text and the message.
pub fn check(text: &str, actions: &[Action]) -> Result<(), (usize, String)> {
    for (at, name) in fields(text) {
        field(name, actions).map_err(|e| (at, e))?;
    }
    Ok(())
}

/// The text with its fields filled in for `lesson` on `lab`, from `runs`.
pub fn render(text: &str, lesson: &Lesson, lab: &LabConfig, runs: &dyn Runs) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, name) in fields(text) {
        out.push_str(&text[rest..at]);
        rest = at + name.len() + 3;
        let value = match field(name, &lesson.actions) {
            Ok(Field::Cores) => lab.cores().to_string(),
            Ok(Field::CoresWords) => match lab.cores() {
                1 => T::CoresOne.fill(&[("n", &1)]),
                n => T::CoresMany.fill(&[("n", &n)]),
            },
            Ok(Field::PythonPool) => python_executor_threads(lab.cores()).to_string(),
            Ok(Field::AnyioTokens) => ANYIO_TOKENS.to_string(),
            Ok(Field::TokioMaxBlocking) => TOKIO_MAX_BLOCKING.to_string(),
            Ok(Field::Action(key, metric)) => {
                let action = lesson.action(key).expect("checked when the lesson loaded");
                let given = Given::of(action, &runs.lab(action));
                match runs.report(key) {
                    Some(report) => {
                        let facts = Facts::of(report, given);
                        if facts.measures(metric) {
                            metric.show(facts.number(metric))
                        } else {
                            T::NotUnstable.text().to_string()
                        }
                    }
                    None if metric.is_given() => {
                        let empty = Report::empty();
                        metric.show(Facts::of(&empty, given).number(metric))
                    }
                    None => T::FieldPress.fill(&[("key", &key)]),
                }
            }
            Err(_) => text[at..rest.min(text.len())].to_string(),
        };
        out.push_str(&value);
    }
    if rest < text.len() {
        out.push_str(&text[rest..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoRuns(LabConfig);

    impl Runs for NoRuns {
        fn lab(&self, _: &Action) -> LabConfig {
            self.0.clone()
        }
        fn report(&self, _: char) -> Option<&Report> {
            None
        }
    }

    fn lesson() -> Lesson {
        crate::lesson::builtin()
            .lessons
            .into_iter()
            .find(|l| l.id == "thread-pool")
            .unwrap()
    }

    #[test]
    fn fields_follow_the_cores_and_the_runs() {
        let l = lesson();
        let text = "On ${cores} cores Python has ${python.pool} threads; [3] takes \
                    ${3.cpu.waves} waves and ran ${3.job.span}. {not a field}";
        for (cores, pool, waves) in [(1, "5", "8"), (2, "6", "4"), (16, "20", "1")] {
            let lab = LabConfig {
                cpus: Some(cores),
                ..LabConfig::default()
            };
            let shown = render(text, &l, &lab, &NoRuns(lab.clone()));
            assert_eq!(
                shown,
                format!(
                    "On {cores} cores Python has {pool} threads; [3] takes {waves} waves \
                     and ran (press 3). {{not a field}}"
                )
            );
        }
    }

    #[test]
    fn a_bad_field_says_where_and_what() {
        let l = lesson();
        let (at, e) = check("ok ${cores} then ${corez}", &l.actions).unwrap_err();
        assert_eq!(at, 17);
        assert!(e.starts_with("unknown field `${corez}`"), "{e}");
        let (_, e) = check("${9.job.run}", &l.actions).unwrap_err();
        assert!(e.contains("no action `9`"), "{e}");
        let (_, e) = check("${1.job.rn}", &l.actions).unwrap_err();
        assert!(e.contains("unknown metric `job.rn`"), "{e}");
        assert!(check("no fields, and {braces} of Python", &l.actions).is_ok());
    }
}
