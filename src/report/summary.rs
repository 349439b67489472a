//! The report as a few lines for people (`blocklab run` without `--json`).
use super::{NOT_UNSTABLE, Report};

impl Report {
    /// A few lines for people.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let l = &self.lag_ms;
        out += &format!(
            "event-loop lag   p50 {:.3} ms   p99 {:.3} ms   max {:.1} ms   ({} samples)\n",
            l.p50, l.p99, l.max, l.samples
        );
        let r = &self.requests;
        out += &format!(
            "requests         p50 {:.1} ms   p99 {:.1} ms   max {:.1} ms   ({} requests)\n",
            r.p50_ms, r.p99_ms, r.max_ms, r.count
        );
        if self.stalls.is_empty() {
            out += "stalls           none\n";
        }
        for s in &self.stalls {
            let job = s.job.map_or("no job".to_string(), |j| format!("job #{j}"));
            out += &format!(
                "stall            at {:.0} ms for {:.1} ms ({job})\n",
                s.start_ms, s.duration_ms
            );
        }
        for j in &self.jobs {
            out += &format!(
                "job #{:<3}        {} × {} {} ms: {} on {} ({}), waited {}, ran {}\n",
                j.id,
                j.workload,
                j.strategy,
                j.ms,
                j.outcome.as_str(),
                j.thread.as_deref().unwrap_or("-"),
                j.thread_kind.map_or("-", |k| k.as_str()),
                j.wait_ms.map_or("-".into(), |v| format!("{v:.1} ms")),
                j.run_ms.map_or("-".into(), |v| format!("{v:.1} ms")),
            );
            if let Some(e) = &j.error {
                out += &format!("                 error: {e}\n");
            }
        }
        let rt = &self.runtime;
        out += &format!(
            "runtime          {} ({} loop thread(s)), busy {:.0} % mean\n",
            rt.flavor,
            rt.workers,
            rt.busy_ratio_mean * 100.0
        );
        match &self.pools.blocking {
            Some(b) => {
                out += &format!(
                    "blocking pool    peak {} threads, {} busy, {} queued\n",
                    b.threads_max, b.busy_max, b.queue_max
                )
            }
            None => out += &format!("blocking pool    {NOT_UNSTABLE}\n"),
        }
        out
    }
}
