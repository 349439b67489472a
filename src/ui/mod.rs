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

use crossterm::event::{self, Event, KeyEventKind};

use crate::cli::LabArgs;
use crate::lesson::Lesson;
use crate::session::Session;
use app::{App, Command};

/// At most ~30 frames a second.
const FRAME: Duration = Duration::from_millis(33);

pub fn run(lessons: Vec<Lesson>, start: usize, overrides: LabArgs) -> std::io::Result<()> {
    let mut app = App::new(lessons, start, overrides);
    let mut labs = Labs {
        current: Session::start(app.lab.clone())?,
        stopping: Vec::new(),
    };

    // SIGTERM / SIGHUP / SIGINT only set a flag; the loop below restores the terminal.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ] {
        signal_hook::flag::register(signal, stop.clone())?;
    }
    let mut terminal = terminal::Guard::enter()?;
    let input = read_input()?;
    let mut last_draw: Option<Instant> = None;
    let mut dirty = true;

    while !stop.load(Ordering::Relaxed) {
        if terminal::hung_up() {
            // The terminal went away (window closed, ssh dropped) without a signal reaching us.
            return Ok(());
        }
        let timeout = last_draw.map_or(Duration::ZERO, |t| FRAME.saturating_sub(t.elapsed()));
        // Take every pending event before drawing: keys never wait behind frames.
        let mut next = input.recv_timeout(timeout);
        while let Ok(event) = next {
            match event? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    if let Some(command) = app.on_key(key, labs.now())
                        && !labs.carry_out(command, &mut app)?
                    {
                        return Ok(());
                    }
                    dirty = true;
                }
                Event::Resize(..) => {
                    terminal.autoresize()?;
                    dirty = true;
                }
                _ => {}
            }
            next = input
                .try_recv()
                .map_err(|_| mpsc::RecvTimeoutError::Timeout);
        }
        if matches!(next, Err(mpsc::RecvTimeoutError::Disconnected)) {
            return Ok(());
        }
        for command in app.due(labs.now()) {
            if !labs.carry_out(command, &mut app)? {
                return Ok(());
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
        }
    }
    Ok(())
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

    /// Returns false when the app should quit.
    fn carry_out(&mut self, command: Command, app: &mut App) -> std::io::Result<bool> {
        match command {
            Command::Quit => return Ok(false),
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
        Ok(true)
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
