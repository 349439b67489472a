//! Where blocklab keeps what outlives a run: the durable queue, the log, the learner's progress.
use std::path::PathBuf;

/// `$XDG_STATE_HOME/blocklab`, else `~/.local/state/blocklab`, else the temporary folder.
pub fn state_dir() -> PathBuf {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/state"))
        })
        .unwrap_or_else(std::env::temp_dir)
        .join("blocklab")
}
