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

/// The latency bench's JS side (benches/run.sh) keeps working: a few rounds, every one timed.
#[tokio::test]
async fn latency_bench_client_times_each_round_from_request_to_notification() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let output = run_node(
        "bench-latency.mjs",
        &[("BASE", base.as_str()), ("ROUNDS", "5")],
        Duration::from_secs(60),
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "bench client failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: Value = serde_json::from_str(stdout.trim().lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("not one JSON line ({e}): {stdout}"));
    assert_eq!(result["rounds"], 5, "{result}");
    let p50 = result["p50_ms"].as_f64().expect("p50");
    let p95 = result["p95_ms"].as_f64().expect("p95");
    let max = result["max_ms"].as_f64().expect("max");
    assert!(0.0 < p50 && p50 <= p95 && p95 <= max, "{result}");
}
