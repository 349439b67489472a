//! Wrapping text by display width, for every language the lessons speak.
//!
//! ratatui's word wrapper breaks only at spaces, so a Chinese paragraph (no spaces) would run
//! off as one long line, and double-width characters near an edge are where its known wrapping
//! bugs live. Here lines are broken before they reach the pane: at spaces between words, between
//! any two CJK characters, never before closing punctuation (，。」…) nor after opening
//! punctuation (「（“), and a double-width character never straddles the edge.
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub use crate::text::width::{char_width, pad, width};

/// Characters that may break a line on either side: CJK ideographs, kana, full-width forms.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Never at the start of a line: it stays with what it follows.
fn is_closing(c: char) -> bool {
    "，。、；：！？）」』】》〉”’…—,.;:!?)]}%".contains(c)
}

/// Never at the end of a line: it goes with what follows.
fn is_opening(c: char) -> bool {
    "（「『【《〈“‘([{".contains(c)
}

type Cell = (char, Style);

/// The pieces a line may break between: a word, one CJK character (with its punctuation), or a
/// run of spaces.
fn units(line: &Line<'_>) -> Vec<Vec<Cell>> {
    let cells: Vec<Cell> = line
        .spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect();
    let mut units: Vec<Vec<Cell>> = Vec::new();
    let mut glue_next = false;
    for cell in cells {
        let c = cell.0;
        let joins = match units.last().and_then(|u| u.last()) {
            None => false,
            Some(_) if glue_next => true,
            Some(&(prev, _)) => {
                if c == ' ' {
                    prev == ' '
                } else if prev == ' ' {
                    false
                } else {
                    is_closing(c) || !(is_cjk(c) || is_cjk(prev))
                }
            }
        };
        glue_next = is_opening(c);
        match units.last_mut() {
            Some(u) if joins => u.push(cell),
            _ => units.push(vec![cell]),
        }
    }
    units
}

fn unit_width(u: &[Cell]) -> usize {
    u.iter().map(|(c, _)| char_width(*c)).sum()
}

fn is_space(u: &[Cell]) -> bool {
    u.iter().all(|(c, _)| *c == ' ')
}

/// Cells back into spans, one per run of a style.
fn to_line(cells: &[Cell], style: Style) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_style = None;
    for &(c, s) in cells {
        if run_style.is_some_and(|r| r != s) {
            spans.push(Span::styled(std::mem::take(&mut run), run_style.unwrap()));
        }
        run_style = Some(s);
        run.push(c);
    }
    if let Some(s) = run_style {
        spans.push(Span::styled(run, s));
    }
    Line::from(spans).style(style)
}

/// One line broken into lines of at most `width` columns. Leading spaces are kept (they indent
/// code); spaces at a break are dropped.
pub fn wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(2);
    let mut out = Vec::new();
    let mut current: Vec<Cell> = Vec::new();
    let mut used = 0;
    for unit in units(line) {
        let w = unit_width(&unit);
        if used + w <= width {
            used += w;
            current.extend(unit);
            continue;
        }
        if is_space(&unit) {
            // A break here: the spaces go.
            out.push(to_line(&current, line.style));
            current.clear();
            used = 0;
            continue;
        }
        if used > 0 && !current.iter().all(|(c, _)| *c == ' ') {
            while current.last().is_some_and(|(c, _)| *c == ' ') {
                current.pop();
            }
            out.push(to_line(&current, line.style));
            current.clear();
            used = 0;
        }
        // A piece wider than the line (a long identifier, a URL): cut it by characters.
        for cell in unit {
            let cw = char_width(cell.0);
            if used + cw > width && used > 0 {
                out.push(to_line(&current, line.style));
                current.clear();
                used = 0;
            }
            used += cw;
            current.push(cell);
        }
    }
    while current.last().is_some_and(|(c, _)| *c == ' ') && current.len() > 1 {
        current.pop();
    }
    out.push(to_line(&current, line.style));
    out
}

/// Every line wrapped to `width` columns.
pub fn wrap(lines: &[Line<'_>], width: usize) -> Vec<Line<'static>> {
    lines.iter().flat_map(|l| wrap_line(l, width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use unicode_width::UnicodeWidthStr;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn english_breaks_at_spaces() {
        let l = Line::from("the loop takes turns between tasks");
        assert_eq!(
            texts(&wrap_line(&l, 14)),
            ["the loop takes", "turns between", "tasks"]
        );
    }

    #[test]
    fn chinese_breaks_between_characters_by_display_width() {
        let l = Line::from("事件迴圈一次只跑一個任務");
        let lines = wrap_line(&l, 9);
        // Nine columns hold four double-width characters, never four and a half.
        assert_eq!(texts(&lines), ["事件迴圈", "一次只跑", "一個任務"]);
        assert!(lines.iter().all(|l| l.width() <= 9));
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        let l = Line::from("阻塞了迴圈。其他請求");
        let lines = texts(&wrap_line(&l, 10));
        assert!(lines.iter().all(|l| !l.starts_with('。')), "{lines:?}");
        assert!(
            lines[0].ends_with('。') || lines[1].starts_with("圈。"),
            "{lines:?}"
        );
    }

    #[test]
    fn mixed_text_keeps_latin_words_whole() {
        let l = Line::from("用 spawn_blocking 移交給執行緒池");
        let lines = texts(&wrap_line(&l, 16));
        assert!(
            lines.iter().any(|l| l.contains("spawn_blocking")),
            "{lines:?}"
        );
        assert!(lines.iter().all(|l| l.width() <= 16));
    }

    #[test]
    fn styles_and_leading_indent_survive() {
        let code = Style::new().bold();
        let l = Line::from(vec![Span::raw("  "), Span::styled("let x = 1;", code)]);
        let lines = wrap_line(&l, 40);
        assert_eq!(lines[0].to_string(), "  let x = 1;");
        assert_eq!(lines[0].spans[1].style, code);
    }

    #[test]
    fn nothing_is_ever_wider_than_asked() {
        let text = "第 4 課：把 200 ms 的 `std::thread::sleep` 移交給 tokio 的阻塞執行緒池（spawn_blocking），迴圈就不再停頓。 An English sentence follows, with a verylongidentifier_that_must_be_cut_somewhere.";
        for w in 2..60 {
            for l in wrap_line(&Line::from(text), w) {
                assert!(l.width() <= w, "width {w}: {l:?}");
            }
        }
    }
}
