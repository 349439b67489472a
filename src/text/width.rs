//! Display width: a CJK character takes two terminal columns, so `format!("{:<10}")` (which
//! counts characters) misaligns any column holding Chinese. Tables and panes pad and cut here.
use unicode_width::UnicodeWidthChar;

/// Display columns of one character (control characters take none).
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Display columns of a string.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// `s` padded with spaces to `columns` display columns (left-aligned).
pub fn pad(s: &str, columns: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(width(s))));
    out
}

/// `s` cut to at most `columns` display columns, with `…` where it was cut; never half of a
/// double-width character.
pub fn cut(s: &str, columns: usize) -> String {
    if width(s) <= columns {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w + 1 > columns {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_and_cut_count_columns_not_characters() {
        assert_eq!(width(&pad("執行緒", 8)), 8);
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(cut("事件迴圈延遲", 7), "事件迴…");
        assert_eq!(cut("lag.max", 7), "lag.max");
        assert_eq!(cut("lag.max < 5 ms", 6), "lag.m…");
        for n in 1..12 {
            assert!(width(&cut("事件迴圈延遲 lag", n)) <= n);
        }
    }
}
