//! Claims that hold on any machine: every expectation of every lesson that depends on the lab's
//! cores is checked against what a correct lab would measure on 1, 2, 4, 8, 16 and 64 cores —
//! and a claim that ignores the cores fails.
//!
//! "A correct lab" here is the textbook model of how an OS runs CPU jobs: at most `at_once` of
//! them run at a time (the strategy's pool, permits or children), the rest wait in order, and
//! the running ones share the cores equally (time-slicing). Sleeps need no core. As on a real
//! machine whose speed drifts, the jobs are not all equally long: from 80 % to 120 % of `ms`.
use std::time::Duration;

use blocklab::data::{
    JobEvent, JobEventKind, JobSpec, LabConfig, Outcome, Sample, ThreadKind, Workload,
};
use blocklab::lesson::expect::{Expect, Given, Verdict, verdicts};
use blocklab::lesson::{Action, Lesson};
use blocklab::model::Model;
use blocklab::report::{Report, Scope};

const CORES: [usize; 6] = [1, 2, 4, 8, 16, 64];

/// When each job starts and ends (ms), run as a correct lab would on `lab`.
fn schedule(action: &Action, lab: &LabConfig) -> Vec<(f64, f64, f64)> {
    let given = Given::of(action, lab);
    let (jobs, at_once, cores) = (action.jobs, given.at_once as usize, given.cores);
    let name = action.work.strategy.as_str();
    // A pipeline awaits a quarter of `ms`, then runs half of it as its CPU step.
    let (delay, work) = if name.starts_with("pipeline-") {
        (action.work.ms as f64 / 4.0, action.work.ms as f64 / 2.0)
    } else {
        (0.0, action.work.ms as f64)
    };
    let cpu_bound = action.work.workload == Workload::Cpu;
    // Job k needs 80 % … 120 % of the nominal work.
    let need = |k: usize| work * (0.8 + 0.4 * k as f64 / (jobs.max(2) - 1) as f64);
    let mut left: Vec<f64> = (0..jobs).map(need).collect();
    let mut times = vec![(f64::NAN, f64::NAN); jobs];
    let (mut now, mut next) = (delay, 0);
    let mut running: Vec<usize> = Vec::new();
    loop {
        while running.len() < at_once && next < jobs {
            times[next].0 = now;
            running.push(next);
            next += 1;
        }
        if running.is_empty() {
            break;
        }
        // Each running job goes at the speed its share of the cores allows.
        let speed = if cpu_bound {
            (cores / running.len() as f64).min(1.0)
        } else {
            1.0
        };
        let step = running.iter().map(|&j| left[j]).fold(f64::MAX, f64::min) / speed;
        now += step;
        for &j in &running {
            left[j] -= step * speed;
        }
        running.retain(|&j| {
            let done = left[j] <= 1e-9;
            if done {
                times[j].1 = now;
            }
            !done
        });
    }
    times
        .into_iter()
        .enumerate()
        .map(|(k, (s, e))| (s, e, if cpu_bound { need(k) } else { 0.0 }))
        .collect()
}

/// The report a correct lab would give for `action` on `lab`.
fn report(action: &Action, lab: &LabConfig) -> Report {
    let ms = |v: f64| Duration::from_secs_f64(v / 1e3);
    let mut model = Model::new();
    let kind = ThreadKind::blocking_thread(0);
    for (i, (start, end, cpu)) in schedule(action, lab).into_iter().enumerate() {
        let id = i as u64 + 1;
        let spec = JobSpec::new(id, 1, action.work, 1);
        let events = [
            (0.0, JobEventKind::Submitted(spec)),
            (
                start,
                JobEventKind::Started {
                    thread: kind.clone(),
                    kind: ThreadKind::of_name(&kind),
                    task: None,
                },
            ),
            (
                end,
                JobEventKind::Finished {
                    outcome: Outcome::Ok,
                    cpu: Some(ms(cpu)),
                    error: None,
                },
            ),
        ];
        for (at, kind) in events {
            model.ingest(Sample::Job(JobEvent {
                job: id,
                at: ms(at),
                kind,
            }));
        }
    }
    let scope = Scope {
        from: Duration::ZERO,
        to: Duration::from_secs(3600),
        baseline: (Duration::ZERO, Duration::ZERO),
        run: Some(1),
        load: None,
        sweep: None,
    };
    Report::build(&model, scope, lab)
}

fn on(action: &Action, cores: usize) -> LabConfig {
    LabConfig {
        cpus: Some(cores),
        ..action.lab.clone()
    }
}

/// The verdicts of `expect` (one claim) for `action` on a correct lab of `cores` cores.
fn verdict(action: &Action, expect: &Expect, cores: usize) -> Verdict {
    let lab = on(action, cores);
    let one = Action {
        expect: vec![expect.clone()],
        ..action.clone()
    };
    verdicts(&one, &lab, &report(&one, &lab)).remove(0)
}

fn lessons() -> Vec<Lesson> {
    blocklab::lesson::builtin().lessons
}

#[test]
fn every_core_dependent_claim_holds_on_1_to_64_cores() {
    let mut checked = 0;
    for lesson in lessons() {
        for action in &lesson.actions {
            for e in action.expect.iter().filter(|e| e.depends_on_cores()) {
                assert!(
                    action.then.is_empty() && action.load.is_none(),
                    "{} [{}]: the model here runs one batch",
                    lesson.id,
                    action.key
                );
                for cores in CORES {
                    let v = verdict(action, e, cores);
                    assert!(
                        v.pass,
                        "{} [{}] `{}` fails on {cores} cores: measured {}",
                        lesson.id, action.key, e.text, v.measured
                    );
                }
                checked += 1;
            }
        }
    }
    // Lessons 6, 8 and 13 make such claims, two for each CPU action.
    assert!(checked >= 10, "only {checked} core-dependent claims");
}

#[test]
fn a_claim_that_ignores_the_cores_fails_somewhere() {
    let lessons = lessons();
    let pool = lessons.iter().find(|l| l.id == "thread-pool").unwrap();
    let eight_cpu_on_eight = pool
        .actions
        .iter()
        .find(|a| a.work.workload == Workload::Cpu && a.jobs == 8 && a.work.size == 8)
        .expect("lesson 6: eight CPU jobs on a pool of eight");
    // The claim the lesson once made, true on two cores only.
    let old = Expect::parse("job.total >= 300% of job.cpu").unwrap();
    assert!(verdict(eight_cpu_on_eight, &old, 2).pass);
    assert!(
        !verdict(eight_cpu_on_eight, &old, 8).pass,
        "wrong on 8 cores"
    );
    // Pool waves without the cores: wrong on a small machine.
    let no_cores = Expect::parse("job.span <= 160% of waves × job.cpu").unwrap();
    assert!(verdict(eight_cpu_on_eight, &no_cores, 64).pass);
    assert!(
        !verdict(eight_cpu_on_eight, &no_cores, 1).pass,
        "wrong on 1 core"
    );
    // One job's longest CPU time stands for every job: wrong when they differ (a busy machine).
    let longest = Expect::parse("job.span >= 85% of cpu.waves × job.cpu").unwrap();
    assert!(
        !verdict(eight_cpu_on_eight, &longest, 1).pass,
        "wrong when jobs differ"
    );
    // The wave count alone, ⌈jobs / min(threads, cores)⌉, over-counts on 3 or 5 cores where
    // the OS time-slices eight jobs: the lessons' `cpu.waves` does not.
    let span = Expect::parse("job.span >= 85% of cpu.waves × job.cpu.mean").unwrap();
    for cores in [3, 5, 6, 7] {
        assert!(
            verdict(eight_cpu_on_eight, &span, cores).pass,
            "{cores} cores"
        );
    }
}
