//! The terminal UI: owns the terminal, runs the input/draw loop on the main thread, and carries
//! out the app's commands on the session. It never waits on the lab, so it keeps drawing while
//! the lab is frozen.
pub mod app;
pub mod keys;
pub mod present;
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
use crate::progress::file::ProgressFile;
use crate::runner::{Bench, Order};
use crate::session::Labs;
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
/// saved there as it changes.
pub fn run(
    mut app: App,
    front_door: Option<std::net::TcpListener>,
    progress: Option<ProgressFile>,
) -> std::io::Result<Exit> {
    let mut labs = match front_door {
        Some(listener) => Labs::with_front_door(Clock::start(), listener),
        None => Labs::new(Clock::start()),
    };
    app.address = labs.address();

    // Signals only set a flag; the loop below restores the terminal.
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
    let fault = std::env::var(FAULT_VAR).ok();
    let mut terminal = terminal::Guard::enter()?;
    let input = read_input()?;
    let stop = || {
        if let Some((_, exit)) = flags.iter().find(|(f, _)| f.load(Ordering::Relaxed)) {
            return Some(*exit);
        }
        // The terminal went away (window closed, ssh dropped) without a signal reaching us.
        terminal::hung_up().then_some(Exit::HungUp)
    };
    let after_draw = || {
        if fault.as_deref() == Some("ui-panic") {
            panic!("{FAULT_VAR}=ui-panic: a panic on the UI thread, injected for testing");
        }
    };
    drive(
        &mut terminal,
        &mut labs,
        &mut app,
        &input,
        progress.as_ref(),
        &stop,
        &after_draw,
    )
}

/// The TUI's loop on any backend: input, the app's steps, the labs, and frames at the app's
/// pace — up to 30 a second while things move; at rest, one each time the time axis moves by a
/// column, since what is on screen changes no faster. Ends when `stop` says how, when the app
/// quits, or when the input closes; progress not saved yet is saved then. `blocklab
/// calibrate` runs it off-screen, saving nothing, to measure the UI.
pub fn drive<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    labs: &mut Labs,
    app: &mut App,
    input: &Input,
    progress: Option<&ProgressFile>,
    stop: &dyn Fn() -> Option<Exit>,
    after_draw: &dyn Fn(),
) -> std::io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    let exit = frames(terminal, labs, app, input, progress, stop, after_draw);
    // A key that changed the lesson and quit in the same breath: its visit is kept too.
    if let Some(unsaved) = app.unsaved_progress() {
        save(progress, &unsaved, app, labs.now());
    }
    exit
}

/// Terminal events, as the input thread reads them.
pub type Input = mpsc::Receiver<std::io::Result<Event>>;

/// [`drive`]'s loop.
fn frames<B: ratatui::backend::Backend>(
    terminal: &mut ratatui::Terminal<B>,
    labs: &mut Labs,
    app: &mut App,
    input: &Input,
    progress: Option<&ProgressFile>,
    stop: &dyn Fn() -> Option<Exit>,
    after_draw: &dyn Fn(),
) -> std::io::Result<Exit>
where
    B::Error: Send + Sync + 'static,
{
    // A backend's own error (an I/O error for a terminal; none for a buffer).
    let io = |e: B::Error| std::io::Error::other(e);
    // The first frame before anything else: the first lab's start calibrates the CPU workload
    // (tens of milliseconds, more on a busy machine), and the lesson should be on screen at once.
    let now = labs.now();
    terminal
        .draw(|frame| view::draw(frame, app, now))
        .map_err(io)?;
    after_draw();
    let mut last_draw = Some(Instant::now());
    let mut dirty = true;
    loop {
        if let Some(exit) = stop() {
            return Ok(exit);
        }
        let size = terminal.size().map_err(io)?;
        let gap = pace(app, labs.now(), size.width, size.height);
        let mut timeout = last_draw.map_or(Duration::ZERO, |t| gap.saturating_sub(t.elapsed()));
        // A running experiment may need us sooner (a load test submits every few ms).
        if let Some(wake) = app.next_wake() {
            timeout = timeout.min(wake.saturating_sub(labs.now()));
        }
        // Take every pending event before drawing: keys never wait behind frames.
        let mut next = input.recv_timeout(timeout);
        while let Ok(event) = next {
            let event = event?;
            if let Event::Resize(..) = event {
                terminal.autoresize().map_err(io)?;
            }
            // In order: resting traffic comes back before the key's own command.
            for command in app.on_event(&event, labs.now()) {
                if let Some(exit) = carry_out(labs, command, app, progress)? {
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
        labs.drain_into(&mut app.model);
        for command in app.step(labs.now()) {
            dirty = true;
            if let Some(exit) = carry_out(labs, command, app, progress)? {
                return Ok(exit);
            }
        }
        let now = labs.now();
        // A live stall counter changes with time alone; so does the time axis.
        dirty |= app.paused.is_none() && app.model.live_stall(now).is_some();
        dirty |= app.paused.is_none() && last_draw.is_none_or(|t| t.elapsed() >= gap);
        if dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal
                .draw(|frame| view::draw(frame, app, now))
                .map_err(io)?;
            last_draw = Some(Instant::now());
            dirty = false;
            after_draw();
        }
    }
}

/// At rest with nothing in view but the idle lag line, which looks the same as it scrolls,
/// only the figures change: once a second is enough for them.
const QUIET_FRAME: Duration = Duration::from_secs(1);

/// How long between frames: [`FRAME`] while the screen changes by itself (an experiment, a
/// stall, jobs in flight, a notice); at rest, the time the time axis takes to move a column
/// while jobs or blocks are in view, else [`QUIET_FRAME`].
pub fn pace(app: &App, now: Duration, width: u16, height: u16) -> Duration {
    if app.is_moving(now) {
        FRAME
    } else if app.is_quiet(now) {
        QUIET_FRAME
    } else {
        view::rest_frame(width, height, app).max(FRAME)
    }
}

/// Carries out one of the app's commands; returns how to exit when it ends the app.
fn carry_out(
    labs: &mut Labs,
    command: Command,
    app: &mut App,
    progress: Option<&ProgressFile>,
) -> std::io::Result<Option<Exit>> {
    match command {
        Command::SaveProgress(state) => save(progress, &state, app, labs.now()),
        Command::Quit(exit) => return Ok(Some(exit)),
        Command::Lab(Order::StartLab(config)) => {
            let (id, at) = labs.start(config.clone())?;
            app.lab_started(id, at, config);
        }
        Command::Lab(Order::Submit { run, work, jobs }) => labs.submit(run, work, jobs),
        Command::Lab(Order::Load { run, work, load }) => labs.load(run, work, load),
        Command::Lab(Order::StopLab) => labs.stop(),
        Command::Traffic(rate) => labs.set_traffic_rate(rate),
    }
    Ok(None)
}

/// Writes the progress down, if there is a file to write to; a failure is the app's to say.
fn save(
    file: Option<&ProgressFile>,
    state: &crate::progress::Progress,
    app: &mut App,
    now: Duration,
) {
    if let Some(file) = file {
        let result = file.save(state).map_err(|e| e.to_string());
        app.progress_saved(file.path(), result, now);
    }
}

/// Terminal input on its own thread: the draw loop never sits inside crossterm, so it can
/// notice a hang-up or a signal however crossterm behaves on a closed terminal.
fn read_input() -> std::io::Result<mpsc::Receiver<std::io::Result<Event>>> {
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
