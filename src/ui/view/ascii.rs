//! For terminals that draw East-Asian "ambiguous-width" symbols two columns wide (`--ambiguous-
//! wide`): common with Chinese, Japanese and Korean locales, where `│`, `●`, `→`, `·` or `█` each
//! push the rest of their row one column right and tear the layout. After a frame is drawn, every
//! such symbol is replaced by an ASCII look-alike, one column in every terminal.
use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;

/// The look-alike of an ambiguous-width symbol.
fn ascii(c: char) -> char {
    match c {
        '─' | '━' | '═' | '—' | '–' | '−' | '╌' | '┄' => '-',
        '│' | '┃' | '║' | '╎' | '┆' | '▏' | '▕' => '|',
        '┌' | '┐' | '└' | '┘' | '├' | '┤' | '┬' | '┴' | '┼' | '╭' | '╮' | '╯' | '╰' => {
            '+'
        }
        '█' | '▇' | '▆' | '▅' | '▓' | '■' => '#',
        '▄' | '▃' | '▂' | '▁' | '▌' | '▐' => '=',
        '░' | '▒' => ':',
        '●' | '○' | '◆' | '◇' | '★' | '☆' => '*',
        '·' | '•' | '∙' | '…' => '.',
        '→' | '⟶' | '▶' | '►' => '>',
        '←' | '◀' | '◄' => '<',
        '↑' | '▲' => '^',
        '↓' | '▼' => 'v',
        '×' => 'x',
        '≥' => '>',
        '≤' => '<',
        '“' | '”' | '″' => '"',
        '‘' | '’' | '′' => '\'',
        '°' => 'o',
        '±' => '+',
        '⌈' => '[',
        '⌉' => ']',
        'µ' => 'u',
        other => other,
    }
}

/// Whether a terminal with ambiguous-width symbols two columns wide draws `s` wider than one
/// that draws them narrow.
pub fn is_ambiguous(s: &str) -> bool {
    s.width_cjk() != s.width()
}

/// Replaces every ambiguous-width symbol in the buffer; one that has no look-alike becomes `?`.
pub fn replace_ambiguous(buf: &mut Buffer) {
    for cell in buf.content.iter_mut() {
        let symbol = cell.symbol();
        if !is_ambiguous(symbol) {
            continue;
        }
        let replaced: String = symbol
            .chars()
            .map(|c| {
                let a = ascii(c);
                if is_ambiguous(a.encode_utf8(&mut [0; 4])) {
                    '?'
                } else {
                    a
                }
            })
            .collect();
        cell.set_symbol(&replaced);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn every_symbol_the_screens_use_has_a_look_alike() {
        for c in "─│┌┐└┘●→←↑↓×·…█▇▆▅▄▃▂▁░▒≥—−“”µ⌈⌉".chars()
        {
            let a = ascii(c);
            assert!(a.is_ascii(), "{c} has no ASCII look-alike");
        }
    }

    #[test]
    fn after_the_pass_no_cell_is_ambiguous_and_chinese_stays() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "│事件 ● → ×", ratatui::style::Style::new());
        replace_ambiguous(&mut buf);
        let row: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert!(row.starts_with("|事"), "{row}");
        assert!(
            buf.content.iter().all(|c| !is_ambiguous(c.symbol())),
            "{row}"
        );
    }
}
