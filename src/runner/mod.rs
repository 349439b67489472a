//! One experiment runner. A key press in the TUI, `blocklab run` and `blocklab check` all run
//! an action through it, with the same rules, so the verdicts on screen are exactly the ones
//! `check` prints for that action:
//!
//! 1. **A fresh lab.** Every experiment starts a new lab (new runtime, no idle threads, empty
//!    pools) on the session's clock: no leftover of an earlier press can count.
//! 2. **A quiet baseline.** [`BASELINE`] of nothing but background traffic; its last part
//!    (after [`WARM_UP`]) is "what is normal here".
//! 3. **The jobs,** in their batches at their times — or, for a load test, one order to start
//!    the HTTP load generator against the lab's front door.
//! 4. **The end:** when every job has ended, plus [`TAIL`] for the requests queued behind them;
//!    or, for an action that stops the lab part-way, when the lab reports it stopped; or, for a
//!    load test, when the generator's figures came in (plus [`TAIL`]); or when the jobs are
//!    overdue ([`patience`], [`Load::patience`]).
//! 5. **The report** over [lab start, end), built once [`GRACE`] later (answers in flight land).
//!
//! The runner does no I/O and reads no clock: time and the model are passed in, and it answers
//! with [`Order`]s for a [`Bench`] to carry out — the real labs (`session::Labs`), or a script
//! in a test.
use std::time::Duration;

use crate::data::job::patience;
use crate::data::{Batch, LabConfig, Load, RunId, Work};
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
                [batch, stop, total].into_iter().flatten().min()
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
    use crate::data::{Sample, Workload};

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
}
