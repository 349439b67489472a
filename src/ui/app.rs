//! The app state: which lesson, which section, paused or not, and the model. Keys become
//! [`Command`]s for the runner to carry out; nothing here does I/O, and time is passed in.
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

use crate::cli::LabArgs;
use crate::data::LabConfig;
use crate::data::{RunId, Work};
use crate::lesson::expect::Verdict;
use crate::lesson::{Action, Lesson};
use crate::model::Model;
use crate::report::{LoadStepOut, Report, Scope};
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

/// How long after its last job ends an action's expectations are checked (requests queued
/// behind it need to finish too).
pub const SETTLE: Duration = Duration::from_millis(300);

/// Action presses remembered (only the latest per action is shown).
const MAX_RUNS: usize = 100;

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

    pub fn title(self) -> &'static str {
        match self {
            Section::Idea => "Idea",
            Section::Python => "Python",
            Section::Rust => "Rust",
            Section::Check => "Check",
        }
    }

    fn step(self, by: isize) -> Section {
        let i = Section::ALL.iter().position(|s| *s == self).unwrap() as isize;
        Section::ALL[(i + by).rem_euclid(Section::ALL.len() as isize) as usize]
    }
}

/// What the runner must do for the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Submit {
        run: RunId,
        work: Work,
        jobs: usize,
    },
    /// Start a fresh lab with this configuration (the model starts over with it).
    Restart(LabConfig),
    Quit(Exit),
}

/// One press of an action key, and what the lab made of it.
#[derive(Clone, Debug)]
pub struct ActionRun {
    pub id: RunId,
    pub lesson: String,
    pub key: char,
    pub at: Duration,
    /// The lab it ran on.
    pub lab: LabConfig,
    /// When to check it even if some job never reported its end.
    pub settle_by: Duration,
    /// A load action's table (rate, throughput, latency), once settled.
    pub load: Option<Vec<LoadStepOut>>,
    /// One per expectation, once the run has settled.
    pub verdicts: Option<Vec<Verdict>>,
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
    pub model: Model,
    pub runs: Vec<ActionRun>,
    pub lab: LabConfig,
    overrides: LabArgs,
    next_run: RunId,
    /// Commands to carry out later (the later batches of an action, a timed restart).
    scheduled: Vec<(Duration, Command)>,
    /// A short message for the footer, and when it was set.
    pub notice: Option<(String, Duration)>,
    /// Where blocklab's log goes (shown in the help), or why there is none.
    pub log: String,
    /// Lesson files that were skipped, with why ("file:line: message").
    pub skipped: Vec<String>,
}

impl App {
    pub fn new(lessons: Vec<Lesson>, current: usize, overrides: LabArgs) -> App {
        let lab = overrides.apply(lessons[current].lab.clone());
        App {
            lessons,
            current,
            section: Section::Idea,
            scroll: 0,
            paused: None,
            help: false,
            table: false,
            window: DEFAULT_WINDOW,
            model: Model::new(),
            runs: Vec::new(),
            lab,
            overrides,
            next_run: 1,
            scheduled: Vec::new(),
            notice: None,
            log: "off".into(),
            skipped: Vec::new(),
        }
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

    /// After a restart: a new lab, a new clock, an empty model.
    /// After a restart: a new lab on the same clock; the history stays.
    pub fn restarted(&mut self, lab: LabConfig) {
        self.lab = lab;
    }

    /// Any terminal event: keys drive the app, the wheel scrolls the lesson text, a resize
    /// only needs a redraw (the layout is computed from the frame's size).
    pub fn on_event(&mut self, event: &Event, now: Duration) -> Option<Command> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(*key, now),
            Event::Mouse(m) => match m.kind {
                MouseEventKind::ScrollDown => self.scroll_by(3),
                MouseEventKind::ScrollUp => self.scroll_by(-3),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn on_key(&mut self, key: KeyEvent, now: Duration) -> Option<Command> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if self.help {
            // Any key closes the help; the quitting keys still quit.
            self.help = false;
            return match key.code {
                KeyCode::Char('q') => Some(Command::Quit(Exit::Quit)),
                KeyCode::Char('c') if ctrl => Some(Command::Quit(Exit::Interrupted)),
                _ => None,
            };
        }
        match key.code {
            KeyCode::Char('c') if ctrl => Some(Command::Quit(Exit::Interrupted)),
            KeyCode::Char('q') | KeyCode::Esc => Some(Command::Quit(Exit::Quit)),
            KeyCode::Char('?') => {
                self.help = true;
                None
            }
            KeyCode::Left | KeyCode::Char('h') => self.go(self.current.checked_sub(1)?),
            KeyCode::Right | KeyCode::Char('l') => self.go(self.current + 1),
            KeyCode::Tab => self.show(self.section.step(1)),
            KeyCode::BackTab => self.show(self.section.step(-1)),
            KeyCode::Down | KeyCode::Char('j') => self.scroll_by(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll_by(-1),
            KeyCode::PageDown => self.scroll_by(10),
            KeyCode::PageUp => self.scroll_by(-10),
            KeyCode::Char(' ') => {
                self.paused = match self.paused {
                    Some(_) => None,
                    None => Some(now),
                };
                None
            }
            KeyCode::Char('+') | KeyCode::Char('=') => {
                self.window = self.window.saturating_sub(1);
                None
            }
            KeyCode::Char('-') => {
                self.window = (self.window + 1).min(WINDOWS.len() - 1);
                None
            }
            KeyCode::Char('r') => Some(Command::Restart(self.lab.clone())),
            KeyCode::Char('t') => {
                self.table = !self.table;
                None
            }
            KeyCode::Char(c) if c.is_ascii_digit() => self.trigger(c, now),
            _ => None,
        }
    }

    fn go(&mut self, lesson: usize) -> Option<Command> {
        if lesson >= self.lessons.len() || lesson == self.current {
            return None;
        }
        self.current = lesson;
        self.section = Section::Idea;
        self.scroll = 0;
        let wanted = self.lab_for(lesson);
        (wanted != self.lab).then_some(Command::Restart(wanted))
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

    fn trigger(&mut self, key: char, now: Duration) -> Option<Command> {
        let Some(action) = self.lesson().action(key).cloned() else {
            self.notice = Some((format!("no action on key {key} in this lesson"), now));
            return None;
        };
        // A scripted action (later batches, a timed stop, a load test) runs to its end first:
        // pressed again, it would pile one script on another.
        let scripted = action.batches().len() > 1 || action.stop_after.is_some();
        if scripted && self.pending(key) {
            self.notice = Some((
                format!("[{key}] is still running: its check comes when it ends"),
                now,
            ));
            return None;
        }
        let run = self.next_run;
        self.next_run += 1;
        // An action that needs another runtime (say, multi-thread) gets a fresh lab first.
        let lab = self.overrides.apply(action.lab.clone());
        if lab != self.lab {
            self.scheduled.push((now, Command::Restart(lab.clone())));
            self.notice = Some((
                format!("[{key}] restarting the lab as {} …", lab.describe()),
                now,
            ));
        } else {
            self.notice = Some((format!("[{key}] {} …", action.label), now));
        }
        for batch in action.batches() {
            let submit = Command::Submit {
                run,
                work: batch.work,
                jobs: batch.jobs,
            };
            self.scheduled.push((now + batch.after, submit));
        }
        if let Some(after) = action.stop_after {
            self.scheduled
                .push((now + after, Command::Restart(lab.clone())));
        }
        let settle_by = now
            + action.stop_after.unwrap_or_default()
            + crate::data::job::patience(&action.batches());
        let lesson = self.lesson().id.clone();
        // Pressed again before the last press settled (a held-down key): only the latest press
        // gets checked, so a flood of presses costs one check, not thousands.
        self.runs
            .retain(|r| r.verdicts.is_some() || r.lesson != lesson || r.key != key);
        if self.runs.len() >= MAX_RUNS {
            self.runs.remove(0);
        }
        self.runs.push(ActionRun {
            id: run,
            lesson,
            key,
            at: now,
            lab,
            settle_by,
            load: None,
            verdicts: None,
        });
        None
    }

    /// Commands whose time has come, in the order they were scheduled.
    pub fn due(&mut self, now: Duration) -> Vec<Command> {
        let (due, later): (Vec<_>, Vec<_>) =
            self.scheduled.drain(..).partition(|(at, _)| *at <= now);
        self.scheduled = later;
        due.into_iter().map(|(_, c)| c).collect()
    }

    /// Checks the expectations of runs that have settled: every job ended a moment ago, or the
    /// run is overdue. Returns true if anything changed.
    pub fn tick(&mut self, now: Duration) -> bool {
        let mut changed = false;
        for i in 0..self.runs.len() {
            let run = &self.runs[i];
            if run.verdicts.is_some() {
                continue;
            }
            let Some(action) = self
                .lessons
                .iter()
                .find(|l| l.id == run.lesson)
                .and_then(|l| l.action(run.key))
            else {
                continue;
            };
            let expected: usize = action.batches().iter().map(|b| b.jobs).sum();
            let jobs: Vec<_> = self.model.run_jobs(run.id).collect();
            let last_end = jobs
                .iter()
                .map(|j| j.finished)
                .collect::<Option<Vec<_>>>()
                .and_then(|e| e.into_iter().max());
            let settled = last_end
                .filter(|_| jobs.len() == expected)
                .is_some_and(|end| now >= end + SETTLE);
            if !settled && now < run.settle_by {
                continue;
            }
            let (verdicts, load) = verdicts(&self.model, &run.lab, action, run.id, run.at, now);
            let passed = verdicts.iter().filter(|v| v.pass).count();
            let text = format!(
                "[{}] {}: {passed}/{} expectations held",
                run.key,
                action.label,
                verdicts.len()
            );
            self.notice = Some((text, now));
            self.runs[i].load = load;
            self.runs[i].verdicts = Some(verdicts);
            changed = true;
        }
        changed
    }

    /// The latest press of an action key in the current lesson.
    fn latest_run(&self, key: char) -> Option<&ActionRun> {
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
        self.latest_run(key).and_then(|r| r.load.as_deref())
    }

    /// True while an action of this lesson is still running or settling.
    pub fn pending(&self, key: char) -> bool {
        self.latest_run(key).is_some_and(|r| r.verdicts.is_none())
    }
}

/// The same check `blocklab check` makes, on the live model, for one press of an action key.
/// Also returns the load test's table, for a load action.
fn verdicts(
    model: &Model,
    lab: &LabConfig,
    action: &Action,
    run: RunId,
    at: Duration,
    now: Duration,
) -> (Vec<Verdict>, Option<Vec<LoadStepOut>>) {
    let baseline = (at.saturating_sub(Duration::from_secs(1)), at);
    let load = action.load.clone().map(|l| (at, l));
    let scope = Scope {
        from: at,
        to: now,
        baseline,
        run: Some(run),
        load,
    };
    let report = Report::build(model, scope, lab);
    (
        crate::lesson::expect::verdicts(action, lab, &report),
        report.load,
    )
}
