//! The real binary in a pseudo-terminal: keys, live drawing during a freeze, resize, quitting,
//! and a terminal left as it was found. The screen is read through a vt100 emulator, never as
//! raw bytes.
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

struct Tui {
    screen: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
}

impl Tui {
    fn start(args: &[&str], cols: u16, rows: u16) -> Tui {
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
        }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, what: &str, within: Duration) -> String {
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

    fn press(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self, within: Duration) -> portable_pty::ExitStatus {
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
    fn assert_restored(&self) {
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

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn nz(v: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(v).expect("a size above 0")
}

/// The stall counter on screen, in seconds ("STALLED 640 ms" or "STALLED 1.24 s").
fn stall_counter(screen: &str) -> Option<f64> {
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

#[test]
fn opens_on_lesson_one_runs_an_action_and_quits_cleanly() {
    let mut tui = Tui::start(&[], 120, 40);
    let screen = tui.wait_for("Event-loop lag", Duration::from_secs(10));
    assert!(screen.contains("lesson 1/"), "{screen}");
    assert!(
        screen.contains("Pools") && screen.contains("Timeline"),
        "{screen}"
    );

    tui.press("1");
    tui.wait_for("sleep 20ms · inline", Duration::from_secs(5));
    // The live check of the action's expectations lands in the footer.
    tui.wait_for("expectations held", Duration::from_secs(5));

    tui.press("?");
    tui.wait_for("Help — keys", Duration::from_secs(2));
    tui.press("x");
    let start = Instant::now();
    while tui.text().contains("Help — keys") {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "help did not close"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    tui.press("\x1b[C"); // → next lesson
    tui.wait_for("lesson 2/", Duration::from_secs(2));

    tui.press("q");
    let status = tui.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "exit status {status:?}");
    tui.assert_restored();
}

#[test]
fn a_frozen_lab_keeps_the_ui_drawing_and_the_stall_counter_grows() {
    let mut tui = Tui::start(&[], 100, 30);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.press("3"); // lesson 1: freeze the loop 3 s
    let first = tui.wait_for("STALLED", Duration::from_secs(2));
    let a = stall_counter(&first).unwrap_or_else(|| panic!("no counter in:\n{first}"));
    std::thread::sleep(Duration::from_millis(1000));
    let second = tui.text();
    let b = stall_counter(&second).unwrap_or_else(|| panic!("no counter in:\n{second}"));
    assert!(
        b > a + 0.5,
        "the stall counter went from {a} s to {b} s in 1 s"
    );
    // Quitting does not wait for the frozen lab.
    tui.press("q");
    let status = tui.wait_exit(Duration::from_secs(2));
    assert!(status.success());
    tui.assert_restored();
}

#[test]
fn resize_below_the_minimum_shows_a_notice_and_recovers() {
    let mut tui = Tui::start(&[], 100, 30);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.master
        .resize(PtySize {
            rows: 20,
            cols: 60,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    tui.screen.lock().unwrap().set_size(nz(20), nz(60));
    tui.wait_for("Terminal too small: 60×20", Duration::from_secs(3));
    tui.master
        .resize(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    tui.screen.lock().unwrap().set_size(nz(30), nz(100));
    tui.wait_for("Event-loop lag", Duration::from_secs(3));
    tui.press("\x03"); // Ctrl-C
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut tui = Tui::start(&[], 100, 30);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    let pid = tui.child.process_id().expect("a pid") as libc::pid_t;
    // SAFETY: sending a signal to our own child.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    tui.wait_exit(Duration::from_secs(5));
    tui.assert_restored();
}

#[test]
fn a_bad_lesson_flag_fails_before_touching_the_terminal() {
    let mut tui = Tui::start(&["--lesson", "nope"], 100, 30);
    let status = tui.wait_exit(Duration::from_secs(5));
    assert!(!status.success());
    assert!(tui.text().contains("no lesson `nope`"), "{}", tui.text());
    tui.assert_restored();
}

/// A terminal that disappears (window closed) must not leave blocklab running. This test owns
/// the pseudo-terminal itself, so it can close the last handle on its side.
#[test]
fn a_closed_terminal_ends_blocklab() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    use std::sync::atomic::{AtomicBool, Ordering};

    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 30,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: out-parameters are valid; name and termios may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: both fds were just opened and are owned here.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    // The child must not inherit the master, or the terminal never closes.
    // SAFETY: setting a flag on an fd owned here.
    unsafe {
        libc::fcntl(
            std::os::fd::AsRawFd::as_raw_fd(&master),
            libc::F_SETFD,
            libc::FD_CLOEXEC,
        )
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blocklab"));
    cmd.env("TERM", "xterm-256color")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            libc::ioctl(0, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    let mut child = cmd.spawn().unwrap();

    // Drain the screen output until told to stop, so blocklab never blocks on a full pty.
    let reader = master.try_clone().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let drained = Arc::new(Mutex::new(Vec::new()));
    let (flag, out) = (stop.clone(), drained.clone());
    let drain = std::thread::spawn(move || {
        let mut file = std::fs::File::from(reader);
        // SAFETY: setting O_NONBLOCK on an fd this thread owns.
        unsafe {
            libc::fcntl(
                std::os::fd::AsRawFd::as_raw_fd(&file),
                libc::F_SETFL,
                libc::O_NONBLOCK,
            )
        };
        let mut buf = [0u8; 8192];
        while !flag.load(Ordering::Relaxed) {
            match file.read(&mut buf) {
                Ok(n) if n > 0 => out.lock().unwrap().extend_from_slice(&buf[..n]),
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    let start = Instant::now();
    while !String::from_utf8_lossy(&drained.lock().unwrap()).contains("Timeline") {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "blocklab never drew"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    stop.store(true, Ordering::Relaxed);
    drain.join().unwrap();
    drop(master); // the last master handle: the terminal is gone

    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(3) {
            let fds = std::fs::read_dir(format!("/proc/{}/fd", child.id()))
                .map(|d| {
                    d.filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            let _ = child.kill();
            panic!("blocklab kept running after its terminal closed (its fds: {fds:?})");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn every_lesson_is_reachable_with_the_arrow_keys() {
    let list = std::process::Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .arg("list")
        .output()
        .unwrap();
    let count = String::from_utf8(list.stdout).unwrap().lines().count();
    assert_eq!(count, 17, "seventeen lessons");
    let mut tui = Tui::start(&[], 120, 40);
    tui.wait_for("lesson 1/17", Duration::from_secs(10));
    for n in 2..=count {
        tui.press("\x1b[C");
        tui.wait_for(&format!("lesson {n}/{count}"), Duration::from_secs(5));
    }
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
}
