//! Drawing: a pure function of the app state and the time. One file per pane.
mod axis;
mod chrome;
mod help;
mod jobs;
mod lag;
mod lesson;
mod pools;
mod theme;
mod timeline;

use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Section};
use crate::text::T;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn draw(frame: &mut Frame, app: &App, now: Duration) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area);
        return;
    }
    let now = app.view_time(now);
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(area);
    chrome::header(frame, header, app);
    chrome::footer(frame, footer, app, now);

    // Code wants room: on a wide terminal the Rust section takes more of the width.
    let share = if app.section == Section::Rust && body.width >= 120 {
        55
    } else {
        40
    };
    let lesson_width = (body.width * share / 100).max(32);
    let [lesson_area, right] =
        Layout::horizontal([Constraint::Length(lesson_width), Constraint::Min(0)]).areas(body);
    lesson::draw(frame, lesson_area, app);

    let pools_height = pools::height(&app.lab).min(body.height / 3);
    let [lag_area, pools_area, timeline_area] = Layout::vertical([
        Constraint::Percentage(45),
        Constraint::Length(pools_height),
        Constraint::Min(3),
    ])
    .areas(right);
    lag::draw(frame, lag_area, &app.model, app.window(), now);
    pools::draw(frame, pools_area, &app.model, &app.lab, now);
    if app.table {
        jobs::draw(frame, timeline_area, &app.model, now);
    } else {
        timeline::draw(frame, timeline_area, &app.model, app.window(), now);
    }

    if app.help {
        help::draw(frame, area, app);
    }
}

fn too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "{}\n{}",
        T::TooSmall.fill(&[
            ("need_w", &MIN_WIDTH),
            ("need_h", &MIN_HEIGHT),
            ("w", &area.width),
            ("h", &area.height),
        ]),
        T::TooSmallHint
    );
    let height = 4.min(area.height);
    let y = area.y + area.height.saturating_sub(height) / 2;
    let p = Paragraph::new(text)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    frame.render_widget(p, Rect { y, height, ..area });
}
