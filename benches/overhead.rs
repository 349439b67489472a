//! What observing costs a poll-heavy runtime: ping-pong pairs of tasks on two workers, bare
//! and in a lab under blocklab's observation (poll hooks on every poll, the busy lab's pings,
//! samples folded into a model). Criterion times each; a second pass runs the interleaved pairs
//! `blocklab calibrate --overhead` runs and prints the median ratio of their throughputs
//! (observed ÷ bare) — the figure that command prints on the user's machine.
use criterion::{Criterion, criterion_group, criterion_main};

use blocklab::headless::overhead::{self, PAIRS};

fn cost(c: &mut Criterion) {
    let mut group = c.benchmark_group("ping-pong 50,000 pairs on 2 workers");
    group.sample_size(10);
    group.bench_function("bare", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| overhead::bare(PAIRS).unwrap()).sum())
    });
    group.bench_function("observed", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| overhead::observed(PAIRS).unwrap()).sum())
    });
    group.finish();
    let o = overhead::measure(overhead::CALIBRATE_PAIRS).unwrap();
    println!(
        "observation cost: throughput observed / bare = {:.3} (median of {} interleaved pairs: {:?})",
        o.ratio_median, o.pairs, o.ratios
    );
}

criterion_group!(overhead_bench, cost);
criterion_main!(overhead_bench);
