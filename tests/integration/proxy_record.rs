//! Issue 13: two official CometD JS desktops (agents) go through a
//! RemoveParticipantFromConference and a Complete via `proxy` in front of the reference server
//! (CSRF on, passwords of its own); the recording is a valid scenario with its golden, passes
//! `verify` against the reference server (golden included), fails against a server with a
//! fault the traffic exercises, and holds no credential.

use std::collections::BTreeSet;

use gws_contract::scenario::{StepKind, load_file};
use gws_contract::server::{Fault, ServerConfig};

use crate::proxy_support::recorded;
use crate::support::{redact, run_cli, start_server};

#[tokio::test]
async fn proxy_recording_is_a_scenario_with_given_captures_steps_and_each_agents_notifications() {
    let recorded = recorded().await;
    let written = &recorded.written;
    assert_eq!(written.actors, ["agent1", "agent2"]);
    assert_eq!(written.steps, 2);
    assert_eq!(written.notes.notifications, 8, "{:?}", written.notes);
    assert!(!written.notes.state_to_fill_in);
    assert!(written.golden.is_file(), "{}", written.golden.display());
    let loaded = load_file(&recorded.scenario).unwrap_or_else(|d| panic!("the recording loads: {d:#?}"));
    let scenario = &loaded.scenario;
    assert_eq!(scenario.given.len(), 1);
    assert_eq!(scenario.given[0].value.state, "facebook session chatting");
    let captured: BTreeSet<&str> = scenario.given[0]
        .value
        .capture
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        captured,
        BTreeSet::from(["agent1", "agent2_uri", "customer", "session"])
    );
    let operations: Vec<String> = scenario
        .steps
        .iter()
        .map(|s| match s.value.kind() {
            Some(StepKind::Http { actor, request, .. }) => format!(
                "{actor} {} {} {}",
                request.method,
                request.path.value,
                request
                    .body
                    .as_ref()
                    .map_or_else(String::new, |b| b["operationName"].to_string())
            ),
            other => panic!("not a request step: {other:?}"),
        })
        .collect();
    assert_eq!(
        operations,
        [
            "agent1 POST /api/v2/me/facebooksessions/${session} \"RemoveParticipantFromConference\"",
            "agent1 POST /api/v2/me/facebooksessions/${session} \"Complete\""
        ]
    );
    let counts: Vec<(usize, usize)> = scenario
        .steps
        .iter()
        .map(|s| {
            let n = |actor| s.value.notifications.for_actor(actor).map_or(0, <[_]>::len);
            (n("agent1"), n("agent2"))
        })
        .collect();
    assert_eq!(
        counts,
        [(3, 4), (1, 0)],
        "notifications follow the operation in progress"
    );
    let text = std::fs::read_to_string(&recorded.scenario).expect("read the recording");
    // The date, and how many Bayeux polls the clients made (it depends on timing).
    let date = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC").expect("valid regex");
    let forwarded = regex::Regex::new(r"; \d+ request\(s\) forwarded").expect("valid regex");
    let text = redact(text.as_bytes()).replace(&recorded.dir.display().to_string(), "[dir]");
    let text = date.replace_all(&text, "[date]");
    insta::assert_snapshot!(forwarded.replace_all(&text, "; [n] request(s) forwarded"));
}

#[tokio::test]
async fn proxy_recording_passes_verify_against_the_reference_server_golden_included() {
    let recorded = recorded().await;
    let scenario = recorded.scenario.display().to_string();
    let golden = recorded.golden.display().to_string();
    let output = run_cli(&["verify", &scenario, "--golden", &golden, "--no-pending"]).await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        redact(&output.stderr)
    );
    assert!(
        stdout.contains("goldens: 1 compared; drifts: 0 high, 0 medium, 0 ordering, 0 low"),
        "{stdout}"
    );
}

#[tokio::test]
async fn proxy_recording_fails_against_a_server_whose_fault_the_traffic_exercises() {
    let recorded = recorded().await;
    let server = start_server(ServerConfig {
        faults: BTreeSet::from([Fault::WrongState]),
        ..ServerConfig::default()
    })
    .await;
    let url = server.url();
    let scenario = recorded.scenario.display().to_string();
    let output = run_cli(&["verify", "--target", &url, &scenario]).await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        redact(&output.stderr)
    );
    assert!(stdout.contains("/facebooksession/state"), "{stdout}");
}

#[tokio::test]
async fn proxy_writes_no_credential_anywhere() {
    let recorded = recorded().await;
    assert!(
        recorded.secrets.len() >= 6,
        "the desktops' cookies and CSRF tokens were seen: {}",
        recorded.secrets.len()
    );
    for file in [&recorded.written.scenario, &recorded.written.golden] {
        let text = std::fs::read_to_string(file).expect("read a written file");
        for secret in &recorded.secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a credential is in {}",
                file.display()
            );
        }
        for header in ["authorization", "cookie", "x-csrf-token", "Basic "] {
            assert!(
                !text.to_ascii_lowercase().contains(&header.to_ascii_lowercase()),
                "`{header}` is in {}",
                file.display()
            );
        }
    }
}
