//! One experiment with no terminal: start a lab with traffic, let it settle, submit the jobs,
//! wait until they finish plus a short tail, and report.
use std::time::Duration;

use crate::lab::LabConfig;
use crate::lab::job::RunId;
use crate::lab::strategy::Strategy;
use crate::lab::workload::Workload;
use crate::model::Model;
use crate::report::{Report, Scope};
use crate::session::Session;

#[derive(Clone, Debug)]
pub struct Experiment {
    pub lab: LabConfig,
    pub workload: Workload,
    pub strategy: Strategy,
    pub ms: u64,
    pub jobs: usize,
    /// Quiet time before the jobs (the baseline).
    pub baseline: Duration,
    /// Time after the last job ends, so the requests queued behind it finish too.
    pub tail: Duration,
    /// Run exactly this long in all, instead of "until the jobs finish".
    pub seconds: Option<Duration>,
}

impl Experiment {
    pub fn new(
        lab: LabConfig,
        workload: Workload,
        strategy: Strategy,
        ms: u64,
        jobs: usize,
    ) -> Self {
        Self {
            lab,
            workload,
            strategy,
            ms,
            jobs,
            baseline: Duration::from_millis(400),
            tail: Duration::from_millis(300),
            seconds: None,
        }
    }

    /// Runs it; returns the report and the model it was built from.
    pub fn run(&self) -> std::io::Result<(Report, Model)> {
        const RUN: RunId = 1;
        let session = Session::start(self.lab.clone())?;
        let mut model = Model::new();
        session.pump_until(&mut model, self.baseline, |_| false);
        let submitted = session.now();
        session
            .lab
            .submit(RUN, self.workload, self.strategy, self.ms, self.jobs);

        let end = match self.seconds {
            Some(total) => total.max(submitted),
            None => {
                // Generous: all jobs one after another, twice over, plus slack.
                let limit = submitted
                    + Duration::from_millis(self.ms) * (2 * self.jobs as u32)
                    + Duration::from_secs(10);
                let all_done = |m: &Model| {
                    let jobs: Vec<_> = m.run_jobs(RUN).collect();
                    jobs.len() == self.jobs && jobs.iter().all(|j| j.is_done())
                };
                session.pump_until(&mut model, limit, all_done);
                session.now() + self.tail
            }
        };
        session.pump_until(&mut model, end, |_| false);
        // Let answers already in flight land (a ping sent just before `end`).
        session.pump_until(&mut model, end + Duration::from_millis(40), |_| false);
        let scope = Scope {
            from: Duration::ZERO,
            to: end,
            baseline: (Duration::ZERO, submitted),
            run: None,
        };
        Ok((Report::build(&model, scope, &self.lab), model))
    }
}
