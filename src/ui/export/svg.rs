//! The screen as SVG: a monospace grid the size of the terminal, each cell's colours and
//! attributes kept. Backgrounds are rects (a run of equal colour in a row is one rect); text is
//! one `<text>` a row, a `<tspan>` per run of equal style, every character at its column's x,
//! so the columns stay aligned whatever font the viewer picks. A wide (CJK) character takes
//! two columns, as on the terminal.
use std::fmt::Write as _;

use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use super::palette::{Rgb, blend, hex, rgb};
use crate::ui::view::theme;

/// A cell, in SVG pixels: a 0.6 em advance and a 1.2 em line at [`FONT_SIZE`].
pub const CELL_WIDTH: u32 = 9;
pub const CELL_HEIGHT: u32 = 18;
const FONT_SIZE: u32 = 15;
/// The text's baseline, down from the top of its row.
const BASELINE: u32 = 14;
/// Monospace fonts, CJK-capable ones among them, and the viewer's own monospace last.
const FONTS: &str = "'DejaVu Sans Mono', Menlo, Consolas, 'Noto Sans Mono CJK TC', 'Noto Sans Mono CJK SC', 'Sarasa Mono TC', 'Sarasa Mono SC', 'MS Gothic', monospace";

/// How a cell looks, its colours resolved: reversed swapped, dim faded, hidden painted over.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Look {
    fg: Rgb,
    bg: Rgb,
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
}

fn defaults() -> (Rgb, Rgb) {
    (
        rgb(theme::SCREEN_FG, (0, 0, 0)),
        rgb(theme::SCREEN_BG, (0, 0, 0)),
    )
}

fn look(cell: &ratatui::buffer::Cell) -> Look {
    let (default_fg, default_bg) = defaults();
    let m = cell.modifier;
    let (mut fg, mut bg) = (rgb(cell.fg, default_fg), rgb(cell.bg, default_bg));
    if m.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    if m.contains(Modifier::DIM) {
        fg = blend(fg, bg, 0.5);
    }
    if m.contains(Modifier::HIDDEN) {
        fg = bg;
    }
    Look {
        fg,
        bg,
        bold: m.contains(Modifier::BOLD),
        italic: m.contains(Modifier::ITALIC),
        underline: m.contains(Modifier::UNDERLINED),
        strike: m.contains(Modifier::CROSSED_OUT),
    }
}

impl Look {
    /// The same text style: one run of text.
    fn same_text(&self, other: &Look) -> bool {
        (self.fg, self.bold, self.italic, self.underline, self.strike)
            == (
                other.fg,
                other.bold,
                other.italic,
                other.underline,
                other.strike,
            )
    }
}

/// `buf` as an SVG document titled `title`.
pub fn svg(buf: &Buffer, title: &str) -> String {
    let (columns, rows) = (u32::from(buf.area.width), u32::from(buf.area.height));
    let (width, height) = (columns * CELL_WIDTH, rows * CELL_HEIGHT);
    let (default_fg, default_bg) = defaults();
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" data-columns="{columns}" data-rows="{rows}" data-cell-width="{CELL_WIDTH}" data-cell-height="{CELL_HEIGHT}">"#
    );
    out += "<title>";
    escape(title, &mut out);
    out += "</title>\n";
    let _ = writeln!(
        out,
        r#"<rect width="{width}" height="{height}" fill="{}"/>"#,
        hex(default_bg)
    );
    out += "<g shape-rendering=\"crispEdges\">\n";
    for y in 0..buf.area.height {
        backgrounds(buf, y, default_bg, &mut out);
    }
    out += "</g>\n";
    let _ = writeln!(
        out,
        r#"<g font-family="{FONTS}" font-size="{FONT_SIZE}" fill="{}" xml:space="preserve">"#,
        hex(default_fg)
    );
    for y in 0..buf.area.height {
        texts(buf, y, default_fg, &mut out);
    }
    out += "</g>\n</svg>\n";
    out
}

/// A rect for each run of equal background in row `y` (none where it is the default).
fn backgrounds(buf: &Buffer, y: u16, default: Rgb, out: &mut String) {
    let mut runs: Vec<(u16, u16, Rgb)> = Vec::new();
    for g in super::row(buf, y) {
        let bg = look(g.cell).bg;
        match runs.last_mut() {
            Some((x, w, c)) if *c == bg && *x + *w == g.x => *w += g.width,
            _ => runs.push((g.x, g.width, bg)),
        }
    }
    for (x, w, bg) in runs.into_iter().filter(|r| r.2 != default) {
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="{}" height="{CELL_HEIGHT}" fill="{}"/>"#,
            u32::from(x) * CELL_WIDTH,
            u32::from(y) * CELL_HEIGHT,
            u32::from(w) * CELL_WIDTH,
            hex(bg)
        );
    }
}

/// A run of text in one style: each symbol with its column.
struct Run<'a> {
    look: Look,
    cells: Vec<(u16, &'a str)>,
}

/// Row `y`'s text: one `<text>`, a `<tspan>` per run of equal style. A blank (a space, not
/// underlined or crossed out) shows nothing whatever its style, so it joins the run before it
/// (the row's words stay together); the row's leading and trailing blanks are left out.
fn texts(buf: &Buffer, y: u16, default_fg: Rgb, out: &mut String) {
    let mut runs: Vec<Run> = Vec::new();
    let mut open: Option<Run> = None;
    for g in super::row(buf, y) {
        let look = look(g.cell);
        let symbol = g.cell.symbol();
        let hidden = g.cell.modifier.contains(Modifier::HIDDEN);
        let blank = hidden || (symbol.trim().is_empty() && !look.underline && !look.strike);
        if blank {
            if let Some(run) = open.as_mut() {
                run.cells.push((g.x, " "));
            }
            continue;
        }
        match open.as_mut() {
            Some(run) if run.look.same_text(&look) => run.cells.push((g.x, symbol)),
            _ => {
                runs.extend(open.take());
                open = Some(Run {
                    look,
                    cells: vec![(g.x, symbol)],
                });
            }
        }
    }
    runs.extend(open);
    if runs.is_empty() {
        return;
    }
    let _ = write!(
        out,
        r#"<text y="{}">"#,
        u32::from(y) * CELL_HEIGHT + BASELINE
    );
    let last = runs.len() - 1;
    for (i, mut run) in runs.into_iter().enumerate() {
        // Blanks between two runs stay in the first, so the row's text reads as on screen
        // (a search in the picture finds "STUCK 1.50 s in job #1" across two colours).
        while i == last && run.cells.last().is_some_and(|(_, s)| *s == " ") {
            run.cells.pop();
        }
        let attributes = attributes(&run.look, default_fg);
        // A symbol of one UTF-16 unit takes one x; any other (a combining sequence, an emoji)
        // gets a tspan of its own, placed once, so the x list never drifts from the text.
        for piece in run.cells.chunk_by(|a, b| simple(a.1) && simple(b.1)) {
            let xs: Vec<String> = piece
                .iter()
                .map(|(x, _)| (u32::from(*x) * CELL_WIDTH).to_string())
                .collect();
            let _ = write!(out, r#"<tspan x="{}"{attributes}>"#, xs.join(" "));
            for (_, symbol) in piece {
                escape(symbol, out);
            }
            out.push_str("</tspan>");
        }
    }
    out.push_str("</text>\n");
}

/// One character that is one UTF-16 unit: SVG gives it exactly one of the x values.
fn simple(symbol: &str) -> bool {
    let mut chars = symbol.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.len_utf16() == 1)
}

/// The attributes of a run's style (the fill only where it is not the default).
fn attributes(look: &Look, default_fg: Rgb) -> String {
    let mut a = String::new();
    if look.fg != default_fg {
        let _ = write!(a, r#" fill="{}""#, hex(look.fg));
    }
    if look.bold {
        a += r#" font-weight="bold""#;
    }
    if look.italic {
        a += r#" font-style="italic""#;
    }
    let lines: Vec<&str> = [(look.underline, "underline"), (look.strike, "line-through")]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect();
    if !lines.is_empty() {
        let _ = write!(a, r#" text-decoration="{}""#, lines.join(" "));
    }
    a
}

/// `s` as XML text; a character XML cannot hold (a control) becomes U+FFFD.
fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::{Color, Style};

    fn small() -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        buf.set_string(0, 0, "ok", Style::new().fg(Color::Green).bg(Color::Blue));
        buf.set_string(3, 0, "事x", Style::new().add_modifier(Modifier::BOLD));
        buf.set_string(0, 1, "<&>", Style::new().add_modifier(Modifier::REVERSED));
        buf.set_string(
            4,
            1,
            "d",
            Style::new()
                .fg(Color::Indexed(196))
                .add_modifier(Modifier::DIM | Modifier::ITALIC),
        );
        buf.set_string(
            6,
            1,
            "u",
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::CROSSED_OUT),
        );
        buf
    }

    #[test]
    fn the_grid_has_the_screens_size_and_a_title() {
        let s = svg(&small(), "Lesson <1> & \"2\"");
        assert!(
            s.starts_with(r##"<svg xmlns="http://www.w3.org/2000/svg" width="90" height="36" viewBox="0 0 90 36" data-columns="10" data-rows="2" data-cell-width="9" data-cell-height="18">"##),
            "{s}"
        );
        assert!(
            s.contains("<title>Lesson &lt;1&gt; &amp; &quot;2&quot;</title>"),
            "{s}"
        );
        assert!(
            s.contains(r##"<rect width="90" height="36" fill="#121212"/>"##),
            "{s}"
        );
        assert!(s.contains(r##"font-family="'DejaVu Sans Mono', "##), "{s}");
        assert!(s.trim_end().ends_with("</svg>"), "{s}");
    }

    #[test]
    fn backgrounds_are_merged_runs_and_reversed_cells_swap_colours() {
        let s = svg(&small(), "t");
        // "ok" on blue: one rect two cells wide.
        assert!(
            s.contains(r##"<rect x="0" y="0" width="18" height="18" fill="#0000ee"/>"##),
            "{s}"
        );
        // Reversed default colours: the default foreground becomes the background…
        assert!(
            s.contains(r##"<rect x="0" y="18" width="27" height="18" fill="#e5e5e5"/>"##),
            "{s}"
        );
        // …and the text takes the default background, escaped.
        assert!(
            s.contains(r##"<tspan x="0 9 18 27" fill="#121212">&lt;&amp;&gt; </tspan>"##),
            "{s}"
        );
    }

    #[test]
    fn each_style_is_its_own_run_and_a_wide_character_takes_two_columns() {
        let s = svg(&small(), "t");
        let first_row = s
            .lines()
            .find(|l| l.starts_with("<text y=\"14\">"))
            .unwrap();
        assert_eq!(
            first_row,
            r##"<text y="14"><tspan x="0 9 18" fill="#00cd00">ok </tspan><tspan x="27 45" font-weight="bold">事x</tspan></text>"##
        );
        // Dim fades red halfway into the background; italic, underline and strike-through.
        assert!(
            s.contains(r##"<tspan x="36 45" fill="#890909" font-style="italic">d </tspan>"##),
            "{s}"
        );
        assert!(
            s.contains(r##"<tspan x="54" text-decoration="underline line-through">u</tspan>"##),
            "{s}"
        );
    }

    #[test]
    fn blanks_join_a_run_and_an_emoji_is_placed_on_its_own() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "a b", Style::new().fg(Color::Red));
        buf.set_string(3, 0, " ", Style::new().fg(Color::Blue));
        buf.set_string(4, 0, "c😀d", Style::new().fg(Color::Red));
        let s = svg(&buf, "t");
        let row = s.lines().find(|l| l.starts_with("<text")).unwrap();
        assert_eq!(
            row,
            r##"<text y="14"><tspan x="0 9 18 27 36" fill="#cd0000">a b c</tspan><tspan x="45" fill="#cd0000">😀</tspan><tspan x="63" fill="#cd0000">d</tspan></text>"##
        );
    }

    #[test]
    fn a_control_character_cannot_break_the_xml() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 2, 1));
        buf[(0, 0)].set_symbol("\u{1b}");
        let s = svg(&buf, "a\u{7}b");
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "{s}");
        assert!(s.contains("<title>a\u{FFFD}b</title>"), "{s}");
    }

    #[test]
    fn an_empty_screen_is_an_empty_picture() {
        let s = svg(&Buffer::empty(Rect::new(0, 0, 0, 0)), "t");
        assert!(s.contains(r##"width="0" height="0""##), "{s}");
        assert!(!s.contains("<text"), "{s}");
    }
}
