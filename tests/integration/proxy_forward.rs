//! Issue 13: the proxy holds every actor's long-poll concurrently and never makes another
//! request wait behind one: with both agents' `/meta/connect`s held (for minutes, as the
//! server is configured), an operation through the proxy is answered and its notification
//! is delivered through the held poll.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use gws_contract::bayeux::{BayeuxClient, BayeuxConfig, Delivery};
use gws_contract::proxy::Proxy;
use gws_contract::server::{ReferenceServer, ServerConfig};
use gws_contract::target::{Secret, Target};
use gws_contract::transport::{ActorHttp, HttpRequest};
use serde_json::json;

use crate::server_wire::hook;
use crate::support::start_server;

/// Far longer than any wait below: only a proxy that serialised requests behind held polls
/// would make the test wait this long (and fail on its guard instead).
const HOLD: Duration = Duration::from_secs(300);
const GUARD: Duration = Duration::from_secs(30);

async fn until_held(server: &ReferenceServer, n: usize) {
    tokio::time::timeout(GUARD, async {
        while server.stats().held_connects < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the connects are held");
}

#[tokio::test]
async fn proxy_forwards_operations_while_long_polls_are_held() {
    let server = start_server(ServerConfig {
        connect_hold: HOLD,
        max_interval: HOLD,
        ..ServerConfig::default()
    })
    .await;
    let setup = hook(
        &server.url(),
        "facebook session chatting",
        json!({"agents": ["agent1", "agent2"]}),
    )
    .await;
    let proxy = Proxy::start(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        url::Url::parse(&server.url()).expect("server URL"),
    )
    .await
    .expect("the proxy starts");
    let via = Arc::new(Target::with_defaults(
        url::Url::parse(&proxy.url()).expect("proxy URL"),
        Secret::new("password"),
    ));
    let mut desktops = Vec::new();
    for actor in ["agent1", "agent2"] {
        let http = ActorHttp::new(actor, Arc::clone(&via)).expect("actor client");
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
        desktops.push((http, client, inbox));
    }
    until_held(&server, 2).await;
    let leave = HttpRequest {
        method: "POST".to_owned(),
        path: format!(
            "/api/v2/me/facebooksessions/{}",
            setup["id"].as_str().expect("id")
        ),
        headers: Vec::new(),
        body: Some(json!({"operationName": "Leave"})),
        auth: gws_contract::transport::RequestAuth::Actor,
    };
    let (http, _, inbox) = &mut desktops[1];
    let response = tokio::time::timeout(GUARD, http.send(&leave))
        .await
        .expect("answered while two polls are held")
        .expect("the operation goes through");
    assert_eq!(response.status, 200);
    let delivery = tokio::time::timeout(GUARD, inbox.recv())
        .await
        .expect("delivered through the held poll")
        .expect("the inbox is open");
    assert!(matches!(delivery, Delivery::Data { .. }), "{delivery:?}");
    for (_, client, _) in desktops {
        client.disconnect().await;
    }
}
