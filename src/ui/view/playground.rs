//! The playground's pane, where the lesson is otherwise: the fields (the chosen one marked),
//! what the last run measured, and the command line that runs the same thing headless.
use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::{theme, wrap};
use crate::text::T;
use crate::ui::app::App;
use crate::ui::playground::findings;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let p = &app.playground;
    let fields = p.fields();
    let label_width = fields
        .iter()
        .map(|f| wrap::width(f.flag()))
        .max()
        .unwrap_or(0);
    let mut lines = Vec::new();
    let mut lab_heading = false;
    for field in fields {
        if field.is_lab() && !lab_heading {
            lab_heading = true;
            lines.push(Line::from(Span::styled(
                T::PlayLabLive.text().to_string(),
                theme::LABEL,
            )));
        }
        let chosen = field == p.field;
        let (mark, style) = match chosen {
            true => ("▶ ", theme::KEY),
            false => ("  ", Style::new()),
        };
        lines.push(Line::from(vec![
            Span::styled(mark, theme::HEADING),
            Span::styled(wrap::pad(field.flag(), label_width + 1), theme::LABEL),
            Span::styled(p.value(field), style),
        ]));
    }
    lines.push(Line::default());
    lines.extend(outcome(app));
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        T::PlayCommand.text().to_string(),
        theme::LABEL,
    )));
    lines.push(Line::from(Span::styled(p.command_line(), theme::CODE)));
    let block = theme::pane(area.width, T::PlayTitle.text(), Vec::new());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let wrapped = wrap::wrap(&lines, usize::from(inner.width));
    let first = usize::from(app.scroll).min(wrapped.len());
    let last = (first + usize::from(inner.height)).min(wrapped.len());
    frame.render_widget(Paragraph::new(wrapped[first..last].to_vec()), inner);
}

/// The last run's state: none yet, running, cancelled, or what it measured.
fn outcome(app: &App) -> Vec<Line<'static>> {
    let Some(run) = app.playground_run() else {
        return vec![Line::from(Span::styled(
            T::PlayNoRun.text().to_string(),
            theme::DIM,
        ))];
    };
    if let Some(why) = &run.cancelled {
        let text = T::PlayCancelled.fill(&[("why", why)]);
        return vec![Line::from(Span::styled(text, theme::WAITING))];
    }
    let Some(report) = &run.report else {
        return vec![Line::from(Span::styled(
            T::PlayRunning.text().to_string(),
            theme::WAITING,
        ))];
    };
    let mut lines = vec![Line::from(Span::styled(
        T::PlayMeasured.text().to_string(),
        theme::LABEL,
    ))];
    for text in findings(report) {
        lines.push(Line::from(format!("• {text}")));
    }
    lines
}
