//! `<state>/presenter.json`: where a presenting blocklab listens for notes screens. Written
//! whole (a temporary file renamed over it), removed on exit; a stale one (a killed
//! presenter) only means a follower's connect fails and it tries again.
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file's contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announce {
    pub v: u32,
    pub address: SocketAddr,
    pub pid: u32,
}

/// The file in the state folder.
pub fn path() -> PathBuf {
    crate::paths::state_dir().join("presenter.json")
}

/// Writes `address` (and this process) to `file`.
pub fn write(file: &Path, address: SocketAddr) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let announce = Announce {
        v: super::speaker::VERSION,
        address,
        pid: std::process::id(),
    };
    let tmp = file.with_extension(format!("json.{}.tmp", std::process::id()));
    std::fs::write(&tmp, serde_json::to_vec(&announce).expect("plain data"))?;
    std::fs::rename(&tmp, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// The address `file` names, if it can be read.
pub fn read(file: &Path) -> Option<SocketAddr> {
    let bytes = std::fs::read(file).ok()?;
    serde_json::from_slice::<Announce>(&bytes)
        .ok()
        .map(|a| a.address)
}

/// Removes `file` if it still names `address` (another presenter may have taken it over).
pub fn remove_if(file: &Path, address: SocketAddr) {
    if read(file) == Some(address) {
        let _ = std::fs::remove_file(file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_read_and_removed_only_while_it_is_ours() {
        let dir = std::env::temp_dir().join(format!("blocklab-announce-{}", std::process::id()));
        let file = dir.join("presenter.json");
        let ours: SocketAddr = "127.0.0.1:4242".parse().unwrap();
        write(&file, ours).unwrap();
        assert_eq!(read(&file), Some(ours));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("\"v\":1"), "{text}");
        // Another presenter took it over: ours leaving keeps theirs.
        let theirs: SocketAddr = "127.0.0.1:4343".parse().unwrap();
        write(&file, theirs).unwrap();
        remove_if(&file, ours);
        assert_eq!(read(&file), Some(theirs));
        remove_if(&file, theirs);
        assert!(!file.exists());
        assert_eq!(read(&file), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
