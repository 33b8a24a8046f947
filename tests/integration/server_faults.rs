//! Every fault of `serve --fault` is caught by the harness: a scenario that passes against
//! the faithful server fails against the faulty one, with the expected kind of failure.
//!
//! The shipped Complete scenario observes the notification and reply faults;
//! `tests/fixtures/server/accept.yaml` (an operation that sends one agent three notifications
//! with a capability list) observes the reordering and the missing capability. Each of the
//! other faults breaks one contract that a shipped scenario asserts, and its test pins the
//! step and the failure that catches it. The runner's step timeout is shortened and the delay
//! fault's delay set beyond it, so these tests stay fast.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use gws_contract::runner::RunOptions;
use gws_contract::scenario::load_file;
use gws_contract::server::{Fault, ServerConfig};
use gws_contract::suite::run_inline;
use gws_contract::verdict::{Failure, FailureKind, ScenarioOutcome, Verdict};

use crate::support::{root, start_server, target_for};

const COMPLETE: &str = "scenarios/facebook/complete.yaml";
const ACCEPT: &str = "tests/fixtures/server/accept.yaml";

/// Runs `scenario` against a server with `faults`. Server and target enable CSRF protection,
/// so scenarios that require it run too.
async fn run(faults: &[Fault], scenario: &str) -> ScenarioOutcome {
    let config = ServerConfig {
        faults: faults.iter().copied().collect::<BTreeSet<_>>(),
        fault_delay: Duration::from_millis(4000),
        csrf: true,
        ..ServerConfig::default()
    };
    let server = start_server(config).await;
    let loaded = load_file(&root().join(scenario)).unwrap_or_else(|d| panic!("{scenario} loads: {d:#?}"));
    let options = RunOptions {
        default_timeout: Duration::from_millis(2000),
        ..RunOptions::default()
    };
    let mut target = (*target_for(&server)).clone();
    target.csrf = true;
    let outcome = run_inline(&loaded, Arc::new(target), &options).await;
    server.shutdown().await;
    outcome
}

/// The failure kinds of an outcome, with the JSON Pointers of notification mismatches.
fn failures(outcome: &ScenarioOutcome) -> Vec<String> {
    outcome.failures.iter().map(failure).collect()
}

/// [`failures`], each prefixed with its step: `step 2 unexpected`.
fn failures_by_step(outcome: &ScenarioOutcome) -> Vec<String> {
    outcome
        .failures
        .iter()
        .map(|f| format!("step {} {}", f.step.number, failure(f)))
        .collect()
}

fn failure(f: &Failure) -> String {
    match &f.kind {
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
    }
}

/// Asserts the fault is caught and returns the failures for closer checks.
async fn caught(fault: Fault, scenario: &str) -> Vec<String> {
    failures(&caught_outcome(fault, scenario).await)
}

async fn caught_outcome(fault: Fault, scenario: &str) -> ScenarioOutcome {
    let outcome = run(&[fault], scenario).await;
    assert_eq!(
        outcome.verdict,
        Verdict::Failed,
        "{fault} not caught: {outcome:#?}"
    );
    outcome
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

const SCENARIOS: &str = "scenarios/facebook";

/// The failures of the shipped scenario `name` (below `scenarios/facebook/`) with `fault`;
/// the scenario must pass without it.
async fn shipped(fault: Fault, name: &str) -> Vec<String> {
    let scenario = format!("{SCENARIOS}/{name}.yaml");
    let faithful = run(&[], &scenario).await;
    assert_eq!(
        faithful.verdict,
        Verdict::Passed,
        "{scenario}: {:#?}",
        faithful.failures
    );
    failures_by_step(&caught_outcome(fault, &scenario).await)
}

/// Only failures of `kind` at step `step` (1-based): "step 3 status 4xx->200".
fn at_step(outcome: &[String], step: usize) -> Vec<&str> {
    let prefix = format!("step {step} ");
    outcome.iter().filter_map(|f| f.strip_prefix(&prefix)).collect()
}

#[tokio::test]
async fn server_fault_missing_parameter_code_is_caught() {
    let found = shipped(Fault::MissingParameterCode, "errors/missing-parameters").await;
    assert_eq!(found.len(), 12, "every refused step: {found:?}");
    assert!(found.iter().all(|f| f.ends_with("body /statusCode")), "{found:?}");
}

#[tokio::test]
async fn server_fault_invalid_state_code_is_caught() {
    let found = shipped(Fault::InvalidStateCode, "accept/accept-while-chatting").await;
    assert_eq!(found, ["step 1 body /statusCode"]);
}

#[tokio::test]
async fn server_fault_unknown_session_ok_is_caught() {
    let found = shipped(Fault::UnknownSessionOk, "errors/unknown-session").await;
    assert_eq!(
        found,
        [
            "step 1 body /statusCode,/statusMessage",
            "step 2 body /statusCode"
        ]
    );
}

#[tokio::test]
async fn server_fault_refusal_notifies_is_caught() {
    let found = shipped(Fault::RefusalNotifies, "accept/accept-while-chatting").await;
    assert_eq!(found, ["step 1 unexpected"]);
}

#[tokio::test]
async fn server_fault_anonymous_accepted_is_caught() {
    // With CSRF on, the anonymous Complete (step 1) still fails for want of a token; the
    // reads, `GET /api/v2/me` and the CometD handshake are served.
    let found = shipped(Fault::AnonymousAccepted, "errors/no-credentials").await;
    assert_eq!(
        found,
        [
            "step 2 status 401 or 403->200",
            "step 3 status 401 or 403->200",
            "step 4 status 401 or 403->200"
        ]
    );
}

#[tokio::test]
async fn server_fault_wrong_password_accepted_is_caught() {
    let found = shipped(Fault::WrongPasswordAccepted, "errors/wrong-password").await;
    assert_eq!(
        found,
        [
            "step 2 status 401 or 403->200",
            "step 3 status 401 or 403->200",
            "step 4 status 401 or 403->200"
        ]
    );
}

#[tokio::test]
async fn server_fault_unauthenticated_http_200_is_caught() {
    let found = shipped(Fault::UnauthenticatedHttp200, "errors/no-credentials").await;
    assert_eq!(
        found,
        [
            "step 1 status 401 or 403->200",
            "step 2 status 401 or 403->200",
            "step 3 status 401 or 403->200",
            "step 4 status 401 or 403->200"
        ]
    );
}

#[tokio::test]
async fn server_fault_csrf_not_enforced_is_caught() {
    let found = shipped(Fault::CsrfNotEnforced, "errors/csrf").await;
    assert_eq!(at_step(&found, 2), ["status 403->200", "unexpected"], "{found:?}");
}

#[tokio::test]
async fn server_fault_unknown_client_retry_is_caught() {
    let found = shipped_in(Fault::UnknownClientRetry, "scenarios/cometd/unknown-client.yaml").await;
    assert_eq!(
        found,
        [
            "step 1 body ,/0/advice/reconnect",
            "step 2 body ,/0/advice/reconnect",
            "step 3 body ,/0/advice/reconnect"
        ]
    );
}

#[tokio::test]
async fn server_fault_unknown_client_wrong_error_is_caught() {
    let found = shipped_in(
        Fault::UnknownClientWrongError,
        "scenarios/cometd/unknown-client.yaml",
    )
    .await;
    assert_eq!(
        found,
        [
            "step 1 body ,/0/error",
            "step 2 body ,/0/error",
            "step 3 body ,/0/error"
        ]
    );
}

#[tokio::test]
async fn server_fault_subscribe_any_channel_is_caught() {
    let found = shipped_in(
        Fault::SubscribeAnyChannel,
        "scenarios/cometd/subscribe-denied.yaml",
    )
    .await;
    // The pointer of a `$contains` element that matched nothing is the array itself (``).
    assert_eq!(found, ["step 2 body ,/0/error,/0/successful"]);
}

#[tokio::test]
async fn server_fault_meta_reply_without_id_is_caught() {
    let found = shipped_in(
        Fault::MetaReplyWithoutId,
        "scenarios/cometd/handshake-connect-subscribe.yaml",
    )
    .await;
    assert_eq!(found.len(), 4, "every reply: {found:?}");
    assert!(found.iter().all(|f| f.contains("/0/id")), "{found:?}");
}

#[tokio::test]
async fn server_fault_left_chat_capabilities_is_caught() {
    let found = shipped_in(Fault::LeftChatCapabilities, "scenarios/facebook/leave.yaml").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("step 1 notification#0 /facebooksession/capabilities"),
        "{found:?}"
    );
}

#[tokio::test]
async fn server_fault_agents_only_visible_to_customer_is_caught() {
    let found = shipped(Fault::AgentsOnlyVisibleToCustomer, "messages/send-to-agents").await;
    assert_eq!(found, ["step 3 body /messages"]);
}

#[tokio::test]
async fn server_fault_agents_only_visibility_all_is_caught() {
    let found = shipped(Fault::AgentsOnlyVisibilityAll, "messages/send-to-agents").await;
    assert_eq!(
        found,
        [
            "step 2 notification#0 /messages/0/visibility",
            "step 2 notification#0 /messages/0/visibility"
        ]
    );
}

#[tokio::test]
async fn server_fault_notify_departed_agents_is_caught() {
    let found = shipped(
        Fault::NotifyDepartedAgents,
        "parties/remove-participant-then-chat",
    )
    .await;
    assert_eq!(found, ["step 2 unexpected", "step 3 unexpected"]);
}

#[tokio::test]
async fn server_fault_typing_not_notified_is_caught() {
    let found = shipped(Fault::TypingNotNotified, "typing/typing").await;
    assert_eq!(found, ["step 1 missing 0/1", "step 2 missing 0/1"]);
}

#[tokio::test]
async fn server_fault_user_data_not_updated_is_caught() {
    let found = shipped(Fault::UserDataNotUpdated, "properties/update-user-data").await;
    assert_eq!(
        found,
        ["step 1 notification#0 /facebooksession/userData/UserData1,/facebooksession/userData/UserData2"]
    );
}

#[tokio::test]
async fn server_fault_delete_user_data_ignored_is_caught() {
    let found = shipped(Fault::DeleteUserDataIgnored, "properties/delete-user-data").await;
    assert_eq!(
        found,
        ["step 1 notification#0 /facebooksession/userData/UserData1"]
    );
}

#[tokio::test]
async fn server_fault_consultant_visible_to_customer_is_caught() {
    let found = shipped(Fault::ConsultantVisibleToCustomer, "parties/consult").await;
    assert_eq!(
        found,
        [
            "step 5 notification#0 /messages/0/visibility",
            "step 5 notification#0 /messages/0/visibility",
            "step 6 body /messages"
        ]
    );
}

#[tokio::test]
async fn server_fault_transfer_not_offered_is_caught() {
    let found = shipped(Fault::TransferNotOffered, "parties/transfer").await;
    assert_eq!(at_step(&found, 2), ["missing 0/1"], "{found:?}");
}

#[tokio::test]
async fn server_fault_accept_without_history_is_caught() {
    let found = shipped(Fault::AcceptWithoutHistory, "accept/accept").await;
    assert_eq!(found, ["step 1 missing 2/3"]);
}

/// Like [`shipped`], for a scenario path relative to the package root.
async fn shipped_in(fault: Fault, scenario: &str) -> Vec<String> {
    let faithful = run(&[], scenario).await;
    assert_eq!(
        faithful.verdict,
        Verdict::Passed,
        "{scenario}: {:#?}",
        faithful.failures
    );
    failures_by_step(&caught_outcome(fault, scenario).await)
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
