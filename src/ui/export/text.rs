//! The screen as plain text: one line per row, as a terminal shows it.
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

/// One line per row, trailing spaces trimmed; a wide (CJK) character is written once, and a
/// hidden one as the blanks a terminal shows.
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for g in super::row(buf, y) {
            if g.cell.modifier.contains(Modifier::HIDDEN) {
                line.extend(std::iter::repeat_n(' ', usize::from(g.width)));
            } else {
                line.push_str(g.cell.symbol());
            }
        }
        out.push_str(line.trim_end_matches(' '));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};

    #[test]
    fn one_line_a_row_wide_characters_once_trailing_blanks_gone() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 3));
        buf.set_string(0, 0, "延遲 lag", Style::new().fg(Color::Red));
        buf.set_string(2, 1, "<a & b>", Style::new().bg(Color::Blue));
        buf.set_string(0, 2, "secret", Style::new().add_modifier(Modifier::HIDDEN));
        buf.set_string(7, 2, "x", Style::new());
        // No escaping in text: it is what the terminal shows.
        assert_eq!(text(&buf), "延遲 lag\n  <a & b>\n       x\n");
    }

    #[test]
    fn an_empty_screen_is_empty() {
        assert_eq!(text(&Buffer::empty(Rect::new(0, 0, 0, 0))), "");
        assert_eq!(text(&Buffer::empty(Rect::new(0, 0, 3, 2))), "\n\n");
    }
}
