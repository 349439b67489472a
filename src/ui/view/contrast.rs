//! Presenter mode's high contrast: a projector washes out dark grey, dim text and the darker
//! ANSI colours. After a frame is drawn, each colour becomes its bright form and dim goes;
//! `NO_COLOR` is applied after this, so it still wins.
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn bright(c: Color) -> Color {
    match c {
        Color::DarkGray | Color::Gray => Color::White,
        Color::Red => Color::LightRed,
        Color::Green => Color::LightGreen,
        Color::Yellow => Color::LightYellow,
        Color::Blue => Color::LightBlue,
        Color::Magenta => Color::LightMagenta,
        Color::Cyan => Color::LightCyan,
        other => other,
    }
}

pub fn raise(buf: &mut Buffer) {
    for cell in &mut buf.content {
        cell.fg = bright(cell.fg);
        cell.bg = bright(cell.bg);
        cell.modifier.remove(Modifier::DIM);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn dark_and_dim_become_bright() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 1));
        buf.set_string(0, 0, "d", Style::new().fg(Color::DarkGray));
        buf.set_string(
            1,
            0,
            "r",
            Style::new().fg(Color::Red).add_modifier(Modifier::DIM),
        );
        buf.set_string(2, 0, "k", Style::new().fg(Color::Black).bg(Color::Cyan));
        raise(&mut buf);
        assert_eq!(buf[(0, 0)].fg, Color::White);
        assert_eq!(buf[(1, 0)].fg, Color::LightRed);
        assert!(!buf[(1, 0)].modifier.contains(Modifier::DIM));
        assert_eq!(
            (buf[(2, 0)].fg, buf[(2, 0)].bg),
            (Color::Black, Color::LightCyan)
        );
    }
}
