//! The lesson pane: the idea, the Python form, the Rust code that runs, and the live check of
//! the lesson's expectations — one section at a time (Tab).
use std::cell::RefCell;
use std::rc::Rc;

use ratatui::prelude::*;
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{chrome, load_chart, sizing_chart, theme, wrap};
use crate::lesson::choice::{self, Answer};
use crate::text::T;
use crate::ui::app::{App, Section};
use crate::ui::present::Step;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let (title, lines, reveal) = match app.step_shown() {
        Some(step) => (
            Line::from(Span::styled(
                format!(" {} ", chrome::step_name(step)),
                theme::KEY,
            )),
            presenter_step(app, step),
            step == Step::Reveal,
        ),
        None => (
            tabs(app),
            match app.section {
                Section::Idea => idea(app),
                Section::Python => prose(&app.render(app.lesson().python.get())),
                Section::Rust => rust(app),
                Section::Check => check(app),
            },
            app.section == Section::Check,
        ),
    };
    let mut block = Block::default().borders(Borders::ALL).title(title);
    // Tab changes sections, which presenter mode does not show.
    if app.present.is_none() {
        block = block.title_bottom(
            Line::from(Span::styled(format!(" {} ", T::LessonTabHint), theme::DIM)).right_aligned(),
        );
    }
    let wrapped = wrapped(lines, usize::from(area.width.saturating_sub(2)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // A load test or a sizing sweep that has run is drawn under the checks, where there is
    // room (a lesson has one or the other).
    let (handlers, sweeps) = match reveal {
        true => (
            load_chart::handlers(app, app.lesson()),
            sizing_chart::sweeps(app, app.lesson()),
        ),
        false => (Vec::new(), Vec::new()),
    };
    let chart = if !handlers.is_empty() {
        load_chart::height(inner.height)
    } else if !sweeps.is_empty() {
        sizing_chart::height(inner.height)
    } else {
        0
    };
    let [text, below] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(chart)]).areas(inner);
    // Only the lines in view go to the paragraph: a lesson's text is several screens long.
    let first = usize::from(app.scroll).min(wrapped.len());
    let last = (first + usize::from(text.height)).min(wrapped.len());
    frame.render_widget(Paragraph::new(wrapped[first..last].to_vec()), text);
    if chart > 0 && !handlers.is_empty() {
        load_chart::draw(frame, below, &handlers);
    } else if chart > 0 {
        sizing_chart::draw(frame, below, &sweeps);
    }
}

/// The sections as tabs, the current one marked.
fn tabs(app: &App) -> Line<'static> {
    let mut tabs = vec![Span::raw(" ")];
    for (i, s) in Section::ALL.iter().enumerate() {
        if i > 0 {
            tabs.push(Span::styled(" │ ", theme::DIM));
        }
        let style = if *s == app.section {
            theme::KEY
        } else {
            theme::LABEL
        };
        tabs.push(Span::styled(s.title().text(), style));
    }
    tabs.push(Span::raw(" "));
    Line::from(tabs)
}

/// A presenter step: the idea; the prediction's question alone; an action to run (what it
/// does, not what it will show); the reveal, which is the Check section.
fn presenter_step(app: &App, step: Step) -> Vec<Line<'static>> {
    let lesson = app.lesson();
    match step {
        Step::Idea => prose(&app.render(lesson.idea.get())),
        Step::Predict => {
            let mut lines = prose(&app.render(lesson.predict.get()));
            lines.extend(choices(app));
            lines
        }
        Step::Run(key) => {
            let Some(a) = lesson.action(key) else {
                return Vec::new();
            };
            let started = app.pending(key) || app.present.is_some_and(|p| p.started);
            let (state, style) = if app.pending(key) {
                (T::CheckRunning.text().to_string(), theme::WAITING)
            } else if started {
                (T::StepRunNext.text().to_string(), theme::DIM)
            } else {
                (T::StepRunHint.text().to_string(), theme::DIM)
            };
            vec![
                Line::from(vec![
                    Span::styled(format!(" {} ", a.key), theme::KEY),
                    Span::styled(format!(" {}", a.label), theme::TITLE),
                ]),
                Line::default(),
                Line::from(Span::styled(a.describe(), theme::LABEL)),
                Line::default(),
                Line::from(Span::styled(state, style)),
            ]
        }
        Step::Reveal => check(app),
    }
}

/// The lines wrapped by display width (Chinese has no spaces to break at), remembered from the
/// frame before: at rest the text is the same frame after frame, and wrapping it was the larger
/// part of a frame's cost.
fn wrapped(lines: Vec<Line<'static>>, width: usize) -> Rc<Vec<Line<'static>>> {
    type Memo = Option<(Vec<Line<'static>>, usize, Rc<Vec<Line<'static>>>)>;
    thread_local! {
        static LAST: RefCell<Memo> = const { RefCell::new(None) };
    }
    LAST.with_borrow_mut(|last| match last {
        Some((l, w, wrapped)) if *w == width && *l == lines => wrapped.clone(),
        _ => {
            let wrapped = Rc::new(wrap::wrap(&lines, width));
            *last = Some((lines, width, wrapped.clone()));
            wrapped
        }
    })
}

fn heading(text: T) -> Line<'static> {
    Line::from(Span::styled(text.text(), theme::HEADING))
}

/// Prose with code: lines indented by four spaces are code.
fn prose(text: &str) -> Vec<Line<'static>> {
    text.lines()
        .map(|l| match l.strip_prefix("    ") {
            Some(code) => Line::from(Span::styled(format!("  {code}"), theme::CODE)),
            None => Line::from(l.to_string()),
        })
        .collect()
}

fn idea(app: &App) -> Vec<Line<'static>> {
    let lesson = app.lesson();
    let mut lines = prose(&app.render(lesson.idea.get()));
    lines.push(Line::default());
    lines.push(heading(T::LessonPredict));
    lines.extend(prose(&app.render(lesson.predict.get())));
    lines.extend(choices(app));
    lines.push(Line::default());
    lines.push(heading(T::LessonTry));
    for a in &lesson.actions {
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", a.key), theme::KEY),
            Span::raw(format!(" {}", a.label)),
        ]));
    }
    lines
}

fn rust(app: &App) -> Vec<Line<'static>> {
    let lesson = app.lesson();
    let mut lines = prose(&app.render(lesson.rust.get()));
    for s in &lesson.snippets {
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(
            format!("── {}:{} ──", s.file, s.line),
            theme::DIM,
        )));
        lines.extend(
            s.code
                .lines()
                .map(|l| Line::from(Span::styled(l.to_string(), theme::CODE))),
        );
    }
    lines
}

fn check(app: &App) -> Vec<Line<'static>> {
    let lesson = app.lesson();
    let mut lines = vec![Line::from(Span::styled(T::CheckIntro.text(), theme::DIM))];
    for a in &lesson.actions {
        lines.push(Line::default());
        let state = if app.pending(a.key) {
            Span::styled(format!("  {}", T::CheckRunning), theme::WAITING)
        } else if app.last_verdicts(a.key).is_none() {
            Span::styled(format!("  {}", T::CheckNotRun), theme::DIM)
        } else {
            Span::raw("")
        };
        lines.push(Line::from(vec![
            Span::styled(format!(" {} ", a.key), theme::KEY),
            Span::raw(format!(" {}", a.label)),
            state,
        ]));
        let verdicts = app.last_verdicts(a.key);
        for (i, e) in a.expect.iter().enumerate() {
            match verdicts.and_then(|v| v.get(i)) {
                Some(v) if v.pass => lines.push(Line::from(vec![
                    Span::styled("  ✓ ", theme::PASS),
                    Span::raw(e.text.clone()),
                    Span::styled(format!("  {}", v.measured), theme::DIM),
                ])),
                Some(v) => lines.push(Line::from(vec![
                    Span::styled("  ✗ ", theme::FAIL),
                    Span::raw(e.text.clone()),
                    Span::styled(format!("  {}", v.measured), theme::FAIL),
                ])),
                None => lines.push(Line::from(vec![
                    Span::styled("  · ", theme::DIM),
                    Span::raw(e.text.clone()),
                ])),
            }
        }
        if let Some(steps) = app.last_load(a.key) {
            lines.extend(load_table(steps));
        }
    }
    lines.extend(reveal(app));
    lines.push(Line::default());
    lines.push(heading(T::LessonTakeaway));
    lines.extend(prose(&app.render(lesson.takeaway.get())));
    lines
}

/// The prediction's choices to pick from, the pick marked (nothing for a lesson without).
fn choices(app: &App) -> Vec<Line<'static>> {
    let lesson = app.lesson();
    if lesson.choices.is_empty() {
        return Vec::new();
    }
    let pick = app.pick_shown();
    let mut lines = vec![
        Line::default(),
        Line::from(Span::styled(T::PredictPickHint.text(), theme::DIM)),
    ];
    for (i, c) in lesson.choices.iter().enumerate() {
        let mut spans = vec![
            Span::styled(format!(" {} ", choice::letter(i)), theme::KEY),
            Span::raw(format!(" {}", app.render(c.text.get()))),
        ];
        if pick == Some(i) {
            spans.push(Span::styled(
                format!("  {}", T::ChoicePickMark),
                theme::PASS,
            ));
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// Each choice against the measurement: the pick marked, the values its conditions read once
/// its action ran, ✓ on the one the measurement supports, and what that says of the pick.
fn reveal(app: &App) -> Vec<Line<'static>> {
    let lesson = app.lesson();
    if lesson.choices.is_empty() {
        return Vec::new();
    }
    let pick = app.pick_shown();
    let answer = app.answer();
    let supported = answer.as_ref().map(Answer::supported).unwrap_or_default();
    let mut lines = vec![Line::default(), heading(T::RevealChoices)];
    for (i, c) in lesson.choices.iter().enumerate() {
        let mark = if supported.contains(&i) {
            Span::styled(" ✓ ", theme::PASS)
        } else {
            Span::styled(" · ", theme::DIM)
        };
        let mut spans = vec![
            mark,
            Span::styled(format!("{} ", choice::letter(i)), theme::KEY),
            Span::raw(format!(" {}", app.render(c.text.get()))),
        ];
        if pick == Some(i) {
            spans.push(Span::styled(
                format!("  {}", T::ChoicePickMark),
                theme::PASS,
            ));
        }
        lines.push(Line::from(spans));
        let verdicts = app.choice_verdicts(i);
        for (j, e) in c.holds.iter().enumerate() {
            let mut spans = vec![Span::styled(
                format!("     [{}] {}", c.action, e.text),
                theme::DIM,
            )];
            if let Some(v) = verdicts.as_ref().and_then(|v| v.get(j)) {
                let style = if v.pass && !v.skipped {
                    theme::PASS
                } else {
                    theme::FAIL
                };
                spans.push(Span::styled(format!("  {}", v.measured), style));
            }
            lines.push(Line::from(spans));
        }
    }
    let letters = |v: &[usize]| {
        v.iter()
            .map(|&i| choice::letter(i).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (text, style) = match (&answer, pick) {
        (None, _) => {
            let mut keys: Vec<char> = lesson.choices.iter().map(|c| c.action).collect();
            keys.sort_unstable();
            keys.dedup();
            let keys: Vec<String> = keys.iter().map(char::to_string).collect();
            let text = T::RevealNotRun.fill(&[("keys", &keys.join(", "))]);
            (text, theme::DIM)
        }
        (Some(Answer::One(one)), Some(p)) if *one == p => (
            T::RevealRight.fill(&[("letter", &choice::letter(*one))]),
            theme::PASS,
        ),
        (Some(Answer::One(one)), Some(p)) => (
            T::RevealWrong.fill(&[
                ("letter", &choice::letter(*one)),
                ("pick", &choice::letter(p)),
            ]),
            theme::FAIL,
        ),
        (Some(Answer::One(one)), None) => (
            T::RevealNoPick.fill(&[("letter", &choice::letter(*one))]),
            theme::LABEL,
        ),
        (Some(Answer::None), _) => (T::RevealSupportsNone.text().to_string(), theme::FAIL),
        (Some(Answer::Many(v)), _) => (
            T::RevealSupportsMany.fill(&[("letters", &letters(v))]),
            theme::FAIL,
        ),
    };
    lines.push(Line::from(Span::styled(format!(" {text}"), style)));
    lines
}

/// A load test's steps: rate, throughput and reply latency, and whether the rate held.
fn load_table(steps: &[crate::report::LoadStepOut]) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        format!("   {}", T::CheckLoadHeader),
        theme::DIM,
    ))];
    for s in steps {
        let held = if s.held {
            Span::styled(T::Yes.text(), theme::PASS)
        } else {
            Span::styled(T::No.text(), theme::FAIL)
        };
        lines.push(Line::from(vec![
            Span::raw(format!(
                "   {:>5}  {:>8.0}   {:<9} {:<9} ",
                s.rate,
                s.throughput,
                T::Millis.fill(&[("n", &format!("{:.1}", s.p50_ms))]),
                T::Millis.fill(&[("n", &format!("{:.1}", s.p99_ms))])
            )),
            held,
        ]));
    }
    lines
}
