//! The pseudo-terminal harness of the real-binary tests: blocklab runs in a pty, its output
//! goes through a vt100 emulator, and the tests read the emulated screen (never raw bytes),
//! the alternate-screen and cursor state, termios flags and the exit status.
#![allow(dead_code)] // each test binary uses a part

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Tui {
    pub screen: Arc<Mutex<vt100::Parser>>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn Child + Send + Sync>,
    pub master: Box<dyn MasterPty + Send>,
    /// The state folder made for this run alone (removed on drop).
    own_state: Option<PathBuf>,
}

/// A fresh, empty folder for `XDG_STATE_HOME`: tests never read or write the progress, log or
/// queue of the machine's user, nor each other's.
pub fn scratch_state() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("blocklab-pty-state-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch state folder");
    dir
}

impl Tui {
    pub fn start(args: &[&str], cols: u16, rows: u16) -> Tui {
        Self::start_with_env(args, &[], cols, rows)
    }

    /// blocklab ARGS in a pty of `cols`×`rows`, with extra environment variables; a state
    /// folder of its own unless `env` names one (`XDG_STATE_HOME`).
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Tui {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_blocklab"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        // English unless a test asks for another language: the locale of the machine running
        // the tests must not change what the screens say.
        cmd.env_remove("LC_ALL");
        cmd.env_remove("LC_MESSAGES");
        cmd.env("LANG", "C.UTF-8");
        cmd.env_remove("NO_COLOR");
        let own_state = (!env.iter().any(|(k, _)| *k == "XDG_STATE_HOME")).then(scratch_state);
        if let Some(dir) = &own_state {
            cmd.env("XDG_STATE_HOME", dir);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn blocklab");
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(nz(rows), nz(cols), 0)));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let feed = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Tui {
            screen,
            writer,
            child,
            master: pair.master,
            own_state,
        }
    }

    /// How many cells of the screen have a colour (foreground or background).
    pub fn coloured_cells(&self) -> usize {
        let parser = self.screen.lock().unwrap();
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        (0..rows.get())
            .flat_map(|r| (0..cols.get()).map(move |c| (r, c)))
            .filter_map(|(r, c)| screen.cell(r, c))
            .filter(|cell| {
                cell.fgcolor() != vt100::Color::Default || cell.bgcolor() != vt100::Color::Default
            })
            .count()
    }

    pub fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn wait_for(&self, what: &str, within: Duration) -> String {
        let start = Instant::now();
        loop {
            let text = self.text();
            if text.contains(what) {
                return text;
            }
            assert!(
                start.elapsed() < within,
                "`{what}` did not appear within {within:?}; screen:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until `what` is no longer on the screen.
    pub fn wait_gone(&self, what: &str, within: Duration) {
        let start = Instant::now();
        while self.text().contains(what) {
            assert!(
                start.elapsed() < within,
                "`{what}` still on screen after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    pub fn wait_exit(&mut self, within: Duration) -> portable_pty::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader thread take the last bytes (the restore sequences).
                std::thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(
                start.elapsed() < within,
                "blocklab did not exit within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Alternate screen off, cursor visible, canonical mode and echo back on.
    pub fn assert_restored(&self) {
        let parser = self.screen.lock().unwrap();
        assert!(
            !parser.screen().alternate_screen(),
            "still on the alternate screen"
        );
        assert!(!parser.screen().hide_cursor(), "cursor left hidden");
        let fd = self.master.as_raw_fd().expect("a unix pty");
        // SAFETY: a zeroed termios is a valid out-parameter; `fd` is the open master.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut t) }, 0, "tcgetattr");
        assert!(
            t.c_lflag & libc::ICANON != 0,
            "canonical mode left off (raw mode)"
        );
        assert!(t.c_lflag & libc::ECHO != 0, "echo left off");
    }
}

impl Tui {
    pub fn pid(&self) -> libc::pid_t {
        self.child.process_id().expect("a pid") as libc::pid_t
    }

    /// Sends `signal` to blocklab.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: sending a signal to our own child.
        assert_eq!(unsafe { libc::kill(self.pid(), signal) }, 0);
    }

    /// Resizes the pty (blocklab gets SIGWINCH) and the emulated screen with it.
    pub fn resize(&self, cols: u16, rows: u16) {
        // The emulator first: a frame blocklab draws for the new size as soon as SIGWINCH
        // arrives must not land in a screen of the old size (it would be wrapped and cut there,
        // and never redrawn).
        self.screen.lock().unwrap().set_size(nz(rows), nz(cols));
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(dir) = &self.own_state {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub fn nz(v: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(v).expect("a size above 0")
}

/// The stall counter on screen, in seconds ("STALLED 640 ms" or "STALLED 1.24 s").
pub fn stall_counter(screen: &str) -> Option<f64> {
    let rest = &screen[screen.find("STALLED ")? + 8..];
    let mut words = rest.split_whitespace();
    let value: f64 = words.next()?.parse().ok()?;
    match words.next()? {
        "s" => Some(value),
        "ms" => Some(value / 1e3),
        "µs" => Some(value / 1e6),
        _ => None,
    }
}
