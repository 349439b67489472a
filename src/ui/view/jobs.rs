//! The job table (`t`): every recent job with its id, status, thread and times — the status
//! query a lifespan pool's clients would make.
use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::{Block, Borders, Cell, Row, Table};

use super::theme;
use crate::clock::human;
use crate::lab::job::Outcome;
use crate::model::Model;

pub fn draw(frame: &mut Frame, area: Rect, model: &Model, now: Duration) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Jobs ", theme::TITLE))
        .title(Line::from(Span::styled(" t: timeline ", theme::DIM)).right_aligned());
    let rows_fit = area.height.saturating_sub(3) as usize;
    let mut recent: Vec<_> = model.timeline.all().rev().take(rows_fit).collect();
    recent.reverse();
    let rows = recent.into_iter().map(|j| {
        let (status, style) = match j.outcome {
            Outcome::Ok => ("ok", theme::PASS),
            Outcome::Running if j.started.is_none() => ("waiting", theme::WAITING),
            Outcome::Running => ("running", theme::AWAITING),
            Outcome::Failed => ("failed", theme::FAIL),
            Outcome::Cancelled => ("cancelled", theme::FAIL),
            Outcome::Lost => ("lost", theme::FAIL),
        };
        // Never started: it waited until it ended (cancelled), or is still waiting.
        let waited = j
            .wait_time()
            .or_else(|| Some(j.finished.unwrap_or(now).saturating_sub(j.submitted)));
        let ran = j
            .run_time()
            .or_else(|| j.started.map(|s| now.saturating_sub(s)));
        Row::new(vec![
            Cell::from(format!("#{}", j.id())),
            Cell::from(format!("{} {}ms", j.spec.workload.as_str(), j.spec.ms)),
            Cell::from(Span::styled(status, style)),
            Cell::from(j.thread.clone().unwrap_or_else(|| "-".into())),
            Cell::from(waited.map_or("-".into(), human)),
            Cell::from(ran.map_or("-".into(), human)),
            Cell::from(
                j.replied
                    .map_or("-".into(), |r| human(r.saturating_sub(j.submitted))),
            ),
        ])
    });
    let header =
        Row::new(["id", "work", "status", "thread", "waited", "ran", "reply"]).style(theme::DIM);
    let widths = [
        Constraint::Length(6),
        Constraint::Length(12),
        Constraint::Length(9),
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Fill(2),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
