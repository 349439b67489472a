//! What the integration tests share: running `blocklab run --json`, one lab at a time.
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;

/// The runs measure time, so they take turns (one lab at a time on a 2-core machine).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub fn turn() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// `blocklab run ARGS --json`: exactly one JSON object on stdout.
pub fn run_json(args: &[&str]) -> Value {
    let _turn = turn();
    let out = Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .arg("run")
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "blocklab run {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "exactly one JSON object on stdout:\n{stdout}"
    );
    serde_json::from_str(&stdout).unwrap()
}
