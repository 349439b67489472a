//! The terminal UI: owns the terminal, runs the input/draw loop on the main thread, and carries
//! out the app's commands on the session. It never waits on the lab, so it keeps drawing while
//! the lab is frozen.
pub mod app;
pub mod export;
pub mod keys;
pub mod playground;
pub mod present;
pub mod replay;
pub mod terminal;
pub mod view;

#[cfg(test)]
mod screens;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use std::sync::mpsc;

use crossterm::event::{self, Event};

use crate::clock::Clock;
use crate::notes::publish::Feed;
use crate::progress::file::ProgressFile;
use crate::record::{Entry, Input as Recorded, Start, Writer};
use crate::runner::{Bench, Order};
use crate::session::Labs;
use crate::text::T;
use app::{App, Command};

/// At most ~30 frames a second while things move.
const FRAME: Duration = Duration::from_millis(33);

/// Set `BLOCKLAB_FAULT=ui-panic` to make the UI thread panic after its first frame: the tests
/// use it to prove a crash of the app itself still gives the terminal back.
pub const FAULT_VAR: &str = "BLOCKLAB_FAULT";

/// How the TUI ended; the exit code says it to the shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `q` or `Esc`.
    Quit,
    /// `Ctrl-C`, or SIGINT from outside.
    Interrupted,
    /// SIGTERM.
    Terminated,
    /// SIGHUP, or the terminal closed under us.
    HungUp,
}

impl Exit {
    /// 0, or 128 + the signal's number, as shells report a process ended by that signal.
    pub fn code(self) -> u8 {
        match self {
            Exit::Quit => 0,
            Exit::Interrupted => 128 + 2,
            Exit::Terminated => 128 + 15,
            Exit::HungUp => 128 + 1,
        }
    }
}

/// Runs the TUI until the user quits or a signal arrives; the terminal is restored on every
/// way out (a panic on this thread included: see `terminal`).
/// With `front_door`, every lab serves HTTP on it; with `progress`, the learner's progress is
/// saved there as it changes; with `record`, the session is recorded to that file (`Start`
/// says how the app was set up).
pub fn run(
    mut app: App,
    front_door: Option<std::net::TcpListener>,
    progress: Option<ProgressFile>,
    record: Option<(std::path::PathBuf, Start)>,
) -> std::io::Result<Exit> {
    let mut labs = match front_door {
        Some(listener) => Labs::with_front_door(Clock::start(), listener),
        None => Labs::new(Clock::start()),
    };
    app.address = labs.address();
    let mut writer = match record {
        Some((path, mut start)) => {
            start.address = app.address;
            let size = crossterm::terminal::size()?;
            let header = crate::record::format::header(app.lang, [size.0, size.1], start);
            Some(Writer::create(&path, &header)?)
        }
        None => None,
    };

    // Speaker notes for `blocklab notes`, served once presenter mode turns on. Times cross to
    // the notes screen as wall-clock times: the session's zero, on the wall clock.
    let epoch = std::time::SystemTime::now()
        .checked_sub(labs.now())
        .unwrap_or_else(std::time::SystemTime::now);
    let mut feed = Feed::new(epoch, Some(crate::notes::announce::path()));

    let stop = signals()?;
    let fault = std::env::var(FAULT_VAR).ok();
    let mut terminal = terminal::Guard::enter()?;
    let input = read_input()?;
    let after_draw = |_: &ratatui::buffer::Buffer| {
        if fault.as_deref() == Some("ui-panic") {
            panic!("{FAULT_VAR}=ui-panic: a panic on the UI thread, injected for testing");
        }
    };
    let extras = Extras {
        progress: progress.as_ref(),
        record: writer.as_mut(),
        feed: Some(&mut feed),
        after_draw: Some(&after_draw),
    };
    drive(&mut terminal, &mut labs, &mut app, &input, &stop, extras)
}

/// Signals only set a flag; the loop that asks the returned function restores the terminal.
pub(crate) fn signals() -> std::io::Result<impl Fn() -> Option<Exit>> {
    let signals = [
        (signal_hook::consts::SIGINT, Exit::Interrupted),
        (signal_hook::consts::SIGTERM, Exit::Terminated),
        (signal_hook::consts::SIGHUP, Exit::HungUp),
    ];
    let mut flags = Vec::new();
    for (signal, exit) in signals {
        let flag = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(signal, flag.clone())?;
        flags.push((flag, exit));
    }
    Ok(move || {
        if let Some((_, exit)) = flags.iter().find(|(f, _)| f.load(Ordering::Relaxed)) {
            return Some(*exit);
        }
        // The terminal went away (window closed, ssh dropped) without a signal reaching us.
        terminal::hung_up().then_some(Exit::HungUp)
    })
}

/// What [`drive`] may be given besides the labs and the app, each optional: none of them for
/// `blocklab calibrate`, which runs the loop off-screen, saving nothing, to measure the UI.
#[derive(Default)]
pub struct Extras<'a> {
    /// Where the learner's progress is saved.
    pub progress: Option<&'a ProgressFile>,
    /// Every input of the app goes to it with its time, and each frame drawn is marked.
    pub record: Option<&'a mut Writer>,
    /// The app's place goes to the notes screens (a replay's or a calibration's never does).
    pub feed: Option<&'a mut Feed>,
    /// Sees each frame's buffer.
    pub after_draw: Option<&'a dyn Fn(&ratatui::buffer::Buffer)>,
}

/// The TUI's loop on any backend: input, the app's steps, the labs, and frames at the app's
/// pace — up to 30 a second while things move; at rest, a few a second as the time axis
/// scrolls, since what is on screen changes no faster. Ends when `stop` says how, when the app
/// quits, or when the input closes; progress not saved yet is saved then.
pub fn drive<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    labs: &mut Labs,
    app: &mut App,
    input: &Input,
    stop: &dyn Fn() -> Option<Exit>,
    extras: Extras,
) -> std::io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    let mut doors = Doors {
        labs,
        progress: extras.progress,
        record: extras.record,
        feed: extras.feed,
    };
    let after_draw = extras.after_draw.unwrap_or(&|_| ());
    let exit = frames(terminal, &mut doors, app, input, stop, after_draw);
    // A key that changed the lesson and quit in the same breath: its visit is kept too.
    if let Some(unsaved) = app.unsaved_progress() {
        let now = doors.labs.now();
        doors.save(&unsaved, app, now);
    }
    if let Some(writer) = doors.record {
        writer.flush();
    }
    exit
}

/// What the loop works with besides the app: the labs, where progress is saved, the
/// recording every input of the app is written to, and the notes screens' feed.
struct Doors<'a> {
    labs: &'a mut Labs,
    progress: Option<&'a ProgressFile>,
    record: Option<&'a mut Writer>,
    feed: Option<&'a mut Feed>,
}

impl Doors<'_> {
    /// Writes one input to the recording, if there is one; a failed write stops it, said once.
    fn note(&mut self, at: Duration, entry: impl FnOnce() -> Entry, app: &mut App) {
        let Some(writer) = self.record.as_deref_mut() else {
            return;
        };
        if writer.is_recording() {
            writer.write(at, entry());
        }
        self.say_failure(at, app);
    }

    /// A failed write, said in the footer (once).
    fn say_failure(&mut self, at: Duration, app: &mut App) {
        let Some(writer) = self.record.as_deref_mut() else {
            return;
        };
        if let Some(error) = writer.take_failure() {
            let path = writer.path().display();
            let values: [(&str, &dyn std::fmt::Display); 2] = [("path", &path), ("error", &error)];
            app.notice = Some((app.lang.scoped(|| T::RecordFailed.fill(&values)), at));
        }
    }

    /// The app's samples, recorded on the way.
    fn drain(&mut self, app: &mut App) {
        let Some(writer) = self.record.as_deref_mut().filter(|w| w.is_recording()) else {
            self.labs.drain_into(&mut app.model);
            return;
        };
        let now = self.labs.now();
        let mut batches = Vec::new();
        self.labs
            .drain_tapped(&mut app.model, &mut |b| batches.push(b.to_vec()));
        for samples in batches {
            writer.write(now, Entry::Samples { samples });
        }
        self.say_failure(now, app);
    }

    /// Writes the progress down, if there is a file to write to; a failure is the app's to say.
    fn save(&mut self, state: &crate::progress::Progress, app: &mut App, now: Duration) {
        if let Some(file) = self.progress {
            let result = file.save(state).map_err(|e| e.to_string());
            let path = file.path().display().to_string();
            let error = result.clone().err();
            self.note(now, || Entry::ProgressSaved { path, error }, app);
            app.progress_saved(file.path(), result, now);
        }
    }
}

/// Terminal events, as the input thread reads them.
pub type Input = mpsc::Receiver<std::io::Result<Event>>;

/// [`drive`]'s loop. Each input of the app is written down with the time it is given.
fn frames<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    doors: &mut Doors,
    app: &mut App,
    input: &Input,
    stop: &dyn Fn() -> Option<Exit>,
    after_draw: &dyn Fn(&ratatui::buffer::Buffer),
) -> std::io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    // A backend's own error (an I/O error for a terminal; none for a buffer).
    let io = |e: B::Error| std::io::Error::other(e);
    // The first frame before anything else: the first lab's start calibrates the CPU workload
    // (tens of milliseconds, more on a busy machine), and the lesson should be on screen at once.
    let now = doors.labs.now();
    doors.note(now, || Entry::Frame, app);
    let frame = terminal
        .draw(|frame| view::draw(frame, app, now))
        .map_err(io)?;
    after_draw(frame.buffer);
    let mut last_draw = Some(Instant::now());
    let mut dirty = true;
    // A screen to save: done with the next frame's buffer, drawn at once (the one on screen).
    let mut export: Option<export::Export> = None;
    loop {
        if let Some(exit) = stop() {
            return Ok(exit);
        }
        let size = terminal.size().map_err(io)?;
        let gap = pace(app, doors.labs.now(), size.width, size.height);
        let since_draw = last_draw.map(|t| t.elapsed());
        let mut timeout = sleep_for(app.paused.is_some(), dirty, gap, since_draw);
        // A running experiment may need us sooner (a load test submits every few ms).
        if let Some(wake) = app.next_wake() {
            timeout = timeout.min(wake.saturating_sub(doors.labs.now()));
        }
        // Take every pending event before drawing: keys never wait behind frames.
        let mut next = input.recv_timeout(timeout);
        while let Ok(event) = next {
            let event = event?;
            if let Event::Resize(..) = event {
                terminal.autoresize().map_err(io)?;
            }
            let now = doors.labs.now();
            if let Some(recorded) = Recorded::of(&event) {
                doors.note(now, || Entry::Event { event: recorded }, app);
            }
            // In order: resting traffic comes back before the key's own command.
            for command in app.on_event(&event, now) {
                if let Some(exit) = carry_out(doors, command, app, &mut export)? {
                    return Ok(exit);
                }
            }
            dirty = true;
            next = input
                .try_recv()
                .map_err(|_| mpsc::RecvTimeoutError::Timeout);
        }
        if matches!(next, Err(mpsc::RecvTimeoutError::Disconnected)) {
            return Ok(Exit::HungUp);
        }
        doors.drain(app);
        let now = doors.labs.now();
        doors.note(now, || Entry::Step, app);
        for command in app.step(now) {
            dirty = true;
            if let Some(exit) = carry_out(doors, command, app, &mut export)? {
                return Ok(exit);
            }
        }
        if let Some(feed) = doors.feed.as_deref_mut() {
            feed.see(app);
        }
        let now = doors.labs.now();
        // A live stall counter changes with time alone; so does the time axis.
        dirty |= app.paused.is_none() && app.model.live_stall(now).is_some();
        dirty |= app.paused.is_none() && last_draw.is_none_or(|t| t.elapsed() >= gap);
        if export.is_some() || (dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME)) {
            doors.note(now, || Entry::Frame, app);
            let frame = terminal
                .draw(|frame| view::draw(frame, app, now))
                .map_err(io)?;
            // Only a frame that was asked for is saved: no copy of the buffer is kept.
            let saved = export
                .take()
                .map(|asked| export::save(frame.buffer, &asked));
            after_draw(frame.buffer);
            last_draw = Some(Instant::now());
            // The notice saying where it went (or why not) needs a frame of its own.
            dirty = saved.is_some();
            if let Some((dir, saved)) = saved {
                if let Err(e) = &saved {
                    tracing::warn!("saving the screen in {}: {e}", dir.display());
                }
                let (stem, error) = match &saved {
                    Ok(stem) => (Some(stem.clone()), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                let path = dir.display().to_string();
                doors.note(
                    now,
                    || Entry::Exported {
                        dir: path,
                        stem,
                        error,
                    },
                    app,
                );
                app.exported(&dir, &saved, now);
            }
        }
    }
}

/// How long the loop may wait for input before it has a frame to draw: a screen already changed
/// waits out the frame ceiling; a live one, its pace; a paused one, which only input changes, a
/// quiet second (it still takes the lab's samples in meanwhile). Without that last case a paused
/// screen's frame would always be due and never drawn, and the loop would spin.
fn sleep_for(paused: bool, dirty: bool, gap: Duration, since_draw: Option<Duration>) -> Duration {
    let Some(since) = since_draw else {
        return Duration::ZERO;
    };
    if dirty {
        FRAME.saturating_sub(since)
    } else if paused {
        QUIET_FRAME
    } else {
        gap.saturating_sub(since)
    }
}

/// At rest with nothing in view but the idle lag line, which looks the same as it scrolls,
/// only the figures change: once a second is enough for them.
const QUIET_FRAME: Duration = Duration::from_secs(1);

/// How long between frames: [`FRAME`] while the screen changes by itself (an experiment, a
/// stall, jobs in flight, a notice); at rest, while jobs or blocks are in view, the time the
/// time axis takes to move whole columns, at least [`REST_FRAME`]; else [`QUIET_FRAME`].
pub fn pace(app: &App, now: Duration, width: u16, height: u16) -> Duration {
    if app.is_moving(now) {
        FRAME
    } else if app.is_quiet(now) {
        QUIET_FRAME
    } else {
        scroll_pace(view::rest_frame(width, height, app))
    }
}

/// At rest the chart only scrolls, and a frame costs about a millisecond however little moved:
/// a column a frame was 6 frames a second on the default window and 30 zoomed in, for a blip
/// that sat still. A few frames a second, each moving the axis by whole columns, keeps the
/// scrolling even.
const REST_FRAME: Duration = Duration::from_millis(250);

/// The shortest whole number of `column`s that is at least [`REST_FRAME`].
fn scroll_pace(column: Duration) -> Duration {
    let column = column.max(Duration::from_micros(1));
    let columns = REST_FRAME.as_nanos().div_ceil(column.as_nanos());
    column * u32::try_from(columns).unwrap_or(1)
}

/// Carries out one of the app's commands; returns how to exit when it ends the app.
fn carry_out(
    doors: &mut Doors,
    command: Command,
    app: &mut App,
    export: &mut Option<export::Export>,
) -> std::io::Result<Option<Exit>> {
    let labs = &mut *doors.labs;
    match command {
        Command::SaveProgress(state) => {
            let now = labs.now();
            doors.save(&state, app, now);
        }
        Command::Quit(exit) => return Ok(Some(exit)),
        Command::Export(asked) => *export = Some(asked),
        Command::Lab(Order::StartLab(config)) => {
            let (lab, at) = labs.start(config.clone())?;
            let now = labs.now();
            doors.note(now, || Entry::LabStarted { lab, at }, app);
            app.lab_started(lab, at, config);
        }
        Command::Lab(Order::Submit { run, work, jobs }) => labs.submit(run, work, jobs),
        Command::Lab(Order::Load { run, work, load }) => labs.load(run, work, load),
        Command::Lab(Order::StopLab) => labs.stop(),
        Command::Traffic(rate) => labs.set_traffic_rate(rate),
    }
    Ok(None)
}

/// Terminal input on its own thread: the draw loop never sits inside crossterm, so it can
/// notice a hang-up or a signal however crossterm behaves on a closed terminal.
pub(crate) fn read_input() -> std::io::Result<mpsc::Receiver<std::io::Result<Event>>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("input".into())
        .spawn(move || {
            loop {
                let event = event::read();
                let failed = event.is_err();
                if tx.send(event).is_err() || failed {
                    break;
                }
            }
        })?;
    Ok(rx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;
    use std::cell::Cell;

    #[test]
    fn at_rest_the_axis_scrolls_by_whole_columns_a_few_times_a_second() {
        let ms = Duration::from_millis;
        // The default window at 120 columns: about 156 ms a column, two a frame.
        assert_eq!(scroll_pace(ms(156)), ms(312));
        // Zoomed in to 2 s: 31 ms a column, nine a frame, not thirty frames a second.
        assert_eq!(scroll_pace(ms(31)), ms(279));
        // A column slower than the floor: one a frame.
        assert_eq!(scroll_pace(ms(900)), ms(900));
        assert_eq!(scroll_pace(REST_FRAME), REST_FRAME);
    }

    #[test]
    fn the_loop_waits_until_a_frame_is_due() {
        let ms = Duration::from_millis;
        // The first frame, at once.
        assert_eq!(sleep_for(false, false, FRAME, None), Duration::ZERO);
        // A screen already changed waits out the frame ceiling, not its pace.
        assert_eq!(
            sleep_for(false, true, QUIET_FRAME, Some(ms(10))),
            FRAME - ms(10)
        );
        // A live screen waits for its pace.
        assert_eq!(sleep_for(false, false, ms(500), Some(ms(100))), ms(400));
        // A paused screen's pace is long past, but nothing other than input changes it.
        assert_eq!(sleep_for(true, false, FRAME, Some(ms(5000))), QUIET_FRAME);
    }

    /// Paused, every frame used to be due and none drawn, so the loop never waited: a core at
    /// 100 % for as long as a presenter talked over a paused chart.
    #[test]
    fn a_paused_screen_leaves_the_loop_waiting() {
        let clock = Clock::start();
        let mut labs = Labs::new(clock);
        let lessons = crate::lesson::builtin().lessons;
        let mut app = App::new(lessons, 0, crate::cli::LabArgs::default());
        let mut terminal = ratatui::Terminal::new(TestBackend::new(120, 40)).unwrap();
        let (keys, input) = mpsc::channel();
        let space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::NONE);
        keys.send(Ok(Event::Key(space))).unwrap();
        let turns = Cell::new(0u64);
        let until = clock.now() + Duration::from_millis(1500);
        let stop = || {
            turns.set(turns.get() + 1);
            (clock.now() >= until).then_some(Exit::Quit)
        };
        let exit = drive(
            &mut terminal,
            &mut labs,
            &mut app,
            &input,
            &stop,
            Extras::default(),
        )
        .unwrap();
        assert_eq!(exit, Exit::Quit);
        assert!(app.paused.is_some());
        // Waiting, a turn a second and one per input or frame; spinning, hundreds of thousands.
        assert!(
            turns.get() < 200,
            "{} turns of the loop in 1.5 s",
            turns.get()
        );
    }
}
