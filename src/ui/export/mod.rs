//! Saving the screen (`e`): the cells of the last frame drawn, as SVG (colours and layout kept,
//! for slides) and as plain text (for handouts), side by side in one folder.
//!
//! [`text`] and [`svg`] are pure functions of a ratatui `Buffer`. [`save`] is the I/O the UI
//! loop does when the app asks for it: the app itself only says which lesson is on screen.
mod palette;
pub mod svg;
pub mod text;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ratatui::buffer::{Buffer, Cell, CellDiffOption};

pub use svg::svg;
pub use text::text;

/// What the app asks the UI loop to save: the screen as drawn, named after this lesson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// The lesson's id: part of the file names.
    pub lesson: String,
    /// Its title, in the language on screen: the SVG's `<title>`.
    pub title: String,
}

/// One symbol on screen: the column it starts at, the columns it covers, its cell.
pub(super) struct Glyph<'a> {
    pub x: u16,
    pub width: u16,
    pub cell: &'a Cell,
}

/// The glyphs of row `y` (from 0), left to right. A wide (CJK) symbol covers two columns: the
/// cell after it is hidden on a terminal (ratatui resets it), so it is not a glyph of its own.
pub(super) fn row(buf: &Buffer, y: u16) -> Vec<Glyph<'_>> {
    let area = buf.area;
    let mut glyphs = Vec::new();
    let mut x = 0;
    while x < area.width {
        let cell = &buf[(area.x + x, area.y + y)];
        let width = match cell.diff_option {
            CellDiffOption::ForcedWidth(w) => w.get(),
            _ => crate::text::width::width(cell.symbol()) as u16,
        };
        // Never past the edge, and a zero-width symbol still takes its cell.
        let width = width.clamp(1, area.width - x);
        glyphs.push(Glyph { x, width, cell });
        x += width;
    }
    glyphs
}

/// The folder screens are saved in: `screens` in blocklab's state folder (which follows
/// `XDG_STATE_HOME`).
pub fn folder() -> PathBuf {
    crate::paths::state_dir().join("screens")
}

/// Saves `buf` in [`folder`] as `<stem>.svg` and `<stem>.txt`, the stem named after the
/// lesson and the local time; returns the folder, and the stem or why it failed.
pub fn save(buf: &Buffer, export: &Export) -> (PathBuf, std::io::Result<String>) {
    let dir = folder();
    let saved = save_in(&dir, buf, export, &stamp(SystemTime::now()));
    (dir, saved)
}

/// Saves `buf` in `dir` (created if need be) under the first free stem of
/// `blocklab-<lesson>-<stamp>`, `…-2`, `…-3`: an earlier screen is never overwritten.
pub fn save_in(dir: &Path, buf: &Buffer, export: &Export, stamp: &str) -> std::io::Result<String> {
    std::fs::create_dir_all(dir)?;
    let (svg, text) = (svg(buf, &export.title), text(buf));
    let base = format!("blocklab-{}-{stamp}", file_safe(&export.lesson));
    for n in 1u32.. {
        let stem = match n {
            1 => base.clone(),
            n => format!("{base}-{n}"),
        };
        let svg_path = dir.join(format!("{stem}.svg"));
        let text_path = dir.join(format!("{stem}.txt"));
        // `create_new`: a pair that appeared meanwhile (another blocklab) is left alone too.
        let mut svg_file = match create_new(&svg_path)? {
            Some(f) => f,
            None => continue,
        };
        let written = match create_new(&text_path) {
            Ok(Some(mut text_file)) => svg_file
                .write_all(svg.as_bytes())
                .and_then(|()| text_file.write_all(text.as_bytes())),
            Ok(None) => {
                std::fs::remove_file(&svg_path)?;
                continue;
            }
            Err(e) => Err(e),
        };
        // Half a pair is no use to anyone: a failure leaves neither file.
        if let Err(e) = written {
            let _ = std::fs::remove_file(&svg_path);
            let _ = std::fs::remove_file(&text_path);
            return Err(e);
        }
        return Ok(stem);
    }
    unreachable!("a free stem among 2^32")
}

/// The file, or `None` when the name is taken.
fn create_new(path: &Path) -> std::io::Result<Option<std::fs::File>> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}

/// A lesson id from a presenter's own folder may hold anything: keep a file name a file name.
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `YYYYmmdd-HHMMSS` in local time (UTC where the local time zone cannot be read).
pub fn stamp(at: SystemTime) -> String {
    let secs = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let secs = libc::time_t::try_from(secs).unwrap_or(0);
    // SAFETY: a zeroed `tm` is a valid out-parameter; both calls only write to it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let local = unsafe { libc::localtime_r(&secs, &mut tm) };
    if local.is_null() {
        // SAFETY: as above.
        unsafe { libc::gmtime_r(&secs, &mut tm) };
    }
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// `path` for a notice: the home folder written `~`, so it fits a footer line more often.
pub fn show(path: &Path) -> String {
    show_from(path, std::env::var_os("HOME").as_deref().map(Path::new))
}

fn show_from(path: &Path, home: Option<&Path>) -> String {
    // A home of `/` (some service accounts) would make every path `~/…`.
    let home = home.filter(|h| h.components().count() > 1);
    match home.and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".into(),
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    fn screen() -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 6, 2));
        buf.set_string(0, 0, "lag", ratatui::style::Style::new());
        buf
    }

    fn export() -> Export {
        Export {
            lesson: "event-loop".into(),
            title: "The event loop".into(),
        }
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("blocklab-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_second_save_in_the_same_second_gets_the_next_number() {
        let dir = temp("export-names");
        let first = save_in(
            &dir.join("screens"),
            &screen(),
            &export(),
            "20250102-030405",
        );
        let second = save_in(
            &dir.join("screens"),
            &screen(),
            &export(),
            "20250102-030405",
        );
        assert_eq!(first.unwrap(), "blocklab-event-loop-20250102-030405");
        assert_eq!(second.unwrap(), "blocklab-event-loop-20250102-030405-2");
        let text =
            std::fs::read_to_string(dir.join("screens/blocklab-event-loop-20250102-030405-2.txt"))
                .unwrap();
        assert_eq!(text, "lag\n\n");
        let svg =
            std::fs::read_to_string(dir.join("screens/blocklab-event-loop-20250102-030405.svg"))
                .unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_an_error_not_a_panic() {
        let dir = temp("export-blocked");
        std::fs::create_dir_all(&dir).unwrap();
        // A file where the folder should be: refused even to root.
        std::fs::write(dir.join("screens"), "").unwrap();
        let err = save_in(&dir.join("screens"), &screen(), &export(), "x").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists, "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_stamp_is_a_date_and_a_time() {
        let s = stamp(SystemTime::now());
        assert_eq!(s.len(), 15, "{s}");
        assert!(s.starts_with("20"), "{s}");
        assert_eq!(s.as_bytes()[8], b'-');
        assert!(s.chars().filter(|c| *c != '-').all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn a_path_under_home_is_shown_from_tilde() {
        let dir = Path::new("/home/ann/.local/state/blocklab/screens");
        let home = |h: &'static str| Some(Path::new(h));
        assert_eq!(
            show_from(dir, home("/home/ann")),
            "~/.local/state/blocklab/screens"
        );
        assert_eq!(show_from(dir, home("/home/an")), dir.display().to_string());
        assert_eq!(show_from(dir, home("/")), dir.display().to_string());
        assert_eq!(show_from(dir, home("")), dir.display().to_string());
        assert_eq!(show_from(dir, None), dir.display().to_string());
    }

    #[test]
    fn file_names_keep_to_plain_characters() {
        assert_eq!(file_safe("event-loop"), "event-loop");
        assert_eq!(file_safe("../a b"), "___a_b");
    }

    #[test]
    fn a_wide_symbol_is_one_glyph_over_two_columns() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 5, 1));
        buf.set_string(0, 0, "a事b", ratatui::style::Style::new());
        let glyphs: Vec<(u16, u16, &str)> = row(&buf, 0)
            .iter()
            .map(|g| (g.x, g.width, g.cell.symbol()))
            .collect();
        assert_eq!(
            glyphs,
            [(0, 1, "a"), (1, 2, "事"), (3, 1, "b"), (4, 1, " ")]
        );
    }
}
