//! The "Pools" pane: the event loop's worker(s), tokio's blocking pool, and blocklab's own
//! counters per offload path.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::theme;
use crate::clock::human;
use crate::data::LabConfig;
use crate::model::Model;
use crate::text::T;

/// Rows the pane needs for a lab (borders included).
pub fn height(lab: &LabConfig) -> u16 {
    2 + lab.loop_threads() as u16 + 4
}

/// `resting`: the rate the background traffic rests at, while it rests (the TUI was idle).
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    (lab, resting): (&LabConfig, Option<u32>),
    now: Duration,
) {
    // The rate the lab receives now: the title never claims more than is sent.
    let rate = resting.unwrap_or(lab.traffic_rate);
    let (flavor, cores) = (lab.describe(), lab.describe_cores());
    let values: [(&str, &dyn std::fmt::Display); 3] =
        [("flavor", &flavor), ("cores", &cores), ("rate", &rate)];
    let about = [T::PoolsLab, T::PoolsLabShort, T::PoolsLabShortest]
        .map(|t| Line::from(format!(" {} ", t.fill(&values))))
        .to_vec();
    let block = theme::pane(area.width, T::PoolsTitle.text(), about);
    let mut lines = worker_lines(model, lab, now);
    lines.push(blocking_line(model, lab));
    lines.push(own_line(model));
    lines.push(offload_line(model));
    let traffic = model.request_summary(now.saturating_sub(Duration::from_secs(10)), now);
    let room = usize::from(area.width.saturating_sub(2)).saturating_sub(LABEL);
    let requests = match resting {
        // Said in full, in as many words as fit: the traffic is lowered, to what, and how
        // to bring it back.
        Some(rest) => Span::styled(
            resting_line(rest, lab.traffic_rate, &traffic, room),
            theme::RESTING,
        ),
        None => Span::raw(T::PoolsRequestsLine.fill(&[
            ("count", &traffic.count),
            ("p50", &human(traffic.p50)),
            ("p99", &human(traffic.p99)),
            ("max", &human(traffic.max)),
        ])),
    };
    lines.push(Line::from(vec![
        Span::styled(label(T::PoolsRequests.text()), theme::LABEL),
        requests,
    ]));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The requests row while the traffic rests: the longest wording that fits `room` columns.
fn resting_line(rest: u32, rate: u32, traffic: &crate::model::Summary, room: usize) -> String {
    let values: [(&str, &dyn std::fmt::Display); 4] = [
        ("rest", &rest),
        ("rate", &rate),
        ("count", &traffic.count),
        ("p99", &human(traffic.p99)),
    ];
    let wordings = [
        T::PoolsRequestsResting,
        T::PoolsRequestsRestingShort,
        T::PoolsRequestsRestingShortest,
    ]
    .map(|t| t.fill(&values));
    let fits = |w: &&String| crate::text::width::width(w) <= room;
    let last = wordings.last().cloned().unwrap_or_default();
    wordings.iter().find(fits).cloned().unwrap_or(last)
}

/// The width of a row's name.
const LABEL: usize = 11;

/// A row's name, padded to the column by display width (Chinese takes two columns a character).
fn label(text: &str) -> String {
    super::wrap::pad(text, LABEL)
}

fn worker_lines(model: &Model, lab: &LabConfig, now: Duration) -> Vec<Line<'static>> {
    let single = lab.loop_threads() == 1;
    model
        .workers(lab, now)
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            let name = if single {
                T::PoolsEventLoop.text().to_string()
            } else {
                T::PoolsWorker.fill(&[("i", &i)])
            };
            let busy = w.busy.map_or(T::PoolsBusyUnknown.text().to_string(), |b| {
                T::PoolsBusy.fill(&[("percent", &format!("{:>3.0}", b * 100.0))])
            });
            let mut spans = vec![Span::styled(label(&name), theme::LABEL)];
            match w.stuck {
                Some(stuck) => {
                    let age = human(stuck.age);
                    let text = match stuck.job {
                        Some(j) => T::PoolsStuckInJob.fill(&[("age", &age), ("id", &j)]),
                        None => T::PoolsStuck.fill(&[("age", &age)]),
                    };
                    spans.push(Span::styled(format!("● {text}"), theme::STALL_LIVE));
                    spans.push(Span::raw(format!("  {}", w.thread)));
                }
                None => spans.push(Span::styled(
                    format!("○ {}", T::PoolsServing),
                    theme::LAG_OK,
                )),
            }
            spans.push(Span::styled(format!("  {busy}"), theme::DIM));
            Line::from(spans)
        })
        .collect()
}

fn blocking_line(model: &Model, lab: &LabConfig) -> Line<'static> {
    let mut spans = vec![Span::styled(label(T::PoolsBlocking.text()), theme::LABEL)];
    match model.runtime().and_then(|r| r.blocking) {
        Some(b) => spans.push(Span::raw(T::PoolsBlockingLine.fill(&[
            ("busy", &b.busy()),
            ("idle", &b.idle),
            ("queued", &b.queue),
            ("max", &lab.max_blocking_threads),
        ]))),
        None if cfg!(tokio_unstable) => {
            spans.push(Span::styled(T::PoolsBlockingFirstSample.text(), theme::DIM))
        }
        None => spans.push(Span::styled(T::NotUnstable.text(), theme::DIM)),
    }
    Line::from(spans)
}

/// The current lab's jobs per strategy: the same counters as the report's `pools.offload`.
fn offload_line(model: &Model) -> Line<'static> {
    let mut spans = vec![Span::styled(label(T::PoolsJobs.text()), theme::LABEL)];
    let jobs = model
        .current_lab()
        .map_or(&[][..], |(lab, _)| model.timeline.lab_counts(lab));
    for (i, (s, c)) in jobs.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" │ ", theme::DIM));
        }
        // Only the counts that are not zero: short enough for 80 columns.
        let counts: Vec<String> = [
            (c.running, T::PoolsJobsRunning),
            (c.waiting, T::PoolsJobsWaiting),
            (c.ok, T::PoolsJobsDone),
            (c.cancelled, T::PoolsJobsCancelled),
            (c.lost, T::PoolsJobsLost),
            (c.abandoned, T::PoolsJobsAbandoned),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| what.fill(&[("n", n)]))
        .collect();
        spans.push(Span::raw(format!("{}: {}", s.as_str(), counts.join(", "))));
        if c.failed > 0 {
            let sep = if counts.is_empty() { "" } else { ", " };
            spans.push(Span::styled(
                format!("{sep}{}", T::PoolsJobsFailed.fill(&[("n", &c.failed)])),
                theme::STALL,
            ));
        }
    }
    if jobs.is_empty() {
        spans.push(Span::styled(T::PoolsJobsNone.text(), theme::DIM));
    }
    Line::from(spans)
}

/// blocklab's own pools, processes, detached threads and permits: what tokio cannot see.
fn own_line(model: &Model) -> Line<'static> {
    let mut spans = vec![Span::styled(label(T::PoolsOwn.text()), theme::LABEL)];
    let g = model
        .runtime()
        .map(|r| r.gauges.clone())
        .unwrap_or_default();
    let mut parts = Vec::new();
    if g.pool_threads > 0 {
        parts.push(T::PoolsOwnThreads.fill(&[
            ("n", &g.pool_threads),
            ("busy", &g.pool_busy),
            ("queued", &g.pool_queued),
        ]));
    }
    if g.children > 0 {
        parts.push(T::PoolsOwnChildren.fill(&[("n", &g.children), ("busy", &g.children_busy)]));
    }
    if g.detached > 0 {
        parts.push(T::PoolsOwnDetached.fill(&[("n", &g.detached)]));
    }
    if g.permits_waiting > 0 {
        parts.push(T::PoolsOwnPermits.fill(&[("n", &g.permits_waiting)]));
    }
    if g.refused > 0 {
        parts
            .push(T::PoolsOwnRefused.fill(&[("in_flight", &g.in_flight), ("refused", &g.refused)]));
    }
    if parts.is_empty() {
        spans.push(Span::styled(T::PoolsOwnNone.text(), theme::DIM));
    } else {
        spans.push(Span::raw(parts.join(" · ")));
    }
    Line::from(spans)
}
