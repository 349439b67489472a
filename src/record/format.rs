//! The file's types. The JSON they make is the format: rename nothing without a new version.
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use serde::{Deserialize, Serialize};

use crate::cli::LabArgs;
use crate::data::Sample;
use crate::progress::Progress;

/// The first line's `format`: what says a file is a blocklab session at all.
pub const FORMAT: &str = "blocklab-session";
/// The version this build writes and reads; a file of a newer one is refused.
pub const VERSION: u32 = 1;

/// The first line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    /// The crate version that wrote it (said in messages, not checked).
    pub blocklab: String,
    /// The language the session started in (`en`, `zh-TW`, `zh-CN`).
    pub lang: String,
    /// The terminal's size at the start: [width, height].
    pub size: [u16; 2],
    pub start: Start,
}

/// What the app was set up with before its first input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Start {
    /// The lesson ids, in order: replay needs the same lessons (they are not copied in).
    pub lessons: Vec<String>,
    /// Index of the lesson shown first.
    pub lesson: usize,
    /// The lab flags given on the command line.
    pub overrides: LabArgs,
    /// The progress of earlier sessions, as the app started with it.
    pub progress: Progress,
    pub log: String,
    pub skipped: Vec<String>,
    pub ambiguous_wide: bool,
    pub no_color: bool,
    /// Presenter mode from the start (`--present`); absent in files written before it existed.
    #[serde(default)]
    pub present: bool,
    /// The lab's HTTP front door, if it had one.
    pub address: Option<std::net::SocketAddr>,
    /// The notice shown at the start (a skipped lesson file, an unreadable progress file).
    pub notice: Option<String>,
}

/// Every line after the header: an input and its session time in nanoseconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub t: u64,
    #[serde(flatten)]
    pub entry: Entry,
}

impl Line {
    pub fn at(&self) -> Duration {
        Duration::from_nanos(self.t)
    }
}

/// One input of the app, by the door it came through.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    /// `App::on_event`.
    Event { event: Input },
    /// A batch drained into the model.
    Samples { samples: Vec<Sample> },
    /// `App::lab_started`; its configuration is the one the app asked for.
    LabStarted { lab: u64, at: Duration },
    /// `App::progress_saved`: where, and the error if it failed.
    ProgressSaved { path: String, error: Option<String> },
    /// `App::exported`: the folder, and the files' stem or the error.
    Exported {
        dir: String,
        stem: Option<String>,
        error: Option<String>,
    },
    /// `App::step`.
    Step,
    /// A frame was drawn (no input: it marks the instants a replay can be compared at).
    Frame,
}

/// The terminal events the app reacts to, written by name (crossterm's own types may change).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Input {
    /// `code`: one character, or a named key (`Left`, `Tab`, `F1`…).
    Key {
        code: String,
        /// Of `ctrl`, `alt`, `shift`.
        modifiers: Vec<String>,
        repeat: bool,
    },
    Scroll {
        down: bool,
    },
    Resize {
        width: u16,
        height: u16,
    },
}

const NAMED: &[(&str, KeyCode)] = &[
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Backspace", KeyCode::Backspace),
    ("Delete", KeyCode::Delete),
    ("Insert", KeyCode::Insert),
    ("Null", KeyCode::Null),
    ("CapsLock", KeyCode::CapsLock),
    ("ScrollLock", KeyCode::ScrollLock),
    ("NumLock", KeyCode::NumLock),
    ("PrintScreen", KeyCode::PrintScreen),
    ("Pause", KeyCode::Pause),
    ("Menu", KeyCode::Menu),
    ("KeypadBegin", KeyCode::KeypadBegin),
];

const MODIFIERS: &[(&str, KeyModifiers)] = &[
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
];

impl Input {
    /// The event as recorded; `None` for one the app ignores (a release, a click, focus, a
    /// paste).
    pub fn of(event: &Event) -> Option<Input> {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                let code = match key.code {
                    KeyCode::Char(c) => c.to_string(),
                    KeyCode::F(n) => format!("F{n}"),
                    // Every press counts (any key ends the traffic's rest): a media or
                    // modifier key, which no binding uses, is written as one without a name.
                    other => NAMED
                        .iter()
                        .find(|(_, k)| *k == other)
                        .map_or("Null", |(name, _)| name)
                        .to_string(),
                };
                let modifiers = MODIFIERS
                    .iter()
                    .filter(|(_, m)| key.modifiers.contains(*m))
                    .map(|(name, _)| name.to_string())
                    .collect();
                let repeat = key.kind == KeyEventKind::Repeat;
                Some(Input::Key {
                    code,
                    modifiers,
                    repeat,
                })
            }
            Event::Mouse(m) => match m.kind {
                MouseEventKind::ScrollDown => Some(Input::Scroll { down: true }),
                MouseEventKind::ScrollUp => Some(Input::Scroll { down: false }),
                _ => None,
            },
            Event::Resize(width, height) => Some(Input::Resize {
                width: *width,
                height: *height,
            }),
            _ => None,
        }
    }

    /// The event to give the app again; `None` for a key this build has no name for.
    pub fn event(&self) -> Option<Event> {
        match self {
            Input::Key {
                code,
                modifiers,
                repeat,
            } => {
                let mut chars = code.chars();
                let code = match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => match NAMED.iter().find(|(n, _)| n == code) {
                        Some((_, k)) => *k,
                        None => KeyCode::F(code.strip_prefix('F')?.parse().ok()?),
                    },
                };
                let mods = MODIFIERS
                    .iter()
                    .filter(|(n, _)| modifiers.iter().any(|m| m == n))
                    .fold(KeyModifiers::NONE, |all, (_, m)| all | *m);
                let mut key = KeyEvent::new(code, mods);
                if *repeat {
                    key.kind = KeyEventKind::Repeat;
                }
                Some(Event::Key(key))
            }
            Input::Scroll { down } => Some(Event::Mouse(crossterm::event::MouseEvent {
                kind: if *down {
                    MouseEventKind::ScrollDown
                } else {
                    MouseEventKind::ScrollUp
                },
                column: 0,
                row: 0,
                modifiers: KeyModifiers::NONE,
            })),
            Input::Resize { width, height } => Some(Event::Resize(*width, *height)),
        }
    }
}

/// The header of a session that starts now, in `lang`, on a terminal of `size`.
pub fn header(lang: crate::text::Lang, size: [u16; 2], start: Start) -> Header {
    Header {
        format: FORMAT.to_string(),
        version: VERSION,
        blocklab: env!("CARGO_PKG_VERSION").to_string(),
        lang: lang.code().to_string(),
        size,
        start,
    }
}
