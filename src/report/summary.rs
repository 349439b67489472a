//! The report as a few lines for people (`blocklab run` without `--json`).
use super::Report;
use crate::text::T;

impl Report {
    /// A few lines for people.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let mut line = |text: String| {
            out += &text;
            out.push('\n');
        };
        let l = &self.lag_ms;
        line(T::SummaryLag.fill(&[
            ("p50", &format!("{:.3}", l.p50)),
            ("p99", &format!("{:.3}", l.p99)),
            ("max", &format!("{:.1}", l.max)),
            ("samples", &l.samples),
        ]));
        let r = &self.requests;
        line(T::SummaryRequests.fill(&[
            ("p50", &format!("{:.1}", r.p50_ms)),
            ("p99", &format!("{:.1}", r.p99_ms)),
            ("max", &format!("{:.1}", r.max_ms)),
            ("count", &r.count),
        ]));
        if self.stalls.is_empty() {
            line(T::SummaryNoStalls.into());
        }
        for s in &self.stalls {
            let job = s.job.map_or(T::SummaryStallNoJob.into(), |j| {
                T::SummaryStallJob.fill(&[("id", &j)])
            });
            line(T::SummaryStall.fill(&[
                ("at", &format!("{:.0}", s.start_ms)),
                ("duration", &format!("{:.1}", s.duration_ms)),
                ("job", &job),
            ]));
        }
        let ms =
            |v: Option<f64>| v.map_or("-".into(), |v| T::Millis.fill(&[("n", &format!("{v:.1}"))]));
        for j in &self.jobs {
            line(T::SummaryJob.fill(&[
                ("id", &format!("{:<3}", j.id)),
                ("workload", &j.workload),
                ("strategy", &j.strategy),
                ("ms", &j.ms),
                ("outcome", &j.outcome.as_str()),
                ("thread", &j.thread.as_deref().unwrap_or("-")),
                ("kind", &j.thread_kind.map_or("-", |k| k.as_str())),
                ("waited", &ms(j.wait_ms)),
                ("ran", &ms(j.run_ms)),
            ]));
            if let Some(e) = &j.error {
                line(T::SummaryJobError.fill(&[("error", e)]));
            }
        }
        let rt = &self.runtime;
        line(T::SummaryRuntime.fill(&[
            ("flavor", &rt.flavor),
            ("workers", &rt.workers),
            ("busy", &format!("{:.0}", rt.busy_ratio_mean * 100.0)),
        ]));
        line(match &self.pools.blocking {
            Some(b) => T::SummaryBlocking.fill(&[
                ("threads", &b.threads_max),
                ("busy", &b.busy_max),
                ("queued", &b.queue_max),
            ]),
            None => T::SummaryBlockingNote.fill(&[("note", &T::NotUnstable)]),
        });
        out
    }
}
