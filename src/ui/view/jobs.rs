//! The job table (`t`): every recent job with its id, status, thread and times — the status
//! query a lifespan pool's clients would make — and how a job that did not end well ended.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use super::theme;
use crate::clock::human;
use crate::data::Outcome;
use crate::model::{JobRecord, Model};
use crate::text::T;

/// Below this inner width the error shares the thread's column (it replaces it when present).
const WIDE: u16 = 100;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, now: Duration) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(format!(" {} ", T::JobsTitle), theme::TITLE))
        .title(
            Line::from(Span::styled(format!(" {} ", T::JobsToTimeline), theme::DIM))
                .right_aligned(),
        );
    let wide = area.width.saturating_sub(2) >= WIDE;
    let rows_fit = area.height.saturating_sub(3) as usize;
    let mut recent: Vec<_> = model.timeline.all().rev().take(rows_fit).collect();
    recent.reverse();
    let rows = recent.into_iter().map(|j| row(j, now, wide));
    let mut header = vec![
        T::JobsColId.text(),
        T::JobsColWork.text(),
        T::JobsColStatus.text(),
        if wide {
            T::JobsColThread.text()
        } else {
            T::JobsColThreadOrError.text()
        },
        T::JobsColWaited.text(),
        T::JobsColRan.text(),
        T::JobsColReply.text(),
    ];
    let mut widths = vec![
        Constraint::Length(6),
        Constraint::Length(12),
        Constraint::Length(11),
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    if wide {
        header.push(T::JobsColError.text());
        widths.push(Constraint::Fill(2));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme::DIM))
        .block(block);
    frame.render_widget(table, area);
}

fn row(j: &JobRecord, now: Duration, wide: bool) -> Row<'static> {
    let (status, style) = match j.outcome {
        Outcome::Ok => (T::JobStatusOk, theme::PASS),
        // A durable job whose lab stopped under it: back in the queue file.
        Outcome::Running if j.interrupted.is_some() => (T::JobStatusInQueue, theme::WAITING),
        Outcome::Running if j.started.is_none() => (T::JobStatusWaiting, theme::WAITING),
        Outcome::Running => (T::JobStatusRunning, theme::AWAITING),
        Outcome::Failed => (T::JobStatusFailed, theme::FAIL),
        Outcome::Cancelled => (T::JobStatusCancelled, theme::FAIL),
        Outcome::Lost => (T::JobStatusLost, theme::FAIL),
        Outcome::Abandoned => (T::JobStatusAbandoned, theme::FAIL),
    };
    // Never started: it waited until it ended (cancelled), or is still waiting.
    let waited = j
        .wait_time()
        .unwrap_or_else(|| j.finished.unwrap_or(now).saturating_sub(j.submitted));
    // Still running: until now; back in the queue: until its lab stopped.
    let ran = j.run_time().or_else(|| {
        j.started
            .map(|s| j.interrupted.unwrap_or(now).saturating_sub(s))
    });
    let thread = Cell::from(j.thread.clone().unwrap_or_else(|| "-".into()));
    // The JoinError's panic message, a crash's signal, "lab stopped".
    let error = j
        .error
        .clone()
        .map(|e| Cell::from(Span::styled(e, theme::FAIL)));
    let mut cells = vec![
        Cell::from(format!("#{}", j.id())),
        Cell::from(T::JobWork.fill(&[("workload", &j.spec.workload.as_str()), ("ms", &j.spec.ms)])),
        // A job started more than once (a durable job run again) says how many times.
        Cell::from(Span::styled(
            match j.attempts {
                0 | 1 => status.text().to_string(),
                n => T::JobStatusAttempt.fill(&[("status", &status.text()), ("n", &n)]),
            },
            style,
        )),
        if wide {
            thread.clone()
        } else {
            error.clone().unwrap_or(thread)
        },
        Cell::from(human(waited)),
        Cell::from(ran.map_or("-".into(), human)),
        Cell::from(
            j.replied
                .map_or("-".into(), |r| human(r.saturating_sub(j.submitted))),
        ),
    ];
    if wide {
        cells.push(error.unwrap_or_default());
    }
    Row::new(cells)
}
