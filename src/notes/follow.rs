//! The following side's connection: a thread that finds the presenter (the announcement file,
//! or an address given), reads its states, and starts over whenever the connection drops or
//! the file names a new address (the presenter restarted).
use std::io::{BufRead, BufReader, ErrorKind};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc::Sender;
use std::time::Duration;

use super::Speaker;
use super::speaker::LineError;

/// How often a follower tries again, and looks whether the presenter moved.
pub const RETRY: Duration = Duration::from_millis(250);

/// Where to find the presenter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Where {
    /// The address in this announcement file, whatever it is at the time.
    Announced(PathBuf),
    /// This address only (`--connect`).
    At(SocketAddr),
}

/// What the follower hears.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    /// No presenter to follow (yet, or any more).
    Waiting,
    Connected(SocketAddr),
    /// Boxed: a state is far bigger than the other news.
    State(Box<Speaker>),
    /// The presenter speaks another version of the format.
    Version(u32),
}

/// Follows the presenter on a thread of its own until `to` is gone.
pub fn start(from: Where, to: Sender<Heard>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("follow".into())
        .spawn(move || follow(&from, &to))?;
    Ok(())
}

fn follow(from: &Where, to: &Sender<Heard>) {
    let mut waiting = false;
    loop {
        let address = match from {
            Where::At(a) => Some(*a),
            Where::Announced(file) => super::announce::read(file),
        };
        let stream = address.and_then(|a| TcpStream::connect_timeout(&a, RETRY).ok());
        let (Some(address), Some(stream)) = (address, stream) else {
            if !waiting && to.send(Heard::Waiting).is_err() {
                return;
            }
            waiting = true;
            std::thread::sleep(RETRY);
            continue;
        };
        waiting = false;
        if to.send(Heard::Connected(address)).is_err() || !listen(stream, address, from, to) {
            return;
        }
    }
}

/// Reads states off `stream` until it ends or the presenter moved; false once `to` is gone.
fn listen(stream: TcpStream, address: SocketAddr, from: &Where, to: &Sender<Heard>) -> bool {
    if stream.set_read_timeout(Some(RETRY)).is_err() {
        return true;
    }
    let mut reader = BufReader::new(stream);
    // Kept across timeouts: a line may come in pieces.
    let mut line = Vec::new();
    loop {
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return true,
            Ok(_) if line.ends_with(b"\n") => {
                let heard = match Speaker::from_line(&String::from_utf8_lossy(&line)) {
                    Ok(s) => Some(Heard::State(Box::new(s))),
                    Err(LineError::Version(v)) => Some(Heard::Version(v)),
                    Err(LineError::Bad(e)) => {
                        tracing::warn!("a line from the presenter at {address}: {e}");
                        None
                    }
                };
                line.clear();
                if let Some(heard) = heard
                    && to.send(heard).is_err()
                {
                    return false;
                }
            }
            // The end, in the middle of a line.
            Ok(_) => return true,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                let moved = match from {
                    Where::At(_) => false,
                    Where::Announced(file) => {
                        super::announce::read(file).is_some_and(|a| a != address)
                    }
                };
                if moved {
                    return true;
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::publish::Publisher;
    use crate::notes::speaker::LessonAt;
    use std::sync::mpsc;

    fn state(n: usize) -> Speaker {
        Speaker {
            presenting: true,
            lang: "en".into(),
            lesson: LessonAt {
                id: format!("l{n}"),
                n,
                of: 18,
                title: format!("lesson {n}"),
            },
            step: None,
            notes: String::new(),
            next: None,
            presenting_since: None,
            step_since: None,
        }
    }

    /// The next state heard, skipping link news.
    fn next_state(rx: &mpsc::Receiver<Heard>) -> Speaker {
        loop {
            match rx
                .recv_timeout(Duration::from_secs(20))
                .expect("heard something")
            {
                Heard::State(s) => return *s,
                _ => continue,
            }
        }
    }

    #[test]
    fn follows_the_announced_presenter_across_a_restart() {
        let dir = std::env::temp_dir().join(format!("blocklab-follow-{}", std::process::id()));
        let file = dir.join("presenter.json");
        let (tx, rx) = mpsc::channel();
        start(Where::Announced(file.clone()), tx).unwrap();
        assert_eq!(rx.recv().unwrap(), Heard::Waiting, "nobody presents yet");

        let first = Publisher::start(Some(file.clone())).unwrap();
        first.publish(state(1));
        assert_eq!(next_state(&rx).lesson.n, 1);
        first.publish(state(2));
        assert_eq!(next_state(&rx).lesson.n, 2);
        drop(first);
        // Gone, then back on another port: the follower finds it again.
        let second = Publisher::start(Some(file.clone())).unwrap();
        second.publish(state(3));
        assert_eq!(next_state(&rx).lesson.n, 3);
        drop(second);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
