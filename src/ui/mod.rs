//! The terminal UI: owns the terminal, runs the input/draw loop on the main thread, and carries
//! out the app's commands on the session. It never waits on the lab, so it keeps drawing while
//! the lab is frozen.
pub mod app;
pub mod terminal;
pub mod view;

#[cfg(test)]
mod screens;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use std::sync::mpsc;

use crossterm::event::{self, Event};

use crate::session::Session;
use app::{App, Command};

/// At most ~30 frames a second.
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
pub fn run(mut app: App) -> std::io::Result<Exit> {
    let mut labs = Labs {
        current: Session::start(app.lab.clone())?,
        stopping: Vec::new(),
    };

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
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;

    loop {
        if let Some((_, exit)) = flags.iter().find(|(f, _)| f.load(Ordering::Relaxed)) {
            return Ok(*exit);
        }
        if terminal::hung_up() {
            // The terminal went away (window closed, ssh dropped) without a signal reaching us.
            return Ok(Exit::HungUp);
        }
        let timeout = last_draw.map_or(Duration::ZERO, |t| FRAME.saturating_sub(t.elapsed()));
        // Take every pending event before drawing: keys never wait behind frames.
        let mut next = input.recv_timeout(timeout);
        while let Ok(event) = next {
            let event = event?;
            if let Event::Resize(..) = event {
                terminal.autoresize()?;
            }
            if let Some(command) = app.on_event(&event, labs.now())
                && let Some(exit) = labs.carry_out(command, &mut app)?
            {
                return Ok(exit);
            }
            dirty = true;
            next = input
                .try_recv()
                .map_err(|_| mpsc::RecvTimeoutError::Timeout);
        }
        if matches!(next, Err(mpsc::RecvTimeoutError::Disconnected)) {
            return Ok(Exit::HungUp);
        }
        for command in app.due(labs.now()) {
            if let Some(exit) = labs.carry_out(command, &mut app)? {
                return Ok(exit);
            }
        }
        let now = labs.now();
        if labs.drain_into(&mut app.model) > 0 && app.paused.is_none() {
            dirty = true;
        }
        dirty |= app.tick(now);
        // A live stall counter changes with time alone.
        dirty |= app.paused.is_none() && app.model.live_stall(now).is_some();
        if dirty && last_draw.is_none_or(|t| t.elapsed() >= FRAME) {
            terminal.draw(|frame| view::draw(frame, &app, now))?;
            last_draw = Some(Instant::now());
            dirty = false;
            if fault.as_deref() == Some("ui-panic") {
                panic!("{FAULT_VAR}=ui-panic: a panic on the UI thread, injected for testing");
            }
        }
    }
}

/// The lab being measured, and labs that are stopping: their last job events still count
/// (a graceful shutdown finishes work; an abrupt one loses it).
struct Labs {
    current: Session,
    stopping: Vec<(Session, Instant)>,
}

impl Labs {
    fn now(&self) -> Duration {
        self.current.now()
    }

    /// Returns how to exit when the command ends the app.
    fn carry_out(&mut self, command: Command, app: &mut App) -> std::io::Result<Option<Exit>> {
        match command {
            Command::Quit(exit) => return Ok(Some(exit)),
            Command::Submit { run, work, jobs } => {
                self.current.lab.submit(run, work, jobs);
            }
            Command::Restart(config) => {
                // The same clock: the timeline goes on across the restart.
                let fresh = Session::start_with(config.clone(), self.current.lab.clock)?;
                let mut old = std::mem::replace(&mut self.current, fresh);
                old.retire();
                self.stopping.push((old, Instant::now()));
                app.restarted(config);
            }
        }
        Ok(None)
    }

    fn drain_into(&mut self, model: &mut crate::model::Model) -> usize {
        let mut n = self.current.drain_into(model);
        for (old, _) in &self.stopping {
            n += old.drain_into(model);
        }
        // Forget a stopped lab once it said so (or after a generous wait).
        self.stopping.retain(|(old, since)| {
            model.lab_stopped(old.lab.id()).is_none() && since.elapsed() < Duration::from_secs(20)
        });
        n
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
