//! Any input, any size: random sequences of keys, mouse events, pastes and resizes go through
//! the app's update and a render on a TestBackend. Nothing may panic, and the state keeps its
//! invariants (the lesson index in range, pause and help toggling as the keys say, the lesson
//! shown recorded in the progress, the playground's values ones `blocklab run` accepts). The app does no I/O: its progress saves are only checked
//! here. `e` saves the screen at whatever size it is, into a temporary state folder.
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseButton, MouseEvent,
    MouseEventKind,
};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use blocklab::cli::LabArgs;
use blocklab::lesson::Lesson;
use blocklab::record::{Entry, Input, Line, Recording, Start, format};
use blocklab::runner::Order;
use blocklab::text::Lang;
use blocklab::ui::Exit;
use blocklab::ui::app::{App, Command, WINDOWS};
use blocklab::ui::replay::{NORMAL, Player, Replay};
use blocklab::ui::view;

/// Random sequences the test runs (each up to `MAX_EVENTS` events, drawn after every event).
const SEQUENCES: u32 = 2_000;
const MAX_EVENTS: usize = 60;

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        // The keys the app knows, often…
        4 => prop::sample::select(
            "0123456789abcdqhljkt+-=r? xyzLepZgg".chars().collect::<Vec<_>>()
        )
        .prop_map(KeyCode::Char),
        3 => prop::sample::select(vec![
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Enter,
            KeyCode::Backspace,
            KeyCode::Home,
            KeyCode::End,
            KeyCode::Delete,
            KeyCode::F(1),
            KeyCode::F(12),
            KeyCode::Null,
        ]),
        // …and anything else.
        1 => any::<char>().prop_map(KeyCode::Char),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    let modifiers = prop::sample::select(vec![
        KeyModifiers::NONE,
        KeyModifiers::NONE,
        KeyModifiers::NONE,
        KeyModifiers::SHIFT,
        KeyModifiers::CONTROL,
        KeyModifiers::ALT,
        KeyModifiers::CONTROL | KeyModifiers::SHIFT,
    ]);
    let kind = prop::sample::select(vec![
        KeyEventKind::Press,
        KeyEventKind::Press,
        KeyEventKind::Repeat,
        KeyEventKind::Release,
    ]);
    let key = (key_code(), modifiers.clone(), kind).prop_map(|(code, modifiers, kind)| {
        Event::Key(KeyEvent {
            code,
            modifiers,
            kind,
            state: KeyEventState::NONE,
        })
    });
    let mouse_kind = prop::sample::select(vec![
        MouseEventKind::ScrollDown,
        MouseEventKind::ScrollUp,
        MouseEventKind::ScrollLeft,
        MouseEventKind::Moved,
        MouseEventKind::Down(MouseButton::Left),
        MouseEventKind::Up(MouseButton::Right),
        MouseEventKind::Drag(MouseButton::Middle),
    ]);
    let mouse = (mouse_kind, any::<u16>(), any::<u16>(), modifiers).prop_map(
        |(kind, column, row, modifiers)| {
            Event::Mouse(MouseEvent {
                kind,
                column,
                row,
                modifiers,
            })
        },
    );
    let resize = (0u16..220, 0u16..70).prop_map(|(w, h)| Event::Resize(w, h));
    prop_oneof![
        8 => key,
        2 => mouse,
        3 => resize,
        1 => Just(Event::FocusLost),
        1 => ".{0,40}".prop_map(Event::Paste),
    ]
}

fn lessons() -> Vec<Lesson> {
    blocklab::lesson::builtin().lessons
}

fn is_press(key: &KeyEvent) -> bool {
    key.kind != KeyEventKind::Release
}

/// The temporary state folder `e` saves screens in here (never the user's), and its
/// `screens` folder.
fn state() -> &'static (PathBuf, PathBuf) {
    static STATE: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    STATE.get_or_init(|| {
        let state = std::env::temp_dir().join(format!("blocklab-any-input-{}", std::process::id()));
        // SAFETY: set once, before any save reads it; this binary's one test runs the cases
        // on its own thread, and nothing else here reads the environment meanwhile.
        unsafe { std::env::set_var("XDG_STATE_HOME", &state) };
        (state, blocklab::ui::export::folder())
    })
}

/// A saved pair is the screen: the text has a line per row, the SVG parses as XML.
fn check_saved(
    dir: &Path,
    stem: &str,
    buffer: &ratatui::buffer::Buffer,
) -> Result<(), TestCaseError> {
    let text = std::fs::read_to_string(dir.join(format!("{stem}.txt")))
        .map_err(|e| TestCaseError::fail(format!("{stem}.txt: {e}")))?;
    prop_assert_eq!(text.lines().count(), usize::from(buffer.area.height));
    let svg = std::fs::read_to_string(dir.join(format!("{stem}.svg")))
        .map_err(|e| TestCaseError::fail(format!("{stem}.svg: {e}")))?;
    let doc = roxmltree::Document::parse(&svg)
        .map_err(|e| TestCaseError::fail(format!("{stem}.svg is not XML: {e}")))?;
    prop_assert!(doc.root_element().has_tag_name("svg"));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: SEQUENCES,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_sequence_of_input_keeps_the_app_whole(
        start in 0usize..17,
        lang in 0usize..3,
        ambiguous_wide in any::<bool>(),
        present in any::<bool>(),
        events in prop::collection::vec((event(), 0u64..400), 1..MAX_EVENTS),
    ) {
        let lessons = lessons();
        let start = start % lessons.len();
        let mut app = App::new(lessons, start, LabArgs::default());
        app.lang = Lang::ALL[lang];
        app.ambiguous_wide = ambiguous_wide;
        // As `--present` starts it.
        app.present = present.then(Default::default);
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut now = Duration::ZERO;
        let mut next_lab = 0;
        let (state, screens) = state();
        for (event, dt) in events {
            now += Duration::from_millis(dt);
            let (help, paused, lang) = (app.help, app.paused.is_some(), app.lang);
            let (presenting, zoom, current) = (app.present.is_some(), app.zoom, app.current);
            let playing = app.playing;
            if let Event::Resize(w, h) = event {
                terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            }
            let command = app.on_event(&event, now);
            if let Event::Key(key) = &event && is_press(key) {
                let ctrl_c = key.code == KeyCode::Char('c')
                    && key.modifiers.contains(KeyModifiers::CONTROL);
                match key.code {
                    _ if ctrl_c => prop_assert_eq!(command.last(), Some(&Command::Quit(Exit::Interrupted))),
                    KeyCode::Char('q') => prop_assert_eq!(command.last(), Some(&Command::Quit(Exit::Quit))),
                    // Zoomed, Esc leaves the zoom instead of quitting.
                    KeyCode::Esc if !help && zoom.is_some() => {
                        prop_assert!(command.is_empty());
                        prop_assert_eq!(app.zoom, None);
                    }
                    KeyCode::Esc if !help => prop_assert_eq!(command.last(), Some(&Command::Quit(Exit::Quit))),
                    // With the help open, any key only closes it.
                    _ if help => {
                        prop_assert!(!app.help);
                        prop_assert_eq!(app.paused.is_some(), paused);
                    }
                    KeyCode::Char('?') => prop_assert!(app.help),
                    KeyCode::Char('g') => prop_assert_ne!(app.playing, playing),
                    KeyCode::Char(' ') => prop_assert_ne!(app.paused.is_some(), paused),
                    KeyCode::Char('L') => prop_assert_eq!(app.lang, lang.next()),
                    KeyCode::Char('e') => prop_assert!(
                        matches!(command.last(), Some(Command::Export(_))),
                        "e asks for the screen to be saved"
                    ),
                    KeyCode::Char('p') => prop_assert_ne!(app.present.is_some(), presenting),
                    KeyCode::Char('z') => prop_assert_ne!(app.zoom, zoom),
                    KeyCode::Char('Z') => prop_assert_eq!(app.zoom, None),
                    // A clicker's keys step through the lesson: at most one lesson away.
                    KeyCode::PageDown | KeyCode::PageUp if presenting => {
                        prop_assert!(app.current.abs_diff(current) <= 1);
                        prop_assert!(app.step_shown().is_some());
                    }
                    _ => {}
                }
            } else {
                prop_assert_eq!(app.help, help, "only a key opens or closes the help");
                prop_assert_eq!(app.paused.is_some(), paused, "only a key pauses");
            }
            // Play the labs: a fresh lab is up at once; jobs and stops need no answer. A screen
            // to save is saved from the next frame, as the UI loop does.
            let mut commands: Vec<Command> = command;
            commands.extend(app.step(now));
            let mut export = None;
            for command in commands {
                match command {
                    Command::Lab(Order::StartLab(config)) => {
                        next_lab += 1;
                        app.lab_started(next_lab, now, config);
                    }
                    // What is saved is the progress as it stands, on the lesson shown.
                    Command::SaveProgress(saved) => {
                        prop_assert_eq!(saved.last_lesson.as_deref(), Some(app.lesson().id.as_str()));
                        prop_assert_eq!(&saved, &app.progress);
                    }
                    Command::Export(asked) => export = Some(asked),
                    _ => {}
                }
            }
            prop_assert!(app.progress.lessons[&app.lesson().id].visited);
            // A pick only for a lesson with choices, and one of them.
            for l in &app.lessons {
                if let Some(pick) = app.progress.lessons.get(&l.id).and_then(|p| p.pick) {
                    prop_assert!(pick.choice < l.choices.len(), "{}: pick {}", l.id, pick.choice);
                }
            }
            prop_assert!(app.runs.iter().filter(|r| !r.is_over()).count() <= 1, "one experiment at a time");
            prop_assert!(app.current < app.lessons.len());
            prop_assert!(app.window < WINDOWS.len());
            prop_assert!(app.scroll <= 500);
            // In presenter mode the step is always one of the lesson's.
            prop_assert_eq!(app.present.is_some(), app.step_shown().is_some());
            prop_assert!(app.runs.len() <= 100);
            // The playground's values stay what `blocklab run` accepts, its field one on screen.
            let play = &app.playground;
            prop_assert!(play.parses(), "{}", play.command_line());
            prop_assert!(play.fields().contains(&play.field));
            prop_assert!((1..=blocklab::lab::cpus::max_cpus() as i64).contains(&play.cpus));
            let frame = terminal.draw(|frame| view::draw(frame, &app, now)).unwrap();
            if let Some(asked) = export {
                let (dir, saved) = blocklab::ui::export::save(frame.buffer, &asked);
                prop_assert_eq!(&dir, screens);
                match &saved {
                    Ok(stem) => check_saved(&dir, stem, frame.buffer)?,
                    Err(e) => prop_assert!(false, "saving in {}: {e}", dir.display()),
                }
                // Checked: nothing is left behind in the temporary folder.
                std::fs::remove_dir_all(state).unwrap();
                app.exported(&dir, &saved, now);
                prop_assert!(app.notice.as_ref().is_some_and(|(n, _)| n.contains(saved.as_ref().unwrap())));
            }
        }
    }

    /// The same random input, recorded as the TUI records it, then replayed: the replayed
    /// app draws the screen the live one drew, and any key of the learner's moves the
    /// playback without breaking it.
    #[test]
    fn any_recorded_session_replays_to_the_same_screen_under_any_keys(
        start in 0usize..17,
        present in any::<bool>(),
        events in prop::collection::vec((event(), 0u64..400), 1..MAX_EVENTS),
        keys in prop::collection::vec((event(), 0u64..400), 0..30),
    ) {
        let lessons = lessons();
        let start = start % lessons.len();
        let mut app = App::new(lessons.clone(), start, LabArgs::default());
        app.lang = Lang::En;
        app.present = present.then(Default::default);
        let mut lines = Vec::new();
        let mut note = |t: Duration, entry: Entry| lines.push(Line { t: t.as_nanos() as u64, entry });
        let mut now = Duration::ZERO;
        let mut next_lab = 0;
        'session: for (event, dt) in events {
            now += Duration::from_millis(dt);
            if let Some(input) = Input::of(&event) {
                note(now, Entry::Event { event: input });
            }
            // As the UI loop does: the event's commands carried out, then a step and its own.
            for door in 0..2 {
                let commands = if door == 0 {
                    app.on_event(&event, now)
                } else {
                    note(now, Entry::Step);
                    app.step(now)
                };
                for command in commands {
                    match command {
                        Command::Lab(Order::StartLab(config)) => {
                            next_lab += 1;
                            note(now, Entry::LabStarted { lab: next_lab, at: now });
                            app.lab_started(next_lab, now, config);
                        }
                        Command::Quit(_) => break 'session,
                        _ => {}
                    }
                }
            }
        }
        note(now, Entry::Frame);
        let start = Start {
            lessons: lessons.iter().map(|l| l.id.clone()).collect(),
            lesson: start,
            overrides: LabArgs::default(),
            progress: Default::default(),
            log: app.log.clone(),
            skipped: Vec::new(),
            ambiguous_wide: false,
            no_color: false,
            present,
            address: None,
            notice: None,
        };
        // Through the file's text, as a replay reads it.
        let recording = Recording { header: format::header(Lang::En, [80, 24], start), lines };
        let mut text = serde_json::to_string(&recording.header).unwrap();
        for line in &recording.lines {
            text.push('\n');
            text.push_str(&serde_json::to_string(line).unwrap());
        }
        text.push('\n');
        let recording = blocklab::record::reader::parse(text.as_bytes()).unwrap();
        let mut replay = Replay::new(recording, lessons).unwrap();
        replay.advance_to(now);
        let draw = |app: &App| {
            let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
            terminal.draw(|frame| view::draw(frame, app, now)).unwrap().buffer.clone()
        };
        prop_assert_eq!(draw(replay.app()), draw(&app));

        let mut player = Player::new(replay, NORMAL);
        player.replay.seek(Duration::ZERO);
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        for (event, dt) in keys {
            match &event {
                Event::Key(key) if player.on_key(key).is_some() => break,
                Event::Resize(w, h) => terminal = Terminal::new(TestBackend::new(*w, *h)).unwrap(),
                _ => {}
            }
            player.tick(Duration::from_millis(dt));
            prop_assert!(player.replay.at() <= player.replay.end());
            terminal.draw(|frame| player.draw(frame)).unwrap();
        }
    }
}
