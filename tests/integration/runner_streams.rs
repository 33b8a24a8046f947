//! Stream semantics of the runner (DESIGN.md §3): strict and lenient streams per scenario and
//! per actor, lenient ordering, timeouts that report what did arrive, and parallel scenarios
//! with the same users that never see each other's notifications.

use gws_contract::runner::{FailureKind, NoteKind, Verdict};
use gws_contract::server::ServerConfig;

use crate::support::{redact, run_cli, run_file, start_server};

#[tokio::test]
async fn strict_stream_fails_on_an_unexpected_notification() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/strict-extra.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    assert_eq!(outcome.failures.len(), 1, "{:#?}", outcome.failures);
    let failure = &outcome.failures[0];
    assert_eq!(failure.actor.as_deref(), Some("agent1"));
    let FailureKind::Unexpected { actual } = &failure.kind else {
        panic!("{failure:#?}")
    };
    assert_eq!(actual["messages"][0]["text"], "Are you there?");
}

#[tokio::test]
async fn lenient_stream_passes_and_reports_the_extra() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/lenient-extra.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Passed, "{:#?}", outcome.failures);
    let extras: Vec<_> = outcome
        .notes
        .iter()
        .filter_map(|n| match &n.kind {
            NoteKind::Extra { actual } => Some(actual),
            _ => None,
        })
        .collect();
    assert_eq!(extras.len(), 1, "{:#?}", outcome.notes);
    assert_eq!(extras[0]["messages"][0]["text"], "Are you there?");
}

#[tokio::test]
async fn lenient_stream_finds_expected_notifications_among_extras() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/lenient-in-order.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Passed, "{:#?}", outcome.failures);
    let extra_texts: Vec<_> = outcome
        .notes
        .iter()
        .filter_map(|n| match &n.kind {
            NoteKind::Extra { actual } => actual["messages"][0]["text"].as_str(),
            _ => None,
        })
        .collect();
    assert_eq!(extra_texts, ["first", "second"]);
}

#[tokio::test]
async fn per_actor_stream_modes() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/per-actor-streams.yaml").await;
    // agent1 is strict and lists the message; agent2 is lenient and does not: pass, with one
    // extra noted for agent2 only.
    assert_eq!(outcome.verdict, Verdict::Passed, "{:#?}", outcome.failures);
    let noted: Vec<_> = outcome.notes.iter().map(|n| n.actor.as_deref()).collect();
    assert_eq!(noted, [Some("agent2")]);
}

#[tokio::test]
async fn timeout_reports_expected_received_and_what_arrived() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/missing-within-timeout.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    let FailureKind::Missing {
        expected,
        received,
        timeout_ms,
        arrived,
        ..
    } = &outcome.failures[0].kind
    else {
        panic!("{:#?}", outcome.failures)
    };
    assert_eq!((*expected, *received, *timeout_ms), (2, 1, 300));
    assert_eq!(arrived[0]["facebooksession"]["state"], "LeftChat");
}

#[tokio::test]
async fn timeout_report_reads_like_the_spec() {
    let output = run_cli(&["verify", "tests/fixtures/runner/missing-within-timeout.yaml"]).await;
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn strict_and_lenient_reports_read_well() {
    // Two jobs: the report must still come in input order, whichever finishes first.
    let output = run_cli(&[
        "verify",
        "--jobs",
        "2",
        "tests/fixtures/runner/strict-extra.yaml",
        "tests/fixtures/runner/lenient-extra.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn parallel_scenarios_with_the_same_users_do_not_see_each_other() {
    // Eight runs of scenarios that all use agent1 (and agent2), four at a time, on one server.
    // Each strict scenario fails if it sees a single notification about another's session.
    let output = run_cli(&["verify", "--jobs", "4", "tests/fixtures/runner/parallel/*.yaml"]).await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        redact(&output.stderr)
    );
    assert!(stdout.contains("8 scenario(s): 8 passed"), "{stdout}");
}
