//! The progress file: `progress.json` in the state folder. Read once at start; written whole on
//! each change, to a temporary file in the same folder and then renamed over the old one, so a
//! crash mid-write leaves the old file or the new one, never half of one. A file that cannot
//! be used is moved aside, never overwritten.
use std::io;
use std::path::{Path, PathBuf};

use super::{Progress, Unreadable};
use crate::text::T;

pub const FILE_NAME: &str = "progress.json";
/// Where an unusable file goes: `progress.json.corrupt`.
pub const CORRUPT: &str = "corrupt";
/// Where `--fresh` puts the old file: `progress.json.prev`.
pub const PREV: &str = "prev";

#[derive(Clone, Debug)]
pub struct ProgressFile {
    path: PathBuf,
}

/// What the TUI starts with.
#[derive(Debug)]
pub struct Start {
    pub progress: Progress,
    /// What went wrong with the old file, for the footer.
    pub notice: Option<String>,
    /// Where to save; `None` when a file that could not be moved aside is still in the way.
    pub save_to: Option<ProgressFile>,
}

impl ProgressFile {
    /// `progress.json` in the state folder (`$XDG_STATE_HOME/blocklab`, …).
    pub fn in_state_dir() -> ProgressFile {
        ProgressFile::at(crate::paths::state_dir().join(FILE_NAME))
    }

    pub fn at(path: PathBuf) -> ProgressFile {
        ProgressFile { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The progress in the file; none yet when there is no file.
    pub fn read(&self) -> Result<Progress, Unreadable> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Progress::parse(&bytes),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Progress::default()),
            Err(e) => Err(Unreadable::Io(e.to_string())),
        }
    }

    /// `progress.json.<suffix>` beside it.
    pub fn aside(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".");
        name.push(suffix);
        self.path.with_file_name(name)
    }

    /// Renames the file to `progress.json.<suffix>` (replacing an older one there). `false`
    /// when there was no file.
    pub fn move_aside(&self, suffix: &str) -> io::Result<bool> {
        match std::fs::rename(&self.path, self.aside(suffix)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Writes `progress` whole. No fsync: the UI thread must not wait on the disk, and a file
    /// lost to a power cut is read as corrupt and set aside like any other.
    pub fn save(&self, progress: &Progress) -> io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        // The process id in the name: two blocklabs saving at once never share a temporary.
        let temporary = self.aside(&format!("{}.tmp", std::process::id()));
        let written = std::fs::write(&temporary, progress.to_json())
            .and_then(|()| std::fs::rename(&temporary, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    /// The progress the TUI opens with. `fresh`: none, the old file moved to
    /// `progress.json.prev`. Otherwise the file's; when it cannot be used, none, the file moved
    /// to `progress.json.corrupt` and a notice saying so. When a file cannot be moved aside,
    /// nothing is saved this time (it is not overwritten).
    pub fn start(self, fresh: bool) -> Start {
        let path = self.path.display().to_string();
        let found = if fresh {
            Ok(Progress::default())
        } else {
            self.read()
        };
        let (suffix, why) = match found {
            Ok(progress) if !fresh => {
                return Start {
                    progress,
                    notice: None,
                    save_to: Some(self),
                };
            }
            Ok(_) => (PREV, None),
            Err(why) => (CORRUPT, Some(why)),
        };
        let (notice, save_to) = match (self.move_aside(suffix), why) {
            (Ok(_), None) => (None, Some(self)),
            (Ok(_), Some(why)) => {
                let aside = self.aside(suffix);
                let aside = aside.file_name().unwrap_or_default().to_string_lossy();
                let values: [(&str, &dyn std::fmt::Display); 3] =
                    [("path", &path), ("why", &why), ("aside", &aside)];
                (Some(T::ProgressSetAside.fill(&values)), Some(self))
            }
            (Err(error), None) => {
                let values: [(&str, &dyn std::fmt::Display); 2] =
                    [("path", &path), ("error", &error)];
                (Some(T::ProgressFreshNotMoved.fill(&values)), None)
            }
            (Err(error), Some(why)) => {
                let values: [(&str, &dyn std::fmt::Display); 3] =
                    [("path", &path), ("why", &why), ("error", &error)];
                (Some(T::ProgressNotMoved.fill(&values)), None)
            }
        };
        Start {
            progress: Progress::default(),
            notice,
            save_to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> ProgressFile {
        let dir =
            std::env::temp_dir().join(format!("blocklab-progress-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        ProgressFile::at(dir.join("state").join(FILE_NAME))
    }

    fn cleanup(file: &ProgressFile) {
        let _ = std::fs::remove_dir_all(file.path().parent().unwrap().parent().unwrap());
    }

    #[test]
    fn saves_and_reads_back_in_a_folder_it_creates_leaving_no_temporary() {
        let file = scratch("round-trip");
        assert_eq!(file.read(), Ok(Progress::default()), "no file: no progress");
        let mut progress = Progress::default();
        progress.visit("event-loop");
        progress.finished("event-loop", '2', true);
        file.save(&progress).unwrap();
        progress.visit("cpu-inline");
        file.save(&progress).unwrap();
        assert_eq!(file.read(), Ok(progress));
        let names: Vec<_> = std::fs::read_dir(file.path().parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [FILE_NAME]);
        cleanup(&file);
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_with_a_notice_and_saving_goes_on() {
        let file = scratch("corrupt");
        std::fs::create_dir_all(file.path().parent().unwrap()).unwrap();
        std::fs::write(file.path(), "{\"version\": 1, \"lessons\": [").unwrap();
        let start = file.clone().start(false);
        assert_eq!(start.progress, Progress::default());
        let notice = start.notice.expect("a notice");
        assert!(
            notice.contains(&file.path().display().to_string()),
            "{notice}"
        );
        assert!(notice.contains("progress.json.corrupt"), "{notice}");
        assert!(!file.path().exists());
        let aside = std::fs::read_to_string(file.aside(CORRUPT)).unwrap();
        assert_eq!(aside, "{\"version\": 1, \"lessons\": [", "kept as it was");
        assert!(start.save_to.is_some());
        cleanup(&file);
    }

    #[test]
    fn fresh_moves_the_old_file_to_prev_without_a_notice() {
        let file = scratch("fresh");
        let mut progress = Progress::default();
        progress.visit("load");
        file.save(&progress).unwrap();
        let start = file.clone().start(true);
        assert_eq!(start.progress, Progress::default());
        assert_eq!(start.notice, None);
        assert!(!file.path().exists());
        assert_eq!(
            ProgressFile::at(file.aside(PREV)).read(),
            Ok(progress),
            "the old progress kept"
        );
        // Nothing to move aside is no problem either.
        let again = file.clone().start(true);
        assert!(again.notice.is_none() && again.save_to.is_some());
        cleanup(&file);
    }

    #[test]
    fn a_file_that_cannot_be_moved_aside_is_never_overwritten() {
        // A folder where the file should be: unreadable as a file, and renaming it onto the
        // `.corrupt` name fails when a non-empty folder is already there.
        let file = scratch("stuck");
        std::fs::create_dir_all(file.path().join("inside")).unwrap();
        std::fs::create_dir_all(file.aside(CORRUPT).join("inside")).unwrap();
        let start = file.clone().start(false);
        assert!(start.save_to.is_none(), "no saving this time");
        let notice = start.notice.expect("a notice");
        assert!(notice.contains("not saved"), "{notice}");
        assert!(file.path().join("inside").exists());
        cleanup(&file);
    }

    #[test]
    fn a_failed_save_is_an_error_not_a_panic() {
        let file = scratch("unwritable");
        // The state folder's place is taken by a file.
        std::fs::create_dir_all(file.path().parent().unwrap().parent().unwrap()).unwrap();
        std::fs::write(file.path().parent().unwrap(), "not a folder").unwrap();
        assert!(file.save(&Progress::default()).is_err());
        cleanup(&file);
    }
}
