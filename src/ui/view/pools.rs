//! The "Pools" pane: the event loop's worker(s), tokio's blocking pool, and blocklab's own
//! counters per offload path.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::theme;
use crate::clock::human;
use crate::data::ThreadKind;
use crate::data::{Flavor, LabConfig, STALL_THRESHOLD};
use crate::model::{Model, PathCounters};
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
    let runtime = model.runtime();
    let workers = model.watch().and_then(|w| w.workers.clone());
    let live = model.live_stall(now);
    (0..lab.loop_threads())
        .map(|i| {
            let name = if lab.loop_threads() == 1 {
                "Event loop".to_string()
            } else {
                format!("Worker {i}")
            };
            let busy = runtime
                .and_then(|r| r.worker_busy.get(i))
                .map_or(String::from("busy -"), |b| {
                    format!("busy {:>3.0}%", b * 100.0)
                });
            // With poll hooks, each worker's own poll; without, the loop-wide stall.
            let stuck = match &workers {
                Some(ws) => ws
                    .iter()
                    .find(|w| w.thread == thread_of(lab, i))
                    .and_then(|w| {
                        let since = w.polling_since?;
                        let age = now.saturating_sub(since);
                        let job = w
                            .task
                            .and_then(|t| model.timeline.by_task(t))
                            .map(|j| j.id());
                        (age >= STALL_THRESHOLD).then(|| (w.thread.clone(), age, job))
                    }),
                None => live
                    .as_ref()
                    .filter(|_| lab.loop_threads() == 1)
                    .map(|s| (thread_of(lab, i), s.age, s.job)),
            };
            let mut spans = vec![Span::styled(label(&name), theme::LABEL)];
            match stuck {
                Some((thread, age, job)) => {
                    let job = job.map_or(String::new(), |j| format!(" in job #{j}"));
                    spans.push(Span::styled(
                        format!("● STUCK {}{job}", human(age)),
                        theme::STALL_LIVE,
                    ));
                    spans.push(Span::raw(format!("  {thread}")));
                }
                None => spans.push(Span::styled("○ serving", theme::LAG_OK)),
            }
            spans.push(Span::styled(format!("  {busy}"), theme::DIM));
            Line::from(spans)
        })
        .collect()
}

/// The name the lab gives to event-loop thread `i`.
fn thread_of(lab: &LabConfig, i: usize) -> String {
    match lab.flavor {
        Flavor::CurrentThread => ThreadKind::LOOP_PREFIX.to_string(),
        Flavor::MultiThread => format!("{}{i}", ThreadKind::WORKER_PREFIX),
    }
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

fn offload_line(model: &Model) -> Line<'static> {
    let mut spans = vec![Span::styled(label("Jobs"), theme::LABEL)];
    let mut any = false;
    for s in model.strategies_seen() {
        let c = model.path_counters(s);
        if c == PathCounters::default() {
            continue;
        }
        if any {
            spans.push(Span::styled(" │ ", theme::DIM));
        }
        any = true;
        // Only the counts that are not zero: short enough for 80 columns.
        let counts: Vec<String> = [
            (c.running, "running"),
            (c.waiting, "waiting"),
            (c.done, "done"),
            (c.gone, "lost, abandoned or cancelled"),
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
    if !any {
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
