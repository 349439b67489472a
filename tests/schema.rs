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

fn check_schema() -> jsonschema::Validator {
    let text = include_str!("../src/report/check.schema.json");
    let schema: Value = serde_json::from_str(text).expect("the check schema is JSON");
    jsonschema::validator_for(&schema).expect("the check schema is a valid JSON Schema")
}

fn assert_valid_check(out: &Value, what: &str) {
    let errors: Vec<String> = check_schema()
        .iter_errors(out)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}\n{out}", errors.join("\n"));
}

/// `blocklab check --json` on a short lesson: one JSON object on stdout, valid against its
/// schema, with a verdict per expectation that agrees with the totals and the exit code.
#[test]
fn check_json_validates_against_its_schema() {
    let _turn = common::turn();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_blocklab"))
        .args(["check", "--json", "--cpus", "1", "semaphore"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "exactly one JSON object on stdout:\n{stdout}"
    );
    let check: Value = serde_json::from_str(&stdout).unwrap();
    assert_valid_check(&check, "check --json semaphore");
    assert_eq!(check["lessons"], serde_json::json!(["semaphore"]));
    assert_eq!(check["lab"]["cpus"], 1);
    assert_eq!(check["lab"]["cores"], 1);
    let verdicts = check["verdicts"].as_array().unwrap();
    assert!(verdicts.len() >= 2, "{check}");
    // Semaphore offers prediction choices: their claim is one more verdict in the totals.
    let choices = check["choices"].as_array().unwrap();
    assert_eq!(choices.len(), 1, "{check}");
    assert_eq!(choices[0]["lesson"], "semaphore");
    let count = |result: &str| {
        let all = verdicts.iter().chain(choices);
        all.filter(|v| v["result"] == result).count()
    };
    assert_eq!(check["totals"]["passed"], count("pass"));
    assert_eq!(check["totals"]["failed"], count("fail"));
    assert_eq!(check["totals"]["skipped"], count("skip"));
    assert_eq!(out.status.success(), count("fail") == 0, "{check}");
    // A number where the metric has one, as the text shows it.
    let timed = verdicts
        .iter()
        .find(|v| v["unit"] == "ms" && v["result"] != "skip")
        .expect("a verdict in milliseconds");
    let value = timed["value"].as_f64().unwrap();
    assert!(
        timed["measured"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{value:.1} ms")),
        "{timed}"
    );
}

/// The load and sizing tables, made up here (the lessons that have them run for a minute),
/// validate too; and they are the same objects as in `run --json`'s schema.
#[test]
fn check_json_tables_validate_and_match_the_run_schema() {
    use blocklab::headless::check::Row;
    use blocklab::report::check::CheckOut;
    use blocklab::report::{LoadStepOut, Report, SizingOut, SizingStepOut};

    let lesson = blocklab::lesson::builtin()
        .lessons
        .into_iter()
        .find(|l| l.id == "thread-pool")
        .unwrap();
    let action = &lesson.actions[0];
    let mut report = Report::empty();
    report.load = Some(vec![LoadStepOut {
        rate: 100,
        sent: 100,
        answered: 100,
        errors: 0,
        timeouts: 0,
        throughput: 99.5,
        p50_ms: 2.0,
        p99_ms: 4.5,
        held: true,
    }]);
    report.load_held_rate = Some(100);
    report.sizing = Some(SizingOut {
        cores: 2,
        steps: vec![SizingStepOut {
            multiple: 1,
            threads: 2,
            jobs: 8,
            ok: 8,
            span_ms: 100.0,
            throughput: 80.0,
            latency_p50_ms: 50.0,
            latency_p99_ms: 99.0,
            run_p50_ms: 25.0,
            run_p99_ms: 26.0,
        }],
        best_multiple: 1,
        best_throughput: 80.0,
    });
    let rows = [false, true].map(|skipped| Row {
        lesson: lesson.id.clone(),
        key: action.key,
        label: action.label.to_string(),
        expectation: "job.thread is blocking-pool".into(),
        measured: "blocking-pool".into(),
        value: None,
        pass: true,
        skipped,
    });
    let mut out = CheckOut::new(vec![lesson.id.clone()], None);
    out.add(&lesson.id, action, &rows, &report);
    let out = serde_json::to_value(&out).unwrap();
    assert_valid_check(&out, "made-up tables");
    assert_eq!(out["load"][0]["held_rate"], 100);
    assert_eq!(out["sizing"][0]["x2_threads"], 4);
    assert_eq!(out["totals"]["skipped"], 1);
    assert_eq!(out["lab"]["cpus"], Value::Null);

    // One description of a load step and of a sweep, in both schemas.
    let run: Value = serde_json::from_str(include_str!("../src/report/schema.json")).unwrap();
    let check: Value =
        serde_json::from_str(include_str!("../src/report/check.schema.json")).unwrap();
    assert_eq!(
        check["$defs"]["load_step"],
        run["properties"]["load"]["items"]
    );
    for part in ["properties", "required", "additionalProperties"] {
        assert_eq!(
            check["$defs"]["sizing"][part], run["properties"]["sizing"][part],
            "sizing {part}"
        );
    }

    let mut falsified = out.clone();
    falsified["verdicts"][0]["result"] = Value::from("maybe");
    assert!(check_schema().iter_errors(&falsified).next().is_some());
}
