//! A sizing sweep's result, drawn under the Check section: for each pool size (a multiple of
//! the cores), each sweep's jobs/s as a share of its own best and its p99 run time, the sweeps
//! side by side in key order. The "cores × 2" size is marked under its group, and each sweep's
//! best size by a `*` after its key on the bar (the marks carry the meaning without colour).
use ratatui::prelude::*;
use ratatui::widgets::{Bar, BarChart, BarGroup};

use super::bars::{self, FULL};
use super::theme;
use crate::data::Workload;
use crate::lesson::Lesson;
use crate::report::{SizingOut, SizingStepOut};
use crate::text::T;
use crate::ui::app::App;

/// The multiple the rule of thumb names.
const RULE: u32 = 2;

/// One sweep: its key, its colour, its figures (`None` until it has run).
pub struct Swept<'a> {
    pub key: char,
    pub style: Style,
    pub sizing: Option<&'a SizingOut>,
}

/// The lesson's sweep actions, once at least one has run (else nothing to draw).
pub fn sweeps<'a>(app: &'a App, lesson: &Lesson) -> Vec<Swept<'a>> {
    let all: Vec<Swept> = lesson
        .actions
        .iter()
        .filter(|a| a.sweep.is_some())
        .map(|a| Swept {
            key: a.key,
            style: style_of(a.work.workload),
            sizing: app.last_sizing(a.key),
        })
        .collect();
    if all.iter().any(|s| s.sizing.is_some()) {
        all
    } else {
        Vec::new()
    }
}

/// The timeline's colours: green runs on a pool thread; work that also waits is the waiting
/// yellow, so two sweeps side by side differ.
fn style_of(workload: Workload) -> Style {
    match workload {
        Workload::Mixed | Workload::Sleep | Workload::Query => theme::WAITING,
        _ => theme::ON_POOL,
    }
}

/// The rows the chart wants out of `inner` rows of the lesson pane (0: it does not fit): a
/// legend, and two charts of a caption, bars and the multiples each.
pub fn height(inner: u16) -> u16 {
    bars::height(inner)
}

pub fn draw(frame: &mut Frame, area: Rect, sweeps: &[Swept]) {
    let multiples = multiples(sweeps);
    if multiples.is_empty() {
        return;
    }
    let keys = sweeps.iter().map(|s| (s.key, s.style));
    let captions = [T::SizingChartThroughput, T::SizingChartP99];
    let Some([rate, p99]) = bars::frame_two(frame, area, T::SizingChartLegend, keys, captions)
    else {
        return;
    };

    let slowest = sweeps
        .iter()
        .filter_map(|s| s.sizing)
        .flat_map(|s| &s.steps)
        .map(|s| s.run_p99_ms)
        .fold(0.0, f64::max);
    let share = |sizing: &SizingOut, step: &SizingStepOut| {
        share_of(step.throughput, sizing.best_throughput)
    };
    let run_p99 = |_: &SizingOut, step: &SizingStepOut| share_of(step.run_p99_ms, slowest);
    frame.render_widget(chart(sweeps, &multiples, area.width, share, true), rate);
    frame.render_widget(chart(sweeps, &multiples, area.width, run_p99, false), p99);
}

/// `value` in hundredths of `full` (0 when there is no full).
fn share_of(value: f64, full: f64) -> u64 {
    if full > 0.0 {
        ((value / full * FULL as f64).round() as u64).min(FULL)
    } else {
        0
    }
}

/// Every multiple of the sweeps that ran, in order.
fn multiples(sweeps: &[Swept]) -> Vec<u32> {
    let mut all: Vec<u32> = sweeps
        .iter()
        .filter_map(|s| s.sizing)
        .flat_map(|s| &s.steps)
        .map(|s| s.multiple)
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// One group per multiple, one bar per sweep; as wide as `columns` allows. With `mark_best`,
/// each sweep's best step has a `*` after its key.
fn chart<'a>(
    sweeps: &[Swept],
    multiples: &[u32],
    columns: u16,
    value: impl Fn(&SizingOut, &SizingStepOut) -> u64,
    mark_best: bool,
) -> BarChart<'a> {
    let mut chart = bars::chart(columns, multiples.len(), sweeps.len());
    for &multiple in multiples {
        let bars: Vec<Bar> = sweeps
            .iter()
            .map(|s| {
                let step = s
                    .sizing
                    .and_then(|z| Some((z, z.steps.iter().find(|x| x.multiple == multiple)?)));
                let best = mark_best && step.is_some_and(|(z, _)| z.best_multiple == multiple);
                let text = if best {
                    format!("{}*", s.key)
                } else {
                    s.key.to_string()
                };
                Bar::default()
                    .value(step.map_or(0, |(z, x)| value(z, x)))
                    .text_value(text)
                    .style(s.style)
                    .value_style(s.style.add_modifier(Modifier::REVERSED))
            })
            .collect();
        let label = if multiple == RULE {
            format!("{multiple}× {}", T::SizingChartTwice)
        } else {
            format!("{multiple}×")
        };
        let label = Line::from(label).centered();
        chart = chart.data(BarGroup::default().label(label).bars(&bars));
    }
    chart
}
