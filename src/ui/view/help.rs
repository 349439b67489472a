//! The help overlay: every key, in one place.
use ratatui::prelude::*;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{theme, wrap};
use crate::text::T;
use crate::ui::app::App;
use crate::ui::keys::{Binding, KEYS};

/// The keys' column, then what they do (wrapped under itself).
const KEY_COLUMN: usize = 23;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    draw_with(frame, area, app, KEYS);
}

/// The help for a table of keys: the app's, or the replay's.
pub fn draw_with<I>(frame: &mut Frame, area: Rect, app: &App, table: &[Binding<I>]) {
    let width = area.width.min(90);
    let inner = usize::from(width.saturating_sub(2));
    let row = |keys: &str, what: String, lines: &mut Vec<Line<'static>>| {
        let what = wrap::wrap_line(&Line::from(what), inner.saturating_sub(KEY_COLUMN));
        for (i, piece) in what.into_iter().enumerate() {
            let keys = if i == 0 { keys } else { "" };
            let mut spans = vec![Span::styled(
                format!("  {}", wrap::pad(keys, KEY_COLUMN - 2)),
                theme::HEADING,
            )];
            spans.extend(piece.spans);
            lines.push(Line::from(spans));
        }
    };
    let mut keys = vec![Line::default()];
    for b in table {
        let (help, _) = b.in_mode(app.mode());
        row(b.label, help.text().to_string(), &mut keys);
    }
    let mut actions = vec![Line::default()];
    actions.push(Line::from(Span::styled(
        format!("  {}", T::HelpActions),
        theme::LABEL,
    )));
    for a in &app.lesson().actions {
        let what = format!("{} ({})", a.label, a.describe());
        row(&a.key.to_string(), what, &mut actions);
    }
    let mut tail = vec![Line::default()];
    tail.push(Line::from(Span::styled(
        format!("  {}", T::HelpLagStall),
        theme::DIM,
    )));
    tail.push(Line::from(vec![
        Span::styled(format!("  {}", T::HelpLog), theme::LABEL),
        Span::raw(app.log.clone()),
    ]));
    if !app.skipped.is_empty() {
        tail.push(Line::from(Span::styled(
            format!("  {}", T::HelpSkipped.fill(&[("n", &app.skipped.len())])),
            theme::STALL,
        )));
    }
    for why in &app.skipped {
        for piece in wrap::wrap_line(&Line::from(why.as_str()), inner.saturating_sub(4)) {
            let mut spans = vec![Span::raw("    ")];
            spans.extend(piece.spans);
            tail.push(Line::from(spans));
        }
    }
    // The other lines (a long sentence in Chinese, say) wrap at the popup's edge.
    let mut parts = [&keys, &actions, &tail].map(|part| wrap::wrap(part, inner));
    let room = usize::from(area.height).saturating_sub(2);
    let total = |parts: &[Vec<Line>; 3]| parts.iter().map(Vec::len).sum::<usize>();
    // On a short screen the blank lines go first, then the lesson's last actions (the footer
    // lists them too), so the log and the skipped files stay in view.
    if total(&parts) > room {
        parts.iter_mut().for_each(|p| p.retain(|l| l.width() > 0));
    }
    if total(&parts) > room {
        // A heading with no action under it says nothing.
        let left = room.saturating_sub(parts[0].len() + parts[2].len());
        parts[1].truncate(if left < 2 { 0 } else { left });
    }
    let lines = parts.concat();
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", T::HelpTitle), theme::TITLE));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
