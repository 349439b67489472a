//! Terminal colours as the RGB a saved screen paints them with: the 16 named colours and the
//! 256 indexed ones as xterm's default palette draws them, `Reset` as the theme's defaults.
use ratatui::style::Color;

/// Red, green, blue.
pub type Rgb = (u8, u8, u8);

/// xterm's default values for colours 0–15 (ratatui's named colours, in index order).
const ANSI: [Rgb; 16] = [
    (0x00, 0x00, 0x00),
    (0xcd, 0x00, 0x00),
    (0x00, 0xcd, 0x00),
    (0xcd, 0xcd, 0x00),
    (0x00, 0x00, 0xee),
    (0xcd, 0x00, 0xcd),
    (0x00, 0xcd, 0xcd),
    (0xe5, 0xe5, 0xe5),
    (0x7f, 0x7f, 0x7f),
    (0xff, 0x00, 0x00),
    (0x00, 0xff, 0x00),
    (0xff, 0xff, 0x00),
    (0x5c, 0x5c, 0xff),
    (0xff, 0x00, 0xff),
    (0x00, 0xff, 0xff),
    (0xff, 0xff, 0xff),
];

/// `color` in RGB; `reset` is what the terminal's own colour (`Color::Reset`) stands for.
pub fn rgb(color: Color, reset: Rgb) -> Rgb {
    match color {
        Color::Reset => reset,
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
        Color::Indexed(i) => indexed(i),
        Color::Rgb(r, g, b) => (r, g, b),
    }
}

/// xterm's 256 colours: the 16 above, a 6×6×6 cube, then 24 greys.
fn indexed(i: u8) -> Rgb {
    match i {
        0..=15 => ANSI[usize::from(i)],
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let i = i - 16;
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        232..=255 => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    }
}

/// `#rrggbb`.
pub fn hex((r, g, b): Rgb) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// `a` taken `share` of the way to `b`: a dim colour is the text colour half faded into its
/// background, as terminals draw it.
pub fn blend(a: Rgb, b: Rgb, share: f64) -> Rgb {
    let mix = |x: u8, y: u8| (f64::from(x) + (f64::from(y) - f64::from(x)) * share).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESET: Rgb = (1, 2, 3);

    #[test]
    fn every_kind_of_colour_has_its_xterm_value() {
        assert_eq!(hex(rgb(Color::Reset, RESET)), "#010203");
        assert_eq!(hex(rgb(Color::Red, RESET)), "#cd0000");
        assert_eq!(hex(rgb(Color::DarkGray, RESET)), "#7f7f7f");
        assert_eq!(hex(rgb(Color::White, RESET)), "#ffffff");
        // The named colours are indexes 0–15.
        assert_eq!(rgb(Color::LightBlue, RESET), rgb(Color::Indexed(12), RESET));
        // The cube's corners and a step, then the grey ramp's ends.
        assert_eq!(hex(rgb(Color::Indexed(16), RESET)), "#000000");
        assert_eq!(hex(rgb(Color::Indexed(196), RESET)), "#ff0000");
        assert_eq!(hex(rgb(Color::Indexed(67), RESET)), "#5f87af");
        assert_eq!(hex(rgb(Color::Indexed(231), RESET)), "#ffffff");
        assert_eq!(hex(rgb(Color::Indexed(232), RESET)), "#080808");
        assert_eq!(hex(rgb(Color::Indexed(255), RESET)), "#eeeeee");
        assert_eq!(hex(rgb(Color::Rgb(0x12, 0xab, 0xef), RESET)), "#12abef");
    }

    #[test]
    fn a_blend_goes_part_of_the_way() {
        assert_eq!(blend((0, 0, 0), (200, 100, 50), 0.5), (100, 50, 25));
        assert_eq!(blend((10, 10, 10), (20, 20, 20), 0.0), (10, 10, 10));
    }
}
