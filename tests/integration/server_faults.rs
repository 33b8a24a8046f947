//! Every fault of `serve --fault` is caught by the harness: a scenario that passes against
//! the faithful server fails against the faulty one, with the expected kind of failure.
//!
//! The shipped Complete scenario observes most faults; `tests/fixtures/server/accept.yaml`
//! (an operation that sends one agent three notifications with a capability list) observes
//! the reordering and the missing capability. The runner's step timeout is shortened and the
//! delay fault's delay set beyond it, so these tests stay fast.

use std::collections::BTreeSet;
use std::time::Duration;

use gws_contract::runner::RunOptions;
use gws_contract::scenario::load_file;
use gws_contract::server::{Fault, ServerConfig};
use gws_contract::suite::run_inline;
use gws_contract::verdict::{FailureKind, ScenarioOutcome, Verdict};

use crate::support::{root, start_server, target_for};

const COMPLETE: &str = "scenarios/facebook/complete.yaml";
const ACCEPT: &str = "tests/fixtures/server/accept.yaml";

/// Runs `scenario` against a server with `faults`.
async fn run(faults: &[Fault], scenario: &str) -> ScenarioOutcome {
    let config = ServerConfig {
        faults: faults.iter().copied().collect::<BTreeSet<_>>(),
        fault_delay: Duration::from_millis(4000),
        ..ServerConfig::default()
    };
    let server = start_server(config).await;
    let loaded = load_file(&root().join(scenario)).unwrap_or_else(|d| panic!("{scenario} loads: {d:#?}"));
    let options = RunOptions {
        default_timeout: Duration::from_millis(2000),
        ..RunOptions::default()
    };
    let outcome = run_inline(&loaded, target_for(&server), &options).await;
    server.shutdown().await;
    outcome
}

/// The failure kinds of an outcome, with the JSON Pointers of notification mismatches.
fn failures(outcome: &ScenarioOutcome) -> Vec<String> {
    outcome
        .failures
        .iter()
        .map(|f| match &f.kind {
            FailureKind::Status { expected, actual, .. } => format!("status {expected}->{actual}"),
            FailureKind::Body { mismatches, .. } => {
                let pointers: Vec<&str> = mismatches.iter().map(|m| m.pointer.as_str()).collect();
                format!("body {}", pointers.join(","))
            }
            FailureKind::Notification {
                index, mismatches, ..
            } => {
                let pointers: Vec<&str> = mismatches.iter().map(|m| m.pointer.as_str()).collect();
                format!("notification#{index} {}", pointers.join(","))
            }
            FailureKind::Missing {
                expected, received, ..
            } => format!("missing {received}/{expected}"),
            FailureKind::Unexpected { .. } => "unexpected".to_owned(),
            other => format!("{other:?}"),
        })
        .collect()
}

/// Asserts the fault is caught and returns the failures for closer checks.
async fn caught(fault: Fault, scenario: &str) -> Vec<String> {
    let outcome = run(&[fault], scenario).await;
    assert_eq!(
        outcome.verdict,
        Verdict::Failed,
        "{fault} not caught: {outcome:#?}"
    );
    failures(&outcome)
}

#[tokio::test]
async fn server_fault_scenarios_pass_without_faults() {
    for scenario in [COMPLETE, ACCEPT] {
        let outcome = run(&[], scenario).await;
        assert_eq!(
            outcome.verdict,
            Verdict::Passed,
            "{scenario}: {:#?}",
            outcome.failures
        );
    }
}

#[tokio::test]
async fn server_fault_drop_notification_is_caught() {
    assert_eq!(caught(Fault::DropNotification, COMPLETE).await, ["missing 0/1"]);
}

#[tokio::test]
async fn server_fault_duplicate_notification_is_caught() {
    assert_eq!(
        caught(Fault::DuplicateNotification, COMPLETE).await,
        ["unexpected"]
    );
}

#[tokio::test]
async fn server_fault_reorder_notifications_is_caught() {
    let found = caught(Fault::ReorderNotifications, ACCEPT).await;
    assert!(
        found.iter().any(|f| f.starts_with("notification#0 ")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.starts_with("notification#1 ")),
        "{found:?}"
    );
    assert!(found.iter().all(|f| f.starts_with("notification#")), "{found:?}");
}

#[tokio::test]
async fn server_fault_delay_notification_is_caught() {
    assert_eq!(caught(Fault::DelayNotification, COMPLETE).await, ["missing 0/1"]);
}

#[tokio::test]
async fn server_fault_wrong_state_is_caught() {
    assert_eq!(
        caught(Fault::WrongState, COMPLETE).await,
        ["notification#0 /facebooksession/state"]
    );
}

#[tokio::test]
async fn server_fault_wrong_status_code_is_caught() {
    assert_eq!(
        caught(Fault::WrongStatusCode, COMPLETE).await,
        ["body /statusCode"]
    );
}

#[tokio::test]
async fn server_fault_wrong_http_status_is_caught() {
    assert_eq!(
        caught(Fault::WrongHttpStatus, COMPLETE).await,
        ["status 200->202"]
    );
}

#[tokio::test]
async fn server_fault_renamed_field_is_caught() {
    assert_eq!(
        caught(Fault::RenamedField, COMPLETE).await,
        ["notification#0 /facebooksession"]
    );
}

#[tokio::test]
async fn server_fault_wrong_agent_is_caught() {
    assert_eq!(caught(Fault::WrongAgent, COMPLETE).await, ["missing 0/1"]);
}

#[tokio::test]
async fn server_fault_extra_notification_is_caught() {
    assert_eq!(caught(Fault::ExtraNotification, COMPLETE).await, ["unexpected"]);
}

#[tokio::test]
async fn server_fault_missing_capability_is_caught() {
    let found = caught(Fault::MissingCapability, ACCEPT).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("notification#0 /facebooksession/capabilities"),
        "{found:?}"
    );
}

#[tokio::test]
async fn server_fault_missing_reference_id_is_caught() {
    assert_eq!(
        caught(Fault::MissingReferenceId, COMPLETE).await,
        ["notification#0 /referenceId"]
    );
}

/// Every fault the server offers has a test above; a new fault without one fails here.
#[test]
fn server_every_fault_has_a_test() {
    let source =
        std::fs::read_to_string(root().join("tests/integration/server_faults.rs")).expect("own source");
    for fault in Fault::ALL {
        let test = format!("fn server_fault_{}_is_caught", fault.name().replace('-', "_"));
        assert!(source.contains(&test), "no `{test}` for fault {fault}");
    }
}
