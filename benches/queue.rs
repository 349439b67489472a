//! What durability costs: one job through the SQLite queue file (WAL, `synchronous = FULL`, on
//! the disk of the machine that runs it), with a lease (push, claim, finish: three commits) and
//! without one (push, then take-and-mark-done: two commits, and a worker that dies mid-job loses
//! it). Jobs per second = 1 / the time per job.
use std::hint::black_box;
use std::time::Duration;

use blocklab::queue::{LEASE, NewJob, Store, unix_ms};
use criterion::{Criterion, criterion_group, criterion_main};

fn store(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!("blocklab-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Store::open(&dir.join("queue.sqlite3")).unwrap()
}

fn job() -> NewJob {
    NewJob {
        job: 1,
        owner: "bench".into(),
        run: 0,
        workload: "sleep".into(),
        ms: 1,
    }
}

fn queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue");
    g.sample_size(30).measurement_time(Duration::from_secs(8));

    let leased = store("leased");
    g.bench_function("job with a lease (push, claim, finish)", |b| {
        b.iter(|| {
            let now = unix_ms();
            let task = leased.push(&job(), now).unwrap();
            let claimed = leased.claim("w", now, LEASE).unwrap().unwrap();
            assert_eq!(claimed.task, task);
            black_box(leased.finish(task, "w", true, "done", now).unwrap());
        })
    });

    let unleased = store("unleased");
    g.bench_function("job without a lease (push, take)", |b| {
        b.iter(|| {
            let now = unix_ms();
            unleased.push(&job(), now).unwrap();
            black_box(unleased.pop_unleased(now).unwrap().unwrap());
        })
    });

    let pushes = store("push");
    g.bench_function("acknowledgement (push)", |b| {
        b.iter(|| black_box(pushes.push(&job(), unix_ms()).unwrap()))
    });
    g.finish();
    for s in [leased, unleased, pushes] {
        let _ = std::fs::remove_dir_all(s.path().parent().unwrap());
    }
}

criterion_group!(benches, queue);
criterion_main!(benches);
