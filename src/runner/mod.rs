//! One experiment runner. A key press in the TUI, `blocklab run` and `blocklab check` all run
//! an action through it, with the same rules, so the verdicts on screen are exactly the ones
//! `check` prints for that action:
//!
//! 1. **A fresh lab.** Every experiment starts a new lab (new runtime, no idle threads, empty
//!    pools) on the session's clock: no leftover of an earlier press can count.
//! 2. **A quiet baseline.** [`BASELINE`] of nothing but background traffic; its last part
//!    (after [`WARM_UP`]) is "what is normal here".
//! 3. **The jobs,** in their batches at their times — or, for a load test, one order to start
//!    the HTTP load generator against the lab's front door — or, for a sizing sweep, one step
//!    after another: a batch on a pool of each multiple of the cores, the next step once every
//!    job of the last has ended.
//! 4. **The end:** when every job has ended, plus [`TAIL`] for the requests queued behind them;
//!    or, for an action that stops the lab part-way, when the lab reports it stopped; or, for a
//!    load test, when the generator's figures came in (plus [`TAIL`]); or, for a sweep, when
//!    its last step ended (plus [`TAIL`]); or when the jobs are overdue ([`patience`],
//!    [`Load::patience`], [`SweepStep::patience`]).
//! 5. **The report** over [lab start, end), built once [`GRACE`] later (answers in flight land).
//!
//! The runner does no I/O and reads no clock: time and the model are passed in, and it answers
//! with [`Order`]s for a [`Bench`] to carry out — the real labs (`session::Labs`), or a script
//! in a test.
use std::time::Duration;

use crate::data::job::patience;
use crate::data::{Batch, LabConfig, Load, RunId, Sweep, SweepStep, Work};
use crate::load::LoadPlan;
use crate::model::Model;
use crate::report::{Report, Scope};

/// Quiet time on the fresh lab before the first job.
pub const BASELINE: Duration = Duration::from_millis(400);
/// The start of the baseline that is left out of it (threads starting, the first pings).
pub const WARM_UP: Duration = Duration::from_millis(100);
/// Time after the last job ends, so the requests queued behind it finish too.
pub const TAIL: Duration = Duration::from_millis(300);
/// Time after the end before the report is built: answers already in flight land.
pub const GRACE: Duration = Duration::from_millis(40);
/// How long to wait for a stopping lab to say it stopped.
pub const STOP_WAIT: Duration = Duration::from_secs(15);

/// What an experiment runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub lab: LabConfig,
    pub batches: Vec<Batch>,
    /// Stop the lab this long after the first submission (what happens to work in flight?).
    pub stop_after: Option<Duration>,
    /// Stop the lab this long after the first submission, then start a fresh one and wait for
    /// the jobs there (what does a restart do to durable work?).
    pub restart_after: Option<Duration>,
    /// Run exactly this long from the lab's start, instead of "until the jobs end".
    pub seconds: Option<Duration>,
    /// Instead of the batches, a load test of this work over HTTP: report each step.
    pub load: Option<(Work, Load)>,
    /// Instead of the batches, a sizing sweep of this work (its strategy's size set per step).
    pub sweep: Option<(Work, Sweep)>,
}

impl Plan {
    /// One batch of `jobs` jobs at once.
    pub fn once(lab: LabConfig, work: Work, jobs: usize) -> Plan {
        Plan {
            lab,
            batches: vec![Batch {
                work,
                jobs,
                after: Duration::ZERO,
            }],
            stop_after: None,
            restart_after: None,
            seconds: None,
            load: None,
            sweep: None,
        }
    }

    /// A lesson's action, on `lab` (the lesson's lab with the command line's flags on top).
    pub fn of_action(action: &crate::lesson::Action, lab: LabConfig) -> Plan {
        Plan {
            lab,
            batches: action.batches(),
            stop_after: action.stop_after,
            restart_after: action.restart_after,
            seconds: None,
            load: action.load.clone().map(|l| (action.work, l)),
            sweep: action.sweep.clone().map(|s| (action.work, s)),
        }
    }

    fn jobs(&self) -> usize {
        self.batches.iter().map(|b| b.jobs).sum()
    }
}

/// What the runner asks of the labs.
#[derive(Clone, Debug, PartialEq)]
pub enum Order {
    /// Start a fresh lab with this configuration (the current one, if any, retires), then tell
    /// the runner with [`Runner::lab_started`].
    StartLab(LabConfig),
    Submit {
        run: RunId,
        work: Work,
        jobs: usize,
    },
    /// Load the lab's front door with requests for `work`, one step per rate; the figures come
    /// back as a `Sample::Load` for `run`.
    Load {
        run: RunId,
        work: Work,
        load: Load,
    },
    /// Stop the current lab; it reports `Stopped` when its pools have shut down.
    StopLab,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// The fresh lab was asked for.
    Starting,
    /// The lab runs with traffic only.
    Baseline {
        until: Duration,
    },
    /// The jobs are submitted (the first at `submitted`).
    Running,
    /// The lab was told to stop; waiting for its word.
    Stopping {
        since: Duration,
    },
    /// The lab was told to stop for a restart; waiting for its word, then a fresh lab.
    Restarting {
        since: Duration,
    },
    /// The fresh lab of a restart was asked for.
    Resuming,
    /// Measuring until `end`, then the report.
    Ending {
        end: Duration,
    },
    Done,
}

pub struct Runner {
    plan: Plan,
    run: RunId,
    phase: Phase,
    /// (id, start) of the experiment's lab.
    lab: Option<(u64, Duration)>,
    submitted: Option<Duration>,
    /// Batches in submit order, and how many are out.
    batches: Vec<Batch>,
    sent: usize,
    /// The restart an action asks for has happened.
    restarted: bool,
    /// The load test was ordered.
    loading: bool,
    /// A sweep's progress: the steps that started, when the current one did, and how many of
    /// its slices are out.
    swept: Vec<(SweepStep, Duration)>,
    slices_sent: usize,
    report: Option<Report>,
}

impl Runner {
    pub fn new(plan: Plan, run: RunId) -> Runner {
        let mut batches = plan.batches.clone();
        batches.sort_by_key(|b| b.after);
        Runner {
            plan,
            run,
            phase: Phase::Starting,
            lab: None,
            submitted: None,
            batches,
            sent: 0,
            restarted: false,
            loading: false,
            swept: Vec::new(),
            slices_sent: 0,
            report: None,
        }
    }

    pub fn run_id(&self) -> RunId {
        self.run
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn phase(&self) -> &Phase {
        &self.phase
    }

    /// When the first jobs were submitted.
    pub fn submitted(&self) -> Option<Duration> {
        self.submitted
    }

    /// The lab this experiment runs on, once started.
    pub fn lab(&self) -> Option<u64> {
        self.lab.map(|(id, _)| id)
    }

    /// The report, once the experiment is over.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }

    pub fn into_report(self) -> Option<Report> {
        self.report
    }

    /// The fresh lab is up (it started at `at` on the session's clock).
    pub fn lab_started(&mut self, lab: u64, at: Duration) {
        if self.phase == Phase::Resuming {
            // The experiment goes on, measured from its first lab's start.
            let first = self.lab.map_or(at, |(_, start)| start);
            self.lab = Some((lab, first));
            self.restarted = true;
            self.phase = Phase::Running;
            return;
        }
        if self.phase == Phase::Starting {
            self.lab = Some((lab, at));
            self.phase = Phase::Baseline {
                until: at + BASELINE,
            };
        }
    }

    /// The first order: a fresh lab.
    pub fn start(&mut self) -> Vec<Order> {
        vec![Order::StartLab(self.plan.lab.clone())]
    }

    /// Moves the experiment on at `now`; returns what the labs must do.
    pub fn step(&mut self, model: &Model, now: Duration) -> Vec<Order> {
        let mut orders = Vec::new();
        loop {
            let before = self.phase.clone();
            self.advance(model, now, &mut orders);
            if self.phase == before {
                return orders;
            }
        }
    }

    fn advance(&mut self, model: &Model, now: Duration, orders: &mut Vec<Order>) {
        match self.phase.clone() {
            Phase::Starting | Phase::Done => {}
            Phase::Baseline { until } if now >= until => {
                self.submitted = Some(now);
                self.phase = Phase::Running;
            }
            Phase::Baseline { .. } => {}
            Phase::Running => {
                let submitted = self.submitted.expect("running after a submission");
                while let Some(batch) = self.batches.get(self.sent) {
                    if submitted + batch.after > now {
                        break;
                    }
                    orders.push(Order::Submit {
                        run: self.run,
                        work: batch.work,
                        jobs: batch.jobs,
                    });
                    self.sent += 1;
                }
                let (_, lab_start) = self.lab.expect("running on a lab");
                let restart = self.plan.restart_after.filter(|_| !self.restarted);
                if let Some((work, load)) = &self.plan.load {
                    if !self.loading {
                        self.loading = true;
                        orders.push(Order::Load {
                            run: self.run,
                            work: *work,
                            load: load.clone(),
                        });
                    }
                    let overdue = now >= submitted + load.patience(LoadPlan::default().timeout);
                    if overdue || model.load_result(self.run).is_some() {
                        self.phase = Phase::Ending { end: now + TAIL };
                    }
                } else if let Some((work, sweep)) = &self.plan.sweep {
                    let (work, sweep) = (*work, sweep.clone());
                    if let Some(end) = self.sweep(&work, &sweep, model, now, orders) {
                        self.phase = Phase::Ending { end };
                    }
                } else if let Some(after) = restart {
                    if now >= submitted + after && self.sent == self.batches.len() {
                        orders.push(Order::StopLab);
                        self.phase = Phase::Restarting { since: now };
                    }
                } else if let Some(after) = self.plan.stop_after {
                    if now >= submitted + after && self.sent == self.batches.len() {
                        orders.push(Order::StopLab);
                        self.phase = Phase::Stopping { since: now };
                    }
                } else if let Some(total) = self.plan.seconds {
                    if now >= lab_start + total && self.sent == self.batches.len() {
                        self.phase = Phase::Ending { end: now };
                    }
                } else if self.sent == self.batches.len() {
                    let overdue = now >= submitted + patience(&self.plan.batches);
                    if overdue || self.all_done(model) {
                        self.phase = Phase::Ending { end: now + TAIL };
                    }
                }
            }
            Phase::Stopping { since } => {
                let lab = self.lab().expect("stopping a lab");
                if let Some(at) = model.lab_stopped(lab) {
                    self.phase = Phase::Ending { end: at };
                } else if now >= since + STOP_WAIT {
                    self.phase = Phase::Ending { end: now };
                }
            }
            Phase::Restarting { since } => {
                let lab = self.lab().expect("restarting a lab");
                if model.lab_stopped(lab).is_some() || now >= since + STOP_WAIT {
                    orders.push(Order::StartLab(self.plan.lab.clone()));
                    self.phase = Phase::Resuming;
                }
            }
            Phase::Resuming => {}
            Phase::Ending { end } if now >= end + GRACE => {
                self.report = Some(self.build(model, end));
                self.phase = Phase::Done;
            }
            Phase::Ending { .. } => {}
        }
    }

    /// Moves a sweep on at `now`: submits the current step's slices that are due, and starts
    /// the next step once every job of this one has ended. Returns the end of the run when
    /// the last step is over (or overdue).
    fn sweep(
        &mut self,
        work: &Work,
        sweep: &Sweep,
        model: &Model,
        now: Duration,
        orders: &mut Vec<Order>,
    ) -> Option<Duration> {
        let cores = self.plan.lab.cores();
        let steps = sweep.steps(cores);
        loop {
            let Some(&(step, since)) = self.swept.last() else {
                let first = *steps.first()?;
                self.swept.push((first, now));
                self.slices_sent = 0;
                continue;
            };
            let schedule = step.schedule(work.ms);
            while let Some(&(after, jobs)) = schedule.get(self.slices_sent) {
                if since + after > now {
                    return None;
                }
                let work = Work {
                    size: step.size,
                    ..*work
                };
                orders.push(Order::Submit {
                    run: self.run,
                    work,
                    jobs,
                });
                self.slices_sent += 1;
            }
            let overdue = now >= since + step.patience(work.ms, cores);
            if overdue {
                return Some(now);
            }
            if !self.step_done(model, &step) {
                return None;
            }
            match steps.get(self.swept.len()) {
                Some(&next) => {
                    self.swept.push((next, now));
                    self.slices_sent = 0;
                }
                None => return Some(now + TAIL),
            }
        }
    }

    /// Every job of a sweep's step has ended (a step's jobs are the run's on its pool size).
    fn step_done(&self, model: &Model, step: &SweepStep) -> bool {
        let jobs: Vec<_> = model
            .run_jobs(self.run)
            .filter(|j| j.spec.size == step.size)
            .collect();
        jobs.len() == step.jobs && jobs.iter().all(|j| j.is_done())
    }

    fn all_done(&self, model: &Model) -> bool {
        let jobs: Vec<_> = model.run_jobs(self.run).collect();
        jobs.len() == self.plan.jobs() && jobs.iter().all(|j| j.is_done())
    }

    fn build(&self, model: &Model, end: Duration) -> Report {
        let (_, lab_start) = self.lab.expect("a lab ran");
        let submitted = self.submitted.unwrap_or(end);
        let scope = Scope {
            from: lab_start,
            to: end,
            baseline: ((lab_start + WARM_UP).min(submitted), submitted),
            run: Some(self.run),
            load: self.plan.load.as_ref().map(|_| {
                model
                    .load_result(self.run)
                    .map(|r| r.steps.clone())
                    .unwrap_or_default()
            }),
            sweep: self
                .plan
                .sweep
                .as_ref()
                .map(|_| self.swept.iter().map(|(step, _)| *step).collect()),
        };
        Report::build(model, scope, &self.plan.lab)
    }

    /// The next time `step` has something to do on its own (a batch or a phase that ends by
    /// the clock); the driver should call it by then.
    pub fn next_wake(&self) -> Option<Duration> {
        match &self.phase {
            Phase::Baseline { until } => Some(*until),
            Phase::Running => {
                let submitted = self.submitted?;
                let batch = self.batches.get(self.sent).map(|b| submitted + b.after);
                let stop = self
                    .plan
                    .stop_after
                    .or(self.plan.restart_after.filter(|_| !self.restarted))
                    .map(|a| submitted + a);
                let total = self.plan.seconds.zip(self.lab).map(|(s, (_, at))| at + s);
                let slice = self.plan.sweep.as_ref().and_then(|(work, _)| {
                    let &(step, since) = self.swept.last()?;
                    let (after, _) = *step.schedule(work.ms).get(self.slices_sent)?;
                    Some(since + after)
                });
                [batch, stop, total, slice].into_iter().flatten().min()
            }
            Phase::Ending { end } => Some(*end + GRACE),
            Phase::Starting
            | Phase::Stopping { .. }
            | Phase::Restarting { .. }
            | Phase::Resuming
            | Phase::Done => None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done
    }
}

/// Whatever runs the labs an experiment asks for, on one clock.
pub trait Bench {
    fn now(&self) -> Duration;
    /// Starts a fresh lab (the current one retires); returns its id and start time.
    fn start(&mut self, config: LabConfig) -> std::io::Result<(u64, Duration)>;
    fn submit(&mut self, run: RunId, work: Work, jobs: usize);
    /// Starts a load test of `work` on the current lab's front door, one step per rate, on a
    /// thread of its own; its figures come into the model as a `Sample::Load` for `run`.
    fn load(&mut self, run: RunId, work: Work, load: Load);
    /// Stops the current lab; it reports `Stopped` when its pools have shut down.
    fn stop(&mut self);
    /// Feeds the model until `until`, or until samples arrive, whichever comes first.
    fn wait_into(&mut self, model: &mut Model, until: Duration);

    /// Carries out one of the runner's orders.
    fn carry_out(&mut self, order: Order, runner: &mut Runner) -> std::io::Result<()> {
        match order {
            Order::StartLab(config) => {
                let (id, at) = self.start(config)?;
                runner.lab_started(id, at);
            }
            Order::Submit { run, work, jobs } => self.submit(run, work, jobs),
            Order::Load { run, work, load } => self.load(run, work, load),
            Order::StopLab => self.stop(),
        }
        Ok(())
    }
}

/// Runs one experiment to its end on `bench`, feeding `model`; returns its report. This is
/// `blocklab run` and every action of `blocklab check`.
pub fn drive(
    plan: Plan,
    run: RunId,
    bench: &mut impl Bench,
    model: &mut Model,
) -> std::io::Result<Report> {
    let mut runner = Runner::new(plan, run);
    for order in runner.start() {
        bench.carry_out(order, &mut runner)?;
    }
    loop {
        let now = bench.now();
        for order in runner.step(model, now) {
            bench.carry_out(order, &mut runner)?;
        }
        if runner.is_done() {
            return Ok(runner.into_report().expect("a finished run has its report"));
        }
        // Wake for the runner's next deadline (a load test's batch is due every few ms), or
        // at least every 20 ms to see whether the jobs ended.
        let wake = now + Duration::from_millis(20);
        let wake = runner.next_wake().map_or(wake, |w| w.min(wake));
        bench.wait_into(model, wake);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::strategy::fake;
    use crate::data::{Sample, Sweep, Workload};

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn a_restart_stops_the_lab_starts_a_fresh_one_and_goes_on_waiting_for_the_jobs() {
        let work = Work {
            workload: Workload::Sleep,
            strategy: fake("durable-queue"),
            ms: 1000,
            size: 0,
        };
        let plan = Plan {
            restart_after: Some(ms(400)),
            ..Plan::once(LabConfig::default(), work, 2)
        };
        let mut model = Model::new();
        let mut r = Runner::new(plan.clone(), 7);
        assert_eq!(r.start(), vec![Order::StartLab(plan.lab.clone())]);
        r.lab_started(1, ms(0));
        let orders = r.step(&model, BASELINE);
        assert!(
            matches!(orders[..], [Order::Submit { jobs: 2, .. }]),
            "{orders:?}"
        );
        assert_eq!(r.next_wake(), Some(BASELINE + ms(400)));
        assert_eq!(r.step(&model, BASELINE + ms(400)), vec![Order::StopLab]);
        // Nothing more until the lab says it stopped; then a fresh lab.
        assert!(r.step(&model, BASELINE + ms(450)).is_empty());
        model.ingest(Sample::LabStopped {
            lab: 1,
            at: BASELINE + ms(460),
        });
        assert_eq!(
            r.step(&model, BASELINE + ms(470)),
            vec![Order::StartLab(plan.lab.clone())]
        );
        r.lab_started(2, BASELINE + ms(480));
        assert_eq!(r.phase(), &Phase::Running);
        assert_eq!(r.lab(), Some(2));
        // Restarted once: no second stop; it waits for the jobs (overdue at last).
        assert!(r.step(&model, BASELINE + ms(2000)).is_empty());
        assert_eq!(r.phase(), &Phase::Running);
        r.step(&model, BASELINE + patience(&plan.batches));
        assert!(matches!(r.phase(), Phase::Ending { .. }), "{:?}", r.phase());
    }

    /// Feeds the model one job's life: submitted, started, finished ok.
    fn job_ran(model: &mut Model, id: u64, run: RunId, work: Work, at: [Duration; 3]) {
        use crate::data::{JobEvent, JobEventKind, JobSpec, Outcome, ThreadKind};
        let kinds = [
            JobEventKind::Submitted(JobSpec::new(id, run, work, 1)),
            JobEventKind::Started {
                thread: format!("pool-{}", work.size),
                kind: ThreadKind::Dedicated,
                task: None,
            },
            JobEventKind::Finished {
                outcome: Outcome::Ok,
                cpu: None,
                error: None,
            },
        ];
        for (at, kind) in at.into_iter().zip(kinds) {
            model.ingest(Sample::Job(JobEvent { job: id, at, kind }));
        }
    }

    #[test]
    fn a_sweep_runs_its_steps_one_after_another_each_once_its_jobs_ended() {
        let work = Work {
            workload: Workload::Mixed,
            strategy: fake("thread-pool"),
            ms: 100,
            size: 0,
        };
        let lab = LabConfig {
            cpus: Some(2),
            ..LabConfig::default()
        };
        let plan = Plan {
            sweep: Some((
                work,
                Sweep {
                    multiples: vec![1, 2],
                },
            )),
            batches: Vec::new(),
            ..Plan::once(lab, work, 1)
        };
        let jobs = crate::data::sweep::WAVES * 2 * 2;
        let mut model = Model::new();
        let mut r = Runner::new(plan, 3);
        r.start();
        r.lab_started(1, ms(0));
        // Step 1: two threads, one job at once, the other at half a job's length with the rest.
        let t0 = BASELINE;
        let submits = |orders: Vec<Order>| -> Vec<(u32, usize)> {
            orders
                .into_iter()
                .map(|o| match o {
                    Order::Submit { work, jobs, .. } => (work.size, jobs),
                    other => panic!("{other:?}"),
                })
                .collect()
        };
        assert_eq!(submits(r.step(&model, t0)), vec![(2, 1)]);
        assert_eq!(r.next_wake(), Some(t0 + ms(50)));
        assert!(r.step(&model, t0 + ms(30)).is_empty());
        assert_eq!(submits(r.step(&model, t0 + ms(50))), vec![(2, jobs - 1)]);
        // Not all of step 1's jobs have ended: no step 2 yet.
        let step1 = Work { size: 2, ..work };
        for id in 0..jobs as u64 - 1 {
            job_ran(&mut model, id, 3, step1, [t0, t0 + ms(10), t0 + ms(900)]);
        }
        assert!(r.step(&model, t0 + ms(1000)).is_empty());
        assert_eq!(r.phase(), &Phase::Running);
        let last = jobs as u64 - 1;
        job_ran(
            &mut model,
            last,
            3,
            step1,
            [t0 + ms(50), t0 + ms(60), t0 + ms(1050)],
        );
        // Step 2 starts at once: four threads, one job at 0, 20, 50 and 70 ms of 100.
        let t1 = t0 + ms(1100);
        assert_eq!(submits(r.step(&model, t1)), vec![(4, 1)]);
        assert_eq!(r.next_wake(), Some(t1 + ms(20)));
        assert_eq!(
            submits(r.step(&model, t1 + ms(70))),
            vec![(4, 1), (4, 1), (4, jobs - 3)]
        );
        let step2 = Work { size: 4, ..work };
        for id in 0..jobs as u64 {
            let at = t1 + ms(10 * id);
            job_ran(&mut model, 100 + id, 3, step2, [at, at, at + ms(400)]);
        }
        // The last step ended: the run ends after the tail, with both steps in its report.
        r.step(&model, t1 + ms(1000));
        assert_eq!(
            r.phase(),
            &Phase::Ending {
                end: t1 + ms(1000) + TAIL
            }
        );
        r.step(&model, t1 + ms(1000) + TAIL + GRACE);
        let sizing = r
            .report()
            .and_then(|r| r.sizing.clone())
            .expect("a sizing report");
        assert_eq!(
            sizing
                .steps
                .iter()
                .map(|s| (s.multiple, s.threads, s.jobs))
                .collect::<Vec<_>>(),
            vec![(1, 2, jobs as u64), (2, 4, jobs as u64)]
        );
        // Step 1: 20 jobs from 0 to 1050 ms; step 2: 20 jobs from 0 to 590 ms.
        assert_eq!(sizing.steps[0].throughput, 19.05);
        assert_eq!(sizing.steps[1].throughput, 33.9);
        assert_eq!(sizing.best_multiple, 2);
    }

    #[test]
    fn an_overdue_sweep_step_ends_the_run() {
        let work = Work {
            workload: Workload::Cpu,
            strategy: fake("thread-pool"),
            ms: 100,
            size: 0,
        };
        let lab = LabConfig {
            cpus: Some(1),
            ..LabConfig::default()
        };
        let sweep = Sweep {
            multiples: vec![1, 2],
        };
        let patience = sweep.steps(1)[0].patience(100, 1);
        let plan = Plan {
            sweep: Some((work, sweep)),
            batches: Vec::new(),
            ..Plan::once(lab, work, 1)
        };
        let model = Model::new();
        let mut r = Runner::new(plan, 4);
        r.start();
        r.lab_started(1, ms(0));
        assert_eq!(r.step(&model, BASELINE).len(), 1);
        assert!(r.step(&model, BASELINE + patience - ms(1)).is_empty());
        r.step(&model, BASELINE + patience);
        assert_eq!(
            r.phase(),
            &Phase::Ending {
                end: BASELINE + patience
            }
        );
    }
}
