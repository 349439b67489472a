//! The real binary in a pseudo-terminal: keys, live drawing during a freeze, resize, quitting,
//! and a terminal left as it was found. The screen is read through a vt100 emulator, never as
//! raw bytes.
mod pty;

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pty::{Tui, scratch_state, stall_counter};

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
    tui.wait_gone("Help — keys", Duration::from_secs(2));

    tui.press("\x1b[C"); // → next lesson
    tui.wait_for("lesson 2/", Duration::from_secs(2));

    tui.press("q");
    let status = tui.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "exit status {status:?}");
    tui.assert_restored();
}

#[test]
fn no_color_means_no_colour_on_screen_through_a_stall() {
    for (env, coloured) in [(&[("NO_COLOR", "1")][..], false), (&[][..], true)] {
        let mut tui = Tui::start_with_env(&["--lesson", "2"], env, 120, 40);
        tui.wait_for("Event-loop lag", Duration::from_secs(10));
        // A stall: its bar and label are red when colour is on.
        tui.press("1");
        tui.wait_for("expectations", Duration::from_secs(10));
        assert_eq!(
            tui.coloured_cells() > 0,
            coloured,
            "{env:?}:\n{}",
            tui.text()
        );
        tui.press("q");
        assert!(tui.wait_exit(Duration::from_secs(5)).success());
        tui.assert_restored();
    }
}

#[test]
fn starts_in_the_locales_language_and_the_key_switches_it_live() {
    let mut tui = Tui::start_with_env(&[], &[("LANG", "zh_TW.UTF-8")], 120, 40);
    let screen = tui.wait_for("事件迴圈延遲", Duration::from_secs(10));
    assert!(screen.contains("第 1/"), "{screen}");
    assert!(
        screen.contains("事件迴圈與它的延遲"),
        "the lesson in zh-TW: {screen}"
    );

    tui.press("L");
    let screen = tui.wait_for("事件循环延迟", Duration::from_secs(2));
    assert!(!screen.contains("事件迴圈延遲"), "{screen}");
    tui.press("L");
    let screen = tui.wait_for("Event-loop lag", Duration::from_secs(2));
    assert!(screen.contains("lesson 1/"), "{screen}");

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
    tui.resize(60, 20);
    tui.wait_for("terminal too small (need 80×24", Duration::from_secs(3));
    tui.resize(100, 30);
    tui.wait_for("Event-loop lag", Duration::from_secs(3));
    tui.press("\x03"); // Ctrl-C
    assert_eq!(tui.wait_exit(Duration::from_secs(5)).exit_code(), 130);
    tui.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut tui = Tui::start(&[], 100, 30);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.signal(libc::SIGTERM);
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
    let state = scratch_state();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blocklab"));
    cmd.env("TERM", "xterm-256color")
        .env("XDG_STATE_HOME", &state)
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
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn every_lesson_is_reachable_with_the_arrow_keys() {
    let list = std::process::Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .arg("list")
        .output()
        .unwrap();
    // The first line names the columns.
    let count = String::from_utf8(list.stdout).unwrap().lines().count() - 1;
    assert_eq!(count, 18, "eighteen lessons");
    let mut tui = Tui::start(&[], 120, 40);
    tui.wait_for(&format!("lesson 1/{count}"), Duration::from_secs(10));
    for n in 2..=count {
        tui.press("\x1b[C");
        tui.wait_for(&format!("lesson {n}/{count}"), Duration::from_secs(5));
    }
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
}

/// A presenter's folder with a broken file: the TUI opens with the good lessons and says which
/// file it skipped, and why.
#[test]
fn a_folder_with_a_broken_lesson_still_opens_and_names_the_skipped_file() {
    let dir = std::env::temp_dir().join(format!("blocklab-tui-lessons-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/02-blocking-inline.toml"
    ))
    .unwrap();
    std::fs::write(dir.join("01-good.toml"), &good).unwrap();
    let broken = good
        .replacen("id = \"blocking-inline\"", "id = \"mine\"", 1)
        .replacen("workload = \"sleep\"", "workload = \"nap\"", 1);
    std::fs::write(dir.join("02-broken.toml"), broken).unwrap();

    let mut tui = Tui::start(&["--lessons", dir.to_str().unwrap()], 120, 40);
    let screen = tui.wait_for("Event-loop lag", Duration::from_secs(10));
    assert!(screen.contains("lesson 1/1"), "{screen}");
    assert!(screen.contains("1 lesson file skipped (?)"), "{screen}");
    tui.press("?");
    let help = tui.wait_for("Skipped lesson files (1):", Duration::from_secs(3));
    assert!(help.contains("02-broken.toml:"), "{help}");
    assert!(help.contains("unknown workload `nap`"), "{help}");
    tui.press("xq");
    assert_eq!(tui.wait_exit(Duration::from_secs(5)).exit_code(), 0);
    tui.assert_restored();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The learner's progress outlives the process: reopened, the TUI shows the lesson it was left
/// on and the header counts what was seen and run; `--fresh` starts over on lesson 1 and keeps
/// the old file as `progress.json.prev`.
#[test]
fn progress_survives_a_restart_and_fresh_starts_over() {
    let state = scratch_state();
    let env = [("XDG_STATE_HOME", state.to_str().unwrap())];
    let file = state.join("blocklab/progress.json");
    // Wide enough for the summary beside the longest of these titles and the HTTP address.
    let (cols, rows) = (180, 40);

    let mut tui = Tui::start_with_env(&[], &env, cols, rows);
    let screen = tui.wait_for("Event-loop lag", Duration::from_secs(10));
    assert!(
        screen.contains("lesson 1/18"),
        "a first run opens lesson 1: {screen}"
    );
    tui.press("1");
    tui.wait_for("expectations held", Duration::from_secs(10));
    tui.wait_for("1/67 run", Duration::from_secs(2));
    tui.press("\x1b[C");
    tui.wait_for("lesson 2/18", Duration::from_secs(5));
    tui.press("\x1b[C");
    tui.wait_for("lesson 3/18", Duration::from_secs(5));
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    let saved = std::fs::read_to_string(&file).expect("progress saved");
    assert!(saved.contains("\"last_lesson\": \"cpu-inline\""), "{saved}");

    let mut tui = Tui::start_with_env(&[], &env, cols, rows);
    let screen = tui.wait_for("Event-loop lag", Duration::from_secs(10));
    assert!(
        screen.contains("lesson 3/18"),
        "reopened where it stopped: {screen}"
    );
    assert!(
        screen.contains("✓ 3/18 lessons · 1/67 run"),
        "the header counts the progress: {screen}"
    );
    // --lesson wins over the last lesson.
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    let mut tui = Tui::start_with_env(&["--lesson", "5"], &env, cols, rows);
    let screen = tui.wait_for("Event-loop lag", Duration::from_secs(10));
    assert!(screen.contains("lesson 5/18"), "{screen}");
    assert!(screen.contains("✓ 4/18 lessons · 1/67 run"), "{screen}");
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());

    let mut tui = Tui::start_with_env(&["--fresh"], &env, cols, rows);
    let screen = tui.wait_for("Event-loop lag", Duration::from_secs(10));
    assert!(screen.contains("lesson 1/18"), "{screen}");
    assert!(screen.contains("✓ 1/18 lessons · 0/67 run"), "{screen}");
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
    let prev = std::fs::read_to_string(state.join("blocklab/progress.json.prev")).unwrap();
    assert!(
        prev.contains("\"last_lesson\": \"block-in-place\""),
        "{prev}"
    );
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(now.contains("\"last_lesson\": \"event-loop\""), "{now}");
    assert!(!now.contains("cpu-inline"), "started over: {now}");
    drop(tui);
    std::fs::remove_dir_all(&state).unwrap();
}

/// A progress file that is not one: a notice names it, the TUI works, and the file is moved to
/// `progress.json.corrupt` (not overwritten) before the new progress is saved.
#[test]
fn a_corrupt_progress_file_is_set_aside_with_a_notice() {
    let state = scratch_state();
    let env = [("XDG_STATE_HOME", state.to_str().unwrap())];
    let dir = state.join("blocklab");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("progress.json"), "{\"version\": 1, \"lessons\": [").unwrap();

    let mut tui = Tui::start_with_env(&[], &env, 120, 40);
    let screen = tui.wait_for("progress starts afresh", Duration::from_secs(10));
    assert!(screen.contains("blocklab/progress.json"), "{screen}");
    assert!(screen.contains("lesson 1/18"), "{screen}");
    tui.press("\x1b[C");
    tui.wait_for("lesson 2/18", Duration::from_secs(5));
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
    let aside = std::fs::read_to_string(dir.join("progress.json.corrupt")).unwrap();
    assert_eq!(aside, "{\"version\": 1, \"lessons\": [", "kept as it was");
    let now = std::fs::read_to_string(dir.join("progress.json")).unwrap();
    assert!(
        now.contains("\"last_lesson\": \"blocking-inline\""),
        "{now}"
    );
    drop(tui);
    std::fs::remove_dir_all(&state).unwrap();
}

/// A fresh state folder for one test (`XDG_STATE_HOME`).
fn state_home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("blocklab-tui-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `e` saves the screen as SVG and text in the state folder's `screens`, and the notice names
/// the folder and the files.
#[test]
fn the_export_key_saves_the_screen_and_the_notice_says_where() {
    let state = state_home("export");
    let env = [("XDG_STATE_HOME", state.to_str().unwrap())];
    let mut tui = Tui::start_with_env(&[], &env, 200, 40);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.press("e");
    let screen = tui.wait_for(
        "saved the screen: blocklab-event-loop-",
        Duration::from_secs(5),
    );
    // The folder as the notice writes it (a path under $HOME would start with ~).
    let folder = format!(
        "{}/blocklab/screens",
        state.file_name().unwrap().to_str().unwrap()
    );
    assert!(screen.contains(&folder), "{screen}");

    let dir = state.join("blocklab/screens");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let stem = files[0].strip_suffix(".svg").expect("an .svg");
    assert_eq!(files[1], format!("{stem}.txt"));
    assert!(screen.contains(&format!("{stem}.svg and .txt")), "{screen}");

    let text = std::fs::read_to_string(dir.join(&files[1])).unwrap();
    assert_eq!(text.lines().count(), 40, "{text}");
    assert!(text.lines().next().unwrap().contains("lesson 1/"), "{text}");
    assert!(
        text.contains("Event-loop lag") && text.contains("Pools"),
        "{text}"
    );
    let svg = std::fs::read_to_string(dir.join(&files[0])).unwrap();
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(
        svg.contains("<title>The event loop and its lag</title>"),
        "{svg}"
    );

    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
    std::fs::remove_dir_all(&state).unwrap();
}

/// A folder that cannot be made (a file in its place: refused even to root) is a notice with
/// the system's reason, at 80×24; the TUI goes on as before.
#[test]
fn a_screen_that_cannot_be_saved_is_a_notice_and_the_tui_goes_on() {
    let state = state_home("nosave");
    std::fs::create_dir_all(state.join("blocklab")).unwrap();
    std::fs::write(state.join("blocklab/screens"), "not a folder").unwrap();
    let env = [("XDG_STATE_HOME", state.to_str().unwrap())];
    let mut tui = Tui::start_with_env(&[], &env, 80, 24);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.press("e");
    let screen = tui.wait_for("could not save the screen in", Duration::from_secs(5));
    // The notice may take both footer lines: read them as one.
    let footer = screen
        .lines()
        .skip(22)
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(footer.contains("File exists (os error 17)"), "{screen}");

    tui.press("?");
    tui.wait_for("Help — keys", Duration::from_secs(3));
    tui.press("x");
    tui.wait_gone("Help — keys", Duration::from_secs(3));
    tui.press("\x1b[C");
    tui.wait_for("lesson 2/", Duration::from_secs(3));
    tui.press("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(5)).exit_code(), 0);
    tui.assert_restored();
    std::fs::remove_dir_all(&state).unwrap();
}

#[test]
fn a_recorded_session_replays_with_its_stall_and_a_cut_copy_is_refused() {
    let dir = scratch_state();
    let file = dir.join("lesson1.jsonl");
    let path = file.to_str().unwrap();
    let mut tui = Tui::start(&["--lesson", "1", "--record", path], 120, 40);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.press("2");
    tui.wait_for("expectations", Duration::from_secs(15));
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());

    let mut replay = Tui::start(&["replay", path, "--speed", "4"], 120, 40);
    let screen = replay.wait_for("replay ×4", Duration::from_secs(10));
    assert!(screen.contains("lesson 1/"), "{screen}");
    // The block's stall, labelled with its job, as it was live.
    replay.wait_for("ms #", Duration::from_secs(15));
    replay.press("q");
    assert!(replay.wait_exit(Duration::from_secs(5)).success());
    replay.assert_restored();

    // Cut mid-line: refused, saying where, exit 2 (before any terminal is touched).
    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.join("cut.jsonl");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(["--lang", "en", "replay", cut.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains(&format!("the file was cut at line {lines}")),
        "{said}"
    );
    // Not a recording at all.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(["--lang", "en", "replay", "Cargo.toml"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("not a blocklab session recording"), "{said}");
}

#[test]
fn presenter_mode_steps_through_lesson_one_with_a_clickers_keys_and_zooms() {
    let mut tui = Tui::start(&["--present", "--lesson", "1"], 80, 24);
    tui.wait_for("step 1/6 · Idea", Duration::from_secs(10));
    assert!(tui.text().contains("lag now"), "{}", tui.text());
    tui.press("\x1b[6~"); // Page Down
    tui.wait_for("step 2/6 · Predict", Duration::from_secs(2));
    tui.press("\x1b[C"); // →
    tui.wait_for("step 3/6 · Run 1", Duration::from_secs(2));
    // Next on a Run step runs its action, as its digit would; the step stays to watch it.
    tui.press("\x1b[6~");
    tui.wait_for("expectations held", Duration::from_secs(10));
    assert!(tui.text().contains("step 3/6 · Run 1"), "{}", tui.text());
    tui.press("\x1b[C");
    tui.wait_for("step 4/6 · Run 2", Duration::from_secs(2));
    tui.press("\x1b[5~"); // Page Up
    tui.wait_for("step 3/6 · Run 1", Duration::from_secs(2));

    // z zooms the lesson pane, then the lag pane (its title spans the screen); Z returns.
    tui.press("z");
    tui.press("z");
    tui.wait_gone("Pools", Duration::from_secs(2));
    assert!(tui.text().contains("Event-loop lag"), "{}", tui.text());
    tui.press("Z");
    tui.wait_for("Pools", Duration::from_secs(2));
    // Esc leaves a zoom and does not quit.
    tui.press("z");
    tui.wait_gone("Pools", Duration::from_secs(2));
    tui.press("\x1b");
    tui.wait_for("Pools", Duration::from_secs(2));

    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
}

#[test]
fn no_color_presenter_mode_has_no_colour_on_screen() {
    let args = ["--present", "--lesson", "2"];
    let mut tui = Tui::start_with_env(&args, &[("NO_COLOR", "1")], 120, 40);
    tui.wait_for("step 1/", Duration::from_secs(10));
    tui.press("\x1b[6~\x1b[6~\x1b[6~"); // to the first Run step, and run it
    tui.wait_for("expectations", Duration::from_secs(10));
    tui.press("z");
    tui.press("z");
    tui.wait_gone("Pools", Duration::from_secs(2));
    assert_eq!(tui.coloured_cells(), 0, "{}", tui.text());
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
}

/// The start of a lesson file's `[notes]` text of this kind: enough to recognise it on the
/// notes screen (read from the file, which is still being written, not copied here).
fn notes_start(file: &str, kind: &str) -> String {
    let path = format!("{}/lessons/{file}", env!("CARGO_MANIFEST_DIR"));
    let lesson: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let text = lesson["notes"][kind].as_str().expect("notes of this kind");
    text.trim().chars().take(30).collect()
}

/// `blocklab notes` in a second terminal follows a presenter in the first: its step's notes,
/// each step, a lesson change within a second, presenter mode off, and the presenter quitting
/// and starting again. Both terminals are given back.
#[test]
fn notes_on_a_second_terminal_follow_the_presenter_across_a_restart() {
    let state = state_home("notes");
    let env = [("XDG_STATE_HOME", state.to_str().unwrap())];
    let within = Duration::from_secs(1);
    let mut notes = Tui::start_with_env(&["notes"], &env, 100, 30);
    notes.wait_for("waiting for a presenting blocklab", Duration::from_secs(10));

    let mut presenter = Tui::start_with_env(&["--present", "--lesson", "1"], &env, 80, 24);
    presenter.wait_for("step 1/6 · Idea", Duration::from_secs(10));
    let screen = notes.wait_for(
        &notes_start("01-event-loop.toml", "idea"),
        Duration::from_secs(10),
    );
    assert!(screen.contains("connected to 127.0.0.1:"), "{screen}");
    assert!(screen.contains("step 1/6 · Idea"), "{screen}");
    assert!(screen.contains("next: Predict"), "{screen}");

    presenter.press("\x1b[6~"); // Page Down
    presenter.wait_for("step 2/6 · Predict", Duration::from_secs(2));
    notes.wait_for(&notes_start("01-event-loop.toml", "predict"), within);

    // Another lesson: presenter mode off, the next lesson, on again.
    presenter.press("p");
    notes.wait_for("presenter mode is off there", within);
    presenter.press("\x1b[C");
    presenter.press("p");
    presenter.wait_for("lesson 2/", Duration::from_secs(2));
    let screen = notes.wait_for(&notes_start("02-blocking-inline.toml", "idea"), within);
    assert!(screen.contains("lesson 2/"), "{screen}");

    presenter.press("q");
    assert!(presenter.wait_exit(Duration::from_secs(5)).success());
    presenter.assert_restored();
    notes.wait_for("waiting for a presenting blocklab", Duration::from_secs(5));
    assert!(
        !state.join("blocklab/presenter.json").exists(),
        "the announcement left with its presenter"
    );

    // Started again: the notes screen finds it on its new port.
    let mut again = Tui::start_with_env(&["--present", "--lesson", "1"], &env, 80, 24);
    again.wait_for("step 1/6 · Idea", Duration::from_secs(10));
    notes.wait_for(
        &notes_start("01-event-loop.toml", "idea"),
        Duration::from_secs(10),
    );
    notes.wait_for("connected to 127.0.0.1:", within);

    again.press("q");
    assert!(again.wait_exit(Duration::from_secs(5)).success());
    again.assert_restored();
    notes.press("q");
    assert_eq!(notes.wait_exit(Duration::from_secs(5)).exit_code(), 0);
    notes.assert_restored();
    std::fs::remove_dir_all(&state).unwrap();
}

/// The playground on the real binary: `g` opens it, a lab setting changed restarts the lab
/// with it (the Pools pane says so), 1 runs the experiment and what it measured appears; `g`
/// goes back to the lesson.
#[test]
fn the_playground_changes_the_lab_live_runs_and_goes_back() {
    let mut tui = Tui::start(&["--lesson", "1"], 120, 40);
    tui.wait_for("Event-loop lag", Duration::from_secs(10));
    tui.press("g");
    tui.wait_for("blocklab run --workload sleep", Duration::from_secs(2));
    // Down to the runtime (workload, strategy, ms, jobs, runtime: inline takes no size).
    for _ in 0..4 {
        tui.press("\x1b[B");
    }
    tui.press("\x1b[C");
    tui.wait_for("--runtime multi-thread --workers", Duration::from_secs(2));
    tui.wait_for("multi-thread ×", Duration::from_secs(5));
    tui.press("\r");
    tui.wait_for("where it ran: event-loop", Duration::from_secs(10));
    let screen = tui.wait_for("queue wait", Duration::from_secs(2));
    assert!(screen.contains("the loop"), "{screen}");
    tui.press("g");
    tui.wait_for("lesson 1/", Duration::from_secs(2));
    tui.press("q");
    assert!(tui.wait_exit(Duration::from_secs(5)).success());
    tui.assert_restored();
}
