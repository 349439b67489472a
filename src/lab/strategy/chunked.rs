//! `chunked`: CPU work inline, cut into slices with a `yield_now` between them, so the loop
//! runs other tasks every `size` ms. Cooperative: it bounds the lag by one slice.
use super::Entry;
use crate::data::Workload;
use crate::data::strategy::{AtOnce, OwnThreads, Size, SizeDefault, StrategyInfo};
use crate::lab::job::JobCtx;
use crate::lab::workload;

pub const ENTRY: Entry = Entry {
    info: StrategyInfo {
        name: "chunked",
        help: "The workload inline, but yielding to the loop every `size` ms (default 5).",
        size: Some(Size {
            means: "slice ms",
            default: SizeDefault::Fixed(5),
        }),
        own_threads: OwnThreads::None,
        at_once: AtOnce::LoopThreads,
        durable: false,
    },
    run: |job| Box::pin(run(job)),
};

// snippet:start strategy-chunked
pub async fn run(job: JobCtx) {
    job.started();
    let slice_ms = u64::from(job.spec.size);
    let cpu0 = workload::thread_cpu_time();
    let mut left = job.spec.ms;
    while left > 0 {
        let now = left.min(slice_ms);
        match job.spec.workload {
            Workload::Cpu => {
                std::hint::black_box(workload::hash_chain(workload::rounds_for(now)));
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(now)),
        }
        left -= now;
        // Give the thread back: every task that became ready meanwhile runs now.
        tokio::task::yield_now().await;
    }
    let cpu = workload::thread_cpu_time()
        .zip(cpu0)
        .map(|(b, a)| b.saturating_sub(a));
    job.finished(cpu);
}
// snippet:end strategy-chunked
