//! The "Pools" pane: the event loop's worker(s), tokio's blocking pool, and blocklab's own
//! counters per offload path.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::theme;
use crate::clock::human;
use crate::data::LabConfig;
use crate::model::{Model, counters};
use crate::report::NOT_UNSTABLE;

/// Rows the pane needs for a lab (borders included).
pub fn height(lab: &LabConfig) -> u16 {
    2 + lab.loop_threads() as u16 + 4
}

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, lab: &LabConfig, now: Duration) {
    const TITLE: &str = " Pools ";
    let (flavor, cores, rate) = (lab.describe(), lab.describe_cores(), lab.traffic_rate);
    let about = vec![
        Line::from(format!(" {flavor} runtime · {cores} · {rate} req/s ")),
        Line::from(format!(" {flavor} · {cores} · {rate} req/s ")),
        Line::from(format!(" {flavor} · {cores} ")),
    ];
    let block = theme::pane(area.width, TITLE, about);
    let mut lines = worker_lines(model, lab, now);
    lines.push(blocking_line(model, lab));
    lines.push(own_line(model));
    lines.push(offload_line(model));
    let traffic = model.request_summary(now.saturating_sub(Duration::from_secs(10)), now);
    lines.push(Line::from(vec![
        Span::styled(label("Requests"), theme::LABEL),
        Span::raw(format!(
            "{} in 10 s · p50 {} · p99 {} · max {}",
            traffic.count,
            human(traffic.p50),
            human(traffic.p99),
            human(traffic.max)
        )),
    ]));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn label(text: &str) -> String {
    format!("{text:<11}")
}

fn worker_lines(model: &Model, lab: &LabConfig, now: Duration) -> Vec<Line<'static>> {
    let single = lab.loop_threads() == 1;
    model
        .workers(lab, now)
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            let name = if single {
                "Event loop".to_string()
            } else {
                format!("Worker {i}")
            };
            let busy = w.busy.map_or(String::from("busy -"), |b| {
                format!("busy {:>3.0}%", b * 100.0)
            });
            let mut spans = vec![Span::styled(label(&name), theme::LABEL)];
            match w.stuck {
                Some(stuck) => {
                    let job = stuck.job.map_or(String::new(), |j| format!(" in job #{j}"));
                    spans.push(Span::styled(
                        format!("● STUCK {}{job}", human(stuck.age)),
                        theme::STALL_LIVE,
                    ));
                    spans.push(Span::raw(format!("  {}", w.thread)));
                }
                None => spans.push(Span::styled("○ serving", theme::LAG_OK)),
            }
            spans.push(Span::styled(format!("  {busy}"), theme::DIM));
            Line::from(spans)
        })
        .collect()
}

fn blocking_line(model: &Model, lab: &LabConfig) -> Line<'static> {
    let mut spans = vec![Span::styled(label("Blocking"), theme::LABEL)];
    match model.runtime().and_then(|r| r.blocking) {
        Some(b) => spans.push(Span::raw(format!(
            "{} busy · {} idle · {} queued · max {}",
            b.busy(),
            b.idle,
            b.queue,
            lab.max_blocking_threads
        ))),
        None if cfg!(tokio_unstable) => {
            spans.push(Span::styled("waiting for the first sample…", theme::DIM))
        }
        None => spans.push(Span::styled(NOT_UNSTABLE, theme::DIM)),
    }
    Line::from(spans)
}

/// The current lab's jobs per strategy: the same counters as the report's `pools.offload`.
fn offload_line(model: &Model) -> Line<'static> {
    let mut spans = vec![Span::styled(label("Jobs"), theme::LABEL)];
    let jobs = model
        .current_lab()
        .map(|(lab, _)| counters::per_strategy(model.lab_jobs(lab)))
        .unwrap_or_default();
    for (i, (s, c)) in jobs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme::DIM));
        }
        // Only the counts that are not zero: short enough for 80 columns.
        let counts: Vec<String> = [
            (c.running, "running"),
            (c.waiting, "waiting"),
            (c.ok, "done"),
            (c.cancelled, "cancelled"),
            (c.lost, "lost"),
            (c.abandoned, "abandoned"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        spans.push(Span::raw(format!("{}: {}", s.as_str(), counts.join(", "))));
        if c.failed > 0 {
            let sep = if counts.is_empty() { "" } else { ", " };
            spans.push(Span::styled(
                format!("{sep}{} failed", c.failed),
                theme::STALL,
            ));
        }
    }
    if jobs.is_empty() {
        spans.push(Span::styled("none yet", theme::DIM));
    }
    Line::from(spans)
}

/// blocklab's own pools, processes, detached threads and permits: what tokio cannot see.
fn own_line(model: &Model) -> Line<'static> {
    let mut spans = vec![Span::styled(label("Own pools"), theme::LABEL)];
    let g = model
        .runtime()
        .map(|r| r.gauges.clone())
        .unwrap_or_default();
    let mut parts = Vec::new();
    if g.pool_threads > 0 {
        parts.push(format!(
            "{} threads: {} busy, {} queued",
            g.pool_threads, g.pool_busy, g.pool_queued
        ));
    }
    if g.children > 0 {
        parts.push(format!(
            "{} child processes: {} busy",
            g.children, g.children_busy
        ));
    }
    if g.detached > 0 {
        parts.push(format!("{} detached threads", g.detached));
    }
    if g.permits_waiting > 0 {
        parts.push(format!("{} waiting for a permit", g.permits_waiting));
    }
    if g.refused > 0 {
        parts.push(format!(
            "{} jobs in flight, {} refused (lab full)",
            g.in_flight, g.refused
        ));
    }
    if parts.is_empty() {
        spans.push(Span::styled("none running", theme::DIM));
    } else {
        spans.push(Span::raw(parts.join(" · ")));
    }
    Line::from(spans)
}
