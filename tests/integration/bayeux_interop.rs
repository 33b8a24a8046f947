//! Our Bayeux client against two independent servers run by Node: the official CometD server
//! (npm `cometd-nodejs-server`, sessions bound to the `BAYEUX_BROWSER` cookie) and Faye (npm
//! `faye`, a second dialect: events after the connect reply with ids, `401:<id>:Unknown
//! client`). Each test subscribes, receives single and back-to-back events, survives the
//! server forgetting it (re-handshake, re-subscribe, events again), and disconnects.

use std::sync::Arc;
use std::time::Duration;

use gws_contract::bayeux::{BayeuxClient, BayeuxConfig, Delivery, Inbox};
use gws_contract::target::{Secret, Target};
use gws_contract::transport::ActorHttp;
use serde_json::{Value, json};

use crate::node::{NodePeer, spawn_node};

const CHANNEL: &str = "/v2/me/facebooksession";
const LIMIT: Duration = Duration::from_secs(20);

/// Our client, built the way the runner builds it (one actor's HTTP client and decoration).
async fn connect(url: &str) -> (BayeuxClient, Inbox) {
    let endpoint = url::Url::parse(url).expect("peer URL");
    let target = Arc::new(Target::with_defaults(endpoint.clone(), Secret::new("password")));
    let http = ActorHttp::new("agent1", target).expect("actor client");
    let config = BayeuxConfig::new(endpoint, CHANNEL);
    BayeuxClient::start(http.client(), http.decorate(), config)
        .await
        .expect("handshake and subscribe succeed")
}

async fn next(inbox: &mut Inbox) -> Delivery {
    tokio::time::timeout(LIMIT, inbox.recv())
        .await
        .expect("a delivery within the limit")
        .expect("the inbox is open")
}

async fn publish_and_receive(peer: &mut NodePeer, inbox: &mut Inbox, data: &[Value]) {
    for d in data {
        peer.send(&json!({"cmd": "publish", "data": d})).await;
        peer.expect_event("published", LIMIT).await;
    }
    for d in data {
        match next(inbox).await {
            Delivery::Data { channel, data, .. } => {
                assert_eq!(channel, CHANNEL);
                assert_eq!(&data, d);
            }
            other => panic!("expected {d}, got {other:?}"),
        }
    }
}

/// The whole life of a session against `script`; returns the re-handshake reason.
async fn full_session(script: &str, env: &[(&str, &str)]) -> String {
    let mut peer = spawn_node(script, env);
    let listening = peer.expect_event("listening", LIMIT).await;
    let url = listening["url"].as_str().expect("url").to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let (client, mut inbox) = connect(&url).await;
    let subscribed = peer.expect_event("subscribed", LIMIT).await;
    assert_eq!(subscribed["channel"], CHANNEL);
    assert_eq!(subscribed["clientId"], client.client_id().await.as_str());

    publish_and_receive(&mut peer, &mut inbox, &[json!({"n": 1})]).await;
    publish_and_receive(
        &mut peer,
        &mut inbox,
        &[json!({"n": 2}), json!({"n": 3}), json!({"n": 4})],
    )
    .await;

    let old_id = client.client_id().await;
    peer.send(&json!({"cmd": "forget"})).await;
    let forgotten = peer.expect_event("forgotten", LIMIT).await;
    assert_eq!(forgotten["sessions"], json!([old_id]));
    let Delivery::Rehandshake { from, to, reason } = next(&mut inbox).await else {
        panic!("expected a re-handshake report");
    };
    assert!(from <= to);
    let resubscribed = peer.expect_event("subscribed", LIMIT).await;
    let new_id = client.client_id().await;
    assert_ne!(new_id, old_id);
    assert_eq!(resubscribed["clientId"], new_id.as_str());
    publish_and_receive(&mut peer, &mut inbox, &[json!({"n": 5})]).await;

    client.close().await.expect("the server confirms the disconnect");
    let removed = peer.expect_event("removed", LIMIT).await;
    assert_eq!(removed["clientId"], new_id.as_str());
    peer.kill().await;
    reason
}

#[tokio::test]
async fn bayeux_interop_official_cometd_nodejs_server() {
    let reason = full_session("cometd-server.mjs", &[("TIMEOUT", "2000")]).await;
    assert_eq!(reason, "402::session_unknown");
}

#[tokio::test]
async fn bayeux_interop_faye() {
    let reason = full_session("faye-server.cjs", &[("TIMEOUT", "2")]).await;
    assert!(
        reason.starts_with("401:") && reason.ends_with(":Unknown client"),
        "{reason}"
    );
}
