//! `blocklab replay`: a recorded session played through the same screens. The recording holds
//! every input the app had, with its time; a fresh app fed them again at the same times is in
//! the same state, so its screen is the one the learner saw. The app's commands are dropped:
//! no lab runs. The learner's keys drive the playback (`keys::REPLAY_KEYS`).
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyEvent, KeyEventKind};

use super::app::{App, Command};
use super::keys::{self, ReplayIntent};
use super::{Exit, FRAME, view};
use crate::data::LabConfig;
use crate::lesson::Lesson;
use crate::record::{Entry, Recording, Start};
use crate::runner::Order;
use crate::text::{Lang, T};

/// The speeds `[` and `]` step through.
pub const SPEEDS: [f64; 6] = [0.1, 0.25, 0.5, 1.0, 2.0, 4.0];
/// The index of ×1 in [`SPEEDS`].
pub const NORMAL: usize = 3;
/// How far ← and → seek.
pub const SEEK: Duration = Duration::from_secs(5);

/// A recording and the app it rebuilds, at some point of the session.
pub struct Replay {
    recording: Recording,
    lessons: Vec<Lesson>,
    app: App,
    /// The next line to apply.
    next: usize,
    /// The session time reached.
    at: Duration,
    /// The lab the app asked for last: what its recorded start answers.
    asked: Option<LabConfig>,
}

impl Replay {
    /// The replay at the session's start. The recording names its lessons: `lessons` must be
    /// the same ones, in the same order.
    pub fn new(recording: Recording, lessons: Vec<Lesson>) -> Result<Replay, String> {
        let start = &recording.header.start;
        let ids: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
        if ids != start.lessons || start.lesson >= lessons.len() {
            return Err(T::RecordLessons.fill(&[("want", &start.lessons.join(", "))]));
        }
        let lang = recording.header.lang.parse().unwrap_or(Lang::En);
        let app = fresh(start, lang, lessons.clone());
        Ok(Replay {
            recording,
            lessons,
            app,
            next: 0,
            at: Duration::ZERO,
            asked: None,
        })
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    /// The session time reached.
    pub fn at(&self) -> Duration {
        self.at
    }

    /// The session time of the last line.
    pub fn end(&self) -> Duration {
        self.recording
            .lines
            .last()
            .map_or(Duration::ZERO, |l| l.at())
    }

    /// The terminal size the session started at.
    pub fn size(&self) -> [u16; 2] {
        self.recording.header.size
    }

    /// The times frames were drawn live, in order.
    pub fn frames(&self) -> Vec<Duration> {
        let frames = self.recording.lines.iter();
        frames
            .filter(|l| l.entry == Entry::Frame)
            .map(|l| l.at())
            .collect()
    }

    /// Every input up to session time `t` applied (none taken back: see [`Replay::seek`]).
    pub fn advance_to(&mut self, t: Duration) {
        while let Some(line) = self.recording.lines.get(self.next)
            && line.at() <= t
        {
            self.apply(self.next);
            self.next += 1;
        }
        self.at = self.at.max(t);
    }

    /// Every input up to and including the `n`th frame's mark (from 0), in the file's order;
    /// returns that frame's time. The exact state the live screen was drawn from.
    pub fn through_frame(&mut self, n: usize) -> Option<Duration> {
        let mut seen = 0;
        for i in 0..self.recording.lines.len() {
            if self.recording.lines[i].entry != Entry::Frame {
                continue;
            }
            if seen == n {
                let at = self.recording.lines[i].at();
                self.seek(at);
                return Some(at);
            }
            seen += 1;
        }
        None
    }

    /// The state at session time `t`. Going back rebuilds the app from the start: inputs
    /// cannot be taken back, and applying them is quick (nothing waits).
    pub fn seek(&mut self, t: Duration) {
        if t < self.at {
            let start = &self.recording.header.start;
            self.app = fresh(start, self.app_lang(), self.lessons.clone());
            self.next = 0;
            self.at = Duration::ZERO;
            self.asked = None;
        }
        self.advance_to(t);
    }

    fn app_lang(&self) -> Lang {
        self.recording.header.lang.parse().unwrap_or(Lang::En)
    }

    /// The time of the first frame drawn after the time reached.
    pub fn next_frame(&self) -> Option<Duration> {
        let lines = &self.recording.lines[self.next..];
        lines
            .iter()
            .find(|l| l.entry == Entry::Frame && l.at() > self.at)
            .map(|l| l.at())
    }

    fn apply(&mut self, i: usize) {
        let line = &self.recording.lines[i];
        let now = line.at();
        let commands = match &line.entry {
            Entry::Event { event } => match event.event() {
                Some(event) => self.app.on_event(&event, now),
                None => Vec::new(),
            },
            Entry::Samples { samples } => {
                self.app.model.ingest_all(samples.iter().cloned());
                Vec::new()
            }
            Entry::LabStarted { lab, at } => {
                let config = self.asked.take().unwrap_or_else(|| self.app.lab.clone());
                self.app.lab_started(*lab, *at, config);
                Vec::new()
            }
            Entry::ProgressSaved { path, error } => {
                let result = error.clone().map_or(Ok(()), Err);
                self.app
                    .progress_saved(std::path::Path::new(path), result, now);
                Vec::new()
            }
            Entry::Step => self.app.step(now),
            Entry::Frame => Vec::new(),
        };
        // Nothing is carried out; a lab asked for is answered by the recorded start.
        for command in commands {
            if let Command::Lab(Order::StartLab(config)) = command {
                self.asked = Some(config);
            }
        }
    }
}

/// The app as the session set it up, before its first input.
fn fresh(start: &Start, lang: Lang, lessons: Vec<Lesson>) -> App {
    let mut app = App::new(lessons, start.lesson, start.overrides.clone())
        .with_progress(start.progress.clone());
    app.lang = lang;
    app.log = start.log.clone();
    app.skipped = start.skipped.clone();
    app.ambiguous_wide = start.ambiguous_wide;
    app.no_color = start.no_color;
    app.address = start.address;
    app.notice = start.notice.clone().map(|n| (n, Duration::ZERO));
    app
}

/// The playback: where it is, how fast it goes, paused or not.
pub struct Player {
    pub replay: Replay,
    speed: usize,
    paused: bool,
    help: bool,
}

impl Player {
    pub fn new(replay: Replay, speed: usize) -> Player {
        Player {
            replay,
            speed: speed.min(SPEEDS.len() - 1),
            paused: false,
            help: false,
        }
    }

    pub fn speed(&self) -> f64 {
        SPEEDS[self.speed]
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// `wall` of real time went by: the session moves on by `wall` × the speed, and pauses
    /// at its end.
    pub fn tick(&mut self, wall: Duration) {
        if self.paused {
            return;
        }
        let end = self.replay.end();
        let to = (self.replay.at() + wall.mul_f64(self.speed())).min(end);
        self.replay.advance_to(to);
        if to >= end {
            self.paused = true;
        }
    }

    /// A key of the learner's; returns how to exit when it ends the replay.
    pub fn on_key(&mut self, key: &KeyEvent) -> Option<Exit> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let intent = keys::replay_intent(key);
        if std::mem::take(&mut self.help) {
            // Any key closes the help; the quitting keys still quit (Esc only closes it).
            return match intent {
                Some(ReplayIntent::Quit) if key.code != crossterm::event::KeyCode::Esc => {
                    Some(Exit::Quit)
                }
                Some(ReplayIntent::Interrupt) => Some(Exit::Interrupted),
                _ => None,
            };
        }
        let at = self.replay.at();
        match intent? {
            ReplayIntent::Quit => return Some(Exit::Quit),
            ReplayIntent::Interrupt => return Some(Exit::Interrupted),
            ReplayIntent::Help => self.help = true,
            ReplayIntent::Pause => {
                self.paused = !self.paused;
                // At the end, play again from the start.
                if !self.paused && at >= self.replay.end() {
                    self.replay.seek(Duration::ZERO);
                }
            }
            ReplayIntent::Frame => {
                if self.paused
                    && let Some(next) = self.replay.next_frame()
                {
                    self.replay.advance_to(next);
                }
            }
            ReplayIntent::Slower => self.speed = self.speed.saturating_sub(1),
            ReplayIntent::Faster => self.speed = (self.speed + 1).min(SPEEDS.len() - 1),
            ReplayIntent::Back => self.replay.seek(at.saturating_sub(SEEK)),
            ReplayIntent::Forward => self.replay.seek((at + SEEK).min(self.replay.end())),
            ReplayIntent::Start => self.replay.seek(Duration::ZERO),
        }
        None
    }

    /// The replay's mark, as its footer shows it; `size` is the terminal's, said when it is
    /// not the recording's.
    pub fn mark(&self, size: [u16; 2]) -> String {
        let secs = |d: Duration| format!("{:.1}", d.as_secs_f64());
        let speed = self.speed();
        let mut mark = T::ReplayMark.fill(&[
            ("speed", &speed),
            ("at", &secs(self.replay.at())),
            ("end", &secs(self.replay.end())),
        ]);
        if self.paused {
            mark = format!("{mark} · {}", T::ReplayPaused);
        }
        let [w, h] = self.replay.size();
        if [w, h] != size {
            let values: [(&str, &dyn std::fmt::Display); 4] =
                [("w", &w), ("h", &h), ("cw", &size[0]), ("ch", &size[1])];
            mark = format!("{mark} · {}", T::ReplaySize.fill(&values));
        }
        mark
    }

    /// The frame at the time reached.
    pub fn draw(&self, frame: &mut ratatui::Frame) {
        let area = frame.area();
        let mark = self
            .replay
            .app()
            .lang
            .scoped(|| self.mark([area.width, area.height]));
        let app = self.replay.app();
        view::draw_replay(frame, app, self.replay.at(), &mark, self.help);
    }
}

/// Plays on any backend until the learner quits, `stop` says how, or the input closes.
pub fn drive<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    player: &mut Player,
    input: &super::Input,
    stop: &dyn Fn() -> Option<Exit>,
) -> std::io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    let io = |e: B::Error| std::io::Error::other(e);
    let mut last = Instant::now();
    loop {
        if let Some(exit) = stop() {
            return Ok(exit);
        }
        terminal.draw(|frame| player.draw(frame)).map_err(io)?;
        let mut next = input.recv_timeout(FRAME);
        while let Ok(event) = next {
            match event? {
                Event::Key(key) => {
                    if let Some(exit) = player.on_key(&key) {
                        return Ok(exit);
                    }
                }
                Event::Resize(..) => terminal.autoresize().map_err(io)?,
                _ => {}
            }
            next = input
                .try_recv()
                .map_err(|_| std::sync::mpsc::RecvTimeoutError::Timeout);
        }
        if matches!(next, Err(std::sync::mpsc::RecvTimeoutError::Disconnected)) {
            return Ok(Exit::HungUp);
        }
        player.tick(last.elapsed());
        last = Instant::now();
    }
}

/// `blocklab replay` on the terminal; restored on every way out.
pub fn run(mut player: Player) -> std::io::Result<Exit> {
    let stop = super::signals()?;
    let mut terminal = super::terminal::Guard::enter()?;
    let input = super::read_input()?;
    drive(&mut terminal, &mut player, &input, &stop)
}
