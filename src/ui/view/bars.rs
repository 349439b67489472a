//! The frame the Check section's bar charts share (the load test's and the sizing sweep's): a
//! legend of the actions' keys, then two captioned charts stacked, each a group of bars per
//! step with one bar per action.
use ratatui::prelude::*;
use ratatui::widgets::{BarChart, Paragraph};

use super::theme;
use crate::text::T;
use crate::text::width::char_width;

/// Bar heights are in hundredths of the chart's height.
pub const FULL: u64 = 100;

/// The rows the two charts want out of `inner` rows of the lesson pane (0: they do not fit): a
/// legend, and two charts of a caption, bars and the group labels each.
pub fn height(inner: u16) -> u16 {
    if inner < 14 {
        return 0;
    }
    let each = ((inner * 2 / 3).clamp(9, 17) - 3) / 2;
    3 + 2 * each
}

/// Draws the legend (`title`, then each key in its colour) and the two captions; gives back
/// the areas of the upper and the lower chart, or `None` when `area` is too small for them.
pub fn frame_two(
    frame: &mut Frame,
    area: Rect,
    title: T,
    keys: impl Iterator<Item = (char, Style)>,
    captions: [T; 2],
) -> Option<[Rect; 2]> {
    if area.height < 5 {
        return None;
    }
    let each = (area.height - 3) / 2;
    let [legend, upper_title, upper, lower_title, lower] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(each),
        Constraint::Length(1),
        Constraint::Length(each),
    ])
    .areas(area);
    let mut spans = vec![Span::styled(title.text(), theme::HEADING)];
    for (key, style) in keys {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!("█{key}"), style));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), legend);
    let caption = |t: T| Paragraph::new(Span::styled(fit(t.text(), area.width), theme::DIM));
    frame.render_widget(caption(captions[0]), upper_title);
    frame.render_widget(caption(captions[1]), lower_title);
    Some([upper, lower])
}

/// An empty chart for `groups` groups of `per_group` bars, as wide as `columns` allows.
pub fn chart<'a>(columns: u16, groups: usize, per_group: usize) -> BarChart<'a> {
    let (groups, n) = (groups.max(1) as u16, per_group.max(1) as u16);
    let bar_width = (columns.saturating_sub(groups - 1) / (groups * n)).max(1);
    BarChart::default()
        .bar_width(bar_width)
        .bar_gap(0)
        .group_gap(1)
        .max(FULL)
        .label_style(theme::LABEL)
}

/// `text` cut to `columns` display columns (never half a double-width character).
fn fit(text: &str, columns: u16) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|&c| {
            used += char_width(c);
            used <= usize::from(columns)
        })
        .collect()
}
