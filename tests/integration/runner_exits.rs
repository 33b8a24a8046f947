//! Exit codes of `verify` for every way a run can end (DESIGN.md §2): a broken target is 3, a
//! scenario the target refuses as written (or an invalid file) is 2, a failed expectation is 1.

use gws_contract::runner::{RunError, RunErrorKind};
use gws_contract::server::ServerConfig;
use gws_contract::verdict::{FailureKind, NoteKind, Verdict};

use crate::support::{redact, run_cli, run_file, start_server};

#[tokio::test]
async fn a_state_the_hook_does_not_know_is_a_scenario_error_reported_once() {
    let output = run_cli(&["verify", "tests/fixtures/runner/unknown-state.yaml"]).await;
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn an_invalid_scenario_file_exits_two_before_running() {
    let output = run_cli(&["verify", "tests/fixtures/invalid/unknown-method.yaml"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        output.stdout.is_empty(),
        "nothing ran: {}",
        redact(&output.stdout)
    );
    assert!(redact(&output.stderr).contains("unknown HTTP method `POTS`"));
}

#[tokio::test]
async fn a_refused_login_is_an_infrastructure_error() {
    // The embedded server's users have other passwords than the one the runner is given.
    let server = start_server(ServerConfig {
        users: vec![("agent1".into(), "not-the-default".into())],
        ..ServerConfig::default()
    })
    .await;
    let output = run_cli(&[
        "verify",
        "--target",
        &server.url(),
        "scenarios/facebook/complete.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(3));
    let stdout = redact(&output.stdout);
    assert!(
        stdout.contains("login as user `agent1` refused: HTTP 401"),
        "{stdout}"
    );
    assert!(!stdout.contains("password"), "{stdout}");
}

#[tokio::test]
async fn a_capture_that_finds_nothing_fails_and_skips_what_depends_on_it() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/capture-fails.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed, "{outcome:#?}");
    assert_eq!(outcome.error, None);
    assert!(matches!(&outcome.failures[0].kind, FailureKind::Capture { name, .. } if name == "me"));
    assert_eq!(outcome.failures[0].actor.as_deref(), Some("agent1"));
    assert!(
        outcome.notes.iter().any(|n| n.step.number == 2
            && matches!(&n.kind, NoteKind::Skipped { undefined } if undefined == &["me"])),
        "{:#?}",
        outcome.notes
    );
    // Step 2 never reached the target.
    assert!(outcome.transcript.exchanges.iter().all(|s| s.step.number != 2));
    let output = crate::support::run_cli(&["verify", "tests/fixtures/runner/capture-fails.yaml"]).await;
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn scenario_errors_are_typed_in_the_outcome() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/unknown-state.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Error);
    let Some(RunError {
        kind: RunErrorKind::Scenario,
        message,
        ..
    }) = &outcome.error
    else {
        panic!("{outcome:#?}")
    };
    assert!(
        message.contains("unknown state `facebook sesion chatting`"),
        "{message}"
    );
    assert!(
        message.contains("facebook session chatting"),
        "the valid states are listed: {message}"
    );
    assert!(
        outcome.failures.is_empty(),
        "reported once, as the error: {:#?}",
        outcome.failures
    );
}
