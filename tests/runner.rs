//! One runner for the TUI and `blocklab check`: an action pressed in the app and the same action
//! run headless, on the same simulated lab, give the identical verdict table — and the two ways
//! the TUI used to disagree with `check` are gone.
//!
//! The lab here is a script (`Sim`): deterministic samples on a virtual clock, enough of a lab to
//! make the verdicts mean something — a loop that a blocking job holds, pings and requests that
//! wait for it, a blocking pool whose threads stay after their jobs, as tokio's do.
use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use blocklab::cli::LabArgs;
use blocklab::data::{
    BlockingPool, Flavor, JobEvent, JobEventKind, JobSpec, LabConfig, Load, LoadResult, Outcome,
    RunId, RuntimeSample, Sample, ThreadKind, Watch, Work,
};
use blocklab::lesson::expect::{Verdict, verdicts};
use blocklab::lesson::{Action, Lesson};
use blocklab::load::StepReport;
use blocklab::model::Model;
use blocklab::progress::Progress;
use blocklab::report::{Report, Scope};
use blocklab::runner::{self, Bench, Order, Plan};
use blocklab::ui::app::{App, Command};

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

struct SimLab {
    id: u64,
    config: LabConfig,
    /// The loop is held by a blocking job until then.
    loop_busy_until: Duration,
    /// Threads of the blocking pool: they stay once started, as tokio keeps them 10 s.
    blocking_threads: usize,
}

/// A scripted lab on a virtual clock.
struct Sim {
    now: Duration,
    next_lab: u64,
    next_job: u64,
    lab: Option<SimLab>,
    /// Samples due at a time, delivered when the clock gets there.
    due: Vec<(Duration, Sample)>,
}

impl Sim {
    fn new(at: Duration) -> Sim {
        Sim {
            now: at,
            next_lab: 0,
            next_job: 0,
            lab: None,
            due: Vec::new(),
        }
    }

    fn emit(&mut self, at: Duration, sample: Sample) {
        self.due.push((at, sample));
    }

    fn job_event(&mut self, job: u64, at: Duration, kind: JobEventKind) {
        self.emit(at, Sample::Job(JobEvent { job, at, kind }));
    }

    /// What the lab does in millisecond `t`: a ping, every 10 ms a request, every 100 ms a
    /// runtime sample and a look from the observer.
    fn tick(&mut self, t: Duration) -> Vec<Sample> {
        let Some(lab) = &self.lab else {
            return Vec::new();
        };
        let held = lab.loop_busy_until.saturating_sub(t);
        let mut out = vec![Sample::Lag {
            sent: t,
            lag: held + Duration::from_micros(30),
        }];
        let n = t.as_millis();
        if n.is_multiple_of(10) {
            out.push(Sample::Request {
                sent: t,
                latency: held + ms(2),
            });
        }
        if n.is_multiple_of(100) {
            out.push(Sample::Runtime(RuntimeSample {
                at: t,
                workers: 1,
                busy_ratio: 0.01,
                worker_busy: vec![0.01],
                global_queue: 0,
                live_tasks: 3,
                blocking: Some(BlockingPool {
                    threads: lab.blocking_threads,
                    idle: lab.blocking_threads,
                    queue: 0,
                }),
                gauges: Default::default(),
            }));
            out.push(Sample::Watch(Watch {
                at: t,
                oldest_unanswered: None,
                workers: Some(Vec::new()),
            }));
        }
        out
    }
}

impl Bench for Sim {
    fn now(&self) -> Duration {
        self.now
    }

    fn start(&mut self, config: LabConfig) -> std::io::Result<(u64, Duration)> {
        self.next_lab += 1;
        let id = self.next_lab;
        self.lab = Some(SimLab {
            id,
            config,
            loop_busy_until: self.now,
            blocking_threads: 0,
        });
        let at = self.now;
        self.emit(at, Sample::LabStarted { lab: id, at });
        Ok((id, at))
    }

    /// Jobs run in waves of as many as their strategy lets run at once; a strategy on the
    /// event loop holds it, the others run on the blocking pool.
    fn submit(&mut self, run: RunId, work: Work, jobs: usize) {
        let now = self.now;
        let lab = self.lab.as_mut().expect("a lab to submit to");
        let info = work.strategy.info();
        let size = info.size_for(work.size, &lab.config);
        let at_once = info.at_once(jobs, size, &lab.config);
        let on_loop = lab.config.flavor == Flavor::CurrentThread
            && info.at_once(usize::MAX, size, &lab.config) == 1;
        let mut events = Vec::new();
        for k in 0..jobs {
            self.next_job += 1;
            let id = self.next_job;
            let spec = JobSpec::new(id, run, Work { size, ..work }, lab.id);
            events.push((id, now, JobEventKind::Submitted(spec)));
            let (start, thread) = if on_loop {
                let start = lab.loop_busy_until.max(now + ms(1));
                lab.loop_busy_until = start + ms(work.ms);
                (start, ThreadKind::loop_thread(Flavor::CurrentThread, 0))
            } else {
                let wave = (k / at_once) as u64;
                let start = now + ms(1) + ms(work.ms) * wave as u32;
                (start, ThreadKind::blocking_thread(k % at_once))
            };
            let kind = ThreadKind::of_name(&thread);
            events.push((
                id,
                start,
                JobEventKind::Started {
                    thread,
                    kind,
                    task: None,
                },
            ));
            let end = start + ms(work.ms);
            events.push((id, end, JobEventKind::Replied));
            events.push((
                id,
                end,
                JobEventKind::Finished {
                    outcome: Outcome::Ok,
                    cpu: None,
                    error: None,
                },
            ));
        }
        if !on_loop {
            lab.blocking_threads = lab.blocking_threads.max(at_once);
        }
        for (id, at, kind) in events {
            self.job_event(id, at, kind);
        }
    }

    /// A load test as a lab would answer it: a handler on the event loop holds at most
    /// 1 / (its time per request) a second, an offloaded one every rate.
    fn load(&mut self, run: RunId, work: Work, load: Load) {
        let lab = self.lab.as_ref().expect("a lab to load");
        let info = work.strategy.info();
        let size = info.size_for(work.size, &lab.config);
        let on_loop = lab.config.flavor == Flavor::CurrentThread
            && info.at_once(usize::MAX, size, &lab.config) == 1;
        let steps = load
            .rates
            .iter()
            .map(|&rate| {
                let held = !on_loop || u64::from(rate) * work.ms < 1000;
                let p = if held { work.ms as f64 + 0.5 } else { 900.0 };
                StepReport {
                    rate,
                    sent: u64::from(rate),
                    answered: u64::from(rate),
                    errors: 0,
                    timeouts: 0,
                    achieved_per_s: f64::from(rate),
                    p50_ms: Some(p),
                    p90_ms: Some(p),
                    p99_ms: Some(p),
                    max_ms: Some(p),
                    held,
                    error: None,
                }
            })
            .collect();
        let at = self.now + load.step * load.rates.len() as u32;
        let result = LoadResult {
            run,
            at,
            steps,
            error: None,
        };
        self.emit(at, Sample::Load(result));
    }

    fn stop(&mut self) {
        if let Some(lab) = self.lab.take() {
            let at = self.now + ms(5);
            self.emit(at, Sample::LabStopped { lab: lab.id, at });
        }
    }

    fn wait_into(&mut self, model: &mut Model, until: Duration) {
        let until = until.max(self.now + ms(1));
        let mut t = self.now + ms(1);
        while t <= until {
            let samples = self.tick(t);
            model.ingest_all(samples);
            let (ready, later): (Vec<_>, Vec<_>) = self.due.drain(..).partition(|(at, _)| *at <= t);
            self.due = later;
            model.ingest_all(ready.into_iter().map(|(_, s)| s));
            t += ms(1);
        }
        self.now = until;
    }
}

fn lesson(id: &str) -> (Vec<Lesson>, usize) {
    let lessons = blocklab::lesson::builtin().lessons;
    let at = lessons.iter().position(|l| l.id == id).unwrap();
    (lessons, at)
}

fn two_cores() -> LabArgs {
    LabArgs {
        cpus: Some(2),
        ..LabArgs::default()
    }
}

/// `check`'s verdicts for one action: the headless runner on a fresh simulated lab.
fn headless(action: &Action) -> Vec<Verdict> {
    let lab = two_cores().apply(action.lab.clone());
    let mut sim = Sim::new(Duration::ZERO);
    let mut model = Model::new();
    let report = runner::drive(
        Plan::of_action(action, lab.clone()),
        1,
        &mut sim,
        &mut model,
    )
    .expect("a simulated lab never fails to start");
    verdicts(action, &lab, &report)
}

/// The app, with `presses` (key, at ms) on the simulated lab, until `until` ms.
fn tui(lesson_id: &str, presses: &[(char, u64)], until: u64) -> (App, Sim) {
    let (app, sim, _) = tui_saving(lesson_id, presses, until);
    (app, sim)
}

/// [`tui`], and the progress the app handed out to be saved, with when.
fn tui_saving(
    lesson_id: &str,
    presses: &[(char, u64)],
    until: u64,
) -> (App, Sim, Vec<(Duration, Progress)>) {
    let (lessons, at) = lesson(lesson_id);
    drive_app(App::new(lessons, at, two_cores()), presses, until)
}

/// `app` with `presses` (key, at ms) on the simulated lab, until `until` ms.
fn drive_app(
    mut app: App,
    presses: &[(char, u64)],
    until: u64,
) -> (App, Sim, Vec<(Duration, Progress)>) {
    let mut saves = Vec::new();
    let mut sim = Sim::new(Duration::ZERO);
    let mut presses: VecDeque<_> = presses.iter().copied().collect();
    while sim.now < ms(until) {
        while let Some(&(key, at)) = presses.front() {
            if ms(at) > sim.now {
                break;
            }
            let press = KeyEvent::new(KeyCode::Char(key), KeyModifiers::NONE);
            assert_eq!(app.on_key(press, sim.now), None);
            presses.pop_front();
        }
        for command in app.step(sim.now) {
            match command {
                Command::Lab(Order::StartLab(config)) => {
                    let (id, at) = sim.start(config.clone()).unwrap();
                    app.lab_started(id, at, config);
                }
                Command::Lab(Order::Submit { run, work, jobs }) => sim.submit(run, work, jobs),
                Command::Lab(Order::Load { run, work, load }) => sim.load(run, work, load),
                Command::Lab(Order::StopLab) => sim.stop(),
                // The simulated traffic keeps its rate; no run here is quiet for long.
                Command::Traffic(_) => {}
                Command::SaveProgress(progress) => saves.push((sim.now, progress)),
                Command::Quit(_) => unreachable!("no quitting key was pressed"),
                Command::Export(_) => unreachable!("no export key was pressed"),
            }
        }
        // The same cadence as the headless runner: its next deadline, or 20 ms.
        let mut wake = sim.now + ms(20);
        if let Some(w) = app.next_wake() {
            wake = wake.min(w);
        }
        if let Some(&(_, at)) = presses.front() {
            wake = wake.min(ms(at));
        }
        let mut model = std::mem::take(&mut app.model);
        sim.wait_into(&mut model, wake);
        app.model = model;
    }
    (app, sim, saves)
}

fn shown(app: &App, key: char) -> Vec<Verdict> {
    app.last_verdicts(key)
        .unwrap_or_else(|| panic!("[{key}] was checked"))
        .to_vec()
}

#[test]
fn a_key_press_and_check_give_the_identical_verdict_table() {
    let (lessons, at) = lesson("event-loop");
    let action = lessons[at].action('2').unwrap();
    let (app, _) = tui("event-loop", &[('2', 1_000)], 3_000);
    let on_screen = shown(&app, '2');
    assert_eq!(on_screen, headless(action));
    assert!(on_screen.iter().all(|v| v.pass), "{on_screen:?}");
}

/// A run that ends goes into the learner's progress with its verdicts, saved once; the same
/// verdicts again change nothing and save nothing.
#[test]
fn a_finished_run_is_recorded_in_the_progress_and_saved_once() {
    let (app, _, saves) = tui_saving("event-loop", &[('2', 1_000), ('2', 4_000)], 7_000);
    assert_eq!(app.runs.iter().filter(|r| r.verdicts.is_some()).count(), 2);
    let when: Vec<_> = saves.iter().map(|(at, _)| *at).collect();
    assert_eq!(
        saves.len(),
        2,
        "the lesson seen, then the first run's end: {when:?}"
    );
    let seen = &saves[0].1.lessons["event-loop"];
    assert!(seen.visited && seen.ran.is_empty());
    // Saved as the first run ended: after its press and its jobs, before the second press.
    let pressed = app.runs[0].at;
    let block = ms(app.lessons[0].action('2').unwrap().work.ms);
    assert!(
        saves[1].0 > pressed + block && saves[1].0 < ms(4_000),
        "{when:?}"
    );
    let after = &saves[1].1.lessons["event-loop"];
    assert_eq!(after.ran, BTreeSet::from(['2']));
    assert!(shown(&app, '2').iter().all(|v| v.pass));
    assert_eq!(after.passed, BTreeSet::from(['2']));
    assert_eq!(app.progress, saves[1].1);
}

#[test]
fn a_press_during_a_freeze_no_longer_counts_the_freeze_as_its_baseline() {
    let (lessons, at) = lesson("event-loop");
    let lesson = &lessons[at];
    // Action 2 freezes the loop for 200 ms; action 1 is pressed 100 ms into the freeze.
    let (app, _) = tui("event-loop", &[('2', 1_000), ('1', 1_500)], 5_000);
    let first = shown(&app, '1');
    assert_eq!(first, headless(lesson.action('1').unwrap()));
    assert!(first.iter().all(|v| v.pass), "{first:?}");

    // The old rule — the second before the press as baseline, on the lab as it is — on the same
    // samples: the freeze falls in the baseline and `baseline.lag.p99 < 2 ms` fails.
    let run = app.runs.iter().find(|r| r.key == '1').unwrap();
    let action = lesson.action('1').unwrap();
    let old = Scope {
        from: run.at,
        to: run.at + ms(1_000),
        baseline: (run.at.saturating_sub(ms(1_000)), run.at),
        run: Some(run.id),
        load: None,
        sweep: None,
    };
    let report = Report::build(&app.model, old, &run.lab);
    let old_verdicts = verdicts(action, &run.lab, &report);
    assert!(
        !old_verdicts[0].pass,
        "the old rule failed: {old_verdicts:?}"
    );
}

#[test]
fn each_press_gets_a_fresh_blocking_pool() {
    let (lessons, at) = lesson("semaphore");
    let lesson = &lessons[at];
    let capped = lesson.action('1').unwrap();
    let uncapped = lesson.action('2').unwrap();
    let claim = capped
        .expect
        .iter()
        .position(|e| e.text == "blocking.threads.max <= 4")
        .expect("lesson 10 caps the pool's threads");

    // The old rule ran both on one lab: the eight threads the first press left count for the
    // second, and the claim fails.
    let lab = two_cores().apply(capped.lab.clone());
    let mut sim = Sim::new(Duration::ZERO);
    let mut model = Model::new();
    sim.start(lab.clone()).unwrap();
    sim.wait_into(&mut model, ms(400));
    sim.submit(1, uncapped.work, uncapped.jobs);
    sim.wait_into(&mut model, ms(1_000));
    let pressed = sim.now;
    sim.submit(2, capped.work, capped.jobs);
    sim.wait_into(&mut model, ms(2_200));
    let scope = Scope {
        from: pressed,
        to: sim.now,
        baseline: (pressed - ms(1_000), pressed),
        run: Some(2),
        load: None,
        sweep: None,
    };
    let report = Report::build(&model, scope, &lab);
    assert!(!verdicts(capped, &lab, &report)[claim].pass);

    // Now: [2] then [1] in the app, each on a fresh lab, and the verdicts are check's.
    let (app, _) = tui("semaphore", &[('2', 1_000), ('1', 1_100)], 5_000);
    let on_screen = shown(&app, '1');
    assert_eq!(on_screen, headless(capped));
    assert!(on_screen[claim].pass, "{on_screen:?}");
}

/// The language changes words, never a verdict: every action of every lesson, run headless in
/// each language on the same simulated lab, passes and skips the same expectations.
#[test]
fn check_gives_the_same_verdicts_in_every_language() {
    use blocklab::text::Lang;
    let outcome = |v: &[Verdict]| v.iter().map(|v| (v.pass, v.skipped)).collect::<Vec<_>>();
    for lesson in blocklab::lesson::builtin().lessons {
        for action in &lesson.actions {
            let en = outcome(&Lang::En.scoped(|| headless(action)));
            for lang in [Lang::ZhTw, Lang::ZhCn] {
                let other = outcome(&lang.scoped(|| headless(action)));
                assert_eq!(other, en, "{} [{}] in {lang}", lesson.id, action.key);
            }
        }
    }
}

/// The playground runs a combination of every strategy through the same runner as a lesson's
/// action, on its own lab, and says what it measured — counted for no lesson.
#[test]
fn the_playground_runs_every_strategy_and_says_what_it_measured() {
    use blocklab::lab::strategy;
    use blocklab::ui::app::PLAYGROUND;
    use blocklab::ui::playground::findings;
    for (i, s) in strategy::all().enumerate() {
        let (lessons, at) = lesson("event-loop");
        let mut app = App::new(lessons, at, two_cores());
        let p = &mut app.playground;
        p.strategy = s;
        p.ms = 50;
        p.jobs = 1 + (i % 3) as i64;
        p.rate = 50;
        p.cpus = 1;
        let want = p.lab();
        let (app, _, saves) = drive_app(app, &[('g', 0), ('1', 10)], 2_000);
        let run = app.playground_run().expect("a playground run");
        assert_eq!(run.lab, want, "{s}: it ran on the playground's lab");
        let report = run
            .report
            .as_ref()
            .unwrap_or_else(|| panic!("{s}: a report"));
        assert_eq!(report.jobs.len(), 1 + i % 3, "{s}");
        assert!(report.jobs.iter().all(|j| j.strategy == s.as_str()));
        let said = blocklab::text::Lang::En.scoped(|| findings(report));
        assert_eq!(said.len(), 4, "{s}: {said:?}");
        assert!(said[0].contains("×"), "{s}: where it ran: {}", said[0]);
        assert!(said[1].contains("stall threshold"), "{s}: {}", said[1]);
        assert!(said[2].starts_with("queue wait"), "{s}: {}", said[2]);
        // No lesson's progress counts it, and the lesson stays the last one shown.
        for (_, progress) in &saves {
            assert!(!progress.lessons.contains_key(PLAYGROUND));
            assert_eq!(progress.last_lesson.as_deref(), Some("event-loop"));
        }
    }
}
