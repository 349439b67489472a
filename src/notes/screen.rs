//! `blocklab notes`: the presenter's place and the step's notes, on a terminal of their own.
//! A pure drawing of what the follower heard and the wall clock; the loop around it takes keys
//! and news from the connection thread, and gives the terminal back on every way out.
use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::prelude::*;
use ratatui::widgets::Paragraph;

use super::Speaker;
use super::follow::{Heard, Where};
use super::speaker::{VERSION, elapsed};
use crate::text::T;
use crate::ui::Exit;
use crate::ui::keys::{NOTES_KEYS, NotesIntent, notes_intent};
use crate::ui::view::{theme, wrap};

/// How often the loop wakes without news: the clocks tick by the second, and news from the
/// connection thread waits at most this long to be drawn.
const TICK: Duration = Duration::from_millis(100);

/// The state of the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    Waiting,
    Connected(SocketAddr),
    /// The presenter speaks another version of the format.
    Version(u32),
}

/// What the notes screen knows.
pub struct Follower {
    pub from: Where,
    pub link: Link,
    /// The presenter's latest state (kept while it is away: the connection line says so).
    pub speaker: Option<Speaker>,
    /// Draw ambiguous-width symbols as ASCII (`--ambiguous-wide`).
    pub ambiguous_wide: bool,
    /// No colour (`NO_COLOR`).
    pub no_color: bool,
}

impl Follower {
    pub fn new(from: Where) -> Follower {
        Follower {
            from,
            link: Link::Waiting,
            speaker: None,
            ambiguous_wide: false,
            no_color: false,
        }
    }

    pub fn hear(&mut self, heard: Heard) {
        match heard {
            Heard::Waiting => self.link = Link::Waiting,
            Heard::Connected(a) => self.link = Link::Connected(a),
            Heard::Version(v) => self.link = Link::Version(v),
            Heard::State(s) => self.speaker = Some(*s),
        }
    }

    /// How a key ends the screen, if it does.
    pub fn on_key(&self, key: &KeyEvent) -> Option<Exit> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        match notes_intent(key)? {
            NotesIntent::Quit => Some(Exit::Quit),
            NotesIntent::Interrupt => Some(Exit::Interrupted),
        }
    }

    /// The connection line.
    fn link_line(&self) -> String {
        match (&self.link, &self.from) {
            (Link::Waiting, Where::Announced(file)) => {
                let path = file.display();
                T::NotesWaiting.fill(&[("path", &path)])
            }
            (Link::Waiting, Where::At(addr)) => T::NotesWaitingAt.fill(&[("addr", addr)]),
            (Link::Connected(addr), _) => {
                let connected = T::NotesConnected.fill(&[("addr", addr)]);
                match &self.speaker {
                    Some(s) if !s.presenting => {
                        format!("{connected} · {}", T::NotesPresentingOff.text())
                    }
                    _ => connected,
                }
            }
            (Link::Version(v), _) => T::NotesVersion.fill(&[("theirs", v), ("ours", &VERSION)]),
        }
    }
}

/// `m:ss`, or `h:mm:ss` from an hour on.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    match s / 3600 {
        0 => format!("{}:{:02}", s / 60, s % 60),
        h => format!("{h}:{:02}:{:02}", s / 60 % 60, s % 60),
    }
}

/// The screen at wall-clock time `now`, in the language chosen now (the presenter's texts are
/// in the presenter's).
pub fn draw(frame: &mut Frame, follower: &Follower, now: SystemTime) {
    draw_plain(frame, follower, now);
    if follower.ambiguous_wide {
        crate::ui::view::ascii::replace_ambiguous(frame.buffer_mut());
    }
    if follower.no_color {
        crate::ui::view::mono::strip(frame.buffer_mut());
    }
}

fn draw_plain(frame: &mut Frame, follower: &Follower, now: SystemTime) {
    let [header, clocks, _, body, next, link, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    let width = usize::from(frame.area().width.saturating_sub(2));
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(" {}", follower.link_line()),
            theme::LABEL,
        )),
        link,
    );
    let mut spans = Vec::new();
    for (keys, word) in NOTES_KEYS.iter().filter_map(|b| b.footer) {
        spans.push(Span::styled(format!(" {keys}"), theme::LABEL));
        spans.push(Span::styled(format!(" {word} "), theme::DIM));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), keys);
    let Some(s) = &follower.speaker else {
        let title = Span::styled(format!(" {}", T::NotesTitle.text()), theme::TITLE);
        frame.render_widget(Paragraph::new(title), header);
        return;
    };

    // The lesson on the left, the step on the right (where there is room for both).
    let lesson = T::HeaderLesson.fill(&[("n", &s.lesson.n), ("of", &s.lesson.of)]);
    let left = format!(" {lesson} · {}", s.lesson.title);
    frame.render_widget(
        Paragraph::new(Span::styled(left.clone(), theme::TITLE)),
        header,
    );
    if let Some(step) = &s.step {
        let at = T::HeaderStep.fill(&[("n", &step.n), ("of", &step.of)]);
        let right = format!("{at} · {} ", step.name);
        if wrap::width(&left) + wrap::width(&right) + 2 <= usize::from(header.width) {
            let right = Paragraph::new(Span::styled(right, theme::HEADING)).right_aligned();
            frame.render_widget(right, header);
        }
    }
    if let (Some(session), Some(step)) = (s.presenting_since, s.step_since) {
        let values: [(&str, &dyn std::fmt::Display); 2] = [
            ("session", &clock(elapsed(session, now))),
            ("step", &clock(elapsed(step, now))),
        ];
        let text = format!(" {}", T::NotesClocks.fill(&values));
        frame.render_widget(Paragraph::new(Span::styled(text, theme::LABEL)), clocks);
    }

    if s.presenting {
        let lines: Vec<Line> = if s.notes.is_empty() {
            vec![Line::styled(T::NotesNone.text(), theme::DIM)]
        } else {
            let paragraphs: Vec<Line> = s.notes.lines().map(Line::raw).collect();
            wrap::wrap(&paragraphs, width.max(1))
        };
        let text: Vec<Line> = lines
            .into_iter()
            .map(|l| {
                let mut spans = vec![Span::raw(" ")];
                spans.extend(l.spans);
                Line::from(spans).style(l.style)
            })
            .collect();
        frame.render_widget(Paragraph::new(text), body);
        let next_text = match &s.next {
            Some(n) => match &n.lesson {
                Some(title) => T::NotesNextLesson.fill(&[("title", title), ("step", &n.step)]),
                None => T::NotesNext.fill(&[("step", &n.step)]),
            },
            None => T::NotesLast.text().to_string(),
        };
        let next_line = Span::styled(format!(" {next_text}"), theme::HEADING);
        frame.render_widget(Paragraph::new(next_line), next);
    }
}

/// The screen's loop on any backend: keys, news from the connection, a frame on each, and one
/// a tick for the clocks. Ends when a key or `stop` says how, or the input closes.
pub fn drive<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    follower: &mut Follower,
    input: &crate::ui::Input,
    heard: &Receiver<Heard>,
    stop: &dyn Fn() -> Option<Exit>,
) -> std::io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    let io = |e: B::Error| std::io::Error::other(e);
    loop {
        if let Some(exit) = stop() {
            return Ok(exit);
        }
        while let Ok(news) = heard.try_recv() {
            follower.hear(news);
        }
        terminal
            .draw(|frame| draw(frame, follower, SystemTime::now()))
            .map_err(io)?;
        let mut next = input.recv_timeout(TICK);
        while let Ok(event) = next {
            match event? {
                Event::Key(key) => {
                    if let Some(exit) = follower.on_key(&key) {
                        return Ok(exit);
                    }
                }
                Event::Resize(..) => terminal.autoresize().map_err(io)?,
                _ => {}
            }
            next = input.try_recv().map_err(|_| RecvTimeoutError::Timeout);
        }
        if matches!(next, Err(RecvTimeoutError::Disconnected)) {
            return Ok(Exit::HungUp);
        }
    }
}

/// `blocklab notes` on the terminal; restored on every way out.
pub fn run(mut follower: Follower) -> std::io::Result<Exit> {
    let (tx, heard) = std::sync::mpsc::channel();
    super::follow::start(follower.from.clone(), tx)?;
    let stop = crate::ui::signals()?;
    let mut terminal = crate::ui::terminal::Guard::enter()?;
    let input = crate::ui::read_input()?;
    drive(&mut terminal, &mut follower, &input, &heard, &stop)
}
