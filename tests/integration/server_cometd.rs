//! The reference server's CometD endpoint on the wire: message arrays and the URL suffixes
//! real clients append, advice, `402::…` with `reconnect: handshake` for unknown or expired
//! clients, held connects released as soon as a notification is queued, WebSocket upgrades
//! refused at once, and 200 concurrent long-polling clients served without blocking each
//! other.
//!
//! Nothing here measures time: tests wait for server-side conditions (`ReferenceServer::stats`)
//! with a generous guard against hanging, and hold times are set far beyond what the tests
//! need, so a connect that returns proves it was released, not that it timed out.

use std::future::Future;
use std::time::Duration;

use gws_contract::server::{ReferenceServer, ServerConfig};
use serde_json::{Value, json};

use crate::server_wire::{Agent, CHANNEL, data_of, hook, send};
use crate::support::start_server;

/// Fails the test instead of hanging if `future` never completes.
async fn guard<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen"))
}

/// Waits until the server's stats satisfy `condition`.
async fn until(
    server: &ReferenceServer,
    what: &str,
    condition: impl Fn(gws_contract::server::ServerStats) -> bool,
) {
    guard(what, async {
        while !condition(server.stats()) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

fn long_holds() -> ServerConfig {
    ServerConfig {
        connect_hold: Duration::from_secs(300),
        max_interval: Duration::from_secs(300),
        ..ServerConfig::default()
    }
}

#[tokio::test]
async fn server_cometd_handshake_routes_and_advice() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let agent = Agent::new(&base, "agent1");
    for suffix in ["", "/", "/handshake"] {
        let (status, reply) = agent
            .bayeux(
                suffix,
                json!([{"id": "1", "channel": "/meta/handshake", "version": "1.0",
                        "supportedConnectionTypes": ["long-polling", "callback-polling"]}]),
            )
            .await;
        assert_eq!(status, 200, "{suffix}");
        let hs = &reply[0];
        assert_eq!(hs["successful"], true, "{suffix}: {reply}");
        assert_eq!(hs["id"], "1");
        assert_eq!(hs["version"], "1.0");
        assert_eq!(hs["supportedConnectionTypes"], json!(["long-polling"]));
        assert!(hs["clientId"].as_str().is_some_and(|c| c.len() == 40));
        assert_eq!(hs["advice"]["reconnect"], "retry");
        assert_eq!(hs["advice"]["interval"], 0);
        assert_eq!(hs["advice"]["timeout"], 30000);
        assert_eq!(hs["advice"]["maxInterval"], 10000);
    }
    // A single message (not an array) is accepted too.
    let (_, reply) = agent
        .bayeux("", json!({"channel": "/meta/handshake", "version": "1.0"}))
        .await;
    assert_eq!(reply[0]["successful"], true, "{reply}");
    // No common connection type.
    let (_, reply) = agent
        .bayeux(
            "/handshake",
            json!([{"channel": "/meta/handshake", "supportedConnectionTypes": ["websocket"]}]),
        )
        .await;
    assert_eq!(reply[0]["successful"], false);
    assert_eq!(reply[0]["supportedConnectionTypes"], json!(["long-polling"]));
    // Malformed bodies are refused, not crashed on.
    for raw in ["{", "[1]", "\"x\"", "[{\"id\":1}]"] {
        let (status, _) = send(
            agent
                .request(reqwest::Method::POST, "/api/v2/notifications/connect")
                .header("content-type", "application/json")
                .body(raw),
        )
        .await;
        assert_eq!(status, 400, "{raw}");
    }
}

#[tokio::test]
async fn server_cometd_batches_subscribe_with_connect_and_acks_meta_messages() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut agent = Agent::new(&base, "agent1");
    agent.handshake().await;
    let client = agent.client_id.clone();
    let (_, reply) = agent
        .bayeux(
            "/",
            json!([
                {"id": "2", "channel": "/meta/subscribe", "clientId": client, "subscription": [CHANNEL, "/v2/me/*"]},
                {"id": "3", "channel": "/meta/connect", "clientId": client, "connectionType": "long-polling", "advice": {"timeout": 0}},
                {"id": "4", "channel": "/v2/me/facebooksession", "clientId": client, "data": {"x": 1}},
                {"id": "5", "channel": "/meta/subscribe", "clientId": client, "subscription": "/meta/connect"},
            ]),
        )
        .await;
    let channels: Vec<&str> = reply
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["channel"].as_str())
        .collect();
    assert_eq!(
        channels,
        [
            "/meta/subscribe",
            "/v2/me/facebooksession",
            "/meta/subscribe",
            "/meta/connect"
        ],
        "{reply}"
    );
    assert_eq!(reply[0]["successful"], true);
    assert_eq!(reply[1]["successful"], false, "publishing is denied: {reply}");
    assert!(reply[1]["error"].as_str().is_some_and(|e| e.starts_with("403:")));
    assert_eq!(reply[2]["successful"], false, "/meta/** cannot be subscribed");
    assert_eq!(reply[3]["successful"], true);
    assert_eq!(reply[3]["id"], "3");

    // Unsubscribed, a notification no longer arrives.
    let (_, reply) = agent
        .bayeux("/", json!([{"channel": "/meta/unsubscribe", "clientId": client, "subscription": [CHANNEL, "/v2/me/*"]}]))
        .await;
    assert_eq!(reply[0]["successful"], true);
    let id = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await["id"].clone();
    hook(&base, "customer message", json!({"session": id, "text": "hi"})).await;
    assert!(agent.drain().await.is_empty());
}

#[tokio::test]
async fn server_cometd_unknown_clients_are_told_to_handshake() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let agent = Agent::new(&base, "agent1");
    for (suffix, channel) in [
        ("/connect", "/meta/connect"),
        ("/", "/meta/subscribe"),
        ("/disconnect", "/meta/disconnect"),
    ] {
        let (status, reply) = agent
            .bayeux(
                suffix,
                json!([{"id": "9", "channel": channel, "clientId": "0000", "subscription": CHANNEL}]),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(reply[0]["successful"], false, "{channel}");
        assert_eq!(reply[0]["error"], "402::Unknown client", "{channel}");
        assert_eq!(reply[0]["advice"]["reconnect"], "handshake", "{channel}");
        assert_eq!(reply[0]["advice"]["interval"], 0, "{channel}");
        assert_eq!(reply[0]["id"], "9");
    }
    // Another user's client id is not this user's.
    let mut other = Agent::new(&base, "agent2");
    other.handshake().await;
    let (_, reply) = agent
        .bayeux(
            "/connect",
            json!([{"channel": "/meta/connect", "clientId": other.client_id}]),
        )
        .await;
    assert_eq!(reply[0]["successful"], false, "{reply}");
}

#[tokio::test]
async fn server_cometd_expires_silent_clients_after_max_interval() {
    let config = ServerConfig {
        max_interval: Duration::from_millis(100),
        ..ServerConfig::default()
    };
    let server = start_server(config).await;
    let mut agent = Agent::new(&server.url(), "agent1");
    agent.handshake().await;
    until(&server, "one client", |s| s.clients == 1).await;
    until(&server, "expiry", |s| s.clients == 0).await;
    let reply = agent.connect(Some(0)).await;
    assert_eq!(reply[0]["error"], "402::Unknown client");
    assert_eq!(reply[0]["advice"]["reconnect"], "handshake");
}

#[tokio::test]
async fn server_cometd_releases_a_held_connect_when_a_notification_is_queued() {
    let server = start_server(long_holds()).await;
    let base = server.url();
    let mut agent = Agent::listening(&base, "agent1").await;
    let id = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await["id"].clone();
    let poll = tokio::spawn(async move { agent.connect(None).await });
    until(&server, "the connect is held", |s| s.held_connects == 1).await;
    hook(
        &base,
        "customer message",
        json!({"session": id, "text": "are you there?"}),
    )
    .await;
    let reply = guard("release", poll).await.expect("poll task");
    let data = data_of(&reply);
    assert_eq!(data.len(), 1, "{reply}");
    assert_eq!(data[0]["messages"][0]["text"], "are you there?");
    let last = reply
        .as_array()
        .and_then(|r| r.last())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(last["channel"], "/meta/connect", "the connect reply comes last");
    assert_eq!(last["successful"], true);
}

#[tokio::test]
async fn server_cometd_disconnect_and_shutdown_release_held_connects() {
    let server = start_server(long_holds()).await;
    let base = server.url();
    let mut agent = Agent::listening(&base, "agent1").await;
    let client = agent.client_id.clone();
    let poll = tokio::spawn(async move { agent.connect(None).await });
    until(&server, "the connect is held", |s| s.held_connects == 1).await;
    let closer = Agent::new(&base, "agent1");
    let (_, reply) = closer
        .bayeux(
            "/disconnect",
            json!([{"id": "7", "channel": "/meta/disconnect", "clientId": client}]),
        )
        .await;
    assert_eq!(reply[0]["successful"], true);
    let held = guard("release on disconnect", poll).await.expect("poll task");
    assert_eq!(held[0]["successful"], false, "{held}");
    assert_eq!(held[0]["advice"]["reconnect"], "none");

    let mut agent = Agent::listening(&base, "agent2").await;
    let poll = tokio::spawn(async move { agent.connect(None).await });
    until(&server, "the connect is held", |s| s.held_connects == 1).await;
    guard("shutdown", server.shutdown()).await;
    let _ = guard("release on shutdown", poll).await;
}

#[tokio::test]
async fn server_cometd_a_newer_connect_supersedes_a_held_one() {
    let server = start_server(long_holds()).await;
    let base = server.url();
    let agent = Agent::listening(&base, "agent1").await;
    let client = agent.client_id.clone();
    let first = tokio::spawn(async move {
        let mut agent = agent;
        agent.connect(None).await
    });
    until(&server, "the first connect is held", |s| s.held_connects == 1).await;
    let second_agent = Agent::new(&base, "agent1");
    let second = tokio::spawn(async move {
        second_agent
            .bayeux(
                "/connect",
                json!([{"id": "99", "channel": "/meta/connect", "clientId": client}]),
            )
            .await
    });
    let older = guard("the older connect returns", first).await.expect("task");
    assert_eq!(
        older.as_array().map(Vec::len),
        Some(1),
        "no events on a superseded connect: {older}"
    );
    assert_eq!(older[0]["successful"], true);
    until(&server, "the newer connect is held", |s| s.held_connects == 1).await;
    let id = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await["id"].clone();
    hook(
        &base,
        "customer message",
        json!({"session": id, "text": "for the newer"}),
    )
    .await;
    let (_, newer) = guard("the newer connect returns", second).await.expect("task");
    assert_eq!(data_of(&newer).len(), 1, "{newer}");
}

#[tokio::test]
async fn server_cometd_refuses_websocket_upgrades_at_once() {
    let server = start_server(long_holds()).await;
    let base = server.url();
    for path in [
        "/api/v2/notifications",
        "/api/v2/notifications/",
        "/api/v2/notifications/handshake",
    ] {
        let response = reqwest::Client::new()
            .get(format!("{base}{path}"))
            .header("connection", "Upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .send()
            .await
            .expect("reachable");
        assert_eq!(response.status().as_u16(), 400, "{path}");
    }
}

/// 200 long-polling clients (100 per user) are parked at once; a notification for one user
/// releases exactly that user's 100 clients, each with its notification, while the other 100
/// stay held; then the other user's are released the same way.
#[tokio::test]
async fn server_cometd_serves_200_concurrent_long_polls() {
    let server = start_server(long_holds()).await;
    let base = server.url();
    let session_of = |user: &'static str| {
        let base = base.clone();
        async move { hook(&base, "facebook session chatting", json!({"agents": [user]})).await["id"].clone() }
    };
    let (s1, s2) = (session_of("agent1").await, session_of("agent2").await);
    let users = [Agent::new(&base, "agent1"), Agent::new(&base, "agent2")];
    let mut polls = Vec::new();
    for i in 0..200 {
        let user = if i % 2 == 0 { "agent1" } else { "agent2" };
        let mut agent = users[i % 2].another();
        agent.handshake().await;
        agent.subscribe(CHANNEL).await;
        polls.push((user, tokio::spawn(async move { agent.connect(None).await })));
    }
    until(&server, "200 held connects", |s| s.held_connects == 200).await;

    hook(
        &base,
        "customer message",
        json!({"session": s1, "text": "for agent1"}),
    )
    .await;
    let (ones, twos): (Vec<_>, Vec<_>) = polls.into_iter().partition(|(user, _)| *user == "agent1");
    for (_, poll) in ones {
        let reply = guard("agent1's release", poll).await.expect("poll task");
        let data = data_of(&reply);
        assert_eq!(data.len(), 1, "{reply}");
        assert_eq!(data[0]["messages"][0]["text"], "for agent1");
    }
    until(&server, "agent2's connects still held", |s| {
        s.held_connects == 100
    })
    .await;
    assert!(twos.iter().all(|(_, poll)| !poll.is_finished()));

    hook(
        &base,
        "customer message",
        json!({"session": s2, "text": "for agent2"}),
    )
    .await;
    for (_, poll) in twos {
        let reply = guard("agent2's release", poll).await.expect("poll task");
        assert_eq!(data_of(&reply)[0]["messages"][0]["text"], "for agent2", "{reply}");
    }
    assert_eq!(server.stats().held_connects, 0);
}

/// A client that abandons a held connect (closes the connection) no longer counts as held,
/// so it expires like any silent client.
#[tokio::test]
async fn server_cometd_an_abandoned_connect_is_released_and_expires() {
    let config = ServerConfig {
        connect_hold: Duration::from_secs(300),
        max_interval: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let server = start_server(config).await;
    let mut agent = Agent::listening(&server.url(), "agent1").await;
    let poll = tokio::spawn(async move { agent.connect(None).await });
    until(&server, "the connect is held", |s| s.held_connects == 1).await;
    poll.abort();
    until(&server, "the abandoned connect is released", |s| {
        s.held_connects == 0
    })
    .await;
    until(&server, "the silent client expires", |s| s.clients == 0).await;
}

#[tokio::test]
async fn server_cometd_denies_channels_outside_the_users_own_topics() {
    let server = start_server(ServerConfig::default()).await;
    let mut agent = Agent::new(&server.url(), "agent1");
    agent.handshake().await;
    let client = agent.client_id.clone();
    for channel in [
        "/v2/users/agent2/facebooksession",
        "/v2/**",
        "/bar/baz",
        "/v2/me/",
    ] {
        let (_, reply) = agent
            .bayeux(
                "/",
                json!([{"id": "7", "channel": "/meta/subscribe", "clientId": client, "subscription": channel}]),
            )
            .await;
        assert_eq!(reply[0]["successful"], false, "{channel}: {reply}");
        assert_eq!(
            reply[0]["error"],
            format!("403:{channel}:Permission Denied"),
            "{reply}"
        );
        assert_eq!(reply[0]["id"], "7");
    }
    let (_, reply) = agent
        .bayeux(
            "/",
            json!([{"channel": "/meta/subscribe", "clientId": client, "subscription": ["/v2/me/**", CHANNEL]}]),
        )
        .await;
    assert_eq!(reply[0]["successful"], true, "{reply}");
}
