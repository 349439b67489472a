//! The "Timeline" pane: a row per recent job on the lag chart's time axis. Waiting for a thread,
//! holding the event loop, running on a pool thread and awaiting each have their own look.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::axis::{GUTTER, TimeAxis};
use super::theme;
use crate::data::{Outcome, ThreadKind};
use crate::model::{JobRecord, Model};
use crate::text::T;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, span: Duration, now: Duration) {
    let legend = |words: [T; 4]| {
        let word = |i: usize| Span::raw(format!(" {} ", words[i]));
        Line::from(vec![
            Span::styled("█", theme::HOLDS_LOOP),
            word(0),
            Span::styled("█", theme::ON_POOL),
            word(1),
            Span::styled("─", theme::AWAITING),
            word(2),
            Span::styled("░", theme::WAITING),
            word(3),
        ])
    };
    let legends = vec![
        legend([
            T::LegendHoldsLoop,
            T::LegendPoolThread,
            T::LegendAwaits,
            T::LegendWaits,
        ]),
        legend([T::LegendLoop, T::LegendPool, T::LegendAwait, T::LegendWait]),
    ];
    let block = theme::pane(area.width, T::TimelineTitle.text(), legends);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width <= GUTTER + 4 {
        return;
    }
    let axis = TimeAxis {
        end: now,
        span,
        width: inner.width - GUTTER,
    };
    let visible: Vec<&JobRecord> = {
        let mut v: Vec<_> = model
            .timeline
            .all()
            .rev()
            .filter(|j| j.submitted <= now && j.finished.is_none_or(|f| f >= axis.start()))
            .take(inner.height as usize)
            .collect();
        v.reverse();
        v
    };
    if visible.is_empty() {
        let hint = Line::from(Span::styled(format!("  {}", T::TimelineEmpty), theme::DIM));
        frame.render_widget(Paragraph::new(hint), inner);
        return;
    }
    let buf = frame.buffer_mut();
    for (row, job) in visible.iter().enumerate() {
        draw_row(buf, inner.x, inner.y + row as u16, &axis, job, now);
    }
}

fn draw_row(buf: &mut Buffer, x: u16, y: u16, axis: &TimeAxis, job: &JobRecord, now: Duration) {
    let mark = match job.outcome {
        Outcome::Ok => " ",
        Outcome::Running => "›",
        _ => "✗",
    };
    let id_style = if matches!(job.outcome, Outcome::Ok | Outcome::Running) {
        theme::DIM
    } else {
        theme::STALL
    };
    buf.set_string(
        x,
        y,
        format!("{:>5}{mark}", format!("#{}", job.id())),
        id_style,
    );

    let plot_x = x + GUTTER;
    let end = job.finished.unwrap_or(now);
    let started = job.started.unwrap_or(end);
    // Waiting: submitted, not yet on a thread.
    paint(
        buf,
        (plot_x, y),
        axis,
        (job.submitted, started),
        ("░", theme::WAITING),
    );
    let (symbol, style) = match job.thread_kind {
        Some(ThreadKind::EventLoop) if job.spec.workload.blocks_thread() => {
            ("█", theme::HOLDS_LOOP)
        }
        Some(ThreadKind::EventLoop) => ("─", theme::AWAITING),
        Some(_) => ("█", theme::ON_POOL),
        None => ("░", theme::WAITING),
    };
    if let Some(stopped) = job.interrupted {
        // A durable job whose lab stopped under it: it ran until then, and since then it
        // waits in the queue file for the next lab's workers.
        paint(buf, (plot_x, y), axis, (started, stopped), (symbol, style));
        paint(
            buf,
            (plot_x, y),
            axis,
            (stopped, end),
            ("░", theme::WAITING),
        );
    } else if job.started.is_some() {
        paint(buf, (plot_x, y), axis, (started, end), (symbol, style));
    }

    let (first, last) = (axis.clamp_column(job.submitted), axis.clamp_column(end));
    let what = T::JobWork.fill(&[
        ("workload", &job.spec.workload.as_str()),
        ("ms", &job.spec.ms),
    ]);
    let how = format!("{what} · {}", job.spec.strategy.as_str());
    let full = format!(
        "{how}{}",
        job.thread
            .as_ref()
            .map_or(String::new(), |t| format!(" · {t}"))
    );
    let full = match &job.error {
        Some(e) => format!("{full} · {e}"),
        None => full,
    };
    // The longest label that fits beside the bar, left of it or right of it; else over it.
    let beside = [full.clone(), how, what].into_iter().find_map(|text| {
        let width = super::wrap::width(&text) as u16;
        if first > width {
            Some((first - width - 1, text))
        } else if axis.width > last + 2 + width {
            Some((last + 2, text))
        } else {
            None
        }
    });
    let (column, label) = beside.unwrap_or((0, full));
    let style = if job.error.is_some() {
        theme::STALL
    } else {
        theme::LABEL
    };
    let room = axis.width.saturating_sub(column) as usize;
    let text: String = label.chars().take(room).collect();
    buf.set_string(plot_x + column, y, text, style);
}

/// Fills the columns of `[from, to]` on row `y` with one symbol.
fn paint(
    buf: &mut Buffer,
    (x, y): (u16, u16),
    axis: &TimeAxis,
    (from, to): (Duration, Duration),
    (symbol, style): (&str, Style),
) {
    if to < axis.start() || from > axis.end {
        return;
    }
    let (a, b) = (axis.clamp_column(from), axis.clamp_column(to));
    // Straight to the cells: one known symbol needs no text layout (a frame paints thousands).
    for c in a..=b {
        if let Some(cell) = buf.cell_mut((x + c, y)) {
            cell.set_symbol(symbol).set_style(style);
        }
    }
}
