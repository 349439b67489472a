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
/// The header's `start` for a session that begins now, on `app` as it stands before its first
/// frame (the front door's address is added once it is known, if it is not yet).
pub fn start_of(
    app: &App,
    lesson: usize,
    overrides: crate::cli::LabArgs,
    progress: crate::progress::Progress,
) -> Start {
    Start {
        lessons: app.lessons.iter().map(|l| l.id.clone()).collect(),
        lesson,
        overrides,
        progress,
        log: app.log.clone(),
        skipped: app.skipped.clone(),
        ambiguous_wide: app.ambiguous_wide,
        no_color: app.no_color,
        present: app.present.is_some(),
        address: app.address,
        notice: app.notice.as_ref().map(|(text, _)| text.clone()),
    }
}

pub struct Replay {
    recording: Recording,
    lessons: Vec<Lesson>,
    app: App,
    /// The next line to apply.
    next: usize,
    /// The session time reached.
    at: Duration,
    /// The labs the app asked for, oldest first: what the recorded starts answer, in turn.
    asked: std::collections::VecDeque<LabConfig>,
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
            asked: Default::default(),
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
            self.asked.clear();
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
                let config = self
                    .asked
                    .pop_front()
                    .unwrap_or_else(|| self.app.lab.clone());
                self.app.lab_started(*lab, *at, config);
                Vec::new()
            }
            Entry::ProgressSaved { path, error } => {
                let result = error.clone().map_or(Ok(()), Err);
                self.app
                    .progress_saved(std::path::Path::new(path), result, now);
                Vec::new()
            }
            Entry::Exported { dir, stem, error } => {
                let saved = match (stem, error) {
                    (Some(stem), None) => Ok(stem.clone()),
                    (_, error) => Err(std::io::Error::other(error.clone().unwrap_or_default())),
                };
                self.app.exported(std::path::Path::new(dir), &saved, now);
                Vec::new()
            }
            Entry::Step => self.app.step(now),
            Entry::Frame => Vec::new(),
        };
        // Nothing is carried out; a lab asked for is answered by the recorded start.
        for command in commands {
            if let Command::Lab(Order::StartLab(config)) = command {
                self.asked.push_back(config);
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
    app.present = start.present.then(Default::default);
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::sync::mpsc;

    use crossterm::event::{KeyCode, KeyModifiers};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;

    use super::*;
    use crate::cli::LabArgs;
    use crate::clock::Clock;
    use crate::record::{Writer, format, read};
    use crate::session::Labs;

    const SIZE: [u16; 2] = [120, 40];

    fn key(c: char) -> Event {
        Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn text(buffer: &Buffer) -> String {
        let area = buffer.area;
        let mut out = String::new();
        for y in 0..area.height {
            for x in 0..area.width {
                out.push_str(buffer[(x, y)].symbol());
            }
            out.push('\n');
        }
        out
    }

    /// The column of the first stall label ("200ms #3") on the screen, and its text.
    fn stall_label(buffer: &Buffer) -> Option<(u16, u16, String)> {
        let screen = text(buffer);
        for (y, row) in screen.lines().enumerate() {
            if let Some(i) = row.find("ms #") {
                let start = row[..i].rfind(' ').map_or(0, |s| s + 1);
                let label: String = row[start..].split_whitespace().take(2).collect();
                let x = row[..start].chars().count();
                return Some((x as u16, y as u16, label));
            }
        }
        None
    }

    /// A real session on lesson 1 (its 200 ms block, key 2, to its verdicts), recorded; every
    /// frame drawn live, in order.
    fn live_session(path: &std::path::Path) -> Vec<Buffer> {
        let clock = Clock::start();
        let mut labs = Labs::new(clock);
        let lessons = crate::lesson::builtin().lessons;
        let mut app = App::new(lessons.clone(), 0, LabArgs::default());
        app.lang = Lang::En;
        app.address = labs.address();
        let start = start_of(&app, 0, LabArgs::default(), Default::default());
        let mut writer = Writer::create(path, &format::header(Lang::En, SIZE, start)).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(SIZE[0], SIZE[1])).unwrap();
        let (keys, input) = mpsc::channel();
        let frames = RefCell::new(Vec::new());
        let keep = |b: &Buffer| frames.borrow_mut().push(b.clone());
        keys.send(Ok(key('2'))).unwrap();
        let give_up = clock.now() + Duration::from_secs(60);
        // The live loop, recorded, for `ms` more of session time.
        let mut live_for = |app: &mut App, ms: u64| {
            let at = clock.now() + Duration::from_millis(ms);
            let stop = move || (clock.now() >= at).then_some(Exit::Quit);
            let extras = crate::ui::Extras {
                record: Some(&mut writer),
                after_draw: Some(&keep),
                ..Default::default()
            };
            crate::ui::drive(&mut terminal, &mut labs, app, &input, &stop, extras).unwrap();
        };
        while app.last_verdicts('2').is_none() && clock.now() < give_up {
            live_for(&mut app, 500);
        }
        assert!(app.last_verdicts('2').is_some(), "the action ended");
        // A second and a half more, so seeking has room either side of the block.
        live_for(&mut app, 1500);
        drop(writer);
        frames.into_inner()
    }

    fn replayed(replay: &Replay, at: Duration) -> Buffer {
        let mut terminal = Terminal::new(TestBackend::new(SIZE[0], SIZE[1])).unwrap();
        let frame = terminal.draw(|f| view::draw(f, replay.app(), at)).unwrap();
        frame.buffer.clone()
    }

    /// The one live session the tests below share (it takes seconds of real time).
    fn session() -> &'static (Vec<Buffer>, Recording) {
        static SESSION: std::sync::OnceLock<(Vec<Buffer>, Recording)> = std::sync::OnceLock::new();
        SESSION.get_or_init(|| {
            let path =
                std::env::temp_dir().join(format!("blocklab-replay-{}.jsonl", std::process::id()));
            let frames = live_session(&path);
            let recording = read(&path).unwrap();
            let _ = std::fs::remove_file(&path);
            (frames, recording)
        })
    }

    fn replay() -> Replay {
        Replay::new(session().1.clone(), crate::lesson::builtin().lessons).unwrap()
    }

    #[test]
    fn every_replayed_frame_is_the_live_one_cell_for_cell() {
        let (live, _) = session();
        let mut replay = replay();
        assert_eq!(
            replay.frames().len(),
            live.len(),
            "one mark per frame drawn"
        );
        let mut stalls = 0;
        for (n, screen) in live.iter().enumerate() {
            let at = replay.through_frame(n).unwrap();
            let again = replayed(&replay, at);
            assert_eq!(&again, screen, "frame {n} at {at:?}:\n{}", text(screen));
            stalls += usize::from(stall_label(screen).is_some());
        }
        assert!(
            stalls > 0,
            "the block's stall was on screen, labelled with its job"
        );
    }

    #[test]
    fn the_stall_label_is_where_it_was_live_and_seeking_lands_on_the_same_screen() {
        let (live, _) = session();
        let mut replay = replay();
        let frames = replay.frames();
        let n = live.iter().position(|b| stall_label(b).is_some()).unwrap();
        let (x, y, label) = stall_label(&live[n]).unwrap();
        assert!(
            label.starts_with("200ms#") || label.contains('#'),
            "{label}"
        );
        // Played through to that frame.
        replay.advance_to(frames[n]);
        let played = replayed(&replay, frames[n]);
        assert_eq!(stall_label(&played), Some((x, y, label)));
        // Seek forward past it, then back onto it: the same screen.
        replay.seek(replay.end());
        replay.seek(frames[n]);
        assert_eq!(replayed(&replay, frames[n]), played, "seek back");
        // From the start, a seek forward straight to it.
        let mut fresh = super::tests::replay();
        fresh.seek(frames[n]);
        assert_eq!(replayed(&fresh, frames[n]), played, "seek forward");
    }

    #[test]
    fn at_a_tenth_of_the_speed_the_session_moves_a_tenth_as_far_per_frame() {
        let frame = Duration::from_millis(33);
        let mut slow = Player::new(replay(), 0);
        let mut normal = Player::new(replay(), NORMAL);
        for _ in 0..30 {
            slow.tick(frame);
            normal.tick(frame);
        }
        assert_eq!(slow.speed(), 0.1);
        assert_eq!(normal.replay.at(), frame * 30);
        assert_eq!(slow.replay.at(), (frame * 30).mul_f64(0.1));
        // A 200 ms block takes 2 s of frames at ×0.1: 61 frames of 33 ms.
        let mut slow = Player::new(replay(), 0);
        let mut ticks = 0;
        while slow.replay.at() < Duration::from_millis(200) {
            slow.tick(frame);
            ticks += 1;
        }
        assert_eq!(ticks, 61);
    }

    #[test]
    fn the_learners_keys_drive_the_playback() {
        let press =
            |p: &mut Player, code: KeyCode| p.on_key(&KeyEvent::new(code, KeyModifiers::NONE));
        let mut p = Player::new(replay(), NORMAL);
        press(&mut p, KeyCode::Char(']'));
        assert_eq!(p.speed(), 2.0);
        for _ in 0..10 {
            press(&mut p, KeyCode::Char('['));
        }
        assert_eq!(p.speed(), 0.1);
        press(&mut p, KeyCode::Char(' '));
        assert!(p.paused());
        p.tick(Duration::from_secs(1));
        assert_eq!(p.replay.at(), Duration::ZERO, "paused: no time goes by");
        let first = p.replay.frames()[0];
        press(&mut p, KeyCode::Char('.'));
        assert_eq!(p.replay.at(), first, "one frame forward");
        let end = p.replay.end();
        press(&mut p, KeyCode::Right);
        let forward = (first + SEEK).min(end);
        assert_eq!(p.replay.at(), forward, "5 s on, or the end");
        press(&mut p, KeyCode::Left);
        assert_eq!(p.replay.at(), forward.saturating_sub(SEEK));
        press(&mut p, KeyCode::Home);
        assert_eq!(p.replay.at(), Duration::ZERO);
        assert!(p.mark(SIZE).contains("×0.1 · 0.0 s /"), "{}", p.mark(SIZE));
        assert!(p.mark(SIZE).ends_with("paused"), "{}", p.mark(SIZE));
        assert!(
            p.mark([100, 30])
                .contains("recorded at 120×40, drawn at 100×30")
        );
        assert_eq!(press(&mut p, KeyCode::Char('q')), Some(Exit::Quit));
    }

    #[test]
    fn the_replays_footer_covers_only_the_last_row() {
        let (live, _) = session();
        let mut replay = replay();
        let n = live.len() / 2;
        let at = replay.through_frame(n).unwrap();
        let mut terminal = Terminal::new(TestBackend::new(SIZE[0], SIZE[1])).unwrap();
        let frame = terminal
            .draw(|f| view::draw_replay(f, replay.app(), at, "replay ×1", false))
            .unwrap();
        let (a, b) = (text(frame.buffer), text(&live[n]));
        let rows = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
        let (a, b) = (rows(&a), rows(&b));
        assert_eq!(a[..a.len() - 1], b[..b.len() - 1]);
        assert!(a[a.len() - 1].contains("replay ×1"));
    }
}
