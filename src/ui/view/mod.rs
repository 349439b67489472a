//! Drawing: a pure function of the app state and the time. One file per pane.
pub mod ascii;
pub use ascii::is_ambiguous;
mod axis;
mod bars;
mod big;
pub use big::rows as big_rows;
pub mod chrome;
pub use chrome::NOTICE_FOR;
pub mod contrast;
mod help;
mod jobs;
mod lag;
mod lesson;
mod load_chart;
pub mod mono;
mod playground;
mod pools;
mod sizing_chart;
pub(crate) mod theme;
mod timeline;
pub mod wrap;

use std::time::Duration;

use ratatui::prelude::*;
use ratatui::widgets::{Paragraph, Wrap};

use super::app::{App, Section};
use super::present::Pane;
use crate::text::T;

pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

pub fn draw(frame: &mut Frame, app: &App, now: Duration) {
    app.lang.scoped(|| draw_in_lang(frame, app, now));
    if app.present.is_some() {
        contrast::raise(frame.buffer_mut());
    }
    if app.ambiguous_wide {
        ascii::replace_ambiguous(frame.buffer_mut());
    }
    if app.no_color {
        mono::strip(frame.buffer_mut());
    }
}

fn draw_in_lang(frame: &mut Frame, app: &App, now: Duration) {
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
    chrome::header(frame, header, app, now);
    chrome::footer(frame, footer, app, now);
    let body = match app.present {
        Some(_) => {
            let [strip, rest] =
                Layout::vertical([Constraint::Length(big::HEIGHT), Constraint::Min(0)]).areas(body);
            big::draw(frame, strip, app, now);
            rest
        }
        None => body,
    };
    if let Some(pane) = app.zoom {
        zoomed(frame, body, app, pane, now);
    } else {
        panes(frame, body, app, now);
    }
    if app.help {
        help::draw(frame, area, app);
    }
}

/// One pane on the whole body.
fn zoomed(frame: &mut Frame, body: Rect, app: &App, pane: Pane, now: Duration) {
    match pane {
        Pane::Lesson if app.playing => playground::draw(frame, body, app),
        Pane::Lesson => lesson::draw(frame, body, app),
        Pane::Lag => lag::draw(frame, body, &app.model, app.window(), now),
        Pane::Pools => pools::draw(frame, body, &app.model, (&app.lab, app.resting()), now),
        Pane::Timeline if app.table => jobs::draw(frame, body, &app.model, now),
        Pane::Timeline => timeline::draw(frame, body, &app.model, app.window(), now),
    }
}

/// The normal layout: the lesson on the left, the lag, the pools and the timeline on the right.
fn panes(frame: &mut Frame, body: Rect, app: &App, now: Duration) {
    let [lesson_area, right] = Layout::horizontal([
        Constraint::Length(lesson_width(body.width, app)),
        Constraint::Min(0),
    ])
    .areas(body);
    if app.playing {
        playground::draw(frame, lesson_area, app);
    } else {
        lesson::draw(frame, lesson_area, app);
    }

    let pools_height = pools::height(&app.lab).min(body.height / 3);
    let [lag_area, pools_area, timeline_area] = Layout::vertical([
        Constraint::Percentage(45),
        Constraint::Length(pools_height),
        Constraint::Min(3),
    ])
    .areas(right);
    lag::draw(frame, lag_area, &app.model, app.window(), now);
    pools::draw(
        frame,
        pools_area,
        &app.model,
        (&app.lab, app.resting()),
        now,
    );
    if app.table {
        jobs::draw(frame, timeline_area, &app.model, now);
    } else {
        timeline::draw(frame, timeline_area, &app.model, app.window(), now);
    }
}

/// A replay's frame: the app's screen as it was at `now`, the replay's footer line (`mark`)
/// over its last row, and the replay's help over all when asked for.
pub fn draw_replay(frame: &mut Frame, app: &App, now: Duration, mark: &str, help: bool) {
    draw(frame, app, now);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return;
    }
    app.lang.scoped(|| {
        chrome::replay_footer(frame, area, app, app.view_time(now), mark);
        if help {
            help::draw_with(frame, area, app, super::keys::REPLAY_KEYS);
        }
    });
    if app.ambiguous_wide {
        ascii::replace_ambiguous(frame.buffer_mut());
    }
    if app.no_color {
        mono::strip(frame.buffer_mut());
    }
}

/// At rest, how often the screen needs a new frame: each time the lag chart's time axis moves
/// by one column.
pub fn rest_frame(width: u16, height: u16, app: &App) -> Duration {
    if width < MIN_WIDTH || height < MIN_HEIGHT {
        return Duration::from_secs(1);
    }
    // A zoomed pane has the whole width (the lag chart more columns: frames more often).
    let lesson = if app.zoom.is_some() {
        0
    } else {
        lesson_width(width, app)
    };
    let columns = width - lesson - 2 - axis::GUTTER;
    app.window() / u32::from(columns.max(1))
}

/// The lesson pane's width: code wants room, so on a wide terminal the Rust section takes more.
fn lesson_width(width: u16, app: &App) -> u16 {
    // The playground's fields and its command line want a little more than a lesson's text.
    let share = if app.playing {
        50
    } else if app.section == Section::Rust && app.present.is_none() && width >= 120 {
        55
    } else {
        40
    };
    (width * share / 100).max(32)
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
