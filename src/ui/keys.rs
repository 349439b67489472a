//! The one table of keys. The key handler, the footer and the help overlay are all read off it,
//! so a key cannot do one thing and be described as another.
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::text::T;

/// What a key asks the app to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intent {
    /// Run action `1`…`9` of the lesson.
    Action(char),
    /// Pick choice `0`…`3` (`a`…`d`) as the lesson's prediction.
    Pick(usize),
    PrevLesson,
    NextLesson,
    NextSection,
    PrevSection,
    ScrollDown,
    ScrollUp,
    PageDown,
    PageUp,
    Pause,
    ZoomIn,
    ZoomOut,
    Table,
    Restart,
    /// Save the screen as SVG and text.
    Export,
    /// Presenter mode on / off.
    Present,
    /// Zoom the next pane to the whole body (lesson, lag, pools, timeline, none).
    ZoomPane,
    /// Back to the normal layout.
    Unzoom,
    /// Next language: English, zh-TW, zh-CN.
    Lang,
    /// Into the playground, or back to the lesson.
    Playground,
    /// Run the playground's experiment.
    Run,
    Help,
    Quit,
    /// Ctrl-C: quit with the interrupted exit code.
    Interrupt,
}

/// A key as the table writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Char(char),
    /// Any digit 1-9 (an action).
    Digit,
    Ctrl(char),
    Code(KeyCode),
}

/// A mode that gives some keys other meanings (the playground's over presenter mode's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Present,
    Playground,
}

impl<I> Binding<I> {
    /// The help line and the footer entry in `mode`.
    pub fn in_mode(&self, mode: Option<Mode>) -> (T, Option<FooterEntry>) {
        self.modes
            .iter()
            .find(|(m, _, _)| Some(*m) == mode)
            .map_or((self.help, self.footer), |&(_, help, footer)| {
                (help, footer)
            })
    }
}

/// How the footer writes some keys, and its word for them.
pub type FooterEntry = (&'static str, T);

/// One line of the help: keys that belong together, what they do, and the footer's words.
/// `I` is what the keys ask for: the app's [`Intent`], or the replay's [`ReplayIntent`].
pub struct Binding<I: 'static = Intent> {
    /// The keys as the help writes them.
    pub label: &'static str,
    pub help: T,
    /// How the footer writes them, and its word for them (only the most used are there).
    pub footer: Option<FooterEntry>,
    /// In these modes the keys mean something else: the mode's help line, and its footer
    /// entry (none: not in the footer).
    pub modes: &'static [(Mode, T, Option<FooterEntry>)],
    pub keys: &'static [(Key, I)],
}

pub const KEYS: &[Binding] = &[
    Binding {
        label: "1-9",
        help: T::KeyActions,
        footer: None,
        modes: &[(Mode::Playground, T::KeyPlayActions, None)],
        keys: &[(Key::Digit, Intent::Action('1'))],
    },
    Binding {
        label: "a-d",
        help: T::KeyPick,
        footer: None,
        modes: &[],
        keys: &[
            (Key::Char('a'), Intent::Pick(0)),
            (Key::Char('b'), Intent::Pick(1)),
            (Key::Char('c'), Intent::Pick(2)),
            (Key::Char('d'), Intent::Pick(3)),
        ],
    },
    Binding {
        label: "Enter",
        help: T::KeyPlayEnter,
        footer: None,
        modes: &[(Mode::Playground, T::KeyPlayRun, None)],
        keys: &[(Key::Code(KeyCode::Enter), Intent::Run)],
    },
    Binding {
        label: "← → / h l",
        help: T::KeyLessons,
        footer: Some(("←/→", T::KeyLessonsShort)),
        modes: &[
            (Mode::Present, T::KeyStep, Some(("←/→", T::KeyStepShort))),
            (
                Mode::Playground,
                T::KeyPlayValues,
                Some(("←/→", T::KeyPlayValuesShort)),
            ),
        ],
        keys: &[
            (Key::Code(KeyCode::Left), Intent::PrevLesson),
            (Key::Char('h'), Intent::PrevLesson),
            (Key::Code(KeyCode::Right), Intent::NextLesson),
            (Key::Char('l'), Intent::NextLesson),
        ],
    },
    Binding {
        label: "tab / shift-tab",
        help: T::KeySections,
        footer: Some(("tab", T::KeySectionsShort)),
        // The playground has no sections, and presenter mode shows a step instead: not in
        // their footers.
        modes: &[
            (Mode::Present, T::KeySections, None),
            (Mode::Playground, T::KeySections, None),
        ],
        keys: &[
            (Key::Code(KeyCode::Tab), Intent::NextSection),
            (Key::Code(KeyCode::BackTab), Intent::PrevSection),
        ],
    },
    // A presentation clicker sends Page Down / Page Up (or → / ←): the steps in presenter mode.
    Binding {
        label: "↑ ↓ / j k, PgUp PgDn",
        help: T::KeyScroll,
        footer: None,
        modes: &[
            (Mode::Present, T::KeyScrollPresent, None),
            (
                Mode::Playground,
                T::KeyPlayFields,
                Some(("↑/↓", T::KeyPlayFieldsShort)),
            ),
        ],
        keys: &[
            (Key::Code(KeyCode::Down), Intent::ScrollDown),
            (Key::Char('j'), Intent::ScrollDown),
            (Key::Code(KeyCode::Up), Intent::ScrollUp),
            (Key::Char('k'), Intent::ScrollUp),
            (Key::Code(KeyCode::PageDown), Intent::PageDown),
            (Key::Code(KeyCode::PageUp), Intent::PageUp),
        ],
    },
    Binding {
        label: "space",
        help: T::KeyPause,
        footer: Some(("space", T::KeyPauseShort)),
        modes: &[],
        keys: &[(Key::Char(' '), Intent::Pause)],
    },
    Binding {
        label: "+ / -",
        help: T::KeyZoom,
        footer: Some(("+/-", T::KeyZoomShort)),
        modes: &[],
        keys: &[
            (Key::Char('+'), Intent::ZoomIn),
            (Key::Char('='), Intent::ZoomIn),
            (Key::Char('-'), Intent::ZoomOut),
        ],
    },
    Binding {
        label: "t",
        help: T::KeyTable,
        footer: None,
        modes: &[],
        keys: &[(Key::Char('t'), Intent::Table)],
    },
    Binding {
        label: "r",
        help: T::KeyRestart,
        footer: None,
        modes: &[],
        keys: &[(Key::Char('r'), Intent::Restart)],
    },
    // Esc also leaves a zoom (the app reads it so while zoomed, instead of quitting).
    Binding {
        label: "p · z · Z/Esc",
        help: T::KeyPresent,
        footer: None,
        // On a projector, zooming a pane is the most used key after the steps.
        modes: &[(Mode::Present, T::KeyPresent, Some(("z", T::KeyPaneShort)))],
        keys: &[
            (Key::Char('p'), Intent::Present),
            (Key::Char('z'), Intent::ZoomPane),
            (Key::Char('Z'), Intent::Unzoom),
        ],
    },
    Binding {
        label: "e",
        help: T::KeyExport,
        footer: None,
        modes: &[],
        keys: &[(Key::Char('e'), Intent::Export)],
    },
    Binding {
        label: "g",
        help: T::KeyPlayground,
        footer: None,
        modes: &[],
        keys: &[(Key::Char('g'), Intent::Playground)],
    },
    Binding {
        label: "L",
        help: T::KeyLang,
        footer: Some(("L", T::KeyLangShort)),
        modes: &[],
        keys: &[(Key::Char('L'), Intent::Lang)],
    },
    Binding {
        label: "?",
        help: T::KeyHelp,
        footer: Some(("?", T::KeyHelpShort)),
        modes: &[],
        keys: &[(Key::Char('?'), Intent::Help)],
    },
    Binding {
        label: "q / Esc / Ctrl-C",
        help: T::KeyQuit,
        footer: Some(("q", T::KeyQuitShort)),
        modes: &[],
        keys: &[
            (Key::Char('q'), Intent::Quit),
            (Key::Code(KeyCode::Esc), Intent::Quit),
            (Key::Ctrl('c'), Intent::Interrupt),
        ],
    },
];

/// What a key asks of a replay (`blocklab replay`): the recorded keys drive the app, the
/// learner's drive the playback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayIntent {
    Pause,
    /// One frame forward, while paused.
    Frame,
    Slower,
    Faster,
    Back,
    Forward,
    Start,
    Help,
    Quit,
    Interrupt,
}

/// The replay's keys (its footer and help are read off this table).
pub const REPLAY_KEYS: &[Binding<ReplayIntent>] = &[
    Binding {
        label: "space",
        help: T::KeyReplayPause,
        footer: Some(("space", T::KeyPauseShort)),
        modes: &[],
        keys: &[(Key::Char(' '), ReplayIntent::Pause)],
    },
    Binding {
        label: ".",
        help: T::KeyReplayFrame,
        footer: Some((".", T::KeyReplayFrameShort)),
        modes: &[],
        keys: &[(Key::Char('.'), ReplayIntent::Frame)],
    },
    Binding {
        label: "[ / ]",
        help: T::KeyReplaySpeed,
        footer: Some(("[/]", T::KeyReplaySpeedShort)),
        modes: &[],
        keys: &[
            (Key::Char('['), ReplayIntent::Slower),
            (Key::Char(']'), ReplayIntent::Faster),
        ],
    },
    Binding {
        label: "← →",
        help: T::KeyReplaySeek,
        footer: Some(("←/→", T::KeyReplaySeekShort)),
        modes: &[],
        keys: &[
            (Key::Code(KeyCode::Left), ReplayIntent::Back),
            (Key::Code(KeyCode::Right), ReplayIntent::Forward),
        ],
    },
    Binding {
        label: "Home",
        help: T::KeyReplayStart,
        footer: None,
        modes: &[],
        keys: &[(Key::Code(KeyCode::Home), ReplayIntent::Start)],
    },
    Binding {
        label: "?",
        help: T::KeyHelp,
        footer: Some(("?", T::KeyHelpShort)),
        modes: &[],
        keys: &[(Key::Char('?'), ReplayIntent::Help)],
    },
    Binding {
        label: "q / Esc / Ctrl-C",
        help: T::KeyQuit,
        footer: Some(("q", T::KeyQuitShort)),
        modes: &[],
        keys: &[
            (Key::Char('q'), ReplayIntent::Quit),
            (Key::Code(KeyCode::Esc), ReplayIntent::Quit),
            (Key::Ctrl('c'), ReplayIntent::Interrupt),
        ],
    },
];

/// What a key asks of the notes screen (`blocklab notes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotesIntent {
    Quit,
    Interrupt,
}

/// The notes screen's keys (its footer is read off this table).
pub const NOTES_KEYS: &[Binding<NotesIntent>] = &[Binding {
    label: "q / Esc / Ctrl-C",
    help: T::KeyQuit,
    footer: Some(("q", T::KeyQuitShort)),
    modes: &[],
    keys: &[
        (Key::Char('q'), NotesIntent::Quit),
        (Key::Code(KeyCode::Esc), NotesIntent::Quit),
        (Key::Ctrl('c'), NotesIntent::Interrupt),
    ],
}];

/// What a key press asks of the notes screen, if anything.
pub fn notes_intent(key: &KeyEvent) -> Option<NotesIntent> {
    lookup(NOTES_KEYS, key).map(|(_, intent)| intent)
}

/// What a key press asks of a replay, if anything.
pub fn replay_intent(key: &KeyEvent) -> Option<ReplayIntent> {
    lookup(REPLAY_KEYS, key).map(|(_, intent)| intent)
}

/// The table's entry for a key press: chords first (Ctrl-C is not `c`), then the rest in order.
fn lookup<I: Copy>(table: &[Binding<I>], key: &KeyEvent) -> Option<(Key, I)> {
    let all = || table.iter().flat_map(|b| b.keys.iter());
    let chords = all().filter(|(k, _)| matches!(k, Key::Ctrl(_)));
    chords.chain(all()).find(|(k, _)| k.matches(key)).copied()
}

impl Key {
    fn matches(self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match (self, key.code) {
            (Key::Ctrl(c), KeyCode::Char(k)) => ctrl && k.eq_ignore_ascii_case(&c),
            // A plain key means the same with modifiers held (Ctrl-Q quits like q), unless the
            // table gives the Ctrl chord its own meaning (Ctrl-C).
            (Key::Char(c), KeyCode::Char(k)) => c == k,
            (Key::Digit, KeyCode::Char(k)) => k.is_ascii_digit(),
            (Key::Code(c), code) => c == code,
            _ => false,
        }
    }
}

/// What a key press asks for, if anything.
pub fn intent(key: &KeyEvent) -> Option<Intent> {
    lookup(KEYS, key).map(|(k, intent)| match (k, key.code) {
        (Key::Digit, KeyCode::Char(c)) => Intent::Action(c),
        _ => intent,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Option<Intent> {
        intent(&KeyEvent::new(code, modifiers))
    }

    #[test]
    fn each_key_means_what_the_table_says() {
        let none = KeyModifiers::NONE;
        assert_eq!(press(KeyCode::Char('3'), none), Some(Intent::Action('3')));
        assert_eq!(press(KeyCode::Char('l'), none), Some(Intent::NextLesson));
        assert_eq!(press(KeyCode::Left, none), Some(Intent::PrevLesson));
        assert_eq!(press(KeyCode::Esc, none), Some(Intent::Quit));
        assert_eq!(
            press(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Intent::Interrupt)
        );
        assert_eq!(press(KeyCode::Char('c'), none), Some(Intent::Pick(2)));
        assert_eq!(press(KeyCode::Char('a'), none), Some(Intent::Pick(0)));
        assert_eq!(
            press(KeyCode::Char('q'), KeyModifiers::CONTROL),
            Some(Intent::Quit)
        );
        assert_eq!(press(KeyCode::Char('x'), none), None);
        assert_eq!(press(KeyCode::Char('e'), none), Some(Intent::Export));
        assert_eq!(press(KeyCode::Char('z'), none), Some(Intent::ZoomPane));
        assert_eq!(
            press(KeyCode::Char('Z'), KeyModifiers::SHIFT),
            Some(Intent::Unzoom)
        );
        assert_eq!(press(KeyCode::PageDown, none), Some(Intent::PageDown));
        assert_eq!(press(KeyCode::Char('g'), none), Some(Intent::Playground));
        assert_eq!(press(KeyCode::Enter, none), Some(Intent::Run));
        assert_eq!(
            press(KeyCode::Char('L'), KeyModifiers::SHIFT),
            Some(Intent::Lang)
        );
    }

    #[test]
    fn no_key_has_two_meanings() {
        let all: Vec<_> = KEYS.iter().flat_map(|b| b.keys.iter()).collect();
        for (i, (a, _)) in all.iter().enumerate() {
            for (b, _) in &all[i + 1..] {
                assert_ne!(a, b, "a key listed twice");
            }
        }
    }
}
