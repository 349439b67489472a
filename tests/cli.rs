//! The command line: what it prints, and how it refuses bad input (exit code 2, a clear word).
use std::process::{Command, Output};

fn blocklab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(args)
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
fn list_prints_one_line_per_lesson() {
    let out = blocklab(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 3);
    assert!(
        lines[0].starts_with("event-loop ") && lines[0].contains("The event loop and its lag"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.split("  ").filter(|p| !p.trim().is_empty()).count() == 2),
        "{text}"
    );
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
