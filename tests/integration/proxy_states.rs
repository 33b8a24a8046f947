//! Issue 13: state-hook calls after the first operation are `state:` steps, their params
//! referring to captured values (`session: ${session}`), with the notifications they cause;
//! notifications about other interactions are left out, as the runner leaves them out;
//! the recording passes `verify` (golden included) against the reference server and against
//! the playback of its golden.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use gws_contract::bayeux::{BayeuxClient, BayeuxConfig, Delivery, Inbox};
use gws_contract::proxy::Proxy;
use gws_contract::scenario::StepKind;
use gws_contract::server::{Library, ReplayServer, ServerConfig};
use gws_contract::target::{Secret, Target};
use gws_contract::transport::{ActorHttp, HttpRequest};
use serde_json::json;

use crate::proxy_support::write_recorded;
use crate::server_wire::hook;
use crate::support::{redact, run_cli, start_server};

async fn one_notification(inbox: &mut Inbox) {
    let delivery = tokio::time::timeout(Duration::from_secs(20), inbox.recv())
        .await
        .expect("a delivery in time")
        .expect("the inbox is open");
    assert!(matches!(delivery, Delivery::Data { .. }), "{delivery:?}");
}

async fn verify(args: &[&str]) {
    let output = run_cli(args).await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        redact(&output.stderr)
    );
    assert!(
        stdout.contains("drifts: 0 high, 0 medium, 0 ordering, 0 low"),
        "{stdout}"
    );
}

#[tokio::test]
async fn proxy_records_later_state_hook_calls_as_state_steps() {
    let server = start_server(ServerConfig::default()).await;
    let proxy = Proxy::start(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        url::Url::parse(&server.url()).expect("server URL"),
    )
    .await
    .expect("the proxy starts");
    let base = proxy.url();
    let via = Arc::new(Target::with_defaults(
        url::Url::parse(&base).expect("proxy URL"),
        Secret::new("password"),
    ));
    let http = ActorHttp::new("agent1", Arc::clone(&via)).expect("actor client");
    http.login().await.expect("login through the proxy");
    let config = BayeuxConfig {
        endpoint: via.url("/api/v2/notifications").expect("endpoint"),
        channel: via.channel.clone(),
        request_timeout: std::time::Duration::from_secs(30),
        max_body: gws_contract::limits::DEFAULT_MAX_BODY,
    };
    let (client, mut inbox) = BayeuxClient::start(http.client(), http.decorate(), config)
        .await
        .expect("CometD through the proxy");
    let setup = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await;
    let session = setup["id"].as_str().expect("id").to_owned();
    // Another session of agent1's, handled behind the proxy's back: its notification reaches
    // the desktop through the proxy but is about none of the recording's interactions.
    let other = hook(
        &server.url(),
        "facebook session chatting",
        json!({"agents": ["agent1"]}),
    )
    .await;
    let left = reqwest::Client::new()
        .post(format!(
            "{}/api/v2/me/facebooksessions/{}",
            server.url(),
            other["id"].as_str().expect("id")
        ))
        .basic_auth("agent1", Some("password"))
        .json(&json!({"operationName": "Leave"}))
        .send()
        .await
        .expect("Leave the other session");
    assert_eq!(left.status(), 200);
    one_notification(&mut inbox).await;
    let message = HttpRequest {
        method: "POST".to_owned(),
        path: format!("/api/v2/me/facebooksessions/{session}"),
        headers: Vec::new(),
        body: Some(json!({"operationName": "SendMessage", "text": "How may I help you?"})),
        auth: gws_contract::transport::RequestAuth::Actor,
    };
    assert_eq!(http.send(&message).await.expect("SendMessage").status, 200);
    one_notification(&mut inbox).await;
    hook(
        &base,
        "customer message",
        json!({"session": session, "text": "Thanks!"}),
    )
    .await;
    one_notification(&mut inbox).await;
    client.disconnect().await;
    let traffic = proxy.stop();

    let written = write_recorded(&traffic, "customer-replies");
    assert_eq!(
        written.recording.notes.unrelated, 1,
        "{:?}",
        written.recording.notes
    );
    let (out, golden, loaded) = (&written.scenario, &written.golden, &written.loaded);
    let steps = &loaded.scenario.steps;
    assert_eq!(steps.len(), 2);
    let Some(StepKind::State { state, params }) = steps[1].value.kind() else {
        panic!("the second step is a state step: {:?}", steps[1].value);
    };
    assert_eq!(state, "customer message");
    assert_eq!(params, &json!({"session": "${session}", "text": "Thanks!"}));
    let notified = |i: usize| {
        steps[i]
            .value
            .notifications
            .for_actor("agent1")
            .map_or(0, <[_]>::len)
    };
    assert_eq!((notified(0), notified(1)), (1, 1));

    let (out, golden) = (out.display().to_string(), golden.display().to_string());
    verify(&["verify", &out, "--golden", &golden, "--no-pending"]).await;
    let library = Library::load(std::path::Path::new(&golden)).expect("the golden loads");
    let replay = ReplayServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), library)
        .await
        .expect("the playback starts");
    let url = replay.url();
    verify(&[
        "verify",
        "--target",
        &url,
        &out,
        "--golden",
        &golden,
        "--no-pending",
    ])
    .await;
}
