//! The machine-readable JSON report and its failure modes.

use serde_json::Value;

use crate::support::{redact, run_cli};

#[tokio::test]
async fn json_report_carries_failures_with_pointers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.json");
    let path_text = path.to_string_lossy().into_owned();
    let output = run_cli(&[
        "verify",
        "--report-json",
        &path_text,
        "scenarios/facebook/complete.yaml",
        "tests/fixtures/complete-wrong-state.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("report written"))
        .expect("report is JSON");
    assert_eq!(report["version"], 2);
    assert_eq!(report["summary"]["scenarios"], 2);
    assert_eq!(report["summary"]["passed"], 1);
    assert_eq!(report["summary"]["failed"], 1);
    // Each notification carries its latency from its step's request; the run summarises them.
    let latencies: Vec<f64> = report["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .flat_map(|s| {
            s["transcript"]["exchanges"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .flat_map(|e| {
            e["notifications"]
                .as_object()
                .map(|by_actor| {
                    by_actor
                        .values()
                        .flat_map(|n| n.as_array().cloned().unwrap_or_default())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .map(|n| n["at_ms"].as_f64().expect("every notification has its latency"))
        .collect();
    let latency = &report["summary"]["latency"];
    assert_eq!(latency["notifications"], latencies.len(), "{latency}");
    assert!(!latencies.is_empty());
    let max = latencies.iter().copied().fold(0.0, f64::max);
    assert_eq!(latency["max_ms"].as_f64(), Some(max), "{latency}");
    let p50 = latency["p50_ms"].as_f64().expect("p50");
    let p95 = latency["p95_ms"].as_f64().expect("p95");
    assert!(p50 <= p95 && p95 <= max, "{latency}");
    let failed = report["scenarios"]
        .as_array()
        .expect("scenarios array")
        .iter()
        .find(|s| s["verdict"] == "failed")
        .expect("one failed scenario");
    let failure = &failed["failures"][0];
    assert_eq!(failure["actor"], "agent1");
    assert_eq!(failure["step"]["number"], 1);
    assert_eq!(failure["kind"]["kind"], "notification");
    assert_eq!(
        failure["kind"]["mismatches"][0]["pointer"],
        "/facebooksession/state"
    );
    assert_eq!(failure["kind"]["mismatches"][0]["expected"], "LeftChat");
    assert_eq!(failure["kind"]["mismatches"][0]["actual"], "Completed");
    assert_eq!(failure["pos"]["line"], 41);
    // `state: LeftChat` is written on line 47 of the fixture.
    assert_eq!(failure["kind"]["mismatch_lines"], serde_json::json!([47]));
    // The RFC 6902 patch from the normalised expected to the normalised actual: exactly the
    // one real difference.
    assert_eq!(
        failure["kind"]["patch"],
        serde_json::json!([{"op": "replace", "path": "/facebooksession/state", "value": "Completed"}])
    );
    // No leftover temporary files next to the report.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["report.json"]);
}

#[tokio::test]
async fn unwritable_json_report_is_an_infrastructure_error_before_running() {
    let output = run_cli(&[
        "verify",
        "--report-json",
        // Below a regular file: no directory can be created there, not even as root.
        "Cargo.toml/reports/report.json",
        "scenarios/facebook/complete.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(3));
    assert!(
        output.stdout.is_empty(),
        "nothing ran: {}",
        redact(&output.stdout)
    );
    insta::assert_snapshot!(redact(&output.stderr));
}

#[tokio::test]
async fn missing_report_directories_are_created() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/deeper/report.json");
    let output = run_cli(&[
        "verify",
        "--report-json",
        &path.to_string_lossy(),
        "scenarios/facebook/complete.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("report written"))
        .expect("report is JSON");
    assert_eq!(report["summary"]["passed"], 1);
}

#[tokio::test]
async fn coverage_lists_operations_by_state_and_the_gaps_in_text_and_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("report.json");
    let output = run_cli(&[
        "verify",
        "--coverage",
        "--report-json",
        &path.to_string_lossy(),
        // The four seed scenarios: a small table with many gaps.
        "scenarios/facebook/*.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let table: String = stdout
        .lines()
        .skip_while(|l| !l.starts_with("coverage:"))
        .take_while(|l| !l.contains("scenario(s):"))
        .map(|l| format!("{l}\n"))
        .collect();
    insta::assert_snapshot!(table);
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("report written"))
        .expect("report is JSON");
    assert_eq!(
        report["coverage"]["operations"]["Complete"]["Chatting"]["status_codes"]["0"],
        1
    );
    assert!(
        report["coverage"]["never_exercised"]
            .as_array()
            .expect("list")
            .contains(&Value::from("Accept"))
    );
}
