//! The playground's command line, pasted into a shell, runs the same experiment headless: the
//! real binary's `run --json` report names the playground's workload, strategy and ms, and the
//! lab it ran on has the playground's settings.
mod common;

use blocklab::data::{Flavor, LabConfig, Workload};
use blocklab::lab::strategy;
use blocklab::ui::playground::Playground;

#[test]
fn the_command_line_reproduces_the_run_headless() {
    let mut p = Playground::new(&LabConfig::default());
    p.workload = Workload::Sleep;
    p.strategy = strategy::named("thread-pool");
    p.ms = 20;
    p.jobs = 3;
    p.size = 2;
    p.runtime = Flavor::MultiThread;
    p.workers = 2;
    p.max_blocking = 16;
    p.rate = 50;
    p.cpus = 1;
    let args = p.args();
    assert_eq!(args[0], "run");
    let rest: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    let r = common::run_json(&rest);
    let jobs = r["jobs"].as_array().expect("jobs");
    assert_eq!(jobs.len(), 3, "{r}");
    for j in jobs {
        assert_eq!(j["workload"], "sleep");
        assert_eq!(j["strategy"], "thread-pool");
        assert_eq!(j["ms"], 20);
        assert_eq!(j["thread_kind"], "dedicated", "{j}");
    }
    let runtime = &r["runtime"];
    assert_eq!(runtime["flavor"], "multi-thread");
    assert_eq!(runtime["workers"], 2);
    assert_eq!(runtime["cores"], 1);
    assert_eq!(runtime["cpus_pinned"], true);
    assert_eq!(runtime["max_blocking_threads"], 16);
}
