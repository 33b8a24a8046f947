//! Issue 13: a login is not a step — unless a later request uses a value it returned. A
//! Transfer to agent2 needs agent2's URI, which a desktop learns from agent2's login
//! (`GET /api/v2/me`, DESIGN.md §5); the recording then keeps that login as a step capturing
//! the URI, and the scenario passes `verify` (golden included) against the reference server and
//! against the playback of its golden.

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

async fn desktop(actor: &str, via: &Arc<Target>) -> (ActorHttp, BayeuxClient, Inbox) {
    let http = ActorHttp::new(actor, Arc::clone(via)).expect("actor client");
    http.login().await.expect("login through the proxy");
    let config = BayeuxConfig {
        endpoint: via.url("/api/v2/notifications").expect("endpoint"),
        channel: via.channel.clone(),
        request_timeout: std::time::Duration::from_secs(30),
        max_body: gws_contract::limits::DEFAULT_MAX_BODY,
    };
    let (client, inbox) = BayeuxClient::start(http.client(), http.decorate(), config)
        .await
        .expect("CometD through the proxy");
    (http, client, inbox)
}

async fn one_notification(inbox: &mut Inbox) {
    let delivery = tokio::time::timeout(Duration::from_secs(20), inbox.recv())
        .await
        .expect("a delivery in time")
        .expect("the inbox is open");
    assert!(matches!(delivery, Delivery::Data { .. }), "{delivery:?}");
}

#[tokio::test]
async fn proxy_keeps_a_login_as_a_step_when_a_later_request_uses_what_it_returned() {
    let server = start_server(ServerConfig::default()).await;
    let target = url::Url::parse(&server.url()).expect("server URL");
    let proxy = Proxy::start(SocketAddr::from(([127, 0, 0, 1], 0)), target)
        .await
        .expect("the proxy starts");
    let via = Arc::new(Target::with_defaults(
        url::Url::parse(&proxy.url()).expect("proxy URL"),
        Secret::new("password"),
    ));
    let (agent1, client1, mut inbox1) = desktop("agent1", &via).await;
    let (agent2, client2, mut inbox2) = desktop("agent2", &via).await;
    let me = HttpRequest {
        method: "GET".to_owned(),
        path: "/api/v2/me".to_owned(),
        headers: Vec::new(),
        body: None,
        auth: gws_contract::transport::RequestAuth::Actor,
    };
    let agent2_uri = agent2.send(&me).await.expect("agent2's profile").body["user"]["uri"].clone();
    let setup = hook(
        &proxy.url(),
        "facebook session chatting",
        json!({"agents": ["agent1"]}),
    )
    .await;
    let transfer = HttpRequest {
        method: "POST".to_owned(),
        path: format!(
            "/api/v2/me/facebooksessions/{}",
            setup["id"].as_str().expect("id")
        ),
        headers: Vec::new(),
        body: Some(json!({"operationName": "Transfer", "targetUri": agent2_uri})),
        auth: gws_contract::transport::RequestAuth::Actor,
    };
    assert_eq!(agent1.send(&transfer).await.expect("Transfer").status, 200);
    one_notification(&mut inbox1).await;
    one_notification(&mut inbox2).await;
    client1.disconnect().await;
    client2.disconnect().await;
    let traffic = proxy.stop();

    let written = write_recorded(&traffic, "transfer");
    let (out, golden, loaded) = (&written.scenario, &written.golden, &written.loaded);
    let steps: Vec<String> = loaded
        .scenario
        .steps
        .iter()
        .map(|s| match s.value.kind() {
            Some(StepKind::Http { actor, request, .. }) => {
                let captures: Vec<String> = s
                    .value
                    .capture
                    .iter()
                    .map(|(name, pointer)| format!("{name}={}", pointer.value))
                    .collect();
                format!(
                    "{actor} {} {} {} [{}]",
                    request.method,
                    request.path.value,
                    request
                        .body
                        .as_ref()
                        .map_or_else(String::new, ToString::to_string),
                    captures.join(", ")
                )
            }
            other => panic!("not a request step: {other:?}"),
        })
        .collect();
    assert_eq!(
        steps,
        [
            "agent2 GET /api/v2/me  [agent2_uri=/user/uri]",
            "agent1 POST /api/v2/me/facebooksessions/${session} {\"operationName\":\"Transfer\",\"targetUri\":\"${agent2_uri}\"} []",
        ],
        "one of agent2's logins is kept; agent1's are not"
    );
    let output = run_cli(&[
        "verify",
        &out.display().to_string(),
        "--golden",
        &golden.display().to_string(),
        "--no-pending",
    ])
    .await;
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

    // The playback answers agent2's login as recorded, with the user id every replay session
    // binds for agent2, so the Transfer to the URI it returned is the recorded one.
    let library = Library::load(golden).expect("the golden loads");
    let replay = ReplayServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), library)
        .await
        .expect("the playback starts");
    let output = run_cli(&[
        "verify",
        "--target",
        &replay.url(),
        &out.display().to_string(),
        "--golden",
        &golden.display().to_string(),
        "--no-pending",
    ])
    .await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        redact(&output.stderr)
    );
}
