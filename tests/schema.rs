//! The JSON report keeps its contract: real `blocklab run --json` output, and a load test's
//! report, validate against the schema file in the repository (`src/report/schema.json`).
mod common;

use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let text = include_str!("../src/report/schema.json");
    let schema: Value = serde_json::from_str(text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn assert_valid(report: &Value, what: &str) {
    let errors: Vec<String> = schema()
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}:\n{}\n{report}",
        errors.join("\n")
    );
}

#[test]
fn run_json_validates_against_the_schema() {
    for args in [
        // Ok jobs on the blocking pool, with their counters.
        &[
            "--workload",
            "sleep",
            "--strategy",
            "spawn-blocking",
            "--ms",
            "30",
            "--jobs",
            "3",
        ][..],
        // A stall and a long poll on a pinned lab.
        &[
            "--workload",
            "cpu",
            "--strategy",
            "inline",
            "--ms",
            "30",
            "--cpus",
            "1",
        ][..],
        // A stopped lab: abandoned, cancelled and lost jobs; a failed one.
        &[
            "--workload",
            "sleep",
            "--strategy",
            "thread-pool",
            "--size",
            "1",
            "--ms",
            "300",
            "--jobs",
            "2",
            "--stop-after-ms",
            "50",
        ][..],
        &[
            "--workload",
            "panic",
            "--strategy",
            "process-pool",
            "--ms",
            "10",
        ][..],
        &[
            "--workload",
            "sleep",
            "--strategy",
            "inline",
            "--ms",
            "20",
            "--runtime",
            "multi-thread",
            "--workers",
            "2",
            "--stop-after-ms",
            "5",
        ][..],
    ] {
        let report = common::run_json(args);
        assert_valid(&report, &format!("run {args:?}"));
    }
}

/// A sizing sweep's steps are in the report, one per multiple, each with its figures.
#[test]
fn a_sweep_reports_its_steps_within_the_schema() {
    let report = common::run_json(&[
        "--workload",
        "mixed",
        "--strategy",
        "thread-pool",
        "--ms",
        "20",
        "--sweep",
        "1,2",
        "--cpus",
        "1",
    ]);
    assert_valid(&report, "run --sweep 1,2");
    let sizing = &report["sizing"];
    assert_eq!(sizing["cores"], 1);
    let steps = sizing["steps"].as_array().expect("the steps");
    let threads: Vec<_> = steps.iter().map(|s| s["threads"].as_u64()).collect();
    assert_eq!(threads, [Some(1), Some(2)]);
    for s in steps {
        assert_eq!(s["ok"], s["jobs"], "{s}");
        assert!(s["throughput"].as_f64() > Some(0.0), "{s}");
    }
    assert!(
        report["jobs"]
            .as_array()
            .is_some_and(|j| j.iter().all(|j| j["workload"] == "mixed"))
    );
}

#[test]
fn a_falsified_report_fails_the_schema() {
    let mut report =
        common::run_json(&["--workload", "async", "--strategy", "inline", "--ms", "5"]);
    report["jobs"][0]["outcome"] = Value::from("maybe");
    assert!(
        schema().iter_errors(&report).next().is_some(),
        "an unknown outcome passed"
    );
    let mut report =
        common::run_json(&["--workload", "async", "--strategy", "inline", "--ms", "5"]);
    report["lag_ms"]["extra"] = Value::from(1);
    assert!(
        schema().iter_errors(&report).next().is_some(),
        "an unknown field passed"
    );
}

#[test]
fn a_load_tests_report_validates_too() {
    use blocklab::data::{LabConfig, Load, Workload};
    use blocklab::lab::strategy;
    use blocklab::runner::Plan;

    let _turn = common::turn();
    let work = blocklab::data::Work {
        workload: Workload::Async,
        strategy: strategy::named("inline"),
        ms: 5,
        size: 0,
    };
    let load = Load {
        rates: vec![50, 100],
        step: std::time::Duration::from_millis(200),
    };
    let mut plan = Plan::once(LabConfig::default(), work, 1);
    plan.batches.clear();
    plan.load = Some((work, load));
    let (report, _) = blocklab::headless::run(plan).unwrap();
    let report = serde_json::to_value(&report).unwrap();
    assert_eq!(report["load"].as_array().map(Vec::len), Some(2), "{report}");
    assert_valid(&report, "a load test");
}
