//! Snapshot tests of whole screens, drawn from a model fed with made-up samples (time passed
//! in), at the smallest supported size and a roomy one. Colour is not in the snapshots, so the
//! cells where colour carries meaning are asserted separately.
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

use super::app::{App, Command, QUIET_SPELL, REST_RATE, Section};
use super::view;
use crate::cli::LabArgs;
use crate::data::Strategy;
use crate::data::Workload;
use crate::data::strategy::fake;
use crate::data::{BlockingPool, RuntimeSample, Sample, Watch, WorkerPoll};
use crate::data::{JobEvent, JobEventKind, JobSpec, Outcome, ThreadKind};
use crate::runner::{BASELINE, Order};
use crate::text::{Lang, T};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

fn app_on(lesson: &str) -> App {
    let lessons = crate::lesson::builtin().lessons;
    let at = lessons.iter().position(|l| l.id == lesson).unwrap();
    let none = LabArgs {
        runtime: None,
        workers: None,
        max_blocking_threads: None,
        rate: None,
        cpus: Some(4),
    };
    App::new(lessons, at, none)
}

/// A quiet lab from 0 to `until`: pings answered in tens of µs, requests in ~2 ms.
fn quiet(app: &mut App, until: u64, busy: usize) {
    app.model.ingest(Sample::LabStarted {
        lab: 1,
        at: Duration::ZERO,
    });
    for t in 0..until {
        let lag = Duration::from_micros(20 + (t * 7919) % 40);
        app.model.ingest(Sample::Lag { sent: ms(t), lag });
        if t % 10 == 0 {
            app.model.ingest(Sample::Request {
                sent: ms(t),
                latency: Duration::from_micros(2100 + (t * 31) % 400),
            });
        }
        if t % 100 == 0 {
            app.model.ingest(Sample::Runtime(RuntimeSample {
                at: ms(t),
                workers: 1,
                busy_ratio: 0.01,
                worker_busy: vec![0.01],
                global_queue: 0,
                live_tasks: 3,
                blocking: Some(BlockingPool {
                    threads: busy,
                    idle: 0,
                    queue: 0,
                }),
                gauges: Default::default(),
            }));
        }
    }
    watch(app, until, None, None);
}

fn watch(app: &mut App, at: u64, unanswered: Option<u64>, stuck_task: Option<(u64, u64)>) {
    let worker = WorkerPoll {
        worker: 0,
        thread: "lab-loop".into(),
        polling_since: stuck_task.map(|(since, _)| ms(since)),
        task: stuck_task.map(|(_, task)| task),
    };
    app.model.ingest(Sample::Watch(Watch {
        at: ms(at),
        oldest_unanswered: unanswered.map(ms),
        workers: Some(vec![worker]),
    }));
}

fn job(
    app: &mut App,
    id: u64,
    run: u64,
    spec: (Workload, Strategy, u64),
    times: (u64, Option<u64>, Option<u64>),
    thread: &str,
) {
    let (workload, strategy, length) = spec;
    let (submitted, started, finished) = times;
    let spec = JobSpec {
        id,
        run,
        workload,
        strategy,
        ms: length,
        lab: 1,
        size: 0,
    };
    let mut events = vec![JobEvent {
        job: id,
        at: ms(submitted),
        kind: JobEventKind::Submitted(spec),
    }];
    if strategy == fake("spawn-blocking") {
        events.push(JobEvent {
            job: id,
            at: ms(submitted),
            kind: JobEventKind::Queued,
        });
    }
    if let Some(s) = started {
        let kind = JobEventKind::Started {
            thread: thread.into(),
            kind: ThreadKind::of_name(thread),
            task: Some(100 + id),
        };
        events.push(JobEvent {
            job: id,
            at: ms(s),
            kind,
        });
    }
    if let Some(f) = finished {
        events.push(JobEvent {
            job: id,
            at: ms(f),
            kind: JobEventKind::Finished {
                outcome: Outcome::Ok,
                cpu: None,
                error: None,
            },
        });
    }
    app.model.ingest_all(events.into_iter().map(Sample::Job));
}

fn render(app: &App, now: u64, (w, h): (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| view::draw(f, app, ms(now))).unwrap();
    terminal
}

fn press(app: &mut App, code: KeyCode, now: u64) {
    let _ = app.on_key(KeyEvent::new(code, KeyModifiers::NONE), ms(now));
}

/// Plays the labs for the app at `now`: a fresh lab is up at once (lab ids count from 1); the
/// jobs it submits are returned (a test feeds their events itself).
fn drive(app: &mut App, now: u64) -> Vec<Order> {
    let mut orders = Vec::new();
    for command in app.step(ms(now)) {
        if let Command::Lab(order) = command {
            if let Order::StartLab(config) = &order {
                let id = orders.len() as u64 + now;
                app.lab_started(id, ms(now), config.clone());
            }
            orders.push(order);
        }
    }
    orders
}

/// Where `text` is on screen (column, row). A double-width character takes two cells; the
/// second is not part of the text.
fn find(terminal: &Terminal<TestBackend>, text: &str) -> Option<(u16, u16)> {
    let buf = terminal.backend().buffer();
    (0..buf.area.height).find_map(|y| {
        let mut row = String::new();
        let mut columns = Vec::new();
        let mut x = 0;
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            for _ in symbol.chars() {
                columns.push(x);
            }
            row.push_str(symbol);
            x += (crate::text::width::width(symbol) as u16).max(1);
        }
        row.find(text)
            .map(|byte| (columns[row[..byte].chars().count()], y))
    })
}

#[test]
fn idle() {
    let mut app = app_on("event-loop");
    quiet(&mut app, 12_000, 0);
    for size in SIZES {
        let t = render(&app, 12_000, size);
        insta::assert_snapshot!(format!("idle_{}x{}", size.0, size.1), t.backend());
        assert!(find(&t, "responsive").is_some());
    }
}

/// Lesson 1 at 11.5 s: a 3 s inline sleep began at 10.0 s and still holds the loop; the
/// observer reports while the lab is frozen (no answers since 10.0 s).
fn frozen_by_an_inline_job() -> App {
    let mut app = app_on("event-loop");
    quiet(&mut app, 10_000, 0);
    job(
        &mut app,
        1,
        1,
        (Workload::Sleep, fake("inline"), 3000),
        (10_000, Some(10_000), None),
        "lab-loop",
    );
    watch(&mut app, 11_480, Some(10_000), Some((10_000, 101)));
    app
}

#[test]
fn stalled_by_an_inline_job() {
    let app = frozen_by_an_inline_job();
    for size in SIZES {
        let t = render(&app, 11_500, size);
        insta::assert_snapshot!(format!("stalled_{}x{}", size.0, size.1), t.backend());
        let (x, y) = find(&t, "STALLED 1.50 s").expect("the live stall counter");
        assert_eq!(t.backend().buffer()[(x, y)].fg, Color::LightRed);
        assert!(find(&t, "STUCK 1.50 s in job #1").is_some());
    }
    // Time passes, the counter grows: the same model drawn later.
    let later = render(&app, 12_250, (120, 40));
    assert!(find(&later, "STALLED 2.25 s").is_some());
}

#[test]
fn after_an_offloaded_job() {
    let mut app = app_on("spawn-blocking");
    quiet(&mut app, 9_000, 1);
    drive(&mut app, 7_000);
    press(&mut app, KeyCode::Char('1'), 8_000);
    drive(&mut app, 8_000); // a fresh lab…
    let submitted = 8_000 + BASELINE.as_millis() as u64; // …a quiet baseline, then the job
    let orders = drive(&mut app, submitted);
    assert!(
        matches!(orders[..], [Order::Submit { jobs: 1, .. }]),
        "{orders:?}"
    );
    job(
        &mut app,
        1,
        1,
        (Workload::Sleep, fake("spawn-blocking"), 200),
        (submitted, Some(submitted + 1), Some(submitted + 201)),
        "lab-blocking-0",
    );
    drive(&mut app, submitted + 201); // every job ended: the tail begins
    drive(&mut app, 9_000);
    assert!(
        app.last_verdicts('1').is_some(),
        "the run settled and was checked"
    );
    press(&mut app, KeyCode::Tab, 9_000);
    press(&mut app, KeyCode::Tab, 9_000);
    press(&mut app, KeyCode::Tab, 9_000);
    for size in SIZES {
        let t = render(&app, 9_000, size);
        insta::assert_snapshot!(format!("offloaded_{}x{}", size.0, size.1), t.backend());
        // The job's bar is green (a pool thread), not red (holding the loop).
        let (x, y) = find(&t, "sleep 200ms · spawn-blocking").unwrap();
        let row_right = (x..t.backend().buffer().area.width)
            .map(|x| &t.backend().buffer()[(x, y)])
            .find(|c| c.symbol() == "█");
        assert_eq!(row_right.map(|c| c.fg), Some(Color::Green));
        let (x, y) = find(&t, "✓ lag.max < 15% of block").expect("the live verdict");
        assert_eq!(t.backend().buffer()[(x, y)].fg, Color::Green);
    }
}

#[test]
fn help_overlay() {
    let mut app = app_on("blocking-inline");
    quiet(&mut app, 5_000, 0);
    press(&mut app, KeyCode::Char('?'), 5_000);
    for size in SIZES {
        let t = render(&app, 5_000, size);
        insta::assert_snapshot!(format!("help_{}x{}", size.0, size.1), t.backend());
    }
    press(&mut app, KeyCode::Char('x'), 5_000);
    assert!(!app.help, "any key closes the help");
}

/// However many actions a lesson has, the help at 80×24 keeps every key and the log line (the
/// lesson's last actions, listed in the footer, go first) — in both modes and every language.
#[test]
fn the_help_keeps_its_keys_and_the_log_line_at_80x24_for_every_lesson() {
    for lesson in crate::lesson::builtin().lessons {
        for present in [false, true] {
            for lang in [Lang::En, Lang::ZhTw, Lang::ZhCn] {
                let mut app = app_on(&lesson.id);
                app.lang = lang;
                app.present = present.then(Default::default);
                app.help = true;
                let t = render(&app, 1_000, (80, 24));
                let shot = format!("{} {lang} present={present}", lesson.id);
                let log = lang.scoped(|| T::HelpLog.text().trim().to_string());
                assert!(find(&t, &log).is_some(), "{shot}: the log line");
                assert!(
                    find(&t, "q / Esc / Ctrl-C").is_some(),
                    "{shot}: the quit keys"
                );
            }
        }
    }
}

#[test]
fn too_small() {
    let app = app_on("event-loop");
    let t = render(&app, 0, (60, 20));
    insta::assert_snapshot!("too_small_60x20", t.backend());
    assert!(find(&t, "terminal too small (need 80×24, have 60×20)").is_some());
}

#[test]
fn every_size_from_zero_up_draws() {
    let mut app = app_on("spawn-blocking");
    quiet(&mut app, 3_000, 2);
    for help in [false, true] {
        app.help = help;
        for w in 0..=130 {
            for h in (0..=45).step_by(if w % 10 == 0 { 1 } else { 11 }) {
                render(&app, 3_000, (w, h));
            }
        }
    }
}

#[test]
fn the_help_names_the_log_and_the_skipped_lesson_files() {
    let mut app = app_on("event-loop");
    app.log = "/tmp/state/blocklab/blocklab.log".into();
    let why = "my-lessons/02-mine.toml:14: unknown strategy `threads` (allowed: inline, chunked, \
               spawn-blocking, block-in-place, thread-pool, …)";
    app.skipped = vec![why.into()];
    let t = render(&app, 0, (120, 40));
    assert!(
        find(&t, "1 lesson file skipped (?)").is_some(),
        "header says so"
    );
    press(&mut app, KeyCode::Char('?'), 0);
    for size in SIZES {
        let t = render(&app, 0, size);
        assert!(find(&t, "Log: /tmp/state/blocklab/blocklab.log").is_some());
        assert!(find(&t, "Skipped lesson files (1):").is_some());
        assert!(find(&t, "my-lessons/02-mine.toml:14: unknown strategy `threads`").is_some());
    }
}

#[test]
fn every_lesson_has_its_screen_in_every_language() {
    let lessons = crate::lesson::builtin().lessons;
    for (i, lesson) in lessons.iter().enumerate() {
        let mut app = app_on(&lesson.id);
        quiet(&mut app, 3_000, 0);
        for lang in Lang::ALL {
            app.lang = lang;
            for size in SIZES {
                let t = render(&app, 3_000, size);
                let name = format!(
                    "lesson_{:02}_{}_{lang}_{}x{}",
                    i + 1,
                    lesson.id,
                    size.0,
                    size.1
                );
                insta::assert_snapshot!(name.clone(), t.backend());
                let n = (i + 1, lessons.len());
                let header = lang.scoped(|| T::HeaderLesson.fill(&[("n", &n.0), ("of", &n.1)]));
                assert!(find(&t, &header).is_some(), "{name}: {header}");
                if size.0 >= 120 {
                    let title = lesson.title.in_lang(lang);
                    assert!(find(&t, title).is_some(), "{name} shows its title");
                }
            }
        }
    }
}

#[test]
fn the_help_overlay_in_every_language() {
    let mut app = app_on("blocking-inline");
    quiet(&mut app, 5_000, 0);
    press(&mut app, KeyCode::Char('?'), 5_000);
    for lang in [Lang::ZhTw, Lang::ZhCn] {
        app.lang = lang;
        for size in SIZES {
            let t = render(&app, 5_000, size);
            insta::assert_snapshot!(format!("help_{lang}_{}x{}", size.0, size.1), t.backend());
            assert!(find(&t, T::HelpTitle.in_lang(lang)).is_some());
        }
    }
}

/// The border cells of a drawn screen: the outer edges of the body and the lesson pane's right
/// edge (found on its top border), on every body row.
fn borders_intact(t: &Terminal<TestBackend>) -> Result<(), String> {
    let buf = t.backend().buffer();
    let (w, h) = (buf.area.width, buf.area.height);
    let cell = |x: u16, y: u16| buf[(x, y)].symbol().to_string();
    let edge = (1..w)
        .find(|&x| cell(x, 1) == "┐")
        .ok_or("no lesson pane")?;
    for y in 2..h - 3 {
        for x in [0, edge, w - 1] {
            if !["│", "├", "┤", "┌", "┐", "└", "┘"].contains(&cell(x, y).as_str()) {
                let row: String = (0..w).map(|x| cell(x, y)).collect();
                return Err(format!("{w}x{h} row {y} column {x}: {row}"));
            }
        }
    }
    Ok(())
}

/// Chinese text never runs over a pane's edge, whatever the width and section.
#[test]
fn wide_characters_never_overflow_a_pane_from_80_to_220_columns() {
    let lessons = crate::lesson::builtin().lessons;
    for lesson in &lessons {
        let mut app = app_on(&lesson.id);
        quiet(&mut app, 3_000, 0);
        for lang in [Lang::ZhTw, Lang::ZhCn] {
            app.lang = lang;
            for section in Section::ALL {
                app.section = section;
                // Every width for the first lesson; a spread of widths for the others.
                let step = if lesson.id == lessons[0].id { 1 } else { 7 };
                for w in (80..=220).step_by(step) {
                    let t = render(&app, 3_000, (w, 40));
                    if let Err(e) = borders_intact(&t) {
                        panic!("{} {lang} {section:?}: {e}", lesson.id);
                    }
                }
            }
        }
    }
}

#[test]
fn the_language_key_switches_the_screen_live() {
    let mut app = app_on("event-loop");
    quiet(&mut app, 3_000, 0);
    let title = |app: &App| app.lesson().title.in_lang(app.lang).to_string();
    for lang in [Lang::ZhTw, Lang::ZhCn, Lang::En] {
        press(&mut app, KeyCode::Char('L'), 3_000);
        assert_eq!(app.lang, lang);
        let t = render(&app, 3_000, (120, 40));
        assert!(find(&t, &title(&app)).is_some(), "{lang}");
        assert!(
            find(&t, lang.name()).is_some(),
            "{lang}: the notice names it"
        );
    }
}

/// With `--ambiguous-wide`, no cell holds a symbol a CJK terminal draws two columns wide.
#[test]
fn ambiguous_wide_terminals_get_one_column_symbols_everywhere() {
    let mut app = frozen_by_an_inline_job();
    app.ambiguous_wide = true;
    for lang in Lang::ALL {
        app.lang = lang;
        for size in SIZES {
            let t = render(&app, 11_500, size);
            let buf = t.backend().buffer();
            for cell in buf.content() {
                assert!(
                    !view::is_ambiguous(cell.symbol()),
                    "{lang} {size:?}: {:?}",
                    cell.symbol()
                );
            }
        }
    }
    app.lang = Lang::ZhTw;
    let t = render(&app, 11_500, (120, 40));
    insta::assert_snapshot!("ambiguous_wide_zh-TW_120x40", t.backend());
}

/// With `NO_COLOR`, no cell carries a colour; the keys and the stall's label stand out in
/// reverse video instead.
#[test]
fn no_color_takes_every_colour_out_and_keeps_the_highlights() {
    let mut app = frozen_by_an_inline_job();
    app.no_color = true;
    for size in SIZES {
        let t = render(&app, 11_500, size);
        for cell in t.backend().buffer().content() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{size:?}");
        }
    }
    let t = render(&app, 11_500, (120, 40));
    let buf = t.backend().buffer();
    let reversed = |text: &str| {
        let (x, y) = find(&t, text).unwrap_or_else(|| panic!("{text} on screen"));
        buf[(x, y)].modifier.contains(Modifier::REVERSED)
    };
    // The section tabs' current one, and the action keys of the Idea section.
    assert!(reversed("Idea"), "the current section's tab");
    assert!(!reversed("Python"), "another section's tab");
}

#[test]
fn the_job_table_shows_ids_and_statuses() {
    let mut app = app_on("lifespan");
    quiet(&mut app, 3_000, 0);
    let work = (Workload::Sleep, fake("lifespan-pool"), 300);
    job(
        &mut app,
        1,
        1,
        work,
        (1_000, Some(1_000), Some(1_300)),
        "pool-lifespan-0",
    );
    job(
        &mut app,
        2,
        1,
        work,
        (1_000, Some(1_000), None),
        "pool-lifespan-1",
    );
    job(&mut app, 3, 1, work, (1_000, None, None), "");
    app.model.ingest(Sample::LabStopped {
        lab: 1,
        at: ms(1_100),
    });
    press(&mut app, KeyCode::Char('t'), 3_000);
    let t = render(&app, 3_000, (120, 40));
    insta::assert_snapshot!("job_table_120x40", t.backend());
    for status in ["ok", "abandoned", "cancelled"] {
        assert!(
            find(&t, &format!(" {status} ")).is_some(),
            "a {status} job in the table"
        );
    }
}

/// A durable job whose lab stopped mid-job waits in the queue file (the timeline shows it
/// waiting, the table says "in queue"); a job run again says how many times it started.
#[test]
fn a_durable_job_waits_in_the_queue_and_counts_its_attempts() {
    let mut app = app_on("durable-queue");
    quiet(&mut app, 3_000, 0);
    let work = (
        Workload::Sleep,
        crate::data::strategy::fake_durable("durable-queue"),
        1000,
    );
    job(
        &mut app,
        1,
        1,
        work,
        (1_000, Some(1_010), None),
        "pool-queue-0",
    );
    job(
        &mut app,
        2,
        1,
        work,
        (1_000, Some(1_010), None),
        "pool-queue-1",
    );
    app.model.ingest(Sample::LabStopped {
        lab: 1,
        at: ms(1_400),
    });
    // The next lab's worker takes job 2 again.
    app.model.ingest(Sample::Job(JobEvent {
        job: 2,
        at: ms(2_500),
        kind: JobEventKind::Started {
            thread: "pool-queue-0".into(),
            kind: ThreadKind::Dedicated,
            task: None,
        },
    }));
    let t = render(&app, 3_000, (120, 40));
    insta::assert_snapshot!("durable_timeline_120x40", t.backend());
    press(&mut app, KeyCode::Char('t'), 3_000);
    let t = render(&app, 3_000, (120, 40));
    insta::assert_snapshot!("durable_job_table_120x40", t.backend());
    assert!(find(&t, " in queue ").is_some(), "job 1 waits in the queue");
    assert!(find(&t, " running ×2 ").is_some(), "job 2 runs again");
}

#[test]
fn every_action_key_of_every_lesson_submits_its_jobs() {
    let mut app = app_on("event-loop");
    let lessons = app.lessons.clone();
    let mut now = 1_000;
    drive(&mut app, now);
    for (i, lesson) in lessons.iter().enumerate() {
        assert_eq!(app.lesson().id, lesson.id, "→ reaches lesson {}", i + 1);
        for action in &lesson.actions {
            press(&mut app, KeyCode::Char(action.key), now);
            // Everything the action schedules, however late, until its run is over.
            let mut submitted = 0;
            while app.pending(action.key) || app.experiment().is_some() {
                for order in drive(&mut app, now) {
                    if let Order::Submit { jobs, .. } = order {
                        submitted += jobs;
                    }
                }
                now += 1_000;
            }
            let expected: usize = action.batches().iter().map(|b| b.jobs).sum();
            // A sweep submits step by step, each once the last one's jobs ended: at least its
            // first step (no job ends here).
            if let Some(sweep) = &action.sweep {
                let first = sweep.steps(app.lab_for_action(action).cores())[0].jobs;
                assert!(
                    submitted >= first,
                    "{} [{}] submits its first step: {submitted} of {first}",
                    lesson.id,
                    action.key
                );
                continue;
            }
            assert_eq!(
                submitted, expected,
                "{} [{}] submits its jobs",
                lesson.id, action.key
            );
        }
        press(&mut app, KeyCode::Right, now);
    }
    assert_eq!(
        app.lesson().id,
        lessons.last().unwrap().id,
        "→ stops at the last lesson"
    );
    assert!(app.playing, "→ past the last lesson is the playground");
    press(&mut app, KeyCode::Char('g'), 0);
    press(&mut app, KeyCode::Char('h'), 0);
    assert_eq!(app.current, lessons.len() - 2, "h goes back");
}

/// The Pools pane and the JSON report count the same jobs the same way, strategy by strategy.
#[test]
fn the_pools_pane_and_the_json_agree_on_every_counter() {
    let mut app = app_on("thread-pool");
    quiet(&mut app, 3_000, 0);
    let pool = (Workload::Sleep, fake("thread-pool"), 300);
    let inline = (Workload::Sleep, fake("inline"), 50);
    job(
        &mut app,
        1,
        1,
        pool,
        (1_000, Some(1_000), Some(1_300)),
        "pool-2-0",
    );
    job(&mut app, 2, 1, pool, (1_000, Some(1_000), None), "pool-2-1");
    job(&mut app, 3, 1, pool, (1_000, None, None), "");
    job(
        &mut app,
        4,
        1,
        inline,
        (1_000, Some(1_001), None),
        "lab-loop",
    );
    job(
        &mut app,
        5,
        1,
        inline,
        (1_000, Some(1_100), Some(1_150)),
        "lab-loop",
    );
    app.model.ingest(Sample::Job(JobEvent {
        job: 6,
        at: ms(1_200),
        kind: JobEventKind::Submitted(JobSpec {
            id: 6,
            run: 1,
            lab: 1,
            workload: Workload::Panic,
            strategy: fake("inline"),
            ms: 10,
            size: 0,
        }),
    }));
    app.model.ingest(Sample::Job(JobEvent {
        job: 6,
        at: ms(1_210),
        kind: JobEventKind::Finished {
            outcome: Outcome::Failed,
            cpu: None,
            error: Some("panicked".into()),
        },
    }));
    for (at, lab_stopped) in [(2_000, false), (2_500, true)] {
        if lab_stopped {
            app.model.ingest(Sample::LabStopped {
                lab: 1,
                at: ms(2_400),
            });
        }
        let scope = crate::report::Scope {
            from: Duration::ZERO,
            to: ms(at),
            baseline: (Duration::ZERO, ms(1_000)),
            run: Some(1),
            load: None,
            sweep: None,
        };
        let report = crate::report::Report::build(&app.model, scope, &app.lab);
        let t = render(&app, at, (200, 50));
        let (_, y) = find(&t, "Jobs       ").expect("the Jobs line");
        let buf = t.backend().buffer();
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let line = line
            .split("Jobs       ")
            .nth(1)
            .unwrap()
            .trim_end_matches([' ', '│']);
        let mut shown = std::collections::BTreeMap::new();
        for part in line.split(" │ ") {
            let (name, counts) = part.split_once(": ").unwrap();
            let mut c = crate::model::Counters::default();
            for count in counts.split(", ") {
                let (n, word) = count.split_once(' ').unwrap();
                let n: usize = n.parse().unwrap();
                match word {
                    "running" => c.running = n,
                    "waiting" => c.waiting = n,
                    "done" => c.ok = n,
                    "failed" => c.failed = n,
                    "cancelled" => c.cancelled = n,
                    "lost" => c.lost = n,
                    "abandoned" => c.abandoned = n,
                    other => panic!("unknown count `{other}` in {line}"),
                }
            }
            shown.insert(name.to_string(), c);
        }
        assert_eq!(shown.len(), report.pools.offload.len(), "{line}");
        for (name, c) in &report.pools.offload {
            let s = shown[*name];
            let pane = (
                s.waiting,
                s.running,
                s.ok,
                s.failed,
                s.cancelled,
                s.lost,
                s.abandoned,
            );
            let json = (
                c.waiting,
                c.running,
                c.ok,
                c.failed,
                c.cancelled,
                c.lost,
                c.abandoned,
            );
            assert_eq!(pane, json, "{name} at {at} ms: {line}");
        }
        if lab_stopped {
            let c = report.pools.offload["thread-pool"];
            assert_eq!((c.ok, c.abandoned, c.cancelled), (1, 1, 1));
            assert_eq!(report.pools.offload["inline"].lost, 1);
        }
    }
}

/// A lesson shows the learner's cores and what follows from them, not ours.
#[test]
fn lessons_show_the_labs_cores_and_what_follows() {
    for (cores, pool, two, eight) in [(1, 5, "8", "8"), (4, 8, "4", "2"), (16, 20, "4", "1")] {
        let lessons = crate::lesson::builtin().lessons;
        let at = |id: &str| lessons.iter().position(|l| l.id == id).unwrap();
        let args = LabArgs {
            cpus: Some(cores),
            ..LabArgs::default()
        };
        let app = App::new(lessons.clone(), at("spawn-blocking"), args.clone());
        let idea = app.render(app.lesson().idea.get());
        assert!(
            idea.contains(&format!("{pool} on your {cores} core")),
            "{cores} cores: {idea}"
        );
        let app = App::new(lessons.clone(), at("thread-pool"), args);
        let idea = app.render(app.lesson().idea.get());
        let rounds = format!("that is {two} rounds with two threads and {eight} with eight");
        assert!(idea.contains(&rounds), "{cores} cores: {idea}");
        assert!(!idea.contains("${"), "a field left unfilled: {idea}");
    }
}

/// An action run of `lesson` that finished at 1 s with `report` and no verdicts.
fn finished_run(app: &mut App, lesson: &str, key: char, report: crate::report::Report) {
    app.runs.push(crate::ui::app::ActionRun {
        id: app.runs.len() as u64 + 1,
        lesson: lesson.into(),
        key,
        at: ms(1_000),
        lab: app.lab.clone(),
        report: Some(report),
        verdicts: Some(Vec::new()),
        cancelled: None,
    });
}

fn long_poll(app: &mut App, task: u64, start_us: u64, duration_us: u64) {
    app.model.ingest(Sample::LongPoll(crate::data::LongPoll {
        worker: 0,
        thread: "lab-loop".into(),
        task,
        start: Duration::from_micros(start_us),
        duration: Duration::from_micros(duration_us),
    }));
}

/// Lesson 17's inline handler past its ceiling: requests queue behind many 5 ms polls, and the
/// lag pane says "saturated", not "stalled" or "responsive". A 5 ms block is labelled with its
/// job on the chart.
#[test]
fn a_saturated_loop_says_so_and_a_short_block_carries_its_job() {
    let mut app = app_on("load");
    quiet(&mut app, 8_000, 0);
    for t in 8_000..9_000u64 {
        app.model.ingest(Sample::Lag {
            sent: ms(t),
            lag: ms(40 + (t - 8_000) / 10),
        });
        if t % 5 == 0 {
            job(
                &mut app,
                t,
                1,
                (Workload::Sleep, fake("inline"), 5),
                (t, Some(t), Some(t + 5)),
                "lab-loop",
            );
            long_poll(&mut app, 100 + t, t * 1000, 5_000);
        }
    }
    watch(&mut app, 9_000, None, None);
    let t = render(&app, 9_000, (120, 40));
    insta::assert_snapshot!("saturated_120x40", t.backend());
    let (x, y) = find(&t, "SATURATED · lag p99 138 ms · no poll over 5.0 ms").expect("diagnosis");
    assert_eq!(t.backend().buffer()[(x, y)].fg, Color::Yellow);
    let t = render(&app, 9_000, (200, 50));
    assert!(
        find(
            &t,
            "SATURATED: requests queueing · lag p99 138 ms, yet no poll over 5.0 ms (200 polls"
        )
        .is_some()
    );

    let mut app = app_on("event-loop");
    quiet(&mut app, 6_000, 0);
    job(
        &mut app,
        7,
        1,
        (Workload::Sleep, fake("inline"), 5),
        (4_000, Some(4_000), Some(4_005)),
        "lab-loop",
    );
    long_poll(&mut app, 107, 4_000_000, 5_020);
    let t = render(&app, 6_000, (120, 40));
    let (x, y) = find(&t, "5.0ms #7").expect("the block's label on the lag chart");
    assert_eq!(t.backend().buffer()[(x, y)].bg, Color::Yellow);
}

/// A fake load step: `served` replies a second at `rate`, p99 `p99` ms.
fn step(rate: u32, served: f64, p99: f64) -> crate::report::LoadStepOut {
    crate::report::LoadStepOut {
        rate,
        sent: u64::from(rate),
        answered: u64::from(rate),
        errors: 0,
        timeouts: 0,
        throughput: served,
        p50_ms: p99 / 2.0,
        p99_ms: p99,
        held: p99 <= 100.0,
    }
}

/// Lesson 17's Check section once its three handlers ran: a chart of served/s and p99 per
/// offered rate, the handlers side by side in key order, each with its key on its bar; before
/// any has run, no chart.
#[test]
fn the_load_test_is_drawn_per_rate_and_handler() {
    let mut app = app_on("load");
    quiet(&mut app, 3_000, 0);
    app.section = Section::Check;
    let t = render(&app, 3_000, (120, 40));
    assert!(
        find(&t, "by offered req/s:").is_none(),
        "no chart before a run"
    );
    let results = [
        (
            '1',
            vec![
                step(50, 50.0, 6.1),
                step(100, 100.0, 6.8),
                step(200, 187.0, 119.2),
                step(400, 182.0, 1148.9),
                step(800, 150.0, 1980.4),
            ],
        ),
        (
            '2',
            [50, 100, 200, 400, 800]
                .map(|r| step(r, f64::from(r) * 0.995, 6.8))
                .to_vec(),
        ),
        (
            '3',
            [50, 100, 200, 400, 800]
                .map(|r| step(r, f64::from(r) * 0.99, 8.4))
                .to_vec(),
        ),
    ];
    for (key, steps) in results {
        let mut report = crate::report::Report::empty();
        report.load = Some(steps);
        finished_run(&mut app, "load", key, report);
    }
    for lang in Lang::ALL {
        app.lang = lang;
        for size in SIZES {
            let t = render(&app, 3_000, size);
            let name = format!("load_chart_{lang}_{}x{}", size.0, size.1);
            insta::assert_snapshot!(name.clone(), t.backend());
            let legend = lang.scoped(|| T::LoadChartLegend.text());
            let (x, y) = find(&t, legend).unwrap_or_else(|| panic!("{name}: the legend"));
            // The keys in the legend, in the handlers' colours.
            let buf = t.backend().buffer();
            let after = x + crate::text::width::width(legend) as u16;
            assert_eq!(
                buf[(after + 1, y)].fg,
                Color::Red,
                "{name}: 1 holds the loop"
            );
            assert_eq!(
                buf[(after + 4, y)].fg,
                Color::Green,
                "{name}: 2 runs elsewhere"
            );
            assert_eq!(buf[(after + 7, y)].fg, Color::Cyan, "{name}: 3 awaits");
            assert!(find(&t, "800").is_some(), "{name}: the rates");
        }
    }
}

/// Lesson 1 with its lab up since 0 and nothing else going on, until `until` ms.
fn left_alone(until: u64) -> App {
    let mut app = app_on("event-loop");
    quiet(&mut app, until, 0);
    let lab = app.lab.clone();
    app.lab_started(1, Duration::ZERO, lab);
    // The first lesson's visit, saved already: the steps below say only what the traffic does.
    let _ = app.unsaved_progress();
    app
}

fn key(code: KeyCode) -> crossterm::event::Event {
    crossterm::event::Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn the_traffic_rests_after_a_quiet_spell_and_a_key_restores_it_before_its_jobs() {
    let spell = QUIET_SPELL.as_millis() as u64;
    let mut app = left_alone(1_000);
    let full = app.lab.traffic_rate;
    assert!(full > REST_RATE);
    assert_eq!(
        app.step(ms(spell - 1)),
        vec![],
        "not before the quiet spell"
    );
    assert_eq!(app.step(ms(spell)), vec![Command::Traffic(REST_RATE)]);
    assert_eq!(app.resting(), Some(REST_RATE));
    assert_eq!(app.step(ms(spell + 5_000)), vec![], "said once");

    // A key: the lesson's rate comes back first, then whatever the key starts.
    let pressed = spell + 6_000;
    let mut emitted = app.on_event(&key(KeyCode::Char('2')), ms(pressed));
    assert_eq!(emitted, vec![Command::Traffic(full)]);
    assert_eq!(app.resting(), None);
    let submitted = |c: &Command| matches!(c, Command::Lab(Order::Submit { .. }));
    let mut now = pressed;
    while !emitted.iter().any(submitted) && now < pressed + 5_000 {
        for command in app.step(ms(now)) {
            if let Command::Lab(Order::StartLab(config)) = &command {
                app.lab_started(2, ms(now), config.clone());
            }
            emitted.push(command);
        }
        now += 10;
    }
    let restored = emitted.iter().position(|c| *c == Command::Traffic(full));
    let jobs = emitted.iter().position(submitted);
    assert!(jobs.is_some(), "the action submits its jobs: {emitted:?}");
    assert!(
        restored < jobs,
        "the full rate before the jobs: {emitted:?}"
    );
    assert!(
        !emitted.contains(&Command::Traffic(REST_RATE)),
        "no rest while the action runs: {emitted:?}"
    );
}

#[test]
fn resting_traffic_comes_back_for_work_from_outside_and_a_fresh_lab_sends_its_own_rate() {
    let spell = QUIET_SPELL.as_millis() as u64;
    let mut app = left_alone(1_000);
    let full = app.lab.traffic_rate;
    assert_eq!(app.step(ms(spell)), vec![Command::Traffic(REST_RATE)]);
    // A job comes in through the front door, no key pressed: the traffic is part of the show.
    job(
        &mut app,
        1,
        0,
        (Workload::Sleep, fake("inline"), 3000),
        (spell + 1_000, Some(spell + 1_000), None),
        "lab-loop",
    );
    assert_eq!(app.step(ms(spell + 1_010)), vec![Command::Traffic(full)]);
    assert_eq!(app.resting(), None);

    // Rested again, then the lab stops by itself: its successor starts at the lesson's rate,
    // and no resting rate is sent after it.
    let mut app = left_alone(1_000);
    assert_eq!(app.step(ms(spell)), vec![Command::Traffic(REST_RATE)]);
    app.model.ingest(Sample::LabStopped {
        lab: 1,
        at: ms(spell + 100),
    });
    let commands = app.step(ms(spell + 200));
    assert!(
        matches!(commands[..], [Command::Lab(Order::StartLab(_))]),
        "{commands:?}"
    );
    assert_eq!(app.resting(), None);
}

#[test]
fn the_requests_row_says_the_traffic_rests_and_how_to_bring_it_back() {
    let spell = QUIET_SPELL.as_millis() as u64;
    let mut app = left_alone(spell + 2_000);
    assert_eq!(app.step(ms(spell)), vec![Command::Traffic(REST_RATE)]);
    let now = spell + 2_000;
    for size in SIZES {
        let t = render(&app, now, size);
        insta::assert_snapshot!(format!("resting_{}x{}", size.0, size.1), t.backend());
        assert!(find(&t, "resting at 5").is_some(), "{size:?}");
        assert!(find(&t, "any key").is_some(), "{size:?}");
        let (x, y) = find(&t, "resting at").unwrap();
        assert_eq!(t.backend().buffer()[(x, y)].fg, Color::Yellow);
    }
    for lang in [Lang::ZhTw, Lang::ZhCn] {
        app.lang = lang;
        for size in SIZES {
            let t = render(&app, now, size);
            borders_intact(&t).unwrap();
            let (_, resting) = lang.scoped(|| {
                let filled = T::PoolsRequestsRestingShortest.fill(&[("rest", &5), ("rate", &100)]);
                ((), filled)
            });
            let words: String = resting.chars().take(4).collect();
            assert!(find(&t, &words).is_some(), "{lang:?} {size:?}: {words}");
        }
    }
}

/// A fake sweep on 2 cores: jobs/s and p99 run time per multiple.
fn sweep(steps: &[(u32, f64, f64)]) -> crate::report::SizingOut {
    let steps: Vec<_> = steps
        .iter()
        .map(
            |&(multiple, throughput, p99)| crate::report::SizingStepOut {
                multiple,
                threads: multiple * 2,
                jobs: 40,
                ok: 40,
                span_ms: 40_000.0 / throughput,
                throughput,
                latency_p50_ms: p99 * 2.0,
                latency_p99_ms: p99 * 4.0,
                run_p50_ms: p99 * 0.8,
                run_p99_ms: p99,
            },
        )
        .collect();
    let best = steps.iter().map(|s| s.throughput).fold(0.0, f64::max);
    let best_multiple = steps
        .iter()
        .filter(|s| s.throughput >= 0.95 * best)
        .map(|s| s.multiple)
        .min()
        .unwrap_or(0);
    crate::report::SizingOut {
        cores: 2,
        steps,
        best_multiple,
        best_throughput: best,
    }
}

/// Lesson 6's Check section once its sweeps ran: jobs/s (a share of each sweep's best) and
/// p99 run time per multiple of the cores, the sweeps side by side in key order, "cores × 2"
/// marked under its group and each sweep's best with a `*`; before any has run, no chart.
#[test]
fn the_sizing_sweeps_are_drawn_per_multiple_with_the_rule_and_the_best_marked() {
    let mut app = app_on("thread-pool");
    quiet(&mut app, 3_000, 0);
    app.section = Section::Check;
    let t = render(&app, 3_000, (120, 40));
    assert!(
        find(&t, "sizing sweeps:").is_none(),
        "no chart before a run"
    );
    let results = [
        (
            '6',
            sweep(&[
                (1, 20.0, 110.0),
                (2, 38.0, 125.0),
                (3, 39.5, 170.0),
                (4, 39.0, 230.0),
            ]),
        ),
        (
            '7',
            sweep(&[
                (1, 40.0, 52.0),
                (2, 39.5, 105.0),
                (3, 39.0, 160.0),
                (4, 39.2, 210.0),
            ]),
        ),
    ];
    for (key, sizing) in results {
        let mut report = crate::report::Report::empty();
        report.sizing = Some(sizing);
        finished_run(&mut app, "thread-pool", key, report);
    }
    for lang in Lang::ALL {
        app.lang = lang;
        for size in SIZES {
            let t = render(&app, 3_000, size);
            let name = format!("sizing_chart_{lang}_{}x{}", size.0, size.1);
            insta::assert_snapshot!(name.clone(), t.backend());
            let legend = lang.scoped(|| T::SizingChartLegend.text());
            let (x, y) = find(&t, legend).unwrap_or_else(|| panic!("{name}: the legend"));
            // The keys in the legend, in the sweeps' colours: the mixed one waits, then computes.
            let buf = t.backend().buffer();
            let after = x + crate::text::width::width(legend) as u16;
            assert_eq!(buf[(after + 1, y)].fg, Color::Yellow, "{name}: 6 is mixed");
            assert_eq!(buf[(after + 4, y)].fg, Color::Green, "{name}: 7 is CPU");
            assert!(find(&t, "2× c×2").is_some(), "{name}: cores × 2 marked");
            assert!(find(&t, "6*").is_some(), "{name}: the mixed sweep's best");
            assert!(find(&t, "7*").is_some(), "{name}: the CPU sweep's best");
        }
    }
}

/// The text of each row of a saved SVG, put back on the grid by each character's x: what a
/// viewer of the picture reads where.
fn svg_rows(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    let root = doc.root_element();
    let number = |name: &str| -> f64 { root.attribute(name).unwrap().parse().unwrap() };
    let (columns, rows) = (
        number("data-columns") as usize,
        number("data-rows") as usize,
    );
    let (cell_w, cell_h) = (number("data-cell-width"), number("data-cell-height"));
    let mut grid = vec![vec![String::new(); columns]; rows];
    for text in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let y: f64 = text.attribute("y").unwrap().parse().unwrap();
        let row = &mut grid[(y / cell_h).floor() as usize];
        for tspan in text.children().filter(|n| n.has_tag_name("tspan")) {
            let xs: Vec<usize> = tspan
                .attribute("x")
                .unwrap()
                .split(' ')
                .map(|x| (x.parse::<f64>().unwrap() / cell_w).round() as usize)
                .collect();
            let content = tspan.text().unwrap_or("");
            let chars: Vec<char> = content.chars().collect();
            if xs.len() == chars.len() {
                for (x, c) in xs.into_iter().zip(chars) {
                    row[x] = c.to_string();
                }
            } else {
                assert_eq!(xs.len(), 1, "one x for a symbol of its own: {content:?}");
                row[xs[0]] = content.to_string();
            }
        }
    }
    grid.into_iter()
        .map(|cells| {
            let mut line = String::new();
            let mut x = 0;
            while x < cells.len() {
                let symbol = if cells[x].is_empty() { " " } else { &cells[x] };
                line.push_str(symbol);
                x += crate::text::width::width(symbol).max(1);
            }
            line.trim_end().to_string()
        })
        .collect()
}

/// `e` saves the screen as drawn: the SVG is valid XML the size of the terminal, titled with
/// the lesson, and holds the text export's every row at its columns — the pane titles and the
/// lag figures on screen among them.
#[test]
fn a_saved_screen_is_valid_svg_with_the_pane_titles_and_the_lag_figures_on_screen() {
    let app = frozen_by_an_inline_job();
    for (w, h) in SIZES {
        let t = render(&app, 11_500, (w, h));
        let buf = t.backend().buffer();
        let text = super::export::text(buf);
        let svg = super::export::svg(buf, &app.lesson().title.to_string());

        let doc = roxmltree::Document::parse(&svg).expect("the SVG is well-formed XML");
        let root = doc.root_element();
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        assert_eq!(
            root.attribute("width"),
            Some(&*(u32::from(w) * 9).to_string())
        );
        assert_eq!(
            root.attribute("height"),
            Some(&*(u32::from(h) * 18).to_string())
        );
        let title = doc.descendants().find(|n| n.has_tag_name("title"));
        assert_eq!(
            title.and_then(|n| n.text()),
            Some("The event loop and its lag")
        );

        // Row for row, column for column, the picture says what the text export says.
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), usize::from(h));
        assert_eq!(svg_rows(&svg), lines, "{svg}");

        // The lag pane's figures, as the buffer shows them, are in the picture's text too.
        let lag_title = lines.iter().find(|l| l.contains("Event-loop lag")).unwrap();
        let at = lag_title.find("p99 ").expect("the lag pane's figures");
        let figures = lag_title[at..]
            .trim_end_matches('┐')
            .trim_end_matches('─')
            .trim();
        assert!(figures.contains(" · max "), "{figures}");
        let texts: Vec<String> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.descendants().filter_map(|d| d.text()).collect())
            .collect();
        for wanted in [
            "Event-loop lag",
            "Pools",
            "Timeline",
            figures,
            "STALLED 1.50 s",
            "STUCK 1.50 s in job #1",
        ] {
            assert!(text.contains(wanted), "`{wanted}` on screen:\n{text}");
            assert!(
                texts.iter().any(|t| t.contains(wanted)),
                "`{wanted}` in the SVG's text:\n{svg}"
            );
        }
        // The stall counter keeps its colour.
        assert!(
            svg.contains(r##"fill="#ff0000" font-weight="bold">STALLED 1.50 s"##),
            "{svg}"
        );
    }
}

/// A notice too long for the footer's line (a folder's path) takes the actions' line too, so
/// the folder and the file names show whole at 80×24; a failure says why.
#[test]
fn the_export_notice_names_the_folder_and_the_files_at_80x24() {
    let mut app = frozen_by_an_inline_job();
    let dir = std::path::Path::new("/srv/talks/state/blocklab/screens");
    let stem = "blocklab-event-loop-20250102-030405".to_string();
    app.exported(dir, &Ok(stem), ms(11_500));
    let t = render(&app, 11_500, (80, 24));
    insta::assert_snapshot!("exported_80x24", t.backend());
    // The footer's two rows as one line.
    let footer_of = |text: &str| {
        text.lines()
            .skip(22)
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let footer = footer_of(&super::export::text(t.backend().buffer()));
    assert!(
        footer.contains("blocklab-event-loop-20250102-030405.svg and .txt")
            && footer.contains("/srv/talks/state/blocklab/screens"),
        "{footer}"
    );

    let denied = std::io::Error::from_raw_os_error(libc::EACCES);
    app.exported(dir, &Err(denied), ms(11_600));
    let t = render(&app, 11_600, (80, 24));
    let text = super::export::text(t.backend().buffer());
    let footer = footer_of(&text);
    assert!(footer.contains("could not save the screen in"), "{text}");
    assert!(footer.contains("Permission denied (os error 13)"), "{text}");
    // Gone after its time, like any notice; the keys are back.
    let t = render(&app, 11_600 + view::NOTICE_FOR.as_millis() as u64, (80, 24));
    assert!(find(&t, "? help").is_some());
}

/// Lesson 1 in presenter mode on `step`, frozen mid-stall by its inline job.
fn presenting(step: usize) -> App {
    let mut app = frozen_by_an_inline_job();
    app.present = Some(crate::ui::present::Presenter {
        step,
        started: false,
    });
    app
}

#[test]
fn presenter_mode_shows_one_step_and_the_key_figures_in_large_digits() {
    use crate::ui::present::{Pane, Step};
    let steps = presenting(0).steps();
    let run = steps
        .iter()
        .position(|s| matches!(s, Step::Run(_)))
        .unwrap();
    let reveal = steps.len() - 1;
    let stall = view::big_rows("1.50s");
    for lang in [Lang::En, Lang::ZhTw] {
        for (name, step, zoom) in [
            ("idea", 0, None),
            ("predict", 1, None),
            ("run", run, None),
            ("reveal", reveal, None),
            ("zoomed_lag", run, Some(Pane::Lag)),
        ] {
            let mut app = presenting(step);
            app.lang = lang;
            app.zoom = zoom;
            if step == run {
                // Next on the Run step: its action waits its turn behind the stall.
                press(&mut app, KeyCode::PageDown, 11_500);
                assert!(app.pending('1'));
            }
            for size in SIZES {
                let t = render(&app, 11_500, size);
                let shot = format!("present_{name}_{lang}_{}x{}", size.0, size.1);
                insta::assert_snapshot!(shot.clone(), t.backend());
                let n = (step + 1, steps.len());
                let header = lang.scoped(|| T::HeaderStep.fill(&[("n", &n.0), ("of", &n.1)]));
                assert!(find(&t, &header).is_some(), "{shot}: {header}");
                // The live stall counter in large digits, bright red on the projector.
                let (x, y) = find(&t, &stall[1]).unwrap_or_else(|| panic!("{shot}: big stall"));
                assert_eq!(t.backend().buffer()[(x, y)].fg, Color::LightRed, "{shot}");
                let label = lang.scoped(|| T::BigStall.text());
                assert!(find(&t, label).is_some(), "{shot}");
                // High contrast: nothing dark grey, nothing dim.
                for cell in t.backend().buffer().content() {
                    assert_ne!(cell.fg, Color::DarkGray, "{shot}");
                    assert!(!cell.modifier.contains(Modifier::DIM), "{shot}");
                }
                // The expectations only at the reveal.
                let claim = &app.lesson().actions[0].expect[0].text;
                let reveals = find(&t, claim).is_some();
                assert_eq!(
                    reveals,
                    name == "reveal",
                    "{shot}: the checks only at the reveal"
                );
            }
        }
    }
}

#[test]
fn presenter_mode_under_no_color_has_no_colour() {
    let mut app = presenting(2);
    app.no_color = true;
    app.zoom = Some(crate::ui::present::Pane::Lag);
    for size in SIZES {
        let t = render(&app, 11_500, size);
        for cell in t.backend().buffer().content() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{size:?}");
        }
    }
}

#[test]
fn the_big_figures_drop_what_does_not_fit_at_80_columns() {
    let app = presenting(0);
    let wide = render(&app, 11_500, (160, 40));
    let narrow = render(&app, 11_500, (80, 24));
    let p99 = T::BigRequests.text();
    assert!(find(&wide, p99).is_some(), "all four at 160 columns");
    assert!(find(&narrow, p99).is_none(), "the last one goes at 80");
    assert!(find(&narrow, T::BigLagNow.text()).is_some());
}

/// The notes screen (`blocklab notes`) following a presenter on `app`, 3 min 12 s into
/// presenter mode and 45 s into the step, in `lang`.
fn notes_screen(app: &App, lang: Lang, (w, h): (u16, u16)) -> Terminal<TestBackend> {
    use crate::notes::follow::Where;
    use crate::notes::screen::{Follower, Link, draw};
    let epoch = std::time::UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    let mut follower = Follower::new(Where::Announced("/state/blocklab/presenter.json".into()));
    follower.link = Link::Connected("127.0.0.1:40517".parse().unwrap());
    follower.speaker = Some(app.speaker(epoch));
    let now = epoch + app.step_since + Duration::from_secs(45);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    lang.scoped(|| terminal.draw(|f| draw(f, &follower, now)).unwrap());
    terminal
}

#[test]
fn the_notes_screen_shows_the_step_its_notes_whats_next_and_the_clocks() {
    let mut app = app_on("event-loop");
    app.lang = Lang::En;
    press(&mut app, KeyCode::Char('p'), 0);
    press(&mut app, KeyCode::PageDown, 147_000);
    let t = notes_screen(&app, Lang::En, (80, 24));
    insta::assert_snapshot!("notes_80x24", t.backend());
    assert!(find(&t, "step 2/6 · Predict").is_some());
    assert!(find(&t, "presenting 3:12 · this step 0:45").is_some());
    assert!(find(&t, "next: Run 1").is_some());
    assert!(find(&t, "connected to 127.0.0.1:40517").is_some());

    // A lesson without notes says so; presenter mode off, the connection line says that.
    app.lessons[0].notes = Default::default();
    let t = notes_screen(&app, Lang::En, (80, 24));
    assert!(find(&t, "no notes for this step in this lesson").is_some());
    app.present = None;
    let t = notes_screen(&app, Lang::En, (80, 24));
    assert!(find(&t, "presenter mode is off there").is_some());
    assert!(find(&t, "next:").is_none());
}

#[test]
fn the_notes_screen_wraps_chinese_notes_by_display_width() {
    let mut app = app_on("event-loop");
    app.lang = Lang::ZhTw;
    press(&mut app, KeyCode::Char('p'), 0);
    let notes = "大約三分鐘。先從大家的經驗談起：一個慢的端點會讓每個端點都變慢。\
                 閒置時指著延遲圖：只有幾十微秒，是底部那條平線。說明延遲從哪裡來：\
                 觀察者從外部 ping，所以事件迴圈凍結時它看得到，而迴圈自己什麼也回報不了。";
    app.lessons[0].notes.idea.set(Lang::ZhTw, notes.into());
    let t = notes_screen(&app, Lang::ZhTw, (60, 20));
    insta::assert_snapshot!("notes_zh-TW_60x20", t.backend());
    // Every character of the notes is on screen, none cut at the edge.
    let shown: String = t
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    for c in notes.chars().filter(|c| !c.is_whitespace()) {
        assert!(shown.contains(c), "{c} missing");
    }
}

#[test]
fn the_notes_screen_waiting_for_a_presenter() {
    use crate::notes::follow::Where;
    use crate::notes::screen::{Follower, draw};
    let follower = Follower::new(Where::Announced("/state/blocklab/presenter.json".into()));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let now = std::time::UNIX_EPOCH;
    Lang::En.scoped(|| terminal.draw(|f| draw(f, &follower, now)).unwrap());
    insta::assert_snapshot!("notes_waiting_80x24", terminal.backend());
    assert!(
        find(
            &terminal,
            "waiting for a presenting blocklab (looking in /state/blocklab/presenter.json)"
        )
        .is_some()
    );
}

/// Scrolls the (zoomed) lesson pane until `text` is on its first line.
fn scroll_to(app: &mut App, now: u64, size: (u16, u16), text: &str) {
    for scroll in 0..200 {
        app.scroll = scroll;
        if find(&render(app, now, size), text).is_some_and(|(_, y)| y == 2) {
            return;
        }
    }
    panic!("{text:?} never shows");
}

/// Lesson 1 with choice b picked, then its action 2 run to its end on a lab that measured a
/// 201 ms lag and a 190 ms request: the pick, the choices and the values they read.
#[test]
fn a_prediction_is_picked_then_revealed_next_to_the_measurement() {
    let mut app = app_on("event-loop");
    quiet(&mut app, 7_000, 0);
    drive(&mut app, 7_000);
    press(&mut app, KeyCode::Char('b'), 7_000);
    assert_eq!(app.pick_shown(), Some(1));
    // The notice said it in English; the snapshots show the lesson pane in each language.
    app.notice = None;
    app.zoom = Some(crate::ui::present::Pane::Lesson);
    for lang in [Lang::En, Lang::ZhTw] {
        app.lang = lang;
        let hint = lang.scoped(|| T::PredictPickHint.text());
        for size in SIZES {
            scroll_to(&mut app, 7_000, size, hint);
            let t = render(&app, 7_000, size);
            let name = format!("predict_choices_{lang}_{}x{}", size.0, size.1);
            insta::assert_snapshot!(name.clone(), t.backend());
            let mark = lang.scoped(|| T::ChoicePickMark.text());
            assert!(find(&t, mark).is_some(), "{name}: the pick is marked");
        }
    }
    app.lang = Lang::En;

    press(&mut app, KeyCode::Char('2'), 7_000);
    drive(&mut app, 7_000);
    let submitted = 7_000 + BASELINE.as_millis() as u64;
    let orders = drive(&mut app, submitted);
    assert!(matches!(orders[..], [Order::Submit { .. }]), "{orders:?}");
    job(
        &mut app,
        1,
        1,
        (Workload::Sleep, fake("inline"), 200),
        (submitted, Some(submitted), Some(submitted + 200)),
        "lab-loop",
    );
    app.model.ingest(Sample::Lag {
        sent: ms(submitted + 1),
        lag: ms(201),
    });
    app.model.ingest(Sample::Request {
        sent: ms(submitted + 10),
        latency: ms(190),
    });
    drive(&mut app, submitted + 200);
    let end = submitted + 2_000;
    drive(&mut app, end);
    assert!(app.last_verdicts('2').is_some(), "the run settled");
    assert_eq!(app.answer(), Some(crate::lesson::choice::Answer::One(1)));
    let pick = app.progress.lessons["event-loop"].pick.unwrap();
    assert_eq!((pick.choice, pick.supported), (1, Some(true)));
    // Measured already: a pick now is no prediction, and changes nothing.
    press(&mut app, KeyCode::Char('a'), end);
    assert_eq!(app.pick_shown(), Some(1));

    app.section = Section::Check;
    app.notice = None;
    for lang in [Lang::En, Lang::ZhTw] {
        app.lang = lang;
        let heading = lang.scoped(|| T::RevealChoices.text());
        for size in SIZES {
            scroll_to(&mut app, end, size, heading);
            let t = render(&app, end, size);
            let name = format!("reveal_choices_{lang}_{}x{}", size.0, size.1);
            insta::assert_snapshot!(name.clone(), t.backend());
            let right = lang.scoped(|| T::RevealRight.fill(&[("letter", &'b')]));
            let (x, y) = find(&t, &right).unwrap_or_else(|| panic!("{name}: {right}"));
            assert_eq!(t.backend().buffer()[(x, y)].fg, Color::Green, "{name}");
        }
    }
}

/// The playground (`g`) on lesson 1's quiet lab, its strategy chosen; with `ran`, after a
/// run of one 200 ms sleep on the blocking pool.
fn playground(ran: bool) -> App {
    let mut app = app_on("event-loop");
    quiet(&mut app, 12_000, 1);
    press(&mut app, KeyCode::Char('g'), 9_000);
    assert!(app.playing);
    let p = &mut app.playground;
    p.strategy = crate::lab::strategy::named("spawn-blocking");
    p.cpus = 1;
    p.field = super::playground::Field::Strategy;
    if ran {
        job(
            &mut app,
            1,
            1,
            (Workload::Sleep, fake("spawn-blocking"), 200),
            (10_000, Some(10_001), Some(10_201)),
            "lab-blocking-0",
        );
        let scope = crate::report::Scope {
            from: ms(9_500),
            to: ms(10_600),
            baseline: (ms(9_500), ms(10_000)),
            run: Some(1),
            load: None,
            sweep: None,
        };
        let report = crate::report::Report::build(&app.model, scope, &app.lab);
        finished_run(&mut app, crate::ui::app::PLAYGROUND, '1', report);
    }
    app
}

/// The playground before and after a run: its fields, what the run measured, and the command
/// line that runs the same thing headless.
#[test]
fn the_playground_shows_its_fields_command_line_and_what_a_run_measured() {
    assert_eq!(
        playground(false).playground.command_line(),
        "blocklab run --workload sleep --strategy spawn-blocking --ms 200 --runtime \
         current-thread --max-blocking-threads 512 --rate 100 --cpus 1"
    );
    for lang in [Lang::En, Lang::ZhTw] {
        for (name, ran) in [("before", false), ("after", true)] {
            let mut app = playground(ran);
            app.lang = lang;
            for size in SIZES {
                let t = render(&app, 12_000, size);
                let shot = format!("playground_{name}_{lang}_{}x{}", size.0, size.1);
                insta::assert_snapshot!(shot.clone(), t.backend());
                let title = lang.scoped(|| T::PlayTitle.text());
                assert!(find(&t, title).is_some(), "{shot}");
                assert!(find(&t, "max-blocking-threads").is_some(), "{shot}");
                // The chosen field's value is marked.
                let (x, y) = find(&t, "spawn-blocking").expect("the strategy's value");
                assert_eq!(t.backend().buffer()[(x, y)].bg, Color::Cyan, "{shot}");
                let said = lang.scoped(|| T::PlayRanOn.fill(&[("kinds", &"blocking-pool ×1")]));
                assert_eq!(find(&t, &said).is_some(), ran, "{shot}: {said}");
            }
        }
    }
}
