//! The command line: what it prints, and how it refuses bad input (exit code 2, a clear word).
use std::process::{Command, Output};

fn blocklab(args: &[&str]) -> Output {
    // A state folder of nobody's: no progress of the machine's user shows up in `list`.
    let state = std::env::temp_dir().join(format!("blocklab-cli-no-state-{}", std::process::id()));
    blocklab_in(&state, args)
}

/// blocklab with `state` as its `XDG_STATE_HOME`.
fn blocklab_in(state: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(args)
        .env("XDG_STATE_HOME", state)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .output()
        .unwrap()
}

fn refused(args: &[&str], hint: &str) {
    let out = blocklab(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?} should exit 2; stderr:\n{stderr}"
    );
    assert!(
        stderr.contains(hint),
        "{args:?}: expected `{hint}` in:\n{stderr}"
    );
}

#[test]
fn list_prints_the_totals_then_one_line_per_lesson() {
    let out = blocklab(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 19, "{text}");
    assert!(lines[0].starts_with("LESSON "), "{text}");
    assert!(lines[0].contains("SEEN 0/18"), "no progress yet: {text}");
    assert!(
        lines[1].starts_with("event-loop ") && lines[1].ends_with("The event loop and its lag"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.split("  ").filter(|p| !p.trim().is_empty()).count() == 6),
        "six columns: {text}"
    );
}

/// Where each line's title starts, in display columns: after the last gap of two spaces.
fn title_column(line: &str) -> usize {
    let at = line.rfind("  ").expect("columns") + 2;
    blocklab::text::width::width(&line[..at])
}

/// `list` reads the progress the TUI keeps: per lesson seen, actions run and passed, and the
/// totals over the lessons loaded; a lesson of another folder is not counted.
#[test]
fn list_shows_the_progress_file_aligned_in_every_language() {
    let state = std::env::temp_dir().join(format!("blocklab-cli-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(state.join("blocklab")).unwrap();
    let file = state.join("blocklab/progress.json");
    let progress = r#"{
        "version": 1,
        "last_lesson": "cpu-inline",
        "lessons": {
            "event-loop": {"visited": true, "ran": ["1", "2"], "passed": ["1"], "pick": {"choice": 1, "supported": true}},
            "cpu-inline": {"visited": true},
            "someone-elses": {"visited": true, "ran": ["1"], "passed": ["1"]}
        }
    }"#;
    std::fs::write(&file, progress).unwrap();
    let out = blocklab_in(&state, &["list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    for total in ["SEEN 2/18", "RUN 2/67", "PASSED 1/67"] {
        assert!(lines[0].contains(total), "{total}: {text}");
    }
    let line = |id: &str| {
        *lines
            .iter()
            .find(|l| l.starts_with(&format!("{id} ")))
            .unwrap()
    };
    let cells = |l: &str| -> Vec<String> {
        l.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    assert!(lines[0].contains("PREDICTED 1/"), "{text}");
    assert_eq!(
        cells(line("event-loop"))[1..5],
        ["✓", "2/3", "1/3", "b ✓"],
        "{text}"
    );
    assert_eq!(
        cells(line("cpu-inline"))[1..5],
        ["✓", "0/3", "0/3", "·"],
        "{text}"
    );
    assert_eq!(
        cells(line("load"))[1..5],
        ["-", "0/3", "0/3", "-"],
        "{text}"
    );
    for lang in ["en", "zh-TW", "zh-CN"] {
        let out = blocklab_in(&state, &["--lang", lang, "list"]);
        let text = String::from_utf8(out.stdout).unwrap();
        let columns: Vec<usize> = text.lines().map(title_column).collect();
        assert!(
            columns.iter().all(|&c| c == columns[0]),
            "{lang}: titles start at {columns:?}:\n{text}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        progress,
        "list only reads"
    );

    // A broken file: said on stderr, listed as no progress, left where it is.
    std::fs::write(&file, "{\"version\": 1, ").unwrap();
    let out = blocklab_in(&state, &["list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("progress in {}", file.display())),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SEEN 0/18"));
    assert!(file.exists());
    std::fs::remove_dir_all(&state).unwrap();
}

#[test]
fn a_sweep_run_prints_its_sizing_table() {
    let out = blocklab(&[
        "run",
        "--workload",
        "mixed",
        "--strategy",
        "thread-pool",
        "--ms",
        "10",
        "--sweep",
        "1,2",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("sizing sweep: mixed 10 ms"), "{text}");
    assert!(text.contains("cores × 2 = a pool of"), "{text}");
    let steps = text
        .lines()
        .filter(|l| l.trim_start().starts_with("1×"))
        .count()
        + text
            .lines()
            .filter(|l| l.trim_start().starts_with("2×"))
            .count();
    assert_eq!(steps, 2, "one line per step:\n{text}");
}

#[test]
fn without_a_terminal_the_tui_says_what_to_do_instead() {
    let out = blocklab(&[]); // stdout and stderr are pipes here
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the TUI needs a terminal"), "{stderr}");
    assert!(stderr.contains("blocklab run"), "{stderr}");
}

#[test]
fn bad_values_are_refused_with_what_is_allowed() {
    let run = ["run", "--workload", "sleep", "--strategy", "inline"];
    refused(
        &[&run[..], &["--ms", "0"]].concat(),
        "0 is not in 1..=600000",
    );
    refused(
        &[&run[..], &["--ms", "-5"]].concat(),
        "-5 is not in 1..=600000",
    );
    refused(
        &[&run[..], &["--ms", "200", "--workers", "0"]].concat(),
        "0 is not in 1..=64",
    );
    refused(
        &[&run[..], &["--ms", "200", "--seconds", "0"]].concat(),
        "must be above 0",
    );
    refused(
        &[
            "run",
            "--workload",
            "sleep",
            "--strategy",
            "threads",
            "--ms",
            "5",
        ],
        "possible values: inline, chunked, spawn-blocking",
    );
    refused(
        &[
            "run",
            "--workload",
            "disk",
            "--strategy",
            "inline",
            "--ms",
            "5",
        ],
        "possible values: sleep, cpu, async, panic",
    );
    refused(
        &["--runtime", "green-threads"],
        "possible values: current-thread, multi-thread",
    );
    refused(
        &["check", "no-such-lesson"],
        "no lesson `no-such-lesson` (known: event-loop",
    );
    // Non-numeric, absurd, unknown flags and subcommands: never a panic, always exit 2.
    refused(
        &[&run[..], &["--ms", "fast"]].concat(),
        "invalid digit found in string",
    );
    refused(
        &[&run[..], &["--ms", "99999999999"]].concat(),
        "99999999999 is not in 1..=600000",
    );
    refused(
        &[&run[..], &["--ms", "99999999999999999999999"]].concat(),
        "number too large",
    );
    refused(
        &[&run[..], &["--ms", "5", "--jobs", "1000000"]].concat(),
        "1000000 is not in 1..=10000",
    );
    refused(
        &[&run[..], &["--ms", "5", "--seconds", "1e9"]].concat(),
        "at most 3600",
    );
    refused(
        &[&run[..], &["--ms", "5", "--seconds", "NaN"]].concat(),
        "must be above 0",
    );
    refused(&["--rate", "1000000"], "1000000 is not in 0..=5000");
    refused(&["--max-blocking-threads", "0"], "0 is not in 1..=4096");
    refused(&["--frobnicate"], "unexpected argument '--frobnicate'");
    refused(&["frobnicate"], "unrecognized subcommand 'frobnicate'");
    refused(&["--lesson", "99"], "no lesson `99` (known: event-loop");
    refused(
        &["--lessons", "/no/such/dir", "list"],
        "/no/such/dir: No such file",
    );
}

#[test]
fn a_broken_lesson_file_is_named_with_its_line() {
    let dir = std::env::temp_dir().join(format!("blocklab-lessons-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/01-event-loop.toml"
    ))
    .unwrap();
    let broken = good.replacen("workload = \"sleep\"", "workload = \"nap\"", 1);
    let line = broken.lines().position(|l| l.contains("\"nap\"")).unwrap() + 1;
    let file = dir.join("01-broken.toml");
    std::fs::write(&file, broken).unwrap();
    let out = blocklab(&["--lessons", dir.to_str().unwrap(), "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:{line}: unknown workload `nap`",
            file.display()
        )),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A presenter's folder with one good lesson and one of each common mistake.
fn lesson_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("blocklab-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/lessons/01-event-loop.toml"
    ))
    .unwrap();
    std::fs::write(dir.join("01-good.toml"), &good).unwrap();
    std::fs::write(
        dir.join("02-syntax.toml"),
        good.replacen("title = \"", "title = ", 1),
    )
    .unwrap();
    std::fs::write(
        dir.join("03-strategy.toml"),
        good.replacen("id = \"event-loop\"", "id = \"mine\"", 1)
            .replacen("strategy = \"inline\"", "strategy = \"threads\"", 1),
    )
    .unwrap();
    std::fs::write(dir.join("04-same-id.toml"), &good).unwrap();
    dir
}

#[test]
fn validate_lists_every_bad_file_with_its_line() {
    let dir = lesson_dir("validate");
    let d = dir.display();
    let out = blocklab(&["--lessons", dir.to_str().unwrap(), "validate"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("ok    {d}/01-good.toml  (event-loop: 3 actions)")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("error {d}/02-syntax.toml:2: ")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "error {d}/03-strategy.toml:45: unknown strategy `threads`"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "error {d}/04-same-id.toml:1: id `event-loop` is already used by {d}/01-good.toml"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("validate: 1 lesson files good, 3 bad"),
        "{stdout}"
    );

    // The built-in lessons are all good.
    let out = blocklab(&["validate"]);
    assert_eq!(out.status.code(), Some(0));

    // `list` still lists the good lesson, and says on stderr what it skipped.
    let out = blocklab(&["--lessons", dir.to_str().unwrap(), "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.lines().nth(1).unwrap().starts_with("event-loop "),
        "{stdout}"
    );
    assert_eq!(stderr.matches("blocklab: skipped ").count(), 3, "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `check --json` with a lesson that does not exist says so on stderr, as the table does, and
/// prints no JSON.
#[test]
fn check_json_with_an_unknown_lesson_says_which_are_known() {
    let out = blocklab(&["check", "--json", "nope"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no lesson `nope`"), "{stderr}");
    assert!(stderr.contains("event-loop"), "the known ids: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
