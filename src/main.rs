//! The `blocklab` command: parses the command line and hands over to the library.
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use blocklab::cli::{Cli, Command, RunArgs};
use blocklab::lab::job::{Batch, Work};
use blocklab::lesson::Lesson;
use blocklab::{headless, lab, lesson, ui};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Worker) = cli.command {
        return lab::process::child_main();
    }
    lab::quiet_panics();
    let _log = cli.log.as_deref().map(init_log);
    let lessons = match &cli.lessons {
        Some(dir) => lesson::from_dir(dir),
        None => lesson::builtin(),
    };
    let lessons = match lessons {
        Ok(l) => l,
        Err(e) => {
            eprintln!("blocklab: bad lesson file: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        None => tui(&cli, lessons),
        Some(Command::List) => {
            for l in &lessons {
                println!("{:<18}  {}", l.id, l.title);
            }
            ExitCode::SUCCESS
        }
        Some(Command::Run(ref args)) => run(&cli, args),
        Some(Command::Check { ref ids }) => check(&lessons, ids),
        Some(Command::Worker) => unreachable!("handled first"),
    }
}

fn tui(cli: &Cli, lessons: Vec<Lesson>) -> ExitCode {
    let start = match &cli.lesson {
        None => 0,
        Some(want) => match find_lesson(&lessons, want) {
            Some(i) => i,
            None => {
                let known: Vec<_> = lessons.iter().map(|l| l.id.as_str()).collect();
                eprintln!(
                    "blocklab: no lesson `{want}` (known: {}, or a number 1-{})",
                    known.join(", "),
                    lessons.len()
                );
                return ExitCode::from(2);
            }
        },
    };
    let overrides = cli.lab.clone();
    match ui::run(lessons, start, overrides) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("blocklab: {e}");
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
    let mut config = cli.lab.apply(lab::LabConfig::default());
    if let Some(n) = args.lifespan_pool {
        config.lifespan_pool = n as usize;
    }
    if let Some(mode) = args.shutdown {
        config.shutdown = mode;
    }
    let work = Work {
        workload: args.workload,
        strategy: args.strategy,
        ms: args.ms as u64,
        size: args.size.unwrap_or(0) as u32,
    };
    let batch = Batch {
        work,
        jobs: args.jobs as usize,
        after: Duration::ZERO,
    };
    let mut experiment = headless::Experiment::new(config, vec![batch]);
    experiment.stop_after = args
        .stop_after_ms
        .map(|ms| Duration::from_millis(ms as u64));
    experiment.seconds = args.seconds.map(Duration::from_secs_f64);
    match experiment.run() {
        Ok((report, _)) if args.json => {
            println!(
                "{}",
                serde_json::to_string(&report).expect("a report is plain data")
            );
            ExitCode::SUCCESS
        }
        Ok((report, _)) => {
            print!("{}", report.summary());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("blocklab: could not start the lab: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check(lessons: &[Lesson], ids: &[String]) -> ExitCode {
    use headless::check;
    let chosen = match check::select(lessons, ids) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("blocklab: {e}");
            return ExitCode::from(2);
        }
    };
    println!("{}", check::format_row(check::HEADER));
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for lesson in chosen {
        for action in &lesson.actions {
            let mut print = |row: &check::Row| println!("{}", check::format(row));
            match check::check_action(lesson, action, &mut print) {
                Ok((rows, load)) => {
                    if let Some(steps) = load {
                        print!("{}", check::format_load(&steps));
                    }
                    passed += rows.iter().filter(|r| r.pass && !r.skipped).count();
                    skipped += rows.iter().filter(|r| r.skipped).count();
                    failed += rows.iter().filter(|r| !r.pass).count();
                }
                Err(e) => {
                    eprintln!("blocklab: could not start the lab: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    println!("\ncheck: {passed} passed, {failed} failed, {skipped} skipped");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn init_log(path: &std::path::Path) -> tracing_appender::non_blocking::WorkerGuard {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let file = path
        .file_name()
        .map_or("blocklab.log".into(), |f| f.to_string_lossy().into_owned());
    let (writer, guard) =
        tracing_appender::non_blocking(tracing_appender::rolling::never(dir, file));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "blocklab=info".into()),
        )
        .init();
    guard
}
