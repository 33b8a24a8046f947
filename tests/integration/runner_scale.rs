//! Nothing is lost at high concurrency: copies of the four seed scenarios run all at once
//! against the embedded server, and every expected notification arrives. Loopback only and
//! bounded (a few hundred scenarios); the step timeout is generous because this is about
//! arrival, not speed, and the test shares the machine with others.

use serde_json::Value;

use crate::runner_sessions::seed_copy;
use crate::support::{run_cli, write};

const SEEDS: [&str; 4] = [
    "complete",
    "leave",
    "remove-participant-from-conference",
    "set-disposition",
];
const COPIES: usize = 240;

#[tokio::test]
async fn scale_every_expected_notification_arrives_with_every_scenario_running_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).expect("scenario dir");
    for i in 0..COPIES {
        let seed = SEEDS[i % SEEDS.len()];
        let name = format!("{i:04}-{seed}");
        write(
            &scenarios,
            &format!("{name}.yaml"),
            &seed_copy(seed, &name, "timeout: 60s\n"),
        );
    }
    let report = dir.path().join("report.json");
    let empty = dir.path().join("golden");
    let jobs = COPIES.to_string();
    let output = run_cli(&[
        "verify",
        "-q",
        "--jobs",
        &jobs,
        "--golden",
        &empty.to_string_lossy(),
        "--report-json",
        &report.to_string_lossy(),
        &scenarios.to_string_lossy(),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("{COPIES} scenario(s): {COPIES} passed")),
        "{stdout}"
    );
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    let mut received = 0;
    for scenario in json["scenarios"].as_array().expect("scenarios") {
        let step = &scenario["transcript"]["exchanges"][1];
        let planned: u64 = step["wait"]["planned"]
            .as_object()
            .expect("planned counts")
            .values()
            .filter_map(Value::as_u64)
            .sum();
        let arrived: usize = step["notifications"]
            .as_object()
            .expect("notifications")
            .values()
            .filter_map(Value::as_array)
            .map(Vec::len)
            .sum();
        assert_eq!(arrived as u64, planned, "{}", scenario["name"]);
        assert_eq!(
            step["wait"]["timed_out"],
            serde_json::json!([]),
            "{}",
            scenario["name"]
        );
        // Each slot's actors are users of their own: nothing of another scenario arrives.
        assert_eq!(step["ignored"], serde_json::json!({}), "{}", scenario["name"]);
        received += arrived;
    }
    // 1 + 1 + 7 + 1 per round of the four seeds.
    assert_eq!(received, COPIES / 4 * 10);
}
