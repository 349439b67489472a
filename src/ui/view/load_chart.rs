//! A load test's result, drawn under the Check section: for each offered rate, each handler's
//! replies served per second and its p99 latency, the handlers side by side in key order (one
//! bar each, its key on it where the bar is tall enough: the order and the key carry the
//! meaning without colour).
use ratatui::prelude::*;
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};

use super::theme;
use crate::data::Workload;
use crate::lesson::Lesson;
use crate::report::LoadStepOut;
use crate::text::T;
use crate::text::width::width;
use crate::ui::app::App;

/// The p99 scale is logarithmic, from 1 ms to the generator's timeout (2 s).
const P99_FLOOR_MS: f64 = 1.0;
const P99_CEILING_MS: f64 = 2000.0;
/// Bar heights are in hundredths of the chart's height.
const FULL: u64 = 100;

/// One handler: its key, its colour, its steps (`None` until it has run).
pub struct Handler<'a> {
    pub key: char,
    pub style: Style,
    pub steps: Option<&'a [LoadStepOut]>,
}

/// The lesson's load-test actions, once at least one has run (else nothing to draw).
pub fn handlers<'a>(app: &'a App, lesson: &Lesson) -> Vec<Handler<'a>> {
    let all: Vec<Handler> = lesson
        .actions
        .iter()
        .filter(|a| a.load.is_some())
        .map(|a| Handler {
            key: a.key,
            style: style_of(a.work.workload, a.work.strategy.as_str()),
            steps: app.last_load(a.key),
        })
        .collect();
    if all.iter().any(|h| h.steps.is_some()) {
        all
    } else {
        Vec::new()
    }
}

/// The timeline's colours: red holds the loop, green runs elsewhere, cyan awaits.
fn style_of(workload: Workload, strategy: &str) -> Style {
    match (workload, strategy) {
        (Workload::Async, _) => theme::AWAITING,
        (_, "inline") => theme::HOLDS_LOOP,
        _ => theme::ON_POOL,
    }
}

/// The rows the chart wants out of `inner` rows of the lesson pane (0: it does not fit): a
/// legend, and two charts of a caption, bars and the rates each.
pub fn height(inner: u16) -> u16 {
    if inner < 14 {
        return 0;
    }
    let each = ((inner * 2 / 3).clamp(9, 17) - 3) / 2;
    3 + 2 * each
}

pub fn draw(frame: &mut Frame, area: Rect, handlers: &[Handler]) {
    let rates = rates(handlers);
    if rates.is_empty() || area.height < 5 {
        return;
    }
    let each = (area.height - 3) / 2;
    let [legend, served_title, served, p99_title, p99] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(each),
        Constraint::Length(1),
        Constraint::Length(each),
    ])
    .areas(area);

    let mut keys = vec![Span::styled(T::LoadChartLegend.text(), theme::HEADING)];
    for h in handlers {
        keys.push(Span::raw(" "));
        keys.push(Span::styled(format!("█{}", h.key), h.style));
    }
    frame.render_widget(Paragraph::new(Line::from(keys)), legend);
    let caption = |t: T| Paragraph::new(Span::styled(fit(t.text(), area.width), theme::DIM));
    frame.render_widget(caption(T::LoadChartServed), served_title);
    frame.render_widget(caption(T::LoadChartP99), p99_title);

    let top = rates.iter().copied().max().unwrap_or(1).max(1);
    let served_of = |s: &LoadStepOut| (s.throughput * FULL as f64 / f64::from(top)).round() as u64;
    frame.render_widget(chart(handlers, &rates, area.width, served_of), served);
    frame.render_widget(chart(handlers, &rates, area.width, p99_height), p99);
}

/// `text` cut to `columns` display columns.
fn fit(text: &str, columns: u16) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if width(&out) + width(c.encode_utf8(&mut [0; 4])) > usize::from(columns) {
            break;
        }
        out.push(c);
    }
    out
}

/// Every offered rate of the handlers that ran, in order.
fn rates(handlers: &[Handler]) -> Vec<u32> {
    let mut rates: Vec<u32> = handlers
        .iter()
        .filter_map(|h| h.steps)
        .flatten()
        .map(|s| s.rate)
        .collect();
    rates.sort_unstable();
    rates.dedup();
    rates
}

/// A p99 on the log scale; a step with nothing answered is at the top (all timed out or
/// failed: worse than any reply).
fn p99_height(s: &LoadStepOut) -> u64 {
    if s.answered == 0 {
        return if s.sent > 0 { FULL } else { 0 };
    }
    let span = (P99_CEILING_MS / P99_FLOOR_MS).log10();
    let at = (s.p99_ms.max(P99_FLOOR_MS) / P99_FLOOR_MS).log10() / span;
    ((at * FULL as f64).round() as u64).clamp(1, FULL)
}

/// One group per rate, one bar per handler; as wide as `columns` allows.
fn chart<'a>(
    handlers: &[Handler],
    rates: &[u32],
    columns: u16,
    value: impl Fn(&LoadStepOut) -> u64,
) -> BarChart<'a> {
    let n = handlers.len().max(1) as u16;
    let groups = rates.len() as u16;
    let bar_width = (columns.saturating_sub(groups.saturating_sub(1)) / (groups * n)).max(1);
    let mut chart = BarChart::default()
        .bar_width(bar_width)
        .bar_gap(0)
        .group_gap(1)
        .max(FULL)
        .label_style(theme::LABEL);
    for &rate in rates {
        let bars: Vec<Bar> = handlers
            .iter()
            .map(|h| {
                let step = h.steps.and_then(|s| s.iter().find(|s| s.rate == rate));
                Bar::default()
                    .value(step.map_or(0, &value))
                    .text_value(h.key.to_string())
                    .style(h.style)
                    .value_style(h.style.add_modifier(Modifier::REVERSED))
            })
            .collect();
        let label = Line::from(rate.to_string()).centered();
        chart = chart.data(BarGroup::default().label(label).bars(&bars));
    }
    chart
}
