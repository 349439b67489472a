//! Large figures for a projector: a 3×5 pixel font drawn with half blocks (three rows of
//! text), and the strip of key figures presenter mode shows above the panes — lag now, the
//! worst lag in view, the live stall counter while the loop is frozen, requests p99.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::theme;
use crate::data::STALL_THRESHOLD;
use crate::text::T;
use crate::ui::app::App;

/// Rows the strip takes: a label, then the digits.
pub const HEIGHT: u16 = 4;

/// Columns between two figures.
const GAP: usize = 3;

/// Each glyph: five rows of three pixels, `#` lit.
fn glyph(c: char) -> [&'static str; 5] {
    match c {
        '0' => ["###", "#.#", "#.#", "#.#", "###"],
        '1' => [".#.", "##.", ".#.", ".#.", "###"],
        '2' => ["###", "..#", "###", "#..", "###"],
        '3' => ["###", "..#", "###", "..#", "###"],
        '4' => ["#.#", "#.#", "###", "..#", "..#"],
        '5' => ["###", "#..", "###", "..#", "###"],
        '6' => ["###", "#..", "###", "#.#", "###"],
        '7' => ["###", "..#", "..#", "..#", "..#"],
        '8' => ["###", "#.#", "###", "#.#", "###"],
        '9' => ["###", "#.#", "###", "..#", "###"],
        '.' => ["...", "...", "...", "...", ".#."],
        '-' => ["...", "...", "###", "...", "..."],
        'm' => ["...", "...", "###", "###", "#.#"],
        's' => ["...", ".##", "#..", "..#", "##."],
        'µ' => ["...", "#.#", "#.#", "###", "#.."],
        '%' => ["#.#", "..#", ".#.", "#..", "#.#"],
        '/' => ["..#", "..#", ".#.", "#..", "#.."],
        _ => ["...", "...", "...", "...", "..."],
    }
}

/// `text` in large glyphs: three rows, each glyph three columns and a column apart.
pub fn rows(text: &str) -> [String; 3] {
    let mut out: [String; 3] = Default::default();
    for (i, c) in text.chars().enumerate() {
        let g = glyph(c);
        for (row, line) in out.iter_mut().enumerate() {
            if i > 0 {
                line.push(' ');
            }
            let top = g[row * 2].as_bytes();
            let bottom = g.get(row * 2 + 1).map(|b| b.as_bytes());
            for x in 0..3 {
                let lit = (top[x] == b'#', bottom.is_some_and(|b| b[x] == b'#'));
                line.push(match lit {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
        }
    }
    out
}

/// Columns `text` takes in large glyphs.
pub fn width(text: &str) -> usize {
    (text.chars().count() * 4).saturating_sub(1)
}

/// A duration in the few glyphs the font has: "840µs", "12.3ms", "2.41s".
pub fn compact(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1000.0 {
        format!("{us:.0}µs")
    } else if us < 100_000.0 {
        format!("{:.1}ms", us / 1e3)
    } else if us < 1_000_000.0 {
        format!("{:.0}ms", us / 1e3)
    } else {
        format!("{:.2}s", us / 1e6)
    }
}

/// One key figure: its label, its value, its colour.
struct Figure {
    label: String,
    value: String,
    style: Style,
}

/// The figures, most wanted first: the live stall (only while there is one), lag now, the
/// worst lag in the window, requests p99.
fn figures(app: &App, now: Duration) -> Vec<Figure> {
    let model = &app.model;
    let from = now.saturating_sub(app.window());
    let by_size = |d: Duration| {
        if d >= STALL_THRESHOLD {
            theme::STALL_LIVE
        } else {
            theme::LAG_OK
        }
    };
    let mut out = Vec::new();
    let live = model.live_stall(now);
    if let Some(stall) = &live {
        out.push(Figure {
            label: T::BigStall.text().to_string(),
            value: compact(stall.age),
            style: theme::STALL_LIVE,
        });
    }
    let lag = model.lag_now();
    out.push(Figure {
        label: T::BigLagNow.text().to_string(),
        value: lag.map_or("-".into(), compact),
        style: lag.map_or(theme::LABEL, by_size),
    });
    // A loop frozen now has lagged at least this long already, answered or not.
    let worst = model
        .worst_lag(from, now)
        .max(live.map_or(Duration::ZERO, |s| s.age));
    out.push(Figure {
        label: T::BigWorst.fill(&[("secs", &app.window().as_secs())]),
        value: compact(worst),
        style: by_size(worst),
    });
    let requests = model.request_summary(from, now);
    out.push(Figure {
        label: T::BigRequests.text().to_string(),
        value: match requests.count {
            0 => "-".into(),
            _ => compact(requests.p99),
        },
        style: theme::LABEL,
    });
    out
}

/// The strip: as many figures as fit side by side; the last ones go first when narrow.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, now: Duration) {
    let mut x = usize::from(area.x) + 1;
    let end = usize::from(area.x + area.width);
    for f in figures(app, now) {
        let w = width(&f.value).max(super::wrap::width(&f.label));
        if x + w > end {
            break;
        }
        let column = Rect {
            x: x as u16,
            y: area.y,
            width: w as u16,
            height: area.height,
        };
        let mut lines = vec![Line::from(Span::styled(f.label, theme::LABEL))];
        lines.extend(rows(&f.value).map(|r| Line::from(Span::styled(r, f.style))));
        frame.render_widget(Paragraph::new(lines), column);
        x += w + GAP;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_three_rows_of_half_blocks() {
        let r = rows("10");
        assert_eq!(r[0], "▄█  █▀█");
        assert_eq!(r[1], " █  █ █");
        assert_eq!(r[2], "▀▀▀ ▀▀▀");
        assert_eq!(width("10"), 7);
        assert_eq!(r[0].chars().count(), width("10"));
    }

    #[test]
    fn durations_fit_the_font() {
        assert_eq!(compact(Duration::from_micros(840)), "840µs");
        assert_eq!(compact(Duration::from_micros(12_340)), "12.3ms");
        assert_eq!(compact(Duration::from_millis(2410)), "2.41s");
        for d in [1, 999, 1000, 99_999, 100_000, 5_000_000] {
            let text = compact(Duration::from_micros(d));
            assert!(text.chars().all(|c| glyph(c) != glyph(' ')), "{text}");
        }
    }
}
