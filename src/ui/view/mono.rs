//! `NO_COLOR` (no-color.org): when it is set and not empty, a frame carries no colour at all.
//! After a frame is drawn every colour is taken out; what colour said is kept where the terminal
//! can say it without colour: a coloured background (a key, a stall's label, "paused") turns
//! into reverse video, and dark-grey text into dim text.
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// Whether the environment asks for no colour.
pub fn wanted() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

pub fn strip(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if cell.bg != Color::Reset {
            cell.modifier.toggle(Modifier::REVERSED);
        }
        if cell.fg == Color::DarkGray {
            cell.modifier.insert(Modifier::DIM);
        }
        cell.fg = Color::Reset;
        cell.bg = Color::Reset;
        cell.underline_color = Color::Reset;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn colours_go_and_what_they_marked_stays() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 1));
        buf.set_string(0, 0, "k", Style::new().fg(Color::Black).bg(Color::Cyan));
        buf.set_string(1, 0, "d", Style::new().fg(Color::DarkGray));
        buf.set_string(
            2,
            0,
            "r",
            Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        );
        strip(&mut buf);
        for cell in &buf.content {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset));
        }
        assert!(buf[(0, 0)].modifier.contains(Modifier::REVERSED));
        assert!(buf[(1, 0)].modifier.contains(Modifier::DIM));
        assert_eq!(buf[(2, 0)].modifier, Modifier::BOLD);
        assert_eq!(buf[(3, 0)].modifier, Modifier::empty());
    }
}
