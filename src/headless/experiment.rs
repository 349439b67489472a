//! One experiment with no terminal: start a lab with traffic, let it settle, submit the jobs
//! (in batches, as an action does), wait until they end plus a short tail — or stop the lab
//! part-way, as a restart would — and report.
use std::time::Duration;

use crate::data::LabConfig;
use crate::data::{Batch, RunId};
use crate::model::Model;
use crate::report::{Report, Scope};
use crate::session::Session;

#[derive(Clone, Debug)]
pub struct Experiment {
    pub lab: LabConfig,
    pub batches: Vec<Batch>,
    /// Stop the lab this long after the first submission (what happens to work in flight?).
    pub stop_after: Option<Duration>,
    /// Quiet time before the jobs (the baseline).
    pub baseline: Duration,
    /// Time after the last job ends, so the requests queued behind it finish too.
    pub tail: Duration,
    /// Run exactly this long in all, instead of "until the jobs end".
    pub seconds: Option<Duration>,
    /// The batches are a load test: report each step.
    pub load: Option<crate::data::Load>,
}

impl Experiment {
    pub fn new(lab: LabConfig, batches: Vec<Batch>) -> Self {
        Self {
            lab,
            batches,
            stop_after: None,
            baseline: Duration::from_millis(400),
            tail: Duration::from_millis(300),
            seconds: None,
            load: None,
        }
    }

    /// Runs it; returns the report and the model it was built from.
    pub fn run(&self) -> std::io::Result<(Report, Model)> {
        const RUN: RunId = 1;
        let mut session = Session::start(self.lab.clone())?;
        let mut model = Model::new();
        session.pump_until(&mut model, self.baseline, |_| false);
        let submitted = session.now();
        let total: usize = self.batches.iter().map(|b| b.jobs).sum();
        let mut batches = self.batches.clone();
        batches.sort_by_key(|b| b.after);
        for batch in &batches {
            session.pump_until(&mut model, submitted + batch.after, |_| false);
            session.lab.submit(RUN, batch.work, batch.jobs);
        }

        let end = if let Some(after) = self.stop_after {
            session.pump_until(&mut model, submitted + after, |_| false);
            session.lab.stop();
            let lab = session.lab.id();
            session.pump_until(&mut model, session.now() + Duration::from_secs(15), |m| {
                m.lab_stopped(lab).is_some()
            });
            model.lab_stopped(lab).unwrap_or_else(|| session.now())
        } else if let Some(total_time) = self.seconds {
            total_time.max(session.now())
        } else {
            let all_done = |m: &Model| {
                let jobs: Vec<_> = m.run_jobs(RUN).collect();
                jobs.len() == total && jobs.iter().all(|j| j.is_done())
            };
            session.pump_until(
                &mut model,
                submitted + crate::data::job::patience(&self.batches),
                all_done,
            );
            session.now() + self.tail
        };
        session.pump_until(&mut model, end, |_| false);
        // Let answers already in flight land (a ping sent just before `end`).
        session.pump_until(&mut model, end + Duration::from_millis(40), |_| false);
        let scope = Scope {
            from: Duration::ZERO,
            to: end,
            baseline: (Duration::ZERO, submitted),
            run: None,
            load: self.load.clone().map(|l| (submitted, l)),
        };
        Ok((Report::build(&model, scope, &self.lab), model))
    }
}
