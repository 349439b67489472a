//! What observing costs a poll-heavy runtime: ping-pong pairs of tasks on a two-worker lab,
//! unobserved (no poll hooks, no observer) and observed (poll hooks on every poll, the busy lab's
//! pings, samples folded into a model at the screen's pace). Criterion times each; a second
//! pass runs the interleaved pairs `blocklab calibrate --overhead` runs and prints the median
//! ratio of their throughputs (observed ÷ unobserved) with the interval the pairs allow — the
//! figures that command prints on the user's machine.
use criterion::{Criterion, criterion_group, criterion_main};

use blocklab::headless::overhead::{self, PAIRS};

fn cost(c: &mut Criterion) {
    let mut group = c.benchmark_group("ping-pong 50,000 pairs on 2 workers");
    group.sample_size(10);
    group.bench_function("unobserved", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| overhead::unobserved(PAIRS).unwrap())
                .sum()
        })
    });
    group.bench_function("observed", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| overhead::observed(PAIRS).unwrap()).sum())
    });
    group.finish();
    // More pairs than `calibrate` takes by default: the interval narrows as their root.
    let o = overhead::measure(41).unwrap();
    println!(
        "observation cost: throughput observed / unobserved = {:.3} (median of {} interleaved pairs, {:.0} % interval {:.3}-{:.3}, {:?}: {:?})",
        o.ratio_median,
        o.pairs,
        o.confidence * 100.0,
        o.interval[0],
        o.interval[1],
        o.verdict,
        o.ratios
    );
}

criterion_group!(overhead_bench, cost);
criterion_main!(overhead_bench);
