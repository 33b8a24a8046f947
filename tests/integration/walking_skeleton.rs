//! Issue 2: the Complete scenario runs end to end against the embedded reference server,
//! fails precisely when an expectation is wrong, and runs against an external server too.

use gws_contract::server::ServerConfig;
use gws_contract::verdict::{FailureKind, Verdict};

use crate::support::{exists, redact, run_cli, run_file, start_server};

#[tokio::test]
async fn complete_scenario_passes_in_process() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "scenarios/facebook/complete.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Passed, "{outcome:#?}");
    let step = &outcome.transcript.exchanges[1];
    assert_eq!(step.reply().map(|r| r.status), Some(200));
    let received = step.data_of("agent1");
    assert_eq!(
        received.len(),
        1,
        "exactly one notification for agent1: {received:#?}"
    );
    assert_eq!(received[0]["facebooksession"]["state"], "Completed");
}

#[tokio::test]
async fn wrong_expectation_fails_with_pointer_expected_and_actual() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/complete-wrong-state.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    assert_eq!(outcome.failures.len(), 1, "{:#?}", outcome.failures);
    let failure = &outcome.failures[0];
    assert_eq!(failure.actor.as_deref(), Some("agent1"));
    assert_eq!(failure.step.number, 1);
    let FailureKind::Notification { mismatches, .. } = &failure.kind else {
        panic!("expected a notification failure, got {failure:#?}");
    };
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].pointer, "/facebooksession/state");
    assert_eq!(mismatches[0].expected, "LeftChat");
    assert_eq!(
        mismatches[0].actual.as_ref().and_then(|v| v.as_str()),
        Some("Completed")
    );
}

#[tokio::test]
async fn cli_verify_embedded_passes_and_exits_zero() {
    let output = run_cli(&["verify", "scenarios/facebook/complete.yaml"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn cli_verify_wrong_expectation_exits_one_and_names_pointer() {
    assert!(exists("tests/fixtures/complete-wrong-state.yaml"));
    let output = run_cli(&["verify", "tests/fixtures/complete-wrong-state.yaml"]).await;
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn cli_verify_against_external_target() {
    let server = start_server(ServerConfig::default()).await;
    let url = server.url();
    let output = run_cli(&["verify", "--target", &url, "scenarios/facebook/complete.yaml"]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        redact(&output.stdout),
        redact(&output.stderr)
    );
}

#[tokio::test]
async fn cli_verify_unreachable_target_exits_three_with_one_line() {
    let output = run_cli(&[
        "verify",
        "--target",
        "http://127.0.0.1:1",
        "scenarios/facebook/complete.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(3));
    let stderr = redact(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot reach target http://127.0.0.1:[port]/"),
        "{stderr}"
    );
}

#[tokio::test]
async fn teardown_removes_what_the_scenario_set_up() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "scenarios/facebook/complete.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Passed, "{outcome:#?}");
    assert!(
        outcome.notes.is_empty(),
        "teardown reported problems: {:#?}",
        outcome.notes
    );
    // The runner sent the setup reply back with the teardown, so the session is gone.
    assert_eq!(server.stats().sessions, 0);
}
