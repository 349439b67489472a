//! A load test's result, drawn under the Check section: for each offered rate, each handler's
//! replies served per second and its p99 latency, the handlers side by side in key order (one
//! bar each, its key on it where the bar is tall enough: the order and the key carry the
//! meaning without colour).
use ratatui::prelude::*;
use ratatui::widgets::{Bar, BarChart, BarGroup};

use super::bars::{self, FULL};
use super::theme;
use crate::data::Workload;
use crate::lesson::Lesson;
use crate::report::LoadStepOut;
use crate::text::T;
use crate::ui::app::App;

/// The p99 scale is logarithmic, from 1 ms to the generator's timeout (2 s).
const P99_FLOOR_MS: f64 = 1.0;
const P99_CEILING_MS: f64 = 2000.0;

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

/// The rows the chart wants out of `inner` rows of the lesson pane (0: it does not fit).
pub fn height(inner: u16) -> u16 {
    bars::height(inner)
}

pub fn draw(frame: &mut Frame, area: Rect, handlers: &[Handler]) {
    let rates = rates(handlers);
    if rates.is_empty() {
        return;
    }
    let keys = handlers.iter().map(|h| (h.key, h.style));
    let captions = [T::LoadChartServed, T::LoadChartP99];
    let Some([served, p99]) = bars::frame_two(frame, area, T::LoadChartLegend, keys, captions)
    else {
        return;
    };
    let top = rates.iter().copied().max().unwrap_or(1).max(1);
    let served_of = |s: &LoadStepOut| (s.throughput * FULL as f64 / f64::from(top)).round() as u64;
    frame.render_widget(chart(handlers, &rates, area.width, served_of), served);
    frame.render_widget(chart(handlers, &rates, area.width, p99_height), p99);
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
    let mut chart = bars::chart(columns, rates.len(), handlers.len());
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
