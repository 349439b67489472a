//! One frame with everything on screen: 200×60, 60 s of history (a ping every millisecond,
//! ten requests a second… a hundred), and 10,000 jobs in the timeline — the most the lab holds
//! in flight. Criterion times the mean; a second pass prints the p50 / p99 / max of single
//! frames, which is what a learner sees as a stutter.
use std::hint::black_box;
use std::time::{Duration, Instant};

use blocklab::cli::LabArgs;
use blocklab::data::{
    JobEvent, JobEventKind, JobSpec, LongPoll, Outcome, Sample, ThreadKind, Watch, Work, Workload,
};
use blocklab::lab::strategy;
use blocklab::ui::app::App;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SECONDS: u64 = 60;
const JOBS: u64 = 10_000;

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

/// Lesson 1 with 60 s of a busy lab: pings, requests, 10,000 jobs of every kind and the
/// long polls of those that ran on the loop.
fn busy_app() -> App {
    let mut app = App::new(blocklab::lesson::builtin().lessons, 0, LabArgs::default());
    let m = &mut app.model;
    m.ingest(Sample::LabStarted {
        lab: 1,
        at: Duration::ZERO,
    });
    for t in 0..SECONDS * 1000 {
        m.ingest(Sample::Lag {
            sent: ms(t),
            lag: Duration::from_micros(20 + (t * 7919) % 300),
        });
        if t % 10 == 0 {
            m.ingest(Sample::Request {
                sent: ms(t),
                latency: Duration::from_micros(2100 + (t * 31) % 4000),
            });
        }
    }
    let strategies = ["inline", "spawn-blocking", "thread-pool", "semaphore"];
    for id in 1..=JOBS {
        let at = ms(id * SECONDS * 1000 / JOBS);
        let strategy = strategy::named(strategies[(id % 4) as usize]);
        let work = Work {
            workload: Workload::Sleep,
            strategy,
            ms: 5,
            size: 4,
        };
        let thread = if id % 4 == 0 {
            "lab-loop".to_string()
        } else {
            ThreadKind::blocking_thread((id % 8) as usize)
        };
        let events = [
            (at, JobEventKind::Submitted(JobSpec::new(id, id, work, 1))),
            (
                at + ms(1),
                JobEventKind::Started {
                    kind: ThreadKind::of_name(&thread),
                    thread: thread.clone(),
                    task: Some(id),
                },
            ),
            (
                at + ms(6),
                JobEventKind::Finished {
                    outcome: Outcome::Ok,
                    cpu: None,
                    error: None,
                },
            ),
        ];
        for (at, kind) in events {
            m.ingest(Sample::Job(JobEvent { job: id, at, kind }));
        }
        if thread == "lab-loop" {
            m.ingest(Sample::LongPoll(LongPoll {
                worker: 0,
                thread,
                task: id,
                start: at + ms(1),
                duration: ms(5),
            }));
        }
    }
    m.ingest(Sample::Watch(Watch {
        at: ms(SECONDS * 1000),
        oldest_unanswered: None,
        workers: Some(Vec::new()),
    }));
    app
}

fn frames(c: &mut Criterion) {
    let app = busy_app();
    assert_eq!(app.model.timeline.len() as u64, JOBS);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let mut draw = |now: Duration| {
        terminal
            .draw(|f| blocklab::ui::view::draw(f, black_box(&app), now))
            .unwrap();
    };
    let end = ms(SECONDS * 1000);
    c.bench_function(
        "draw one frame 200x60 (10,000 jobs, 60 s of history)",
        |b| b.iter(|| draw(end)),
    );
    single_frames("same moment", |_| end, &mut draw);
    // The live app's case: each frame's window is a frame (16 ms) on from the last one's, so
    // the lag pane moves its window instead of asking the same one again.
    let sliding = |i: u64| ms(SECONDS * 1000 - 10_000 + (i * 16) % 10_000);
    let mut i = 0;
    c.bench_function(
        "draw one frame 200x60 (10,000 jobs, 60 s of history), 16 ms on each",
        |b| {
            b.iter(|| {
                i += 1;
                draw(sliding(i))
            })
        },
    );
    single_frames("16 ms on each", sliding, &mut draw);
}

/// The p50 / p99 / max of 500 single frames, each drawn at `at(i)`.
fn single_frames(name: &str, at: impl Fn(u64) -> Duration, draw: &mut impl FnMut(Duration)) {
    let mut single: Vec<Duration> = (0..500)
        .map(|i| {
            let now = at(i);
            let t = Instant::now();
            draw(now);
            t.elapsed()
        })
        .collect();
    single.sort();
    let q = |q: f64| single[((single.len() - 1) as f64 * q) as usize];
    println!(
        "single frames 200x60, 10,000 jobs, {name}: p50 {:?} · p99 {:?} · max {:?} (of {})",
        q(0.5),
        q(0.99),
        single[single.len() - 1],
        single.len()
    );
}

criterion_group!(frame, frames);
criterion_main!(frame);
