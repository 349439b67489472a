//! The presenting side: a thread that serves the latest [`Speaker`] on a loopback port to every
//! notes screen that connects — the current state on connect, then each change.
//!
//! The UI thread only swaps the latest state in under a mutex the thread never holds while
//! writing, so no socket can make it wait. A reader that does not keep up is dropped after
//! [`WRITE_TIMEOUT`]; states a reader missed are never queued, only the newest is sent.
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime};

use super::Speaker;

/// How long one write to a notes screen may take before that screen is dropped (it reconnects
/// and gets the newest state).
pub const WRITE_TIMEOUT: Duration = Duration::from_millis(250);

/// How often the thread looks for new connections while nothing changes. The listener is
/// polled rather than blocked on, so one thread serves both and stops without a wake-up trick.
const POLL: Duration = Duration::from_millis(100);

/// Serves notes screens until dropped.
pub struct Publisher {
    shared: Arc<Shared>,
    address: SocketAddr,
    /// The announcement written for this publisher, removed on drop.
    announced: Option<PathBuf>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    latest: Option<Speaker>,
    /// Bumped by each publish.
    version: u64,
    stop: bool,
    /// How many notes screens are connected (for the tests and the log).
    clients: usize,
}

impl Publisher {
    /// Listens on 127.0.0.1 (a port of the system's choosing) and, with `announce`, writes the
    /// address there for `blocklab notes` to find.
    pub fn start(announce: Option<PathBuf>) -> std::io::Result<Publisher> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let theirs = shared.clone();
        std::thread::Builder::new()
            .name("notes".into())
            .spawn(move || serve(&listener, &theirs))?;
        let announced = match announce {
            Some(file) => match super::announce::write(&file, address) {
                Ok(()) => Some(file),
                Err(e) => {
                    tracing::warn!("announcing the notes address in {}: {e}", file.display());
                    None
                }
            },
            None => None,
        };
        tracing::info!("speaker notes served on {address}");
        Ok(Publisher {
            shared,
            address,
            announced,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Hands the thread a new state; returns at once whatever the readers do.
    pub fn publish(&self, speaker: Speaker) {
        let mut state = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.latest = Some(speaker);
        state.version += 1;
        drop(state);
        self.shared.changed.notify_one();
    }

    /// How many notes screens are connected now.
    pub fn clients(&self) -> usize {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clients
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        if let Some(file) = &self.announced {
            super::announce::remove_if(file, self.address);
        }
        // Not joined: the thread may sit in a write for up to WRITE_TIMEOUT, and leaving must
        // not wait for a reader.
        self.shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .stop = true;
        self.shared.changed.notify_one();
    }
}

/// The UI loop's end: starts a [`Publisher`] when presenter mode first turns on (and keeps it
/// until the app ends: a notes screen stays connected while the presenter toggles `p`), then
/// hands it the app's [`Speaker`] whenever that changed.
pub struct Feed {
    /// The wall-clock time of the session's zero.
    epoch: SystemTime,
    announce: Option<PathBuf>,
    publisher: Option<Publisher>,
    last: Option<Speaker>,
    /// The publisher could not start: not tried again (said once, in the log).
    failed: bool,
}

impl Feed {
    pub fn new(epoch: SystemTime, announce: Option<PathBuf>) -> Feed {
        Feed {
            epoch,
            announce,
            publisher: None,
            last: None,
            failed: false,
        }
    }

    /// Looks at the app after its inputs and steps.
    pub fn see(&mut self, app: &crate::ui::app::App) {
        if self.publisher.is_none() {
            if app.present.is_none() || self.failed {
                return;
            }
            match Publisher::start(self.announce.clone()) {
                Ok(p) => self.publisher = Some(p),
                Err(e) => {
                    tracing::warn!("speaker notes not served: {e}");
                    self.failed = true;
                    return;
                }
            }
        }
        let speaker = app.speaker(self.epoch);
        if self.last.as_ref() != Some(&speaker)
            && let Some(publisher) = &self.publisher
        {
            publisher.publish(speaker.clone());
            self.last = Some(speaker);
        }
    }

    /// The publisher, once started.
    pub fn publisher(&self) -> Option<&Publisher> {
        self.publisher.as_ref()
    }
}

/// The thread: waits for a change or the next poll, sends changes to every reader, takes new
/// readers in (each gets the current state first).
fn serve(listener: &TcpListener, shared: &Shared) {
    let mut readers: Vec<TcpStream> = Vec::new();
    let mut sent = 0;
    let mut line: Option<String> = None;
    loop {
        let guard = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let (state, _) = shared
            .changed
            .wait_timeout_while(guard, POLL, |s| !s.stop && s.version == sent)
            .unwrap_or_else(|e| e.into_inner());
        if state.stop {
            return;
        }
        let changed = (state.version != sent).then(|| state.latest.clone());
        sent = state.version;
        drop(state);
        if let Some(latest) = changed {
            line = latest.map(|s| s.to_line());
            if let Some(line) = &line {
                readers.retain_mut(|r| r.write_all(line.as_bytes()).is_ok());
            }
        }
        while let Ok((stream, peer)) = listener.accept() {
            if let Some(reader) = welcome(stream, line.as_deref()) {
                tracing::debug!("notes screen connected from {peer}");
                readers.push(reader);
            }
        }
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        state.clients = readers.len();
    }
}

/// A new reader, set up and sent the current state; `None` if it failed already.
fn welcome(mut stream: TcpStream, line: Option<&str>) -> Option<TcpStream> {
    stream.set_nonblocking(false).ok()?;
    stream.set_write_timeout(Some(WRITE_TIMEOUT)).ok()?;
    let _ = stream.set_nodelay(true);
    if let Some(line) = line {
        stream.write_all(line.as_bytes()).ok()?;
    }
    Some(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::speaker::{LessonAt, StepAt};
    use std::io::{BufRead, BufReader};
    use std::time::Instant;

    fn state(notes: String, step: usize) -> Speaker {
        Speaker {
            presenting: true,
            lang: "en".into(),
            lesson: LessonAt {
                id: "event-loop".into(),
                n: 1,
                of: 18,
                title: "The event loop and its lag".into(),
            },
            step: Some(StepAt {
                n: step,
                of: 6,
                name: "Idea".into(),
            }),
            notes,
            next: None,
            presenting_since: Some(1),
            step_since: Some(2),
        }
    }

    /// Waits (up to a generous bound, only so a broken build fails instead of hanging) until
    /// `done` holds.
    fn eventually(mut done: impl FnMut() -> bool, what: &str) {
        let give_up = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < give_up, "never: {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn read_state(reader: &mut BufReader<TcpStream>) -> Speaker {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        Speaker::from_line(&line).unwrap()
    }

    #[test]
    fn a_reader_gets_the_current_state_on_connect_then_each_change() {
        let publisher = Publisher::start(None).unwrap();
        publisher.publish(state("first".into(), 1));
        let stream = TcpStream::connect(publisher.address()).unwrap();
        let mut reader = BufReader::new(stream);
        assert_eq!(read_state(&mut reader).notes, "first");
        publisher.publish(state("second".into(), 2));
        let got = read_state(&mut reader);
        assert_eq!((got.notes.as_str(), got.step.unwrap().n), ("second", 2));
    }

    #[test]
    fn a_reader_that_does_not_read_is_dropped_and_the_others_still_follow() {
        let publisher = Publisher::start(None).unwrap();
        let stuck = TcpStream::connect(publisher.address()).unwrap();
        eventually(|| publisher.clients() == 1, "the stuck reader taken in");
        // States far bigger than any socket buffer: the writes to the stuck reader cannot end.
        let big = "notes ".repeat(2 << 20);
        for step in 1..=3 {
            publisher.publish(state(big.clone(), step));
        }
        eventually(|| publisher.clients() == 0, "the stuck reader dropped");
        // The publisher goes on: a new reader gets the newest state, whole, then the next.
        let mut reader = BufReader::new(TcpStream::connect(publisher.address()).unwrap());
        let got = read_state(&mut reader);
        assert_eq!((got.notes.len(), got.step.unwrap().n), (big.len(), 3));
        publisher.publish(state("after".into(), 4));
        assert_eq!(read_state(&mut reader).notes, "after");
        drop(stuck);
    }
}
