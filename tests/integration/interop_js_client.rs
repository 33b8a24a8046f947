//! The official CometD JavaScript client (npm `cometd` 9 + `cometd-nodejs-client`) against the
//! reference server: Basic-auth handshake, subscribe, and the Complete notification arrives,
//! with long-polling only and with the client's default transports (WebSocket first, which the
//! server refuses, so the client must fall back).

use std::time::Duration;

use gws_contract::server::ServerConfig;
use serde_json::{Value, json};

use crate::node::run_node;
use crate::support::start_server;

async fn chatting_session(base: &str) -> String {
    let reply: Value = reqwest::Client::new()
        .post(format!("{base}/contract/states"))
        .json(&json!({"state": "facebook session chatting", "params": {"agents": ["agent1"]}, "action": "setup"}))
        .send()
        .await
        .expect("state hook reachable")
        .json()
        .await
        .expect("state hook replies JSON");
    reply["id"].as_str().expect("reply has an id").to_owned()
}

/// Runs the JS client script and returns its JSON event lines.
async fn js_client_completes(long_polling_only: bool) -> Vec<Value> {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let session = chatting_session(&base).await;
    let mut env = vec![("BASE", base.as_str()), ("SESSION", session.as_str())];
    if long_polling_only {
        env.push(("LP_ONLY", "1"));
    }
    let output = run_node("js-client-complete.mjs", &env, Duration::from_secs(30)).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "JS client failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let notification = events
        .iter()
        .find(|e| e["event"] == "notification")
        .unwrap_or_else(|| panic!("no notification in {stdout}"));
    assert_eq!(notification["data"]["notificationType"], "StatusChange");
    assert_eq!(notification["data"]["facebooksession"]["id"], session.as_str());
    assert_eq!(notification["data"]["facebooksession"]["state"], "Completed");
    let response = events
        .iter()
        .find(|e| e["event"] == "response")
        .expect("REST response logged");
    assert_eq!(response["status"], 200);
    assert_eq!(response["body"], json!({"statusCode": 0}));
    events
}

#[tokio::test]
async fn official_js_client_long_polling_only_receives_complete() {
    let events = js_client_completes(true).await;
    let handshake = events
        .iter()
        .find(|e| e["event"] == "handshake")
        .expect("handshake logged");
    assert_eq!(handshake["transport"], "long-polling");
}

#[tokio::test]
async fn official_js_client_falls_back_from_websocket() {
    let events = js_client_completes(false).await;
    let handshake = events
        .iter()
        .find(|e| e["event"] == "handshake")
        .expect("handshake logged");
    assert_eq!(handshake["transport"], "long-polling");
    // The client tried WebSocket first and was refused at once.
    assert_eq!(handshake["failedTransports"], json!(["websocket"]));
}
