//! The "Event-loop lag" pane: lag per column on a log scale, stalls in red and labelled with
//! their job, and the live stall counter — which grows while the lab is frozen.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::axis::{GUTTER, TimeAxis};
use super::theme;
use crate::clock::human;
use crate::data::STALL_THRESHOLD;
use crate::model::Model;
use crate::text::T;

/// The log scale's floor: idle lag on this machine is tens of µs, which should read as "none".
const FLOOR_MS: f64 = 0.05;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, axis_span: Duration, now: Duration) {
    let summary = model.lag_summary(
        now.saturating_sub(axis_span),
        now + Duration::from_millis(1),
    );
    let now_lag = model.lag_now().map_or("-".into(), human);
    let (p50, p99, max) = (human(summary.p50), human(summary.p99), human(summary.max));
    let stats = [
        T::LagStats.fill(&[
            ("now", &now_lag),
            ("p50", &p50),
            ("p99", &p99),
            ("max", &max),
        ]),
        T::LagStatsShort.fill(&[("p99", &p99), ("max", &max)]),
        T::LagStatsMax.fill(&[("max", &max)]),
    ]
    .map(|s| Line::from(format!(" {s} ")))
    .to_vec();
    let block = theme::pane(area.width, T::LagTitle.text(), stats);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 2 || inner.width <= GUTTER + 4 {
        return;
    }

    let live = model.live_stall(now);
    let banner = match &live {
        Some(s) => {
            let who = match (s.job.and_then(|j| model.timeline.get(j)), &s.thread) {
                (Some(j), thread) => {
                    let text = match thread {
                        Some(_) => T::LagStallJobThread,
                        None => T::LagStallJob,
                    };
                    text.fill(&[
                        ("id", &j.id()),
                        ("workload", &j.spec.workload.as_str()),
                        ("strategy", &j.spec.strategy.as_str()),
                        ("thread", &thread.clone().unwrap_or_default()),
                    ])
                }
                (None, Some(t)) => T::LagStallThread.fill(&[("thread", t)]),
                (None, None) => String::new(),
            };
            Line::from(vec![
                Span::styled(
                    format!(" {}", T::LagStalled.fill(&[("age", &human(s.age))])),
                    theme::STALL_LIVE,
                ),
                Span::raw(who),
            ])
        }
        None => Line::from(Span::styled(
            format!(
                " {}",
                T::LagResponsive.fill(&[("threshold", &human(STALL_THRESHOLD))])
            ),
            theme::DIM,
        )),
    };
    frame.render_widget(Paragraph::new(banner), Rect { height: 1, ..inner });

    let plot = Rect {
        x: inner.x,
        y: inner.y + 1,
        width: inner.width,
        height: inner.height - 1,
    };
    let axis = TimeAxis {
        end: now,
        span: axis_span,
        width: plot.width - GUTTER,
    };
    let columns = column_values(model, &axis, live.as_ref().map(|s| s.since), now);
    let max_ms = columns.iter().map(|(v, _)| *v).fold(0.0, f64::max);
    // The top of the scale: a power of ten above the largest value, at least 1 s.
    let top_ms = 10f64.powf(max_ms.max(1000.0).log10().ceil());
    draw_scale(frame.buffer_mut(), plot, top_ms);
    draw_bars(frame.buffer_mut(), plot, &columns, top_ms);
    draw_stall_labels(frame.buffer_mut(), plot, model, &axis);
}

/// Per column: the largest lag of a ping sent in it, and whether it is a stall in progress.
fn column_values(
    model: &Model,
    axis: &TimeAxis,
    live_since: Option<Duration>,
    now: Duration,
) -> Vec<(f64, bool)> {
    let mut values = vec![(0.0_f64, false); axis.width as usize];
    for (sent, lag) in model.lag_in(axis.start(), axis.end + Duration::from_millis(1)) {
        if let Some(c) = axis.column(sent) {
            let v = &mut values[c as usize].0;
            *v = (*v).max(lag.as_secs_f64() * 1e3);
        }
    }
    if let Some(since) = live_since {
        // Pings sent since the stall began are still unanswered: each has waited at least
        // `now - sent`, so that is what the chart shows, growing frame by frame.
        for c in axis.clamp_column(since)..axis.width {
            let (from, _) = axis.bucket(c);
            let waited = now.saturating_sub(from.max(since));
            values[c as usize] = ((waited.as_secs_f64() * 1e3).max(values[c as usize].0), true);
        }
    }
    values
}

fn scale(value_ms: f64, top_ms: f64, rows: u16) -> u16 {
    if value_ms <= FLOOR_MS {
        return 0;
    }
    let f = (value_ms / FLOOR_MS).log10() / (top_ms / FLOOR_MS).log10();
    (f.clamp(0.0, 1.0) * f64::from(rows) * 8.0).round() as u16
}

fn draw_scale(buf: &mut Buffer, plot: Rect, top_ms: f64) {
    for value in [top_ms, 100.0, 10.0, 1.0, 0.1] {
        if value > top_ms {
            continue;
        }
        let eighths = scale(value, top_ms, plot.height);
        let row_from_bottom = (eighths / 8).min(plot.height - 1);
        let y = plot.y + plot.height - 1 - row_from_bottom;
        let text = if value >= 1000.0 {
            T::LagScaleSecs.fill(&[("n", &format!("{:.0}", value / 1000.0))])
        } else {
            T::LagScaleMillis.fill(&[("n", &value)])
        };
        buf.set_string(
            plot.x,
            y,
            format!("{text:>w$}┤", w = GUTTER as usize - 1),
            theme::DIM,
        );
    }
}

fn draw_bars(buf: &mut Buffer, plot: Rect, columns: &[(f64, bool)], top_ms: f64) {
    const PARTIAL: [&str; 8] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇"];
    for (i, &(value, live)) in columns.iter().enumerate() {
        let style = if live {
            theme::STALL_LIVE
        } else if value >= STALL_THRESHOLD.as_secs_f64() * 1e3 {
            theme::STALL
        } else {
            theme::LAG_OK
        };
        let eighths = scale(value, top_ms, plot.height).max(u16::from(value > 0.0));
        let x = plot.x + GUTTER + i as u16;
        for row in 0..plot.height {
            let filled = eighths.saturating_sub(row * 8);
            if filled == 0 {
                break;
            }
            let symbol = if filled >= 8 {
                "█"
            } else {
                PARTIAL[filled as usize]
            };
            buf.set_string(x, plot.y + plot.height - 1 - row, symbol, style);
        }
    }
}

/// "199ms #3" above each finished stall in view.
fn draw_stall_labels(buf: &mut Buffer, plot: Rect, model: &Model, axis: &TimeAxis) {
    let mut free_from = 0u16;
    for stall in model.stalls_in(axis.start(), axis.end) {
        let job = model
            .stall_job(stall)
            .map_or(String::new(), |j| format!(" #{j}"));
        let label = format!("{}{job}", human(stall.duration()).replace(' ', ""));
        let column = axis.clamp_column(stall.start).max(free_from);
        let width = label.chars().count() as u16;
        if column + width > axis.width {
            continue;
        }
        buf.set_string(plot.x + GUTTER + column, plot.y, &label, theme::STALL_LABEL);
        free_from = column + width + 1;
    }
}
