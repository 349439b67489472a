//! How long a learner waits for the first screen: the release binary started in a
//! pseudo-terminal (120×40, English), timed from the spawn to the moment the emulated screen
//! shows the first lesson's title; then `q`. Twenty starts; prints p50 / p90 / max. The issue's
//! bar is 150 ms. (Not a criterion bench: each sample is a whole process.)
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const STARTS: usize = 20;

fn main() {
    // `cargo bench` passes `--bench`; any other argument is a filter this bench ignores.
    let title = blocklab::lesson::builtin().lessons[0]
        .title
        .get()
        .to_string();
    let state = std::env::temp_dir().join(format!("blocklab-startup-{}", std::process::id()));
    let mut times: Vec<Duration> = (0..STARTS).map(|_| first_frame(&title, &state)).collect();
    let _ = std::fs::remove_dir_all(&state);
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "first frame (spawn → lesson 1 on screen, 120x40): p50 {:?} · p90 {:?} · max {:?} (of {STARTS})",
        at(0.5),
        at(0.9),
        times[times.len() - 1]
    );
}

fn first_frame(title: &str, state: &std::path::Path) -> Duration {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_blocklab"));
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("LC_ALL");
    cmd.env_remove("LC_MESSAGES");
    cmd.env("LANG", "C.UTF-8");
    cmd.env("XDG_STATE_HOME", state);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let (seen_tx, seen_rx) = mpsc::channel();
    let title = title.to_string();
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).expect("spawn blocklab");
    drop(pair.slave);
    std::thread::spawn(move || {
        let mut screen = vt100::Parser::new(nz(40), nz(120), 0);
        let mut buf = [0u8; 16384];
        let mut told = false;
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            screen.process(&buf[..n]);
            if !told && screen.screen().contents().contains(&title) {
                let _ = seen_tx.send(Instant::now());
                told = true;
            }
        }
    });
    let seen = seen_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the first lesson on screen within 10 s");
    writer.write_all(b"q").unwrap();
    writer.flush().unwrap();
    child.wait().unwrap();
    seen - start
}

fn nz(v: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(v).expect("a size above zero")
}
