//! Stream semantics of the runner (DESIGN.md §3): strict and lenient streams per scenario and
//! per actor, lenient ordering, timeouts that report what did arrive, and parallel scenarios
//! with the same users that never see each other's notifications.

use gws_contract::server::ServerConfig;
use gws_contract::verdict::{FailureKind, NoteKind, Verdict};

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

/// A server whose first notification per operation arrives 100 ms late, after the step was
/// already decided (the fixtures settle for 1 s to catch it).
fn late_server() -> ServerConfig {
    ServerConfig {
        faults: std::collections::BTreeSet::from([gws_contract::server::Fault::DelayNotification]),
        fault_delay: std::time::Duration::from_millis(100),
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn a_late_notification_fails_a_strict_stream_during_settle() {
    let server = start_server(late_server()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/late-extra-strict.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    assert_eq!(outcome.failures.len(), 1, "{:#?}", outcome.failures);
    let FailureKind::Unexpected { actual } = &outcome.failures[0].kind else {
        panic!("{:#?}", outcome.failures)
    };
    assert_eq!(actual["notificationType"], "StatusChange");
    assert_eq!(outcome.failures[0].step.number, 1);
}

#[tokio::test]
async fn a_late_notification_in_a_step_with_a_lenient_stream_is_a_note() {
    let server = start_server(late_server()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/late-extra-lenient-step.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Passed, "{:#?}", outcome.failures);
    let extras: Vec<_> = outcome
        .notes
        .iter()
        .filter_map(|n| match &n.kind {
            NoteKind::Extra { actual } => Some((n.step.number, actual["notificationType"].clone())),
            _ => None,
        })
        .collect();
    assert_eq!(extras, [(1, serde_json::json!("StatusChange"))]);
}

#[tokio::test]
async fn notifications_a_given_state_causes_are_waited_for_when_the_hook_says_how_many() {
    // `facebook session offered` notifies the agent; the scenario does not list it, and the
    // hook's `notified` hint keeps it out of step 1's strict stream every time.
    let server = start_server(ServerConfig::default()).await;
    for _ in 0..10 {
        let outcome = run_file(&server, "tests/fixtures/runner/offered-unlisted.yaml").await;
        assert_eq!(outcome.verdict, Verdict::Passed, "{:#?}", outcome.failures);
        let given = &outcome.transcript.exchanges[0];
        assert_eq!(
            given.reply().map(|r| r.body["notified"]["agent1"].clone()),
            Some(1.into())
        );
        assert_eq!(
            given.notifications["agent1"][0].data["facebooksession"]["state"],
            "Invited"
        );
    }
}

#[tokio::test]
async fn missing_notifications_count_what_was_ignored() {
    // The scenario messages a session it did not create (given as a constant), so the
    // notification agent1 gets is about a foreign session and is ignored, and reported so.
    let server = start_server(ServerConfig::default()).await;
    let foreign: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/contract/states", server.url()))
        .json(&serde_json::json!({"state": "facebook session chatting", "params": {"agents": ["agent1"]}}))
        .send()
        .await
        .expect("hook reachable")
        .json()
        .await
        .expect("hook replies JSON");
    let text =
        std::fs::read_to_string(crate::support::root().join("tests/fixtures/runner/customer-message.yaml"))
            .expect("fixture readable")
            .replace("timeout: 3s", "timeout: 500ms")
            .replace(
                "    params: { session: \"${session}\"",
                "    params: { session: \"${foreign}\"",
            )
            .replace(
                "actors: [agent1]",
                &format!("actors: [agent1]\nvars: {{ foreign: {} }}", foreign["id"]),
            );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("foreign.yaml");
    std::fs::write(&path, text).expect("scenario written");
    let loaded = gws_contract::scenario::load_file(&path).expect("scenario loads");
    let outcome = gws_contract::suite::run_inline(
        &loaded,
        crate::support::target_for(&server),
        &gws_contract::runner::RunOptions::default(),
    )
    .await;
    let FailureKind::Missing {
        received, ignored, ..
    } = &outcome.failures[0].kind
    else {
        panic!("{:#?}", outcome.failures)
    };
    assert_eq!((*received, *ignored), (0, 1));
}

/// A notification that comes after its step's timeout is reported as late, with its arrival
/// time, not as never received: the run gives the last step as long again before it judges.
#[tokio::test]
async fn a_notification_after_the_timeout_is_reported_late_not_missing() {
    let server = start_server(ServerConfig {
        faults: std::collections::BTreeSet::from([gws_contract::server::Fault::DelayNotification]),
        fault_delay: std::time::Duration::from_millis(700),
        ..ServerConfig::default()
    })
    .await;
    let loaded =
        gws_contract::scenario::load_file(&crate::support::root().join("scenarios/facebook/complete.yaml"))
            .expect("the seed loads");
    let options = gws_contract::runner::RunOptions {
        default_timeout: std::time::Duration::from_millis(300),
        ..gws_contract::runner::RunOptions::default()
    };
    let outcome =
        gws_contract::suite::run_inline(&loaded, crate::support::target_for(&server), &options).await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    let [failure] = outcome.failures.as_slice() else {
        panic!("{:#?}", outcome.failures)
    };
    let FailureKind::Missing { received, late, .. } = &failure.kind else {
        panic!("{failure:#?}")
    };
    assert_eq!(*received, 0);
    let [(notification, at_ms)] = late.as_slice() else {
        panic!("the delayed notification is reported late: {late:#?}")
    };
    assert_eq!(notification["notificationType"], "StatusChange");
    assert!(
        *at_ms >= 700.0,
        "arrived after the fault's delay, not before: {at_ms}"
    );
}
