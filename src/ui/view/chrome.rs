//! The header (where am I) and the footer (what can I press).
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::theme;
use crate::text::T;
use crate::ui::app::App;
use crate::ui::keys::KEYS;
use crate::ui::present::Step;

/// How long a footer notice stays.
pub const NOTICE_FOR: Duration = Duration::from_secs(6);

pub fn header(frame: &mut Frame, area: Rect, app: &App, now: Duration) {
    let lesson = app.lesson();
    let (place, title) = match app.playing {
        true => (
            T::HeaderPlayground.fill(&[("of", &app.lessons.len())]),
            T::PlayTitle.text().to_string(),
        ),
        false => (
            T::HeaderLesson.fill(&[("n", &(app.current + 1)), ("of", &app.lessons.len())]),
            lesson.title.to_string(),
        ),
    };
    let left = Line::from(vec![
        Span::styled(" blocklab ", theme::KEY),
        Span::styled(format!("  {place} · "), theme::DIM),
        Span::styled(title, theme::TITLE),
    ]);
    let left_width = left.width();
    frame.render_widget(Paragraph::new(left), area);
    // In presenter mode the step takes the window's place (the big figures name the window).
    let mut right = match app.present {
        Some(_) => Vec::new(),
        None => vec![Span::styled(
            format!(
                "{} ",
                T::HeaderWindow.fill(&[("secs", &app.window().as_secs())])
            ),
            theme::DIM,
        )],
    };
    if !app.skipped.is_empty() {
        let n = app.skipped.len();
        let text = if n == 1 {
            T::HeaderSkippedOne
        } else {
            T::HeaderSkippedMany
        };
        right.insert(
            0,
            Span::styled(format!("{} ", text.fill(&[("n", &n)])), theme::STALL),
        );
    }
    if let (Some(p), Some(step)) = (app.present, app.step_shown()) {
        let n = p.step + 1;
        let of = app.steps().len();
        right.push(Span::styled(
            format!(
                " {} · {} ",
                T::HeaderStep.fill(&[("n", &n), ("of", &of)]),
                step_name(step)
            ),
            theme::KEY,
        ));
    }
    if app.paused.is_some() {
        right.push(Span::styled(
            format!(" {} ", T::HeaderPaused),
            theme::PAUSED,
        ));
    }
    // The front door's address (and who came in from outside lately), where it fits.
    if let Some(addr) = app.address {
        let outside = app
            .model
            .http_summary(
                now.saturating_sub(Duration::from_secs(10)),
                now + Duration::from_secs(1),
            )
            .count;
        let values: [(&str, &dyn std::fmt::Display); 2] = [("addr", &addr), ("n", &outside)];
        let room = usize::from(area.width).saturating_sub(left_width + 2);
        let taken: usize = right.iter().map(Span::width).sum();
        let long = T::HeaderHttpOutside.fill(&values);
        let short = T::HeaderHttp.fill(&values);
        let candidates = if outside > 0 {
            vec![long, short]
        } else {
            vec![short]
        };
        if let Some(text) = candidates
            .into_iter()
            .map(|t| format!("{t}  "))
            .find(|t| super::wrap::width(t) + taken <= room)
        {
            right.insert(0, Span::styled(text, theme::LABEL));
        }
    }
    // The learner's progress, where it fits beside the rest: the first to go when narrow.
    let room = usize::from(area.width).saturating_sub(left_width + 2);
    let taken: usize = right.iter().map(Span::width).sum();
    if let Some(text) = progress_candidates(app)
        .into_iter()
        .map(|t| format!("{t}  "))
        .find(|t| super::wrap::width(t) + taken <= room)
    {
        right.insert(0, Span::styled(text, theme::LABEL));
    }
    frame.render_widget(Paragraph::new(Line::from(right).right_aligned()), area);
}

/// A step's short name: the lesson pane's tab and the header say it.
pub fn step_name(step: Step) -> String {
    match step {
        Step::Idea => T::StepIdea.text().to_string(),
        Step::Predict => T::StepPredict.text().to_string(),
        Step::Run(key) => T::StepRun.fill(&[("key", &key)]),
        Step::Reveal => T::StepReveal.text().to_string(),
    }
}

/// The progress summary, longest first.
fn progress_candidates(app: &App) -> Vec<String> {
    let s = app.progress.summary(&app.lessons);
    let values: [(&str, &dyn std::fmt::Display); 8] = [
        ("visited", &s.visited.done),
        ("lessons", &s.visited.of),
        ("ran", &s.ran.done),
        ("actions", &s.ran.of),
        ("passed", &s.passed.done),
        ("checks", &s.passed.of),
        ("predicted", &s.predicted.done),
        ("predictable", &s.predicted.of),
    ];
    // Predictions are counted where some lesson offers choices.
    let mut forms = Vec::new();
    if s.predicted.of > 0 {
        forms.push(T::HeaderProgressFull.fill(&values));
        forms.push(T::HeaderProgressPredicted.fill(&values));
    }
    forms.push(T::HeaderProgressLong.fill(&values));
    forms.push(T::HeaderProgress.fill(&values));
    forms.push(T::HeaderProgressShort.fill(&values));
    forms
}

pub fn footer(frame: &mut Frame, area: Rect, app: &App, now: Duration) {
    let mut actions = vec![Span::raw(" ")];
    if app.playing {
        // The playground has one action: its experiment.
        let p = &app.playground;
        let values: [(&str, &dyn std::fmt::Display); 2] = [
            ("workload", &p.workload.as_str()),
            ("strategy", &p.strategy),
        ];
        actions.push(Span::styled(" 1 ", theme::KEY));
        actions.push(Span::raw(format!(" {}  ", T::PlayRunLabel.fill(&values))));
        actions.push(Span::styled(" g ", theme::KEY));
        actions.push(Span::raw(format!(" {}  ", T::PlayBack)));
    }
    for a in app.lesson().actions.iter().filter(|_| !app.playing) {
        actions.push(Span::styled(format!(" {} ", a.key), theme::KEY));
        actions.push(Span::raw(format!(" {}  ", a.label)));
    }
    let notice = app
        .notice
        .as_ref()
        .filter(|(_, at)| now.saturating_sub(*at) < NOTICE_FOR)
        .map(|(t, _)| t.clone());
    let room = usize::from(area.width.saturating_sub(1));
    if let Some(text) = notice.as_ref().filter(|t| super::wrap::width(t) > room) {
        // A notice too long for its line (a folder's path) takes the actions' line too.
        let pieces = super::wrap::wrap_line(&Line::from(text.as_str()), room);
        let lines: Vec<Line> = pieces
            .into_iter()
            .take(2)
            .map(|l| Line::from(format!(" {l}")).style(theme::WAITING))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let keys = match notice {
        Some(text) => Line::from(Span::styled(format!(" {text}"), theme::WAITING)),
        None => {
            // The footer's keys come from the one key table.
            let mut spans = Vec::new();
            for b in KEYS {
                let (_, Some((keys, word))) = b.in_mode(app.mode()) else {
                    continue;
                };
                spans.push(Span::styled(format!(" {keys}"), theme::LABEL));
                spans.push(Span::styled(format!(" {word} "), theme::DIM));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(vec![Line::from(actions), keys]), area);
}

/// A replay's footer line, drawn over the app's last row: the replay's own keys (unless a
/// recorded notice holds that row) and `mark` (speed, position, paused) at its right end.
pub fn replay_footer(frame: &mut Frame, area: Rect, app: &App, now: Duration, mark: &str) {
    let row = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1.min(area.height),
        ..area
    };
    let notice = app
        .notice
        .as_ref()
        .is_some_and(|(_, at)| now.saturating_sub(*at) < NOTICE_FOR);
    if !notice {
        let mut spans = Vec::new();
        for (keys, word) in crate::ui::keys::REPLAY_KEYS.iter().filter_map(|b| b.footer) {
            spans.push(Span::styled(format!(" {keys}"), theme::LABEL));
            spans.push(Span::styled(format!(" {word} "), theme::DIM));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), row);
    }
    let text = format!(" {mark} ");
    let width = (super::wrap::width(&text) as u16).min(row.width);
    let at = Rect {
        x: row.right() - width,
        width,
        ..row
    };
    frame.render_widget(Paragraph::new(Span::styled(text, theme::PAUSED)), at);
}
