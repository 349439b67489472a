//! The help overlay: every key, in one place.
use ratatui::prelude::*;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme;
use crate::text::T;
use crate::ui::app::App;
use crate::ui::keys::KEYS;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let mut lines = vec![Line::default()];
    for b in KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<21}", b.label), theme::HEADING),
            Span::raw(b.help.text()),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        format!("  {}", T::HelpActions),
        theme::LABEL,
    )));
    for a in &app.lesson().actions {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<21}", a.key), theme::HEADING),
            Span::raw(format!("{} ({})", a.label, a.describe())),
        ]));
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
    let width = area.width.min(90);
    // A skipped file's reason can be long: wrapped by hand, so the key table never wraps.
    let inner = usize::from(width.saturating_sub(6)).max(1);
    for why in &app.skipped {
        let chars: Vec<char> = why.chars().collect();
        for piece in chars.chunks(inner) {
            lines.push(Line::from(format!("    {}", String::from_iter(piece))));
        }
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
