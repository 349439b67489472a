//! The help overlay: every key, in one place.
use ratatui::prelude::*;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{theme, wrap};
use crate::text::T;
use crate::ui::app::App;
use crate::ui::keys::KEYS;

/// The keys' column, then what they do (wrapped under itself).
const KEY_COLUMN: usize = 23;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
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
    let mut lines = vec![Line::default()];
    for b in KEYS {
        let help = match b.present {
            Some((help, _)) if app.present.is_some() => help,
            _ => b.help,
        };
        row(b.label, help.text().to_string(), &mut lines);
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("  {}", T::HelpActions),
        theme::LABEL,
    )));
    for a in &app.lesson().actions {
        let what = format!("{} ({})", a.label, a.describe());
        row(&a.key.to_string(), what, &mut lines);
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("  {}", T::HelpLagStall),
        theme::DIM,
    )));
    lines.push(Line::from(vec![
        Span::styled(format!("  {}", T::HelpLog), theme::LABEL),
        Span::raw(app.log.clone()),
    ]));
    if !app.skipped.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", T::HelpSkipped.fill(&[("n", &app.skipped.len())])),
            theme::STALL,
        )));
    }
    for why in &app.skipped {
        for piece in wrap::wrap_line(&Line::from(why.as_str()), inner.saturating_sub(4)) {
            let mut spans = vec![Span::raw("    ")];
            spans.extend(piece.spans);
            lines.push(Line::from(spans));
        }
    }
    // The other lines (a long sentence in Chinese, say) wrap at the popup's edge.
    let mut lines = wrap::wrap(&lines, inner);
    // On a short screen the blank lines go first, so the log and skipped files stay in view.
    if lines.len() + 2 > usize::from(area.height) {
        lines.retain(|l| l.width() > 0);
    }
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
