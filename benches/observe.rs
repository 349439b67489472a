//! What observing and drawing cost: one frame, folding a second of samples into the model,
//! the per-poll hook pair, and the percentile summary a frame asks for.
use std::hint::black_box;
use std::time::Duration;

use blocklab::cli::LabArgs;
use blocklab::clock::Clock;
use blocklab::data::{Sample, Watch};
use blocklab::lab::hooks::PollHooks;
use blocklab::model::Model;
use blocklab::ui::app::App;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn second_of_samples(from_ms: u64) -> Vec<Sample> {
    let mut v = Vec::with_capacity(1100);
    for t in from_ms..from_ms + 1000 {
        v.push(Sample::Lag {
            sent: Duration::from_millis(t),
            lag: Duration::from_micros(20 + t % 50),
        });
        if t % 10 == 0 {
            v.push(Sample::Request {
                sent: Duration::from_millis(t),
                latency: Duration::from_micros(2200),
            });
        }
    }
    v
}

fn app_with(seconds: u64) -> App {
    let none = LabArgs {
        runtime: None,
        workers: None,
        max_blocking_threads: None,
        rate: None,
        cpus: None,
    };
    let mut app = App::new(blocklab::lesson::builtin().lessons, 0, none);
    for s in 0..seconds {
        app.model.ingest_all(second_of_samples(s * 1000));
    }
    let at = Duration::from_secs(seconds);
    app.model.ingest(Sample::Watch(Watch {
        at,
        oldest_unanswered: None,
        workers: None,
    }));
    app
}

fn benches(c: &mut Criterion) {
    let app = app_with(60);
    let now = Duration::from_secs(60);
    for (w, h) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("draw one frame {w}x{h} (60 s of history)"), |b| {
            b.iter(|| {
                terminal
                    .draw(|f| blocklab::ui::view::draw(f, black_box(&app), now))
                    .unwrap();
            })
        });
    }

    c.bench_function(
        "ingest one second of samples (1000 pings, 100 requests)",
        |b| {
            let batch = second_of_samples(0);
            b.iter_batched(
                Model::new,
                |mut m| {
                    m.ingest_all(batch.iter().cloned());
                    m
                },
                criterion::BatchSize::SmallInput,
            )
        },
    );

    c.bench_function("lag summary over a 10 s window", |b| {
        b.iter(|| black_box(app.model.lag_summary(Duration::from_secs(50), now)))
    });

    let hooks = PollHooks::new(Clock::start(), Duration::from_millis(10));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let id = rt.spawn(async {}).id();
    c.bench_function("poll hooks: before + after one poll", |b| {
        b.iter(|| {
            hooks.before_poll(black_box(id));
            hooks.after_poll();
        })
    });
}

criterion_group!(observe, benches);
criterion_main!(observe);
