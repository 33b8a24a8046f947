//! Real CometD clients accept the reference server's multi-agent deliveries: two official
//! JavaScript clients (npm `cometd` 9 + `cometd-nodejs-client`) receive the
//! RemoveParticipantFromConference page's sequences, each for its own agent, in order.

use std::time::Duration;

use gws_contract::server::ServerConfig;
use serde_json::{Value, json};

use crate::node::run_node;
use crate::server_wire::hook;
use crate::support::start_server;

#[tokio::test]
async fn server_official_js_clients_receive_the_remove_participant_sequences() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let reply = hook(
        &base,
        "facebook session chatting",
        json!({"agents": ["agent1", "agent2"], "mode": "consult"}),
    )
    .await;
    let session = reply["id"].as_str().expect("id").to_owned();
    let target = reply["agents"]["agent2"]["uri"].as_str().expect("uri").to_owned();
    let env = [
        ("BASE", base.as_str()),
        ("SESSION", session.as_str()),
        ("TARGET_URI", target.as_str()),
    ];
    let output = run_node("js-client-remove-participant.mjs", &env, Duration::from_secs(30)).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "JS clients failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events: Vec<Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let sequence = |user: &str| -> Vec<String> {
        events
            .iter()
            .filter(|e| e["event"] == "notification" && e["user"] == user)
            .map(|e| {
                let data = &e["data"];
                let detail = data
                    .pointer("/facebooksession/state")
                    .or_else(|| data.pointer("/messages/0/type"))
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                format!("{}:{detail}", data["notificationType"].as_str().unwrap_or("?"))
            })
            .collect()
    };
    assert_eq!(
        sequence("agent1"),
        [
            "NewMessages:Notice",
            "ParticipantsUpdated:Completed",
            "NewMessages:ParticipantLeft"
        ]
    );
    assert_eq!(
        sequence("agent2"),
        [
            "StatusChange:Chatting",
            "NewMessages:ParticipantLeft",
            "StatusChange:LeftChat",
            "StatusChange:Completed"
        ]
    );
}
