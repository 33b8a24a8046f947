//! The runner when the server forgets an actor's CometD session mid-scenario: the client
//! re-handshakes and re-subscribes, the notification published meanwhile is lost, and the
//! report says both what is missing and why (the window in which notifications may be lost).

use std::sync::Arc;
use std::time::Duration;

use gws_contract::runner::RunOptions;
use gws_contract::scenario::load_file;
use gws_contract::server::ServerConfig;
use gws_contract::suite::run_inline;
use gws_contract::target::{Secret, Target};
use gws_contract::verdict::{FailureKind, NoteKind, Verdict};

use crate::bayeux_reference::Proxy;
use crate::support::{root, start_server};

#[tokio::test]
async fn lost_cometd_session_is_reported_with_its_window() {
    // The server expires silent clients fast; a proxy on the CometD endpoint only advises a
    // long pause between connects until the server has forgotten the client.
    let server = start_server(ServerConfig {
        max_interval: Duration::from_millis(50),
        ..ServerConfig::default()
    })
    .await;
    let proxy = Proxy::start(&server).await;
    let mut target = Target::with_defaults(
        url::Url::parse(&server.url()).expect("URL"),
        Secret::new("password"),
    );
    target.notifications_path = format!("{}/api/v2/notifications", proxy.url);
    let loaded =
        load_file(&root().join("tests/fixtures/runner/customer-message.yaml")).expect("fixture loads");
    let outcome = run_inline(&loaded, Arc::new(target), &RunOptions::default()).await;

    assert_eq!(outcome.verdict, Verdict::Failed, "{outcome:#?}");
    let missing = outcome
        .failures
        .iter()
        .find(|f| matches!(f.kind, FailureKind::Missing { .. }))
        .unwrap_or_else(|| {
            panic!(
                "the lost notification is reported missing: {:#?}",
                outcome.failures
            )
        });
    assert_eq!(missing.actor.as_deref(), Some("agent1"));
    let rehandshake = outcome
        .notes
        .iter()
        .find_map(|n| match &n.kind {
            NoteKind::Rehandshake { window_ms, reason } => {
                Some((n.actor.clone(), *window_ms, reason.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("the lost session is reported: {:#?}", outcome.notes));
    assert_eq!(rehandshake.0.as_deref(), Some("agent1"));
    assert!(
        rehandshake.1 >= 1000,
        "window of at least the advised pause: {rehandshake:?}"
    );
    assert!(rehandshake.2.contains("Unknown client"), "{rehandshake:?}");
}

/// The target forgets every HTTP session (JSESSIONID) as soon as it is idle: each request
/// still carries the actor's Basic credentials, so the run goes on and passes, and nothing
/// the target did is misreported.
#[tokio::test]
async fn forgotten_http_sessions_are_survived() {
    // Sessions are swept every max_interval / 2 (10 ms here); a held long-poll keeps its
    // CometD client alive meanwhile.
    let server = start_server(ServerConfig {
        http_session_idle: Duration::ZERO,
        max_interval: Duration::from_millis(20),
        ..ServerConfig::default()
    })
    .await;
    let target = Target::with_defaults(
        url::Url::parse(&server.url()).expect("URL"),
        Secret::new("password"),
    );
    for scenario in [
        "scenarios/facebook/complete.yaml",
        "scenarios/facebook/remove-participant-from-conference.yaml",
    ] {
        let loaded = load_file(&root().join(scenario)).expect("scenario loads");
        let outcome = run_inline(&loaded, Arc::new(target.clone()), &RunOptions::default()).await;
        assert_eq!(
            outcome.verdict,
            Verdict::Passed,
            "{scenario}: {:#?}",
            outcome.failures
        );
    }
}
