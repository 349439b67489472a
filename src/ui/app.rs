//! The app state: which lesson, which section, paused or not, the model, and the experiment in
//! progress. Keys become intents (`keys`), intents become [`Command`]s for the UI loop to carry
//! out; nothing here does I/O, and time is passed in.
//!
//! The learner's progress is recorded here as it happens (a lesson shown, an action run to
//! its end and its verdicts); [`App::step`] hands it to the UI loop to save after a change.
//!
//! An action key starts an experiment through the same runner `blocklab check` uses (a fresh
//! lab, a quiet baseline, the jobs, the same end), so the verdicts on screen are the ones
//! `check` prints. One experiment runs at a time; another key pressed meanwhile waits its turn.
use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::{Event, KeyEvent, KeyEventKind, MouseEventKind};

use super::export::Export;
use super::keys::{self, Intent, Mode};
use super::playground::Playground;
use super::present::{self, Pane, Presenter, Step};
use crate::cli::LabArgs;
use crate::clock::human;
use crate::data::{LabConfig, RunId};
use crate::lesson::choice::{self, Answer};
use crate::lesson::expect::{Verdict, verdicts};
use crate::lesson::{Action, Lesson};
use crate::model::Model;
use crate::progress::Progress;
use crate::report::{LoadStepOut, Report, SizingOut};
use crate::runner::{BASELINE, Order, Plan, Runner};
use crate::text::{Lang, T};
use crate::ui::Exit;

/// Time windows of the lag chart and the timeline (`+` / `-`).
pub const WINDOWS: [Duration; 5] = [
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(10),
    Duration::from_secs(30),
    Duration::from_secs(60),
];
const DEFAULT_WINDOW: usize = 2;

/// The lesson id the playground's runs are filed under: not a lesson id a file can have
/// (those are lowercase letters, digits and `-`), so it names no lesson.
pub const PLAYGROUND: &str = "<playground>";

/// Action presses remembered (only the latest per action is shown).
const MAX_RUNS: usize = 100;

/// How long the TUI must have nothing going on — no key, no experiment, no job in flight, no
/// stall or job in view — before the background traffic rests. Long enough that someone
/// reading a lesson between two presses keeps the full traffic; short enough that a TUI left
/// open in a workshop soon stops paying for 100 HTTP requests a second.
pub const QUIET_SPELL: Duration = Duration::from_secs(10);

/// The background traffic's rate while it rests, in requests a second. At the lessons' 100
/// req/s, HTTP over loopback is most of blocklab's CPU at rest (about 35 µs a request on each
/// side); at 5 it is a few tenths of a percent of a core (`blocklab calibrate` shows both), and
/// the requests line still has a figure to show.
pub const REST_RATE: u32 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Idea,
    Python,
    Rust,
    Check,
}

impl Section {
    pub const ALL: [Section; 4] = [
        Section::Idea,
        Section::Python,
        Section::Rust,
        Section::Check,
    ];

    pub fn title(self) -> T {
        match self {
            Section::Idea => T::SectionIdea,
            Section::Python => T::SectionPython,
            Section::Rust => T::SectionRust,
            Section::Check => T::SectionCheck,
        }
    }

    fn step(self, by: isize) -> Section {
        let i = Section::ALL.iter().position(|s| *s == self).unwrap() as isize;
        Section::ALL[(i + by).rem_euclid(Section::ALL.len() as isize) as usize]
    }
}

/// What the UI loop must do for the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Something for the labs: a fresh lab (answer with [`App::lab_started`]), jobs, a stop.
    Lab(Order),
    /// The current lab's background traffic at this many requests a second from now on: a
    /// resting rate after a quiet spell, the configured one back on a key.
    Traffic(u32),
    /// The progress changed: write it down (answer with [`App::progress_saved`]).
    SaveProgress(Progress),
    /// Save the screen as last drawn (answer with [`App::exported`]).
    Export(Export),
    Quit(Exit),
}

/// One press of an action key, and what the lab made of it.
#[derive(Clone, Debug)]
pub struct ActionRun {
    pub id: RunId,
    pub lesson: String,
    pub key: char,
    /// When it was pressed.
    pub at: Duration,
    /// The lab it ran on.
    pub lab: LabConfig,
    /// The report of its run, once over.
    pub report: Option<Report>,
    /// One per expectation, once over.
    pub verdicts: Option<Vec<Verdict>>,
    /// Why it ended without a check.
    pub cancelled: Option<String>,
}

impl ActionRun {
    pub fn is_over(&self) -> bool {
        self.verdicts.is_some() || self.cancelled.is_some()
    }
}

pub struct App {
    pub lessons: Vec<Lesson>,
    pub current: usize,
    pub section: Section,
    pub scroll: u16,
    /// The view is frozen at this time (the lab goes on).
    pub paused: Option<Duration>,
    pub help: bool,
    /// Show the job table instead of the timeline.
    pub table: bool,
    pub window: usize,
    /// Presenter mode (`--present`, `p`): where in the lesson's steps.
    pub present: Option<Presenter>,
    /// The pane shown on the whole body, if one is (`z`, `Z`).
    pub zoom: Option<Pane>,
    /// When presenter mode was last turned on, and when its current step was reached (for the
    /// notes screen's clocks).
    pub presenting_since: Duration,
    pub step_since: Duration,
    /// The playground's values (kept while the learner is away from it).
    pub playground: Playground,
    /// The playground is shown instead of the lesson (`g`); the lesson stays the current one.
    pub playing: bool,
    pub model: Model,
    pub runs: Vec<ActionRun>,
    /// The configuration of the lab running now (or being started).
    pub lab: LabConfig,
    /// The id of the lab running now; `None` until the first one is up.
    lab_id: Option<u64>,
    /// A fresh lab was asked for and is not up yet.
    starting: bool,
    /// The lesson changed: its lab is wanted once no experiment runs.
    relab: bool,
    overrides: LabArgs,
    next_run: RunId,
    /// The experiment in progress.
    experiment: Option<Runner>,
    /// Actions pressed while another ran: (lesson id, key), oldest first.
    queue: VecDeque<(String, char)>,
    /// A short message for the footer, and when it was set.
    pub notice: Option<(String, Duration)>,
    /// Where blocklab's log goes (shown in the help), or why there is none.
    pub log: String,
    /// Lesson files that were skipped, with why ("file:line: message").
    pub skipped: Vec<String>,
    /// The language the screen speaks (L cycles; starts as the process's).
    pub lang: Lang,
    /// Draw ambiguous-width symbols as ASCII (`--ambiguous-wide`).
    pub ambiguous_wide: bool,
    /// No colour in any frame (`NO_COLOR` set and not empty).
    pub no_color: bool,
    /// Where the lab's HTTP front door listens (shown in the header).
    pub address: Option<std::net::SocketAddr>,
    /// The rate the background traffic rests at, while it rests (see [`QUIET_SPELL`]).
    resting: Option<u32>,
    /// The last moment something went on (a key, a lab start, work or a stall in view).
    active_at: Duration,
    /// Lessons seen, actions run and passed, the lesson shown last: kept between sessions.
    pub progress: Progress,
    /// The progress changed since it was last handed out to be saved.
    unsaved: bool,
    /// The last save failed (said once, until one succeeds again).
    save_failing: bool,
}

impl App {
    /// The app on lesson `current`, with no progress before this session.
    pub fn new(lessons: Vec<Lesson>, current: usize, overrides: LabArgs) -> App {
        let lab = overrides.apply(lessons[current].lab.clone());
        let mut progress = Progress::default();
        progress.visit(&lessons[current].id);
        App {
            lessons,
            current,
            section: Section::Idea,
            scroll: 0,
            paused: None,
            help: false,
            table: false,
            window: DEFAULT_WINDOW,
            present: None,
            zoom: None,
            presenting_since: Duration::ZERO,
            step_since: Duration::ZERO,
            playground: Playground::new(&lab),
            playing: false,
            model: Model::new(),
            runs: Vec::new(),
            lab,
            lab_id: None,
            starting: false,
            relab: false,
            overrides,
            next_run: 1,
            experiment: None,
            queue: VecDeque::new(),
            notice: None,
            log: T::LogOff.into(),
            skipped: Vec::new(),
            lang: Lang::current(),
            ambiguous_wide: false,
            no_color: false,
            address: None,
            resting: None,
            active_at: Duration::ZERO,
            progress,
            unsaved: true,
            save_failing: false,
        }
    }

    /// The progress of earlier sessions, the current lesson seen on top of it.
    pub fn with_progress(mut self, progress: Progress) -> App {
        self.progress = progress;
        self.unsaved = self.progress.visit(&self.lessons[self.current].id);
        self
    }

    /// The progress, when it changed since it was last handed out: to be saved.
    pub fn unsaved_progress(&mut self) -> Option<Progress> {
        std::mem::take(&mut self.unsaved).then(|| self.progress.clone())
    }

    /// The answer to [`Command::SaveProgress`]: a failure is said in the footer, once until a
    /// save succeeds again.
    pub fn progress_saved(
        &mut self,
        file: &std::path::Path,
        result: Result<(), String>,
        now: Duration,
    ) {
        let failed = result.is_err();
        if let Err(error) = result
            && !self.save_failing
        {
            let path = file.display();
            let text = self
                .lang
                .scoped(|| T::ProgressSaveFailed.fill(&[("path", &path), ("error", &error)]));
            self.say(text, now);
        }
        self.save_failing = failed;
    }

    /// The rate the background traffic rests at, while it rests (the lab's configured
    /// `traffic_rate` is what any key brings back).
    pub fn resting(&self) -> Option<u32> {
        self.resting
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lessons[self.current]
    }

    pub fn window(&self) -> Duration {
        WINDOWS[self.window]
    }

    /// The time the view shows: now, or the moment it was paused.
    pub fn view_time(&self, now: Duration) -> Duration {
        self.paused.unwrap_or(now)
    }

    /// The lab configuration a lesson wants, with the command-line flags on top.
    pub fn lab_for(&self, lesson: usize) -> LabConfig {
        self.overrides.apply(self.lessons[lesson].lab.clone())
    }

    /// The lab wanted when no experiment runs: the playground's while it is shown, else the
    /// lesson's.
    pub fn wanted_lab(&self) -> LabConfig {
        if self.playing {
            self.playground.lab()
        } else {
            self.lab_for(self.current)
        }
    }

    /// The mode that gives keys other meanings, if any: the playground over presenter mode.
    pub fn mode(&self) -> Option<Mode> {
        if self.playing {
            Some(Mode::Playground)
        } else if self.present.is_some() {
            Some(Mode::Present)
        } else {
            None
        }
    }

    /// The latest run of the playground.
    pub fn playground_run(&self) -> Option<&ActionRun> {
        self.runs.iter().rev().find(|r| r.lesson == PLAYGROUND)
    }

    /// `g`: into the playground, or back to the lesson; the lab follows once no experiment runs.
    fn toggle_playground(&mut self) -> Option<Command> {
        self.playing = !self.playing;
        self.relab = true;
        self.scroll = 0;
        None
    }

    /// A key in the playground: ↑/↓ choose a field, ←/→ change it (a lab setting restarts
    /// the lab at once), 1 or Enter run. `None`: the key means what it means elsewhere.
    fn play_key(&mut self, intent: Intent, now: Duration) -> Option<Option<Command>> {
        match intent {
            Intent::ScrollUp => self.playground.choose(-1),
            Intent::ScrollDown => self.playground.choose(1),
            Intent::PrevLesson | Intent::NextLesson => {
                let field = self.playground.field;
                let changed = self.playground.change(intent == Intent::NextLesson);
                if changed && field.is_lab() {
                    self.relab = true;
                }
            }
            Intent::Action(_) | Intent::Run => self.press_play(now),
            // The fields, what a run measured and the command line may not fit: pages scroll.
            Intent::PageDown => return Some(self.scroll_by(10)),
            Intent::PageUp => return Some(self.scroll_by(-10)),
            // Sections, and the picks of a lesson's prediction, mean nothing here.
            Intent::NextSection | Intent::PrevSection | Intent::Pick(_) => {}
            _ => return None,
        }
        Some(None)
    }

    /// Runs the playground's experiment now, or after the one in progress.
    fn press_play(&mut self, now: Duration) {
        let key = '1';
        if self.running().is_some_and(|(l, _)| l == PLAYGROUND) {
            self.say(T::NoticeAlreadyRunning.fill(&[("key", &key)]), now);
        } else if self.queue.iter().any(|(l, _)| l == PLAYGROUND) {
            self.say(T::NoticeAlreadyQueued.fill(&[("key", &key)]), now);
        } else {
            self.queue.push_back((PLAYGROUND.to_string(), key));
        }
    }

    /// The lab an action runs on: its own, with the command-line flags on top.
    pub fn lab_for_action(&self, action: &Action) -> LabConfig {
        self.overrides.apply(action.lab.clone())
    }

    /// A fresh lab is up (the answer to `Command::Lab(Order::StartLab)`).
    pub fn lab_started(&mut self, id: u64, at: Duration, config: LabConfig) {
        self.lab = config;
        self.lab_id = Some(id);
        self.starting = false;
        // A fresh lab sends its configured rate: the quiet spell starts over.
        self.resting = None;
        self.active_at = self.active_at.max(at);
        if let Some(runner) = &mut self.experiment {
            runner.lab_started(id, at);
        }
    }

    /// Any terminal event: keys drive the app, the wheel scrolls the lesson text, a resize
    /// only needs a redraw (the layout is computed from the frame's size). A key first brings
    /// resting traffic back to the lab's rate, so whatever the key starts runs at full rate.
    pub fn on_event(&mut self, event: &Event, now: Duration) -> Vec<Command> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                let mut out: Vec<Command> = self.wake(now).into_iter().collect();
                out.extend(self.on_key(*key, now));
                out
            }
            Event::Mouse(m) => match m.kind {
                MouseEventKind::ScrollDown => self.scroll_by(3).into_iter().collect(),
                MouseEventKind::ScrollUp => self.scroll_by(-3).into_iter().collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Something goes on at `now`: the quiet spell starts over, and resting traffic comes back
    /// to the lab's configured rate.
    fn wake(&mut self, now: Duration) -> Option<Command> {
        self.active_at = self.active_at.max(now);
        self.resting.take()?;
        Some(Command::Traffic(self.lab.traffic_rate))
    }

    /// True while something goes on that the full traffic is part of: an experiment, a lab
    /// starting, a job in flight or in view, a stall live or in view (the requests queueing
    /// behind it are what the learner looks at).
    fn is_active(&self, now: Duration) -> bool {
        let from = now.saturating_sub(self.window());
        self.starting
            || self.is_moving(now)
            || self.jobs_in_view(now)
            || !self.model.stalls_in(from, now).is_empty()
    }

    /// A job in flight, or one that ended inside the window on screen.
    fn jobs_in_view(&self, now: Duration) -> bool {
        self.model
            .timeline
            .any_since(now.saturating_sub(self.window()))
    }

    /// Rests the traffic after a quiet spell; brings it back when work or a stall shows up
    /// without a key (a request from outside through the front door).
    fn rest_or_wake(&mut self, now: Duration) -> Option<Command> {
        if self.is_active(now) {
            return self.wake(now);
        }
        let rested = self.resting.is_some() || self.lab_id.is_none();
        if rested || self.lab.traffic_rate <= REST_RATE {
            return None;
        }
        if now.saturating_sub(self.active_at) < QUIET_SPELL {
            return None;
        }
        self.resting = Some(REST_RATE);
        Some(Command::Traffic(REST_RATE))
    }

    /// A key press; what it says (a notice) is in the app's language.
    pub fn on_key(&mut self, key: KeyEvent, now: Duration) -> Option<Command> {
        let lang = self.lang;
        let was = (
            self.present.is_some(),
            self.current,
            self.present.map(|p| p.step),
        );
        let out = lang.scoped(|| self.on_key_in_lang(key, now));
        // The notes screen's clocks: presenter mode turned on, a step or lesson reached.
        if self.present.is_some() && !was.0 {
            self.presenting_since = now;
        }
        if (self.current, self.present.map(|p| p.step)) != (was.1, was.2) {
            self.step_since = now;
        }
        out
    }

    fn on_key_in_lang(&mut self, key: KeyEvent, now: Duration) -> Option<Command> {
        let intent = keys::intent(&key);
        if self.help {
            // Any key closes the help; the quitting keys still quit (Esc only closes it).
            self.help = false;
            return match intent {
                Some(Intent::Quit) if key.code != crossterm::event::KeyCode::Esc => {
                    Some(Command::Quit(Exit::Quit))
                }
                Some(Intent::Interrupt) => Some(Command::Quit(Exit::Interrupted)),
                _ => None,
            };
        }
        // While zoomed, Esc leaves the zoom: someone who just zoomed expects Esc to undo it,
        // not to end the session in front of a room.
        if self.zoom.is_some() && key.code == crossterm::event::KeyCode::Esc {
            self.zoom = None;
            return None;
        }
        let intent = intent?;
        if self.playing
            && let Some(out) = self.play_key(intent, now)
        {
            return out;
        }
        // In presenter mode the lesson and page keys (a clicker's) move through the steps.
        let intent = match (intent, self.present.is_some()) {
            (Intent::NextLesson | Intent::PageDown, true) => return self.next_step(now),
            (Intent::PrevLesson | Intent::PageUp, true) => return self.prev_step(),
            (intent, _) => intent,
        };
        match intent {
            Intent::Interrupt => Some(Command::Quit(Exit::Interrupted)),
            Intent::Quit => Some(Command::Quit(Exit::Quit)),
            Intent::Help => {
                self.help = true;
                None
            }
            Intent::PrevLesson => self.go(self.current.checked_sub(1)?),
            // Past the last lesson, the playground.
            Intent::NextLesson if self.current + 1 == self.lessons.len() => {
                self.toggle_playground()
            }
            Intent::NextLesson => self.go(self.current + 1),
            Intent::Playground => self.toggle_playground(),
            Intent::Run => None,
            Intent::NextSection => self.show(self.section.step(1)),
            Intent::PrevSection => self.show(self.section.step(-1)),
            Intent::ScrollDown => self.scroll_by(1),
            Intent::ScrollUp => self.scroll_by(-1),
            Intent::PageDown => self.scroll_by(10),
            Intent::PageUp => self.scroll_by(-10),
            Intent::Pause => {
                self.paused = match self.paused {
                    Some(_) => None,
                    None => Some(now),
                };
                None
            }
            Intent::ZoomIn => {
                self.window = self.window.saturating_sub(1);
                None
            }
            Intent::ZoomOut => {
                self.window = (self.window + 1).min(WINDOWS.len() - 1);
                None
            }
            Intent::Table => {
                self.table = !self.table;
                None
            }
            Intent::Restart => {
                self.cancel(T::CancelledByRestart.text(), now);
                self.starting = true;
                Some(Command::Lab(Order::StartLab(self.lab.clone())))
            }
            Intent::Action(key) => {
                self.press(key, now);
                None
            }
            Intent::Pick(choice) => {
                self.pick(choice, now);
                None
            }
            Intent::Export if self.playing => Some(Command::Export(Export {
                lesson: "playground".into(),
                title: T::PlayTitle.text().to_string(),
            })),
            Intent::Export => Some(Command::Export(Export {
                lesson: self.lesson().id.clone(),
                title: self.lesson().title.to_string(),
            })),
            Intent::Present => {
                self.present = match self.present {
                    Some(_) => None,
                    None => Some(Presenter::default()),
                };
                None
            }
            Intent::ZoomPane => {
                self.zoom = Pane::cycle(self.zoom);
                None
            }
            Intent::Unzoom => {
                self.zoom = None;
                None
            }
            Intent::Lang => {
                self.lang = self.lang.next();
                let name = self.lang.name();
                let notice = self.lang.scoped(|| T::NoticeLang.fill(&[("name", &name)]));
                self.say(notice, now);
                None
            }
        }
    }

    /// The screen was saved in `dir` under a stem, or not (the answer to `Command::Export`).
    pub fn exported(
        &mut self,
        dir: &std::path::Path,
        saved: &std::io::Result<String>,
        now: Duration,
    ) {
        let dir = super::export::show(dir);
        let text = self.lang.scoped(|| match saved {
            Ok(stem) => T::NoticeExported.fill(&[("stem", stem), ("dir", &dir)]),
            Err(e) => T::NoticeExportFailed.fill(&[("dir", &dir), ("error", e)]),
        });
        self.say(text, now);
    }

    /// The steps of the current lesson (presenter mode).
    pub fn steps(&self) -> Vec<Step> {
        present::steps(self.lesson())
    }

    /// The presenter's current step, in presenter mode.
    pub fn step_shown(&self) -> Option<Step> {
        let at = self.present?.step;
        self.steps().get(at).copied()
    }

    /// What the notes screen shows of this presenter (`epoch`: the wall-clock time of the
    /// session's zero, so its times stay put while nothing changes). Texts in the app's language.
    pub fn speaker(&self, epoch: std::time::SystemTime) -> crate::notes::Speaker {
        use crate::notes::speaker::{LessonAt, Next, Speaker, StepAt, unix_ms};
        use crate::ui::view::chrome::step_name;
        self.lang.scoped(|| {
            let lesson = self.lesson();
            let at = LessonAt {
                id: lesson.id.clone(),
                n: self.current + 1,
                of: self.lessons.len(),
                title: lesson.title.in_lang(self.lang).to_string(),
            };
            let (Some(presenter), Some(step)) = (self.present, self.step_shown()) else {
                return Speaker {
                    presenting: false,
                    lang: self.lang.code().to_string(),
                    lesson: at,
                    step: None,
                    notes: String::new(),
                    next: None,
                    presenting_since: None,
                    step_since: None,
                };
            };
            let steps = self.steps();
            let notes = match step {
                Step::Idea => &lesson.notes.idea,
                Step::Predict => &lesson.notes.predict,
                Step::Run(_) => &lesson.notes.run,
                Step::Reveal => &lesson.notes.reveal,
            };
            let next = match (
                steps.get(presenter.step + 1),
                self.lessons.get(self.current + 1),
            ) {
                (Some(&next), _) => Some(Next {
                    step: step_name(next),
                    lesson: None,
                }),
                (None, Some(lesson)) => Some(Next {
                    step: step_name(present::steps(lesson)[0]),
                    lesson: Some(lesson.title.in_lang(self.lang).to_string()),
                }),
                (None, None) => None,
            };
            Speaker {
                presenting: true,
                lang: self.lang.code().to_string(),
                lesson: at,
                step: Some(StepAt {
                    n: presenter.step + 1,
                    of: steps.len(),
                    name: step_name(step),
                }),
                notes: self.render(notes.in_lang(self.lang)).trim().to_string(),
                next,
                presenting_since: Some(unix_ms(epoch, self.presenting_since)),
                step_since: Some(unix_ms(epoch, self.step_since)),
            }
        })
    }

    /// Next: on a Run step not started yet, its action starts (as its digit would) and the
    /// step stays, to watch it; otherwise the next step, past the last the next lesson's first.
    fn next_step(&mut self, now: Duration) -> Option<Command> {
        let presenter = self.present?;
        if let Some(Step::Run(key)) = self.step_shown()
            && !presenter.started
            && !self.pending(key)
        {
            self.press(key, now);
            self.present = Some(Presenter {
                started: true,
                ..presenter
            });
            return None;
        }
        let step = if presenter.step + 1 < self.steps().len() {
            presenter.step + 1
        } else if self.current + 1 < self.lessons.len() {
            self.go(self.current + 1);
            0
        } else {
            presenter.step
        };
        self.scroll = 0;
        self.present = Some(Presenter {
            step,
            started: false,
        });
        None
    }

    /// Previous: the step before, before the first the previous lesson's last.
    fn prev_step(&mut self) -> Option<Command> {
        let presenter = self.present?;
        let step = match presenter.step.checked_sub(1) {
            Some(step) => step,
            None if self.current > 0 => {
                self.go(self.current - 1);
                self.steps().len() - 1
            }
            None => 0,
        };
        self.scroll = 0;
        self.present = Some(Presenter {
            step,
            started: false,
        });
        None
    }

    fn go(&mut self, lesson: usize) -> Option<Command> {
        if lesson >= self.lessons.len() || lesson == self.current {
            return None;
        }
        self.current = lesson;
        self.unsaved |= self.progress.visit(&self.lessons[lesson].id);
        self.section = Section::Idea;
        self.scroll = 0;
        self.relab = true;
        if let Some(p) = &mut self.present {
            *p = Presenter::default();
        }
        None
    }

    fn show(&mut self, section: Section) -> Option<Command> {
        self.section = section;
        self.scroll = 0;
        None
    }

    fn scroll_by(&mut self, by: i32) -> Option<Command> {
        self.scroll = (i32::from(self.scroll) + by).clamp(0, 500) as u16;
        None
    }

    /// An action key: run it now, or after the experiment in progress.
    fn press(&mut self, key: char, now: Duration) {
        if self.lesson().action(key).is_none() {
            self.say(T::NoticeNoAction.fill(&[("key", &key)]), now);
            return;
        }
        let lesson = self.lesson().id.clone();
        let running = self.running();
        if running.as_ref() == Some(&(lesson.clone(), key)) {
            self.say(T::NoticeAlreadyRunning.fill(&[("key", &key)]), now);
        } else if self.queue.iter().any(|(l, k)| *l == lesson && *k == key) {
            self.say(T::NoticeAlreadyQueued.fill(&[("key", &key)]), now);
        } else if let Some((_, other)) = running {
            self.queue.push_back((lesson, key));
            let text = T::NoticeQueued.fill(&[("key", &key), ("running", &other)]);
            self.say(text, now);
        } else {
            self.queue.push_back((lesson, key));
        }
    }

    /// A pick key: choice `i` becomes the lesson's prediction, unless the lesson has no such
    /// choice or a run has already shown what its choices read (then a pick is no prediction).
    fn pick(&mut self, i: usize, now: Duration) {
        let letter = choice::letter(i);
        let lesson = self.lesson();
        if lesson.choices.is_empty() {
            return self.say(T::NoticeNoChoices.into(), now);
        }
        if i >= lesson.choices.len() {
            return self.say(T::NoticeNoChoice.fill(&[("letter", &letter)]), now);
        }
        if (0..lesson.choices.len()).any(|c| self.choice_verdicts(c).is_some()) {
            return self.say(T::NoticePickLate.into(), now);
        }
        let id = lesson.id.clone();
        self.unsaved |= self.progress.pick(&id, i);
        self.say(T::NoticePicked.fill(&[("letter", &letter)]), now);
    }

    /// The current lesson's pick, if any.
    pub fn pick_shown(&self) -> Option<usize> {
        self.progress.pick_of(self.lesson()).map(|p| p.choice)
    }

    /// Choice `i` of the current lesson checked on the latest finished run of its action.
    pub fn choice_verdicts(&self, i: usize) -> Option<Vec<Verdict>> {
        self.choice_verdicts_in(self.lesson(), i)
    }

    fn choice_verdicts_in(&self, lesson: &Lesson, i: usize) -> Option<Vec<Verdict>> {
        let choice = lesson.choices.get(i)?;
        let action = lesson.action(choice.action)?;
        let run = self
            .runs
            .iter()
            .rev()
            .find(|r| r.lesson == lesson.id && r.key == choice.action && r.is_over())?;
        let report = run.report.as_ref()?;
        Some(choice.verdicts(action, &run.lab, report))
    }

    /// What this session's runs say of the current lesson's choices, once every choice's
    /// action has run (`None` before, and for a lesson without choices).
    pub fn answer(&self) -> Option<Answer> {
        self.answer_in(self.lesson())
    }

    fn answer_in(&self, lesson: &Lesson) -> Option<Answer> {
        if lesson.choices.is_empty() {
            return None;
        }
        let found: Option<Vec<_>> = (0..lesson.choices.len())
            .map(|i| self.choice_verdicts_in(lesson, i))
            .collect();
        Some(Answer::of(&found?))
    }

    /// (lesson id, key) of the experiment in progress.
    fn running(&self) -> Option<(String, char)> {
        let runner = self.experiment.as_ref()?;
        let run = self.runs.iter().find(|r| r.id == runner.run_id())?;
        Some((run.lesson.clone(), run.key))
    }

    fn say(&mut self, text: String, now: Duration) {
        self.notice = Some((text, now));
    }

    fn action_of(&self, lesson: &str, key: char) -> Option<&Action> {
        self.lessons
            .iter()
            .find(|l| l.id == lesson)
            .and_then(|l| l.action(key))
    }

    /// Starts the experiment of `key` in `lesson`.
    fn begin(&mut self, lesson: String, key: char, now: Duration) -> Vec<Command> {
        let (plan, label) = if lesson == PLAYGROUND {
            let p = &self.playground;
            let plan = Plan::once(p.lab(), p.work(), p.jobs());
            let values: [(&str, &dyn std::fmt::Display); 2] = [
                ("workload", &p.workload.as_str()),
                ("strategy", &p.strategy),
            ];
            (plan, T::PlayRunLabel.fill(&values))
        } else {
            let Some(action) = self.action_of(&lesson, key).cloned() else {
                return Vec::new();
            };
            let lab = self.lab_for_action(&action);
            (Plan::of_action(&action, lab), action.label.to_string())
        };
        let lab = plan.lab.clone();
        let run = self.next_run;
        self.next_run += 1;
        let mut runner = Runner::new(plan, run);
        let orders = runner.start();
        self.experiment = Some(runner);
        self.starting = true;
        if self.runs.len() >= MAX_RUNS {
            self.runs.remove(0);
        }
        self.runs.push(ActionRun {
            id: run,
            lesson,
            key,
            at: now,
            lab,
            report: None,
            verdicts: None,
            cancelled: None,
        });
        let text = T::NoticeStarting.fill(&[
            ("key", &key),
            ("label", &label),
            ("baseline", &human(BASELINE)),
        ]);
        self.say(text, now);
        orders.into_iter().map(Command::Lab).collect()
    }

    /// Ends the experiment in progress without a check.
    fn cancel(&mut self, why: &str, now: Duration) {
        let Some(runner) = self.experiment.take() else {
            return;
        };
        if let Some(run) = self.runs.iter_mut().find(|r| r.id == runner.run_id()) {
            run.cancelled = Some(why.to_string());
            let text = T::NoticeCancelled.fill(&[("key", &run.key), ("why", &why)]);
            self.notice = Some((text, now));
        }
    }

    /// Moves the app on at `now`: the experiment's next orders, its check once it is over,
    /// the next queued action, or the lab the lesson wants. Returns what the UI loop must do.
    pub fn step(&mut self, now: Duration) -> Vec<Command> {
        let lang = self.lang;
        let mut out = lang.scoped(|| self.step_in_lang(now));
        // Last: whatever this step and the events before it changed, saved once.
        out.extend(self.unsaved_progress().map(Command::SaveProgress));
        out
    }

    fn step_in_lang(&mut self, now: Duration) -> Vec<Command> {
        let mut out = Vec::new();
        if let Some(runner) = &mut self.experiment {
            out.extend(runner.step(&self.model, now).into_iter().map(Command::Lab));
            if runner.is_done() {
                self.settle(now);
            }
        }
        if self.experiment.is_some() || self.starting {
            self.traffic_after(&mut out, now);
            return out;
        }
        if let Some((lesson, key)) = self.queue.pop_front() {
            out.extend(self.begin(lesson, key, now));
            return out;
        }
        let stopped = self
            .lab_id
            .is_some_and(|id| self.model.lab_stopped(id).is_some());
        let wanted = self.wanted_lab();
        let relab = std::mem::take(&mut self.relab) && wanted != self.lab;
        if self.lab_id.is_none() || stopped || relab {
            let config = if stopped && !relab {
                self.lab.clone()
            } else {
                wanted
            };
            self.starting = true;
            out.push(Command::Lab(Order::StartLab(config)));
        }
        self.traffic_after(&mut out, now);
        out
    }

    /// The traffic's rest or return after a step's `out`. A fresh lab in `out` sends its
    /// configured rate from its start: no command (the old lab's rate must not reach it).
    fn traffic_after(&mut self, out: &mut Vec<Command>, now: Duration) {
        let fresh = out
            .iter()
            .any(|c| matches!(c, Command::Lab(Order::StartLab(_))));
        if fresh {
            self.resting = None;
            self.active_at = self.active_at.max(now);
        } else {
            out.extend(self.rest_or_wake(now));
        }
    }

    /// The experiment is over: check its expectations.
    fn settle(&mut self, now: Duration) {
        let Some(runner) = self.experiment.take() else {
            return;
        };
        let id = runner.run_id();
        let Some(report) = runner.into_report() else {
            return;
        };
        let Some(i) = self.runs.iter().position(|r| r.id == id) else {
            return;
        };
        let (lesson, key) = (self.runs[i].lesson.clone(), self.runs[i].key);
        // The playground's run holds no claim: what it measured is said from its report, and
        // it counts for no lesson's progress.
        if lesson == PLAYGROUND {
            self.runs[i].verdicts = Some(Vec::new());
            self.runs[i].report = Some(report);
            return;
        }
        let Some(action) = self.action_of(&lesson, key).cloned() else {
            return;
        };
        let found = verdicts(&action, &self.runs[i].lab, &report);
        let passed = found.iter().filter(|v| v.pass).count();
        self.unsaved |= self.progress.finished(&lesson, key, passed == found.len());
        let text = T::NoticeChecked.fill(&[
            ("key", &key),
            ("label", &action.label),
            ("passed", &passed),
            ("total", &found.len()),
        ]);
        self.say(text, now);
        self.runs[i].verdicts = Some(found);
        self.runs[i].report = Some(report);
        // The pick's verdict, once the runs its choices read are all in.
        if let Some(l) = self.lessons.iter().find(|l| l.id == lesson)
            && let Some(pick) = self.progress.pick_of(l)
            && let Some(answer) = self.answer_in(l)
        {
            let right = answer == Answer::One(pick.choice);
            self.unsaved |= self.progress.judge(&lesson, right);
        }
    }

    /// When [`App::step`] next has something to do on its own.
    pub fn next_wake(&self) -> Option<Duration> {
        self.experiment.as_ref().and_then(Runner::next_wake)
    }

    /// The latest press of an action key in the current lesson.
    pub fn latest_run(&self, key: char) -> Option<&ActionRun> {
        let id = &self.lesson().id;
        self.runs
            .iter()
            .rev()
            .find(|r| &r.lesson == id && r.key == key)
    }

    /// The latest settled verdicts for an action of the current lesson.
    pub fn last_verdicts(&self, key: char) -> Option<&[Verdict]> {
        self.latest_run(key).and_then(|r| r.verdicts.as_deref())
    }

    /// The latest load table for an action of the current lesson.
    pub fn last_load(&self, key: char) -> Option<&[LoadStepOut]> {
        self.latest_run(key)
            .and_then(|r| r.report.as_ref()?.load.as_deref())
    }

    /// The latest sizing sweep of an action of the current lesson.
    pub fn last_sizing(&self, key: char) -> Option<&SizingOut> {
        self.latest_run(key)?.report.as_ref()?.sizing.as_ref()
    }

    /// True while an action of this lesson is running, or waiting for its turn.
    pub fn pending(&self, key: char) -> bool {
        let lesson = &self.lesson().id;
        let queued = self.queue.iter().any(|(l, k)| l == lesson && *k == key);
        let running = self
            .running()
            .is_some_and(|(l, k)| &l == lesson && k == key);
        queued || running
    }

    /// True while the screen changes by itself faster than the time axis scrolls: an
    /// experiment runs or waits, the loop is stalled, jobs are in flight, a notice shows.
    pub fn is_moving(&self, now: Duration) -> bool {
        let notice = self
            .notice
            .as_ref()
            .is_some_and(|(_, at)| now.saturating_sub(*at) < super::view::NOTICE_FOR);
        let in_flight = self
            .lab_id
            .is_some_and(|lab| self.model.timeline.in_flight(lab) > 0);
        self.experiment.is_some()
            || !self.queue.is_empty()
            || notice
            || in_flight
            || self.model.live_stall(now).is_some()
    }

    /// True when the chart and the timeline in view hold nothing that moves as the axis
    /// scrolls: no job, no block of the loop, no lag of 2 ms or more — only the
    /// idle line at the bottom, which looks the same wherever it is.
    pub fn is_quiet(&self, now: Duration) -> bool {
        let from = now.saturating_sub(self.window());
        let blocks = self.model.long_polls_in(from, now).next().is_some();
        let lag = self.model.worst_lag(from, now) >= Duration::from_millis(2);
        !(self.jobs_in_view(now) || blocks || lag)
    }

    /// The run of the experiment in progress, if any.
    pub fn experiment(&self) -> Option<&Runner> {
        self.experiment.as_ref()
    }
}

/// Lesson texts quote the learner's cores and this session's runs (`${cores}`, `${2.job.reply}`).
impl crate::lesson::text::Runs for App {
    fn lab(&self, action: &Action) -> LabConfig {
        self.lab_for_action(action)
    }

    fn report(&self, key: char) -> Option<&Report> {
        self.latest_run(key)?.report.as_ref()
    }
}

impl App {
    /// A text of the current lesson, its `${…}` fields filled in.
    pub fn render(&self, text: &str) -> String {
        let lab = self.lab_for(self.current);
        crate::lesson::text::render(text, self.lesson(), &lab, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn key(code: KeyCode) -> Event {
        Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    /// The progress each step hands out to be saved.
    fn saves(app: &mut App, now: Duration) -> Vec<Progress> {
        app.step(now)
            .into_iter()
            .filter_map(|c| match c {
                Command::SaveProgress(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn id(app: &App, i: usize) -> String {
        app.lessons[i].id.clone()
    }

    #[test]
    fn a_new_app_has_seen_its_first_lesson_and_saves_that_once() {
        let mut app = App::new(crate::lesson::builtin().lessons, 0, LabArgs::default());
        let first = saves(&mut app, Duration::ZERO);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].last_lesson, Some(id(&app, 0)));
        assert!(saves(&mut app, Duration::from_secs(1)).is_empty());
    }

    #[test]
    fn lessons_shown_are_recorded_and_each_change_is_saved_once() {
        let lessons = crate::lesson::builtin().lessons;
        let mut earlier = Progress::default();
        earlier.visit(&lessons[0].id);
        earlier.visit(&lessons[2].id);
        let app = App::new(lessons, 2, LabArgs::default());
        let mut app = app.with_progress(earlier.clone());
        // Reopened where it stopped: nothing new to save.
        assert!(saves(&mut app, Duration::ZERO).is_empty());
        assert_eq!(app.progress, earlier);

        let t = Duration::from_secs(1);
        let out = app.on_event(&key(KeyCode::Right), t);
        assert!(!out.iter().any(|c| matches!(c, Command::SaveProgress(_))));
        let saved = saves(&mut app, t);
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].last_lesson, Some(id(&app, 3)));
        assert!(saved[0].lessons[&id(&app, 3)].visited);
        assert!(saves(&mut app, t).is_empty(), "saved once");

        // Keys between two steps: one save, of where they ended.
        let t = Duration::from_secs(2);
        app.on_event(&key(KeyCode::Right), t);
        app.on_event(&key(KeyCode::Left), t);
        let saved = saves(&mut app, t);
        assert_eq!(saved.len(), 1);
        assert_eq!(saved[0].last_lesson, Some(id(&app, 3)));
        assert!(saved[0].lessons[&id(&app, 4)].visited);
        let visited = saved[0].lessons.values().filter(|l| l.visited).count();
        assert_eq!(visited, 4);

        // Keys that change nothing save nothing.
        app.on_event(&key(KeyCode::Tab), t);
        app.on_event(&key(KeyCode::Char(' ')), t);
        assert!(saves(&mut app, t).is_empty());
    }

    #[test]
    fn a_failed_save_is_said_once_until_a_save_succeeds() {
        let mut app = App::new(crate::lesson::builtin().lessons, 0, LabArgs::default());
        app.lang = Lang::En;
        let file = std::path::Path::new("/state/progress.json");
        let t = Duration::from_secs(1);
        app.progress_saved(file, Err("disk full".into()), t);
        let (text, at) = app.notice.clone().expect("a notice");
        assert_eq!(
            text,
            "progress not saved to /state/progress.json: disk full"
        );
        assert_eq!(at, t);
        app.progress_saved(file, Err("disk full".into()), t * 2);
        assert_eq!(app.notice.as_ref().unwrap().1, t, "not said again");
        app.progress_saved(file, Ok(()), t * 3);
        app.progress_saved(file, Err("disk full".into()), t * 4);
        assert_eq!(
            app.notice.as_ref().unwrap().1,
            t * 4,
            "failing again is news"
        );
    }

    fn presenting(lesson: usize) -> App {
        let mut app = App::new(crate::lesson::builtin().lessons, lesson, LabArgs::default());
        app.present = Some(Presenter::default());
        app
    }

    #[test]
    fn presenter_steps_go_idea_predict_runs_reveal_and_cross_lessons() {
        let mut app = presenting(0);
        let t = Duration::from_secs(1);
        let keys: Vec<char> = app.lesson().actions.iter().map(|a| a.key).collect();
        let mut want = vec![Step::Idea, Step::Predict];
        want.extend(keys.iter().map(|&k| Step::Run(k)));
        want.push(Step::Reveal);
        assert_eq!(app.steps(), want);
        assert_eq!(app.step_shown(), Some(Step::Idea));
        // PgDn and → both go on; a Run step takes two: one runs, one moves on.
        app.on_event(&key(KeyCode::PageDown), t);
        assert_eq!(app.step_shown(), Some(Step::Predict));
        app.on_event(&key(KeyCode::Right), t);
        assert_eq!(app.step_shown(), Some(Step::Run(keys[0])));
        app.on_event(&key(KeyCode::Right), t);
        assert_eq!(
            app.step_shown(),
            Some(Step::Run(keys[0])),
            "it ran, it stays"
        );
        assert!(app.pending(keys[0]));
        app.on_event(&key(KeyCode::Right), t);
        assert_eq!(app.step_shown(), Some(Step::Run(keys[1])));
        // ← and PgUp go back, within the lesson and then into the one before.
        app.on_event(&key(KeyCode::Left), t);
        assert_eq!(app.step_shown(), Some(Step::Run(keys[0])));
        app.on_event(&key(KeyCode::PageUp), t);
        app.on_event(&key(KeyCode::PageUp), t);
        assert_eq!(app.step_shown(), Some(Step::Idea));
        assert_eq!(app.current, 0);
        app.on_event(&key(KeyCode::Left), t);
        assert_eq!(
            (app.current, app.step_shown()),
            (0, Some(Step::Idea)),
            "no lesson before the first"
        );

        let mut app = presenting(1);
        app.on_event(&key(KeyCode::Left), t);
        assert_eq!(app.current, 0);
        assert_eq!(
            app.step_shown(),
            Some(Step::Reveal),
            "the previous lesson's last step"
        );
        app.on_event(&key(KeyCode::PageDown), t);
        assert_eq!((app.current, app.step_shown()), (1, Some(Step::Idea)));
        // Outside presenter mode the same keys change lessons and scroll.
        app.on_event(&key(KeyCode::Char('p')), t);
        assert!(app.present.is_none());
        app.on_event(&key(KeyCode::PageDown), t);
        assert_eq!((app.current, app.scroll), (1, 10));
        app.on_event(&key(KeyCode::Right), t);
        assert_eq!(app.current, 2);
        app.on_event(&key(KeyCode::Char('p')), t);
        assert_eq!(app.step_shown(), Some(Step::Idea));
    }

    #[test]
    fn next_on_a_run_step_starts_its_action_as_its_digit_would() {
        let mut app = presenting(0);
        let t = Duration::from_secs(1);
        let first = app.lesson().actions[0].key;
        // Up to its Run step, then next: the runner's first order is a fresh lab.
        app.on_event(&key(KeyCode::PageDown), t);
        app.on_event(&key(KeyCode::PageDown), t);
        app.on_event(&key(KeyCode::PageDown), t);
        let orders = app.step(t);
        assert!(
            orders
                .iter()
                .any(|c| matches!(c, Command::Lab(Order::StartLab(_)))),
            "{orders:?}"
        );
        assert_eq!(app.runs.len(), 1);
        assert_eq!(app.runs[0].key, first);
        // Next again moves on and runs nothing more.
        app.on_event(&key(KeyCode::PageDown), t);
        assert_eq!(app.runs.len(), 1);
        assert!(app.queue.is_empty());
    }

    fn speaker_at(app: &App) -> crate::notes::Speaker {
        app.speaker(std::time::UNIX_EPOCH + Duration::from_secs(1_000))
    }

    #[test]
    fn the_speaker_follows_each_step_with_its_notes_and_whats_next() {
        let mut app = presenting(0);
        app.lang = Lang::En;
        let t = Duration::from_secs(1);
        let notes = app.lesson().notes.clone();
        let keys: Vec<char> = app.lesson().actions.iter().map(|a| a.key).collect();
        let of = keys.len() + 3;
        let s = speaker_at(&app);
        assert!(s.presenting);
        assert_eq!((s.lang.as_str(), s.lesson.n), ("en", 1));
        assert_eq!(s.lesson.of, app.lessons.len());
        assert_eq!(s.lesson.title, "The event loop and its lag");
        let step = s.step.unwrap();
        assert_eq!((step.n, step.of, step.name.as_str()), (1, of, "Idea"));
        assert!(!s.notes.is_empty(), "lesson 1 has idea notes");
        assert_eq!(s.notes, notes.idea.in_lang(Lang::En).trim());
        assert_eq!(s.next.unwrap().step, "Predict");

        app.on_event(&key(KeyCode::PageDown), t);
        let s = speaker_at(&app);
        assert_eq!(s.step.unwrap().name, "Predict");
        assert_eq!(s.notes, notes.predict.in_lang(Lang::En).trim());
        let next = s.next.unwrap();
        assert_eq!((next.step, next.lesson), (format!("Run {}", keys[0]), None));

        app.on_event(&key(KeyCode::PageDown), t);
        let s = speaker_at(&app);
        assert_eq!(s.notes, notes.run.in_lang(Lang::En).trim());
        assert_eq!(s.step.unwrap().n, 3);

        // The reveal: next is the next lesson's first step, and it says which lesson.
        app.present = Some(Presenter {
            step: of - 1,
            started: false,
        });
        let s = speaker_at(&app);
        assert_eq!(s.step.unwrap().name, "Reveal");
        assert_eq!(s.notes, notes.reveal.in_lang(Lang::En).trim());
        let next = s.next.unwrap();
        assert_eq!(next.step, "Idea");
        assert_eq!(
            next.lesson.as_deref(),
            Some(app.lessons[1].title.in_lang(Lang::En))
        );
        // Across the boundary: lesson 2, its first step, its own notes.
        app.on_event(&key(KeyCode::PageDown), t);
        let s = speaker_at(&app);
        assert_eq!((s.lesson.n, s.step.unwrap().n), (2, 1));
        assert_eq!(s.lesson.id, app.lessons[1].id);
        assert_eq!(s.notes, app.lessons[1].notes.idea.in_lang(Lang::En).trim());

        // The last step of the last lesson has nothing next.
        let mut app = presenting(crate::lesson::builtin().lessons.len() - 1);
        app.present = Some(Presenter {
            step: app.steps().len() - 1,
            started: false,
        });
        assert_eq!(speaker_at(&app).next, None);
    }

    #[test]
    fn the_speaker_says_when_a_lesson_has_no_notes_or_presenting_is_off() {
        let mut app = presenting(0);
        app.lessons[0].notes = crate::lesson::Notes::default();
        let s = speaker_at(&app);
        assert!(s.presenting && s.step.is_some());
        assert_eq!(s.notes, "", "no notes: the notes screen says so");

        app.present = None;
        let s = speaker_at(&app);
        assert!(!s.presenting);
        assert_eq!(s.lesson.n, 1);
        assert_eq!((s.step, s.next, s.presenting_since), (None, None, None));
    }

    #[test]
    fn the_speaker_speaks_the_presenters_language() {
        let mut app = presenting(0);
        app.lang = Lang::ZhTw;
        app.lessons[0]
            .notes
            .idea
            .set(Lang::ZhTw, "先指著延遲圖。".into());
        let s = speaker_at(&app);
        assert_eq!(s.lang, "zh-TW");
        assert_eq!(s.notes, "先指著延遲圖。");
        assert_eq!(s.lesson.title, app.lessons[0].title.in_lang(Lang::ZhTw));
        assert_eq!(s.step.unwrap().name, T::StepIdea.in_lang(Lang::ZhTw));
        assert_eq!(s.next.unwrap().step, T::StepPredict.in_lang(Lang::ZhTw));
    }

    #[test]
    fn the_speakers_clocks_start_with_presenter_mode_and_with_each_step() {
        let mut app = App::new(crate::lesson::builtin().lessons, 0, LabArgs::default());
        let epoch = std::time::UNIX_EPOCH + Duration::from_secs(1_000);
        let ms = |s: u64| Some(1_000_000 + s * 1_000);
        app.on_event(&key(KeyCode::Char('p')), Duration::from_secs(5));
        let s = app.speaker(epoch);
        assert_eq!((s.presenting_since, s.step_since), (ms(5), ms(5)));
        app.on_event(&key(KeyCode::PageDown), Duration::from_secs(9));
        let s = app.speaker(epoch);
        assert_eq!((s.presenting_since, s.step_since), (ms(5), ms(9)));
        // Keys that do not move the step leave its clock alone; the same state, equal.
        app.on_event(&key(KeyCode::Char('+')), Duration::from_secs(12));
        assert_eq!(app.speaker(epoch), s);
    }

    #[test]
    fn a_pick_marks_a_choice_changes_on_another_and_counts_as_a_prediction() {
        let lessons = crate::lesson::builtin().lessons;
        let with = lessons.iter().position(|l| l.choices.len() == 3).unwrap();
        let without = lessons.iter().position(|l| l.choices.is_empty()).unwrap();
        let mut app = App::new(lessons, with, LabArgs::default());
        app.lang = Lang::En;
        let t = Duration::from_secs(1);
        saves(&mut app, t);
        app.on_event(&key(KeyCode::Char('b')), t);
        assert_eq!(app.pick_shown(), Some(1));
        let saved = saves(&mut app, t);
        assert_eq!(saved.len(), 1, "a pick is saved");
        assert_eq!(saved[0].summary(&app.lessons).predicted.done, 1);
        app.on_event(&key(KeyCode::Char('a')), t);
        assert_eq!(app.pick_shown(), Some(0), "again: changed");
        app.on_event(&key(KeyCode::Char('d')), t);
        assert_eq!(app.pick_shown(), Some(0), "no fourth choice");
        assert_eq!(app.notice.as_ref().unwrap().0, "no choice d in this lesson");
        assert_eq!(app.progress.summary(&app.lessons).predicted.done, 1);
        // No verdict before the runs its choices read.
        assert_eq!(app.answer(), None);
        assert_eq!(
            app.progress.lessons[&id(&app, with)]
                .pick
                .unwrap()
                .supported,
            None
        );

        app.go(without);
        app.on_event(&key(KeyCode::Char('a')), t);
        assert_eq!(app.pick_shown(), None);
        assert_eq!(
            app.notice.as_ref().unwrap().0,
            "this lesson offers no choices to pick"
        );
    }

    #[test]
    fn the_answer_is_computed_from_the_latest_run_of_each_choices_action() {
        let mut app = App::new(crate::lesson::builtin().lessons, 0, LabArgs::default());
        assert_eq!(app.lesson().id, "event-loop");
        let mut report = Report::empty();
        report.lag_ms.max = 30.0;
        report.requests.max_ms = 20.0;
        let run = |id, report: Report| ActionRun {
            id,
            lesson: "event-loop".into(),
            key: '2',
            at: Duration::ZERO,
            lab: LabConfig::default(),
            report: Some(report),
            verdicts: Some(Vec::new()),
            cancelled: None,
        };
        app.runs.push(run(1, report.clone()));
        assert_eq!(
            app.answer(),
            Some(Answer::None),
            "30 ms: no choice says that"
        );
        report.lag_ms.max = 204.0;
        report.requests.max_ms = 180.0;
        app.runs.push(run(2, report.clone()));
        assert_eq!(app.answer(), Some(Answer::One(1)), "the latest run decides");
        let measured = app.choice_verdicts(1).unwrap();
        assert!(measured.iter().all(|v| v.pass), "{measured:?}");
        assert!(measured[0].measured.starts_with("204.0 ms"), "{measured:?}");
    }

    #[test]
    fn z_cycles_the_zoomed_pane_and_z_or_esc_return_without_quitting() {
        let mut app = App::new(crate::lesson::builtin().lessons, 0, LabArgs::default());
        let t = Duration::from_secs(1);
        let mut seen = Vec::new();
        for _ in 0..5 {
            app.on_event(&key(KeyCode::Char('z')), t);
            seen.push(app.zoom);
        }
        assert_eq!(
            seen,
            [
                Some(Pane::Lesson),
                Some(Pane::Lag),
                Some(Pane::Pools),
                Some(Pane::Timeline),
                None
            ]
        );
        app.on_event(&key(KeyCode::Char('z')), t);
        app.on_event(&key(KeyCode::Char('z')), t);
        assert!(app.on_event(&key(KeyCode::Char('Z')), t).is_empty());
        assert_eq!(app.zoom, None);
        app.on_event(&key(KeyCode::Char('z')), t);
        let out = app.on_event(&key(KeyCode::Esc), t);
        assert!(
            !out.iter().any(|c| matches!(c, Command::Quit(_))),
            "{out:?}"
        );
        assert_eq!(app.zoom, None);
        // Not zoomed, Esc quits as before.
        let out = app.on_event(&key(KeyCode::Esc), t);
        assert!(out.contains(&Command::Quit(Exit::Quit)));
    }

    /// The lab the next step starts, if it starts one.
    fn started(app: &mut App, now: Duration) -> Option<LabConfig> {
        app.step(now).into_iter().find_map(|c| match c {
            Command::Lab(Order::StartLab(config)) => Some(config),
            _ => None,
        })
    }

    #[test]
    fn each_lab_setting_changed_in_the_playground_restarts_the_lab_with_it() {
        use super::super::playground::Field;
        let mut app = App::new(crate::lesson::builtin().lessons, 0, LabArgs::default());
        let t = Duration::from_secs(1);
        let first = started(&mut app, t).expect("the lesson's lab");
        app.lab_started(1, t, first);
        // g: the playground's lab, at once.
        app.on_event(&key(KeyCode::Char('g')), t);
        assert!(app.playing);
        let lab = started(&mut app, t).expect("the playground's lab");
        assert_eq!(lab, app.playground.lab());
        app.lab_started(2, t, lab);
        assert_eq!(started(&mut app, t), None, "nothing changed, no restart");
        // Start from a lab every setting can move from, in both directions.
        app.playground.runtime = crate::data::Flavor::MultiThread;
        app.playground.workers = 2;
        app.playground.max_blocking = 8;
        app.playground.rate = 100;
        app.playground.cpus = 1;
        app.relab = true;
        let lab = started(&mut app, t).expect("restarted");
        app.lab_started(3, t, lab);
        let mut id = 3;
        for field in Field::ALL.into_iter().filter(|f| f.is_lab()).rev() {
            app.playground.field = field;
            let before = app.lab.clone();
            // → unless the field is at its top (cores on a one-core machine; the runtime).
            app.on_event(&key(KeyCode::Right), t);
            if app.playground.lab() == before {
                app.on_event(&key(KeyCode::Left), t);
            }
            if field == Field::Cpus && crate::lab::cpus::max_cpus() == 1 {
                continue;
            }
            let lab = started(&mut app, t).unwrap_or_else(|| panic!("{field:?}: a restart"));
            assert_ne!(lab, before, "{field:?}");
            assert_eq!(lab, app.playground.lab(), "{field:?}");
            let flags = app.playground.flags().1;
            match field {
                Field::Runtime => assert_eq!(Some(lab.flavor), flags.runtime),
                Field::Workers => assert_eq!(lab.workers as i64, app.playground.workers),
                Field::MaxBlocking => {
                    assert_eq!(lab.max_blocking_threads as i64, app.playground.max_blocking)
                }
                Field::Rate => assert_eq!(i64::from(lab.traffic_rate), app.playground.rate),
                Field::Cpus => assert_eq!(lab.cpus, Some(app.playground.cpus as usize)),
                _ => unreachable!(),
            }
            id += 1;
            app.lab_started(id, t, lab);
        }
        // The work's fields change no lab.
        app.playground.field = Field::Ms;
        app.on_event(&key(KeyCode::Right), t);
        assert_eq!(started(&mut app, t), None);
        // g again: the lesson, and its lab back.
        app.on_event(&key(KeyCode::Char('g')), t);
        assert!(!app.playing);
        assert_eq!(started(&mut app, t), Some(app.lab_for(0)));
    }

    #[test]
    fn right_past_the_last_lesson_is_the_playground_and_it_counts_for_no_lesson() {
        let lessons = crate::lesson::builtin().lessons;
        let last = lessons.len() - 1;
        let mut app = App::new(lessons, last, LabArgs::default());
        let t = Duration::from_secs(1);
        app.on_event(&key(KeyCode::Right), t);
        assert!(app.playing);
        assert_eq!(app.current, last);
        // 1 and Enter run it (one at a time), queued under no lesson of the catalog.
        app.on_event(&key(KeyCode::Char('1')), t);
        app.on_event(&key(KeyCode::Enter), t);
        assert_eq!(app.queue.len(), 1);
        let out = app.step(t);
        assert!(
            out.iter()
                .any(|c| matches!(c, Command::Lab(Order::StartLab(_))))
        );
        assert_eq!(
            app.playground_run().map(|r| r.lesson.as_str()),
            Some(PLAYGROUND)
        );
        assert_eq!(app.progress.last_lesson, Some(id(&app, last)));
        assert!(!app.progress.lessons.contains_key(PLAYGROUND));
    }
}
