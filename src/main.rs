//! The `blocklab` command: parses the command line and hands over to the library.
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use blocklab::cli::{Cli, Command, LabArgs, Rates, RunArgs};
use blocklab::data::LabConfig;
use blocklab::lesson::{Catalog, Lesson};
use blocklab::load::LoadPlan;
use blocklab::progress::Progress;
use blocklab::progress::file::ProgressFile;
use blocklab::runner::Plan;
use blocklab::text::{Lang, T};
use blocklab::ui::app::App;
use blocklab::{headless, lab, lesson, load, ui};

fn main() -> ExitCode {
    let args: Vec<_> = std::env::args_os().collect();
    blocklab::cli::language(&args).set();
    let cli = Cli::parse_from(args);
    if let Some(Command::Worker) = cli.command {
        return lab::process::child_main();
    }
    lab::quiet_panics();
    // The durable queue's file: the one asked for, else the TUI and `serve` keep one across
    // runs, and `run` and `check` use a temporary one of their own (each experiment starts
    // from an empty queue), removed when they end.
    let keeps_queue = matches!(cli.command, None | Some(Command::Serve));
    lab::queue::choose(
        cli.queue
            .clone()
            .or_else(|| keeps_queue.then(blocklab::queue::default_path)),
    );
    let _queue = RemoveTemporaryQueue;
    // The TUI always logs (never to the terminal it draws on); the headless commands only
    // when asked.
    let log = match (&cli.command, &cli.log) {
        (_, Some(path)) => Some(path.clone()),
        (None, None) => Some(default_log_path()),
        (Some(_), None) => None,
    };
    let log = log.map(|path| init_log(&path).map(|guard| (guard, path)));
    if let Some(Command::Calibrate {
        runs,
        overhead,
        pairs,
        json,
    }) = cli.command
    {
        return calibrate(runs as usize, overhead.then_some(pairs as usize), json);
    }
    if let Some(Command::Run(ref args)) = cli.command {
        return run(&cli, args);
    }
    if let Some(Command::Load { .. }) = cli.command {
        return load(&cli);
    }
    if let Some(Command::Notes { connect }) = cli.command {
        return notes(connect, cli.ambiguous_wide);
    }
    // The lab's HTTP front door, for the TUI and `serve`: bound before the terminal is
    // touched, so a port in use is a plain error (exit 2).
    let front_door = match cli.command {
        None | Some(Command::Serve) => {
            if headless::serve::beyond_loopback(cli.listen) {
                eprintln!(
                    "blocklab: {}",
                    T::ListenNotLoopback.fill(&[("addr", &cli.listen.unwrap())])
                );
            }
            let asked = cli.listen.is_some() || cli.port != 0;
            match headless::serve::bind(cli.listen, cli.port) {
                Ok(l) => Some(l),
                // A port asked for and not had is bad input; `serve` is nothing without one.
                Err(e) if asked || matches!(cli.command, Some(Command::Serve)) => {
                    eprintln!("blocklab: {e}");
                    return ExitCode::from(2);
                }
                // No loopback socket at all (a locked-down sandbox): the lessons still run.
                Err(e) => {
                    eprintln!("blocklab: {}", T::ListenSkipped.fill(&[("error", &e)]));
                    None
                }
            }
        }
        _ => None,
    };
    if let (Some(Command::Serve), Some(listener)) = (&cli.command, front_door.as_ref()) {
        let listener = listener.try_clone().expect("a socket we hold");
        // Queue workers start with the lab: a restarted `serve` resumes what the last left.
        let config = LabConfig {
            queue_workers: Some(blocklab::data::config::DEFAULT_QUEUE_WORKERS),
            ..cli.lab.apply(LabConfig::default())
        };
        return match headless::serve::serve(config, listener) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("blocklab: {}", T::MainLabFailed.fill(&[("error", &e)]));
                ExitCode::FAILURE
            }
        };
    }
    let catalog = match &cli.lessons {
        Some(dir) => lesson::from_dir(dir),
        None => Ok(lesson::builtin()),
    };
    let catalog = match catalog {
        Ok(c) => c,
        Err(e) => {
            eprintln!("blocklab: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Validate) = cli.command {
        return validate(&catalog);
    }
    if catalog.lessons.is_empty() {
        for e in &catalog.skipped {
            eprintln!("blocklab: {}", T::MainBadLessonFile.fill(&[("error", e)]));
        }
        eprintln!("blocklab: {}", T::MainNoLessonLoaded);
        return ExitCode::from(2);
    }
    if let Some(Command::Replay {
        ref file,
        speed,
        partial,
    }) = cli.command
    {
        return replay(file, speed, partial, catalog);
    }
    match cli.command {
        None => {
            let log = match log {
                Some(Ok((_, ref path))) => path.display().to_string(),
                Some(Err(ref e)) => T::LogOffBecause.fill(&[("why", e)]),
                None => T::LogOff.into(),
            };
            tui(&cli, catalog, log, front_door)
        }
        Some(Command::List) => {
            warn_skipped(&catalog);
            list(&catalog.lessons);
            ExitCode::SUCCESS
        }
        Some(Command::Check { ref ids, json }) => {
            let LabArgs {
                runtime: None,
                workers: None,
                max_blocking_threads: None,
                rate: None,
                cpus,
            } = cli.lab
            else {
                eprintln!("blocklab: {}", T::MainCheckLabFlags);
                return ExitCode::from(2);
            };
            warn_skipped(&catalog);
            check(&catalog, ids, cpus, json)
        }
        Some(
            Command::Run(_)
            | Command::Validate
            | Command::Worker
            | Command::Calibrate { .. }
            | Command::Load { .. }
            | Command::Notes { .. }
            | Command::Replay { .. }
            | Command::Serve,
        ) => {
            unreachable!("handled above")
        }
    }
}

fn warn_skipped(catalog: &Catalog) {
    for e in &catalog.skipped {
        eprintln!("blocklab: {}", T::MainSkipped.fill(&[("error", e)]));
    }
}

/// `blocklab validate`: every file, good or bad; exit 1 if any is bad.
fn validate(catalog: &Catalog) -> ExitCode {
    for l in &catalog.lessons {
        let n = l.actions.len();
        let values: [(&str, &dyn std::fmt::Display); 3] =
            [("file", &l.file), ("id", &l.id), ("n", &n)];
        println!("{}", T::ValidateOk.fill(&values));
    }
    for e in &catalog.skipped {
        println!("{}", T::ValidateError.fill(&[("error", e)]));
    }
    // Which languages each file gives in full; what a screen in the others shows in English.
    println!();
    for l in &catalog.lessons {
        let langs: Vec<String> = Lang::ALL
            .iter()
            .map(|&lang| match l.missing(lang) {
                m if m.is_empty() => T::ValidateLangComplete.fill(&[("lang", &lang)]),
                m => T::ValidateLangMissing.fill(&[("lang", &lang), ("missing", &m.join(", "))]),
            })
            .collect();
        let values: [(&str, &dyn std::fmt::Display); 2] =
            [("file", &l.file), ("langs", &langs.join(" · "))];
        println!("{}", T::ValidateLangs.fill(&values));
    }
    let n = T::ALL.len();
    let ui: Vec<String> = Lang::ALL
        .iter()
        .map(|&lang| match T::missing(lang) {
            0 => T::ValidateUiComplete.fill(&[("lang", &lang), ("n", &n)]),
            missing => T::ValidateUiMissing.fill(&[
                ("lang", &lang),
                ("have", &(n - missing)),
                ("n", &n),
                ("missing", &missing),
            ]),
        })
        .collect();
    println!(
        "{}",
        T::ValidateUiStrings.fill(&[("langs", &ui.join(" · "))])
    );
    let (good, bad) = (catalog.lessons.len(), catalog.skipped.len());
    println!(
        "\n{}",
        T::ValidateTotal.fill(&[("good", &good), ("bad", &bad)])
    );
    if catalog.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `blocklab list`: a line naming the columns with the totals, then one line per lesson with
/// its progress, columns aligned by display width.
fn list(lessons: &[Lesson]) {
    use blocklab::text::width::{pad, width};
    let file = ProgressFile::in_state_dir();
    let progress = file.read().unwrap_or_else(|why| {
        let path = file.path().display();
        let values: [(&str, &dyn std::fmt::Display); 2] = [("path", &path), ("why", &why)];
        eprintln!("blocklab: {}", T::ListUnreadable.fill(&values));
        Progress::default()
    });
    let total = progress.summary(lessons);
    let count = |t: T, c: blocklab::progress::Count| t.fill(&[("n", &c.done), ("of", &c.of)]);
    let mut rows = vec![[
        T::ListColLesson.to_string(),
        count(T::ListColVisited, total.visited),
        count(T::ListColRan, total.ran),
        count(T::ListColPassed, total.passed),
        count(T::ListColPredicted, total.predicted),
        T::ListColTitle.to_string(),
    ]];
    for l in lessons {
        let one = progress.of_lesson(l);
        let of = |c: blocklab::progress::Count| format!("{}/{}", c.done, c.of);
        let seen = if one.visited { "✓" } else { "-" };
        // The pick's letter, with ✓ / ✗ once the measurement judged it; `·`: no choices.
        let predicted = match progress.pick_of(l) {
            _ if l.choices.is_empty() => "·".to_string(),
            None => "-".to_string(),
            Some(p) => {
                let judged = match p.supported {
                    Some(true) => " ✓",
                    Some(false) => " ✗",
                    None => "",
                };
                format!("{}{judged}", blocklab::lesson::choice::letter(p.choice))
            }
        };
        rows.push([
            l.id.clone(),
            seen.to_string(),
            of(one.ran),
            of(one.passed),
            predicted,
            l.title.get().to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|i| rows.iter().map(|r| width(&r[i])).max().unwrap_or(0))
        .collect();
    for row in rows {
        let cells: Vec<String> = (0..5).map(|i| pad(&row[i], widths[i])).collect();
        println!("{}  {}", cells.join("  "), row[5]);
    }
}

fn tui(
    cli: &Cli,
    catalog: Catalog,
    log: String,
    front_door: Option<std::net::TcpListener>,
) -> ExitCode {
    let Catalog { lessons, skipped } = catalog;
    let start = match &cli.lesson {
        None => None,
        Some(want) => match find_lesson(&lessons, want) {
            Some(i) => Some(i),
            None => {
                let known: Vec<_> = lessons.iter().map(|l| l.id.as_str()).collect();
                let text = T::MainUnknownLesson.fill(&[
                    ("want", want),
                    ("known", &known.join(", ")),
                    ("n", &lessons.len()),
                ]);
                eprintln!("blocklab: {text}");
                return ExitCode::from(2);
            }
        },
    };
    // Bad input first (exit 2), then the terminal.
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        eprintln!("blocklab: {}", T::MainNeedsTerminal);
        return ExitCode::FAILURE;
    }
    // The progress of earlier sessions (none with --fresh): it says where to reopen, unless
    // --lesson does.
    let progress = ProgressFile::in_state_dir().start(cli.fresh);
    let start = start
        .or_else(|| progress.progress.last_index(&lessons))
        .unwrap_or(0);
    let earlier = progress.progress.clone();
    let mut app = App::new(lessons, start, cli.lab.clone()).with_progress(progress.progress);
    app.log = log;
    app.ambiguous_wide = cli.ambiguous_wide;
    app.present = cli.present.then(Default::default);
    app.no_color = blocklab::ui::view::mono::wanted();
    app.skipped = skipped.iter().map(ToString::to_string).collect();
    if let Some(first) = skipped.first() {
        let more = match skipped.len() {
            1 => String::new(),
            n => T::NoticeSkippedMore.fill(&[("n", &(n - 1))]),
        };
        let text = T::NoticeSkipped.fill(&[("first", first), ("more", &more)]);
        app.notice = Some((text, Duration::ZERO));
    }
    // What went wrong with the progress file matters more now: the header counts skipped files.
    if let Some(text) = progress.notice {
        app.notice = Some((text, Duration::ZERO));
    }
    // What a replay needs to set the app up the same way (the front door's address is added
    // once it is known).
    let record = cli.record.clone().map(|path| {
        let start = ui::replay::start_of(&app, start, cli.lab.clone(), earlier);
        (path, start)
    });
    match ui::run(app, front_door, progress.save_to, record) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("blocklab: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `blocklab replay`: a recorded session through the same screens; exit 2 for a file it
/// cannot play.
fn replay(file: &std::path::Path, speed: usize, partial: bool, catalog: Catalog) -> ExitCode {
    use blocklab::record::ReadError;
    use blocklab::ui::replay::{Player, Replay};
    let recording = match blocklab::record::read(file) {
        Ok(r) => r,
        Err(ReadError::Truncated { whole, .. }) if partial => *whole,
        Err(e) => {
            eprintln!("blocklab: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let replay = match Replay::new(recording, catalog.lessons) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("blocklab: {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        eprintln!("blocklab: {}", T::MainNeedsTerminal);
        return ExitCode::FAILURE;
    }
    match blocklab::ui::replay::run(Player::new(replay, speed)) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("blocklab: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `blocklab notes`: follows the presenter named in the state folder, or the one at `connect`.
fn notes(connect: Option<std::net::SocketAddr>, ambiguous_wide: bool) -> ExitCode {
    use blocklab::notes::follow::Where;
    use blocklab::notes::screen::Follower;
    use std::io::IsTerminal;
    if !(std::io::stdin().is_terminal() && std::io::stdout().is_terminal()) {
        eprintln!("blocklab: {}", T::MainNeedsTerminal);
        return ExitCode::FAILURE;
    }
    let from = match connect {
        Some(address) => Where::At(address),
        None => Where::Announced(blocklab::notes::announce::path()),
    };
    let mut follower = Follower::new(from);
    follower.ambiguous_wide = ambiguous_wide;
    follower.no_color = blocklab::ui::view::mono::wanted();
    match blocklab::notes::screen::run(follower) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) => {
            eprintln!("blocklab: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `blocklab calibrate`: exit 3 when the machine was too noisy for the figures to mean much.
fn calibrate(runs: usize, overhead: Option<usize>, json: bool) -> ExitCode {
    match headless::calibrate::calibrate(runs, overhead) {
        Ok(c) => {
            if json {
                println!("{}", serde_json::to_string(&c).expect("plain data"));
            } else {
                print!("{}", c.table());
            }
            if c.too_noisy.is_some() {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("blocklab: {}", T::MainLabFailed.fill(&[("error", &e)]));
            ExitCode::FAILURE
        }
    }
}

fn find_lesson(lessons: &[Lesson], want: &str) -> Option<usize> {
    lessons.iter().position(|l| l.id == want).or_else(|| {
        let n: usize = want.parse().ok()?;
        (1..=lessons.len()).contains(&n).then(|| n - 1)
    })
}

fn run(cli: &Cli, args: &RunArgs) -> ExitCode {
    let config = args.lab(&cli.lab);
    let work = args.work();
    let mut plan = Plan::once(config.clone(), work, args.jobs as usize);
    plan.stop_after = args
        .stop_after_ms
        .map(|ms| Duration::from_millis(ms as u64));
    plan.seconds = args.seconds.map(Duration::from_secs_f64);
    if let Some(multiples) = &args.sweep {
        if work.strategy.info().size.is_none() {
            let e = T::LessonSweepNoSize.fill(&[("strategy", &work.strategy.as_str())]);
            eprintln!("blocklab: {e}");
            return ExitCode::from(2);
        }
        plan.batches.clear();
        plan.sweep = Some((
            work,
            blocklab::data::Sweep {
                multiples: multiples.0.clone(),
            },
        ));
    }
    match headless::run(plan) {
        Ok((report, _)) if args.json => {
            println!(
                "{}",
                serde_json::to_string(&report).expect("a report is plain data")
            );
            ExitCode::SUCCESS
        }
        Ok((report, _)) => {
            print!("{}", report.summary());
            if let Some(sizing) = &report.sizing {
                print!("{}", headless::check::format_sizing(&work, &config, sizing));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blocklab: {}", T::MainLabFailed.fill(&[("error", &e)]));
            ExitCode::FAILURE
        }
    }
}

/// `blocklab load URL`: the table (or JSON) on stdout, a live line on stderr when it is a
/// terminal; exit 1 when not one request got a 2xx reply.
fn load(cli: &Cli) -> ExitCode {
    let Some(Command::Load {
        ref url,
        rates: Rates(ref rates),
        seconds,
        connections,
        timeout_ms,
        json,
    }) = cli.command
    else {
        unreachable!("called for load")
    };
    // `--rate` is the lab's (global) flag: taken silently here, it would hide a typo of --rates.
    if !matches!(
        cli.lab,
        LabArgs {
            runtime: None,
            workers: None,
            max_blocking_threads: None,
            rate: None,
            cpus: None,
        }
    ) {
        eprintln!("blocklab: {}", T::LoadLabFlags);
        return ExitCode::from(2);
    }
    let plan = LoadPlan {
        rates: rates.clone(),
        step: Duration::from_secs_f64(seconds),
        connections: connections as usize,
        timeout: Duration::from_millis(timeout_ms as u64),
        headers: Vec::new(),
    };
    use std::io::{IsTerminal, Write};
    let live = std::io::stderr().is_terminal();
    let progress = |p: &load::Progress| {
        if live {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{}", p.line());
            let _ = err.flush();
        }
    };
    let report = load::run(url, &plan, progress);
    if live {
        eprint!("\r\x1b[2K");
    }
    match report {
        Ok(report) => {
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&report).expect("a report is plain data")
                );
            } else {
                print!("{}", report.table());
            }
            if report.answered() == 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            let text = T::LoadFailed.fill(&[("url", &url.url()), ("error", &e)]);
            eprintln!("blocklab: {text}");
            ExitCode::FAILURE
        }
    }
}

/// `blocklab check`: the table on stdout, or with `json` one JSON object (the table then goes
/// to stderr, and only when someone watches it). Exit 1 if any expectation fails or any
/// lesson file was skipped.
fn check(catalog: &Catalog, ids: &[String], cpus: Option<usize>, json: bool) -> ExitCode {
    use headless::check;
    use std::io::IsTerminal;
    let chosen = match check::select(&catalog.lessons, ids) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("blocklab: {e}");
            return ExitCode::from(2);
        }
    };
    let watched = std::io::stderr().is_terminal();
    let say = |text: String| {
        if !json {
            print!("{text}");
        } else if watched {
            eprint!("{text}");
        }
    };
    let ids = chosen.iter().map(|l| l.id.clone()).collect();
    let mut out = blocklab::report::check::CheckOut::new(ids, cpus);
    out.skipped_files = catalog.skipped.iter().map(ToString::to_string).collect();
    say(format!(
        "{}\n",
        check::format_row(check::HEADER.map(T::text))
    ));
    for lesson in chosen {
        // Each action's run, for the lesson's choices.
        let mut runs = Vec::new();
        for action in &lesson.actions {
            let lab = LabConfig {
                cpus,
                ..action.lab.clone()
            };
            let mut row = |row: &check::Row| say(format!("{}\n", check::format(row)));
            match check::check_action(lesson, action, &lab, &mut row) {
                Ok((rows, report)) => {
                    if let Some(steps) = &report.load {
                        say(check::format_load(steps));
                    }
                    if let Some(sizing) = &report.sizing {
                        say(check::format_sizing(&action.work, &lab, sizing));
                    }
                    out.add(&lesson.id, action, &rows, &report);
                    runs.push((action.key, lab, report));
                }
                Err(e) => {
                    eprintln!("blocklab: {}", T::MainLabFailed.fill(&[("error", &e)]));
                    return ExitCode::FAILURE;
                }
            }
        }
        if let Some(row) = check::check_choices(lesson, &runs) {
            say(format!("{}\n", check::format_choices(&row)));
            out.add_choices(&row);
        }
    }
    let on = LabConfig {
        cpus,
        ..LabConfig::default()
    };
    let total = T::CheckTotal.fill(&[
        ("passed", &out.totals.passed),
        ("failed", &out.totals.failed),
        ("skipped", &out.totals.skipped),
        ("cores", &on.describe_cores()),
    ]);
    say(format!("\n{total}\n"));
    if json {
        println!(
            "{}",
            serde_json::to_string(&out).expect("a check is plain data")
        );
    }
    if out.totals.failed == 0 && catalog.skipped.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `blocklab.log` in the state folder, beside the durable queue.
fn default_log_path() -> PathBuf {
    blocklab::paths::state_dir().join("blocklab.log")
}

/// Appends blocklab's log to `path` from a background writer: a frozen lab never waits on the
/// disk, and nothing goes to the terminal.
fn init_log(path: &Path) -> Result<tracing_appender::non_blocking::WorkerGuard, String> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "blocklab=info".into()),
        )
        .init();
    Ok(guard)
}

/// Removes a temporary queue file when `main` returns.
struct RemoveTemporaryQueue;

impl Drop for RemoveTemporaryQueue {
    fn drop(&mut self) {
        lab::queue::file().remove_if_temporary();
    }
}
