//! The "Event-loop lag" pane: lag per column on a log scale, stalls in red and labelled with
//! their job, and the live stall counter — which grows while the lab is frozen.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::axis::{GUTTER, TimeAxis};
use super::theme;
use crate::clock::human;
use crate::data::STALL_THRESHOLD;
use crate::model::{Block, Diagnosis, Model};
use crate::text::T;

/// The log scale's floor: idle lag on this machine is tens of µs, which should read as "none".
const FLOOR_MS: f64 = 0.05;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, axis_span: Duration, now: Duration) {
    // The window's figures come kept up from the model (not from its every ping); the worst lag
    // is the pings' or, exact, the longest poll of the loop.
    let (from, to) = (
        now.saturating_sub(axis_span),
        now + Duration::from_millis(1),
    );
    let summary = model.lag_window(from, to);
    let blocks = model.blocks_in(from, now);
    let worst = blocks
        .iter()
        .filter(|b| b.exact)
        .map(Block::duration)
        .fold(summary.max, Duration::max);
    let now_lag = model.lag_now().map_or("-".into(), human);
    let (p50, p99, max) = (human(summary.p50), human(summary.p99), human(worst));
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
        None => diagnosis_line(model, now, inner.width),
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
    // Per column, the largest lag of a ping sent in it: the columns in time order, with
    // those before and after the axis on either side.
    let per_column = model.lag_maxima_by(from, to, usize::from(axis.width) + 2, |sent| match axis
        .column(sent)
    {
        Some(c) => usize::from(c) + 1,
        None if sent > axis.end => usize::from(axis.width) + 1,
        None => 0,
    });
    let pings = &per_column[1..=usize::from(axis.width)];
    let columns = column_values(pings, &axis, &blocks, live.as_ref().map(|s| s.since), now);
    let max_ms = columns.iter().map(|(v, _)| *v).fold(0.0, f64::max);
    // The top of the scale: a power of ten above the largest value, at least 1 s.
    let top_ms = 10f64.powf(max_ms.max(1000.0).log10().ceil());
    draw_scale(frame.buffer_mut(), plot, top_ms);
    draw_bars(frame.buffer_mut(), plot, &columns, top_ms);
    draw_stall_labels(frame.buffer_mut(), plot, &blocks, &axis);
}

/// Per column: the largest lag (of its pings' largest, `pings`, and of the loop's exact
/// polls), and whether it is a stall in progress.
fn column_values(
    pings: &[Duration],
    axis: &TimeAxis,
    blocks: &[Block],
    live_since: Option<Duration>,
    now: Duration,
) -> Vec<(f64, bool)> {
    let mut values: Vec<(f64, bool)> = pings
        .iter()
        .map(|lag| (lag.as_secs_f64() * 1e3, false))
        .collect();
    // A poll the hooks measured: a task that became ready at any moment of it waited until
    // its end — exact, where a ping only samples it.
    for block in blocks.iter().filter(|b| b.exact) {
        for c in axis.clamp_column(block.start)..=axis.clamp_column(block.end) {
            let (from, _) = axis.bucket(c);
            let waited = block.end.saturating_sub(from.max(block.start));
            let v = &mut values[c as usize].0;
            *v = (*v).max(waited.as_secs_f64() * 1e3);
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

/// Blocked, saturated or responsive over the last second, with the evidence.
fn diagnosis_line(model: &Model, now: Duration, width: u16) -> Line<'static> {
    let (text, style) = match model.diagnosis(now) {
        Diagnosis::Blocked { job, thread, poll } => {
            let poll = human(poll);
            let text = match job {
                Some(id) => {
                    T::LagBlocked.fill(&[("id", &id), ("poll", &poll), ("thread", &thread)])
                }
                None => T::LagBlockedNoJob.fill(&[("poll", &poll), ("thread", &thread)]),
            };
            (text, theme::STALL)
        }
        Diagnosis::Saturated {
            lag_p99,
            longest_poll,
            polls,
        } => {
            let (p99, longest) = (human(lag_p99), human(longest_poll));
            let long =
                T::LagSaturated.fill(&[("p99", &p99), ("longest", &longest), ("polls", &polls)]);
            let text = if super::wrap::width(&long) < usize::from(width) {
                long
            } else {
                T::LagSaturatedShort.fill(&[("p99", &p99), ("longest", &longest)])
            };
            (text, theme::SATURATED)
        }
        Diagnosis::Slow { lag_p99 } => {
            (T::LagSlow.fill(&[("p99", &human(lag_p99))]), theme::WAITING)
        }
        Diagnosis::Responsive { lag_p99 } => {
            let long = T::LagResponsive.fill(&[
                ("p99", &human(lag_p99)),
                ("threshold", &human(STALL_THRESHOLD)),
            ]);
            // The long form where it fits, else the figure alone.
            let text = if super::wrap::width(&long) < usize::from(width) {
                long
            } else {
                T::LagResponsiveShort.fill(&[("p99", &human(lag_p99))])
            };
            (text, theme::DIM)
        }
    };
    Line::from(Span::styled(format!(" {text}"), style))
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
            // Straight to the cell: one known symbol needs no text layout.
            if let Some(cell) = buf.cell_mut((x, plot.y + plot.height - 1 - row)) {
                cell.set_symbol(symbol).set_style(style);
            }
        }
    }
}

/// "199ms #3" above each freeze of the loop in view — stalls and, exact from the poll hooks,
/// single polls from 1 ms up — longest first, where there is room.
fn draw_stall_labels(buf: &mut Buffer, plot: Rect, blocks: &[Block], axis: &TimeAxis) {
    let mut taken = vec![false; usize::from(axis.width)];
    for block in blocks {
        // A label starts at its block's column at the latest: if that is taken, so is room.
        let at = usize::from(axis.clamp_column(block.start));
        if taken.get(at).is_none_or(|t| *t) {
            continue;
        }
        let job = block.job.map_or(String::new(), |j| format!(" #{j}"));
        let label = format!("{}{job}", human(block.duration()).replace(' ', ""));
        let width = super::wrap::width(&label);
        // At the block's column, or as far right as the label still fits: the newest blocks
        // are the ones being looked at.
        let room = usize::from(axis.width).saturating_sub(width + 1);
        let column = at.min(room);
        let Some(span) = taken.get_mut(column..column + width + 1) else {
            continue;
        };
        if span.iter().any(|t| *t) {
            continue;
        }
        span.iter_mut().for_each(|t| *t = true);
        let style = if block.duration() >= STALL_THRESHOLD {
            theme::STALL_LABEL
        } else {
            theme::BLOCK_LABEL
        };
        buf.set_string(plot.x + GUTTER + column as u16, plot.y, &label, style);
    }
}
