//! The state hook's `actors` map: scenarios name actors in `params`, the runner says which
//! user each actor logs in as, and the reply is keyed by the names the request used.

use gws_contract::server::ServerConfig;
use serde_json::{Value, json};

use crate::support::start_server;

async fn hook(base: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/contract/states"))
        .json(&body)
        .send()
        .await
        .expect("state hook reachable");
    let status = response.status().as_u16();
    (status, response.json().await.expect("hook replies JSON"))
}

#[tokio::test]
async fn hook_maps_actor_names_to_users_and_keys_the_reply_by_actor() {
    let server = start_server(ServerConfig {
        users: vec![("alice".into(), "a".into()), ("bob".into(), "b".into())],
        ..ServerConfig::default()
    })
    .await;
    let (status, reply) = hook(
        &server.url(),
        json!({"state": "facebook session chatting", "action": "setup",
               "params": {"agents": ["agent1", "agent2"]},
               "actors": {"agent1": "alice", "agent2": "bob"}}),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    let agents = reply["agents"].as_object().expect("agents map");
    assert_eq!(agents.keys().collect::<Vec<_>>(), ["agent1", "agent2"]);
    assert!(
        agents["agent1"]["uri"]
            .as_str()
            .is_some_and(|u| u.contains("/api/v2/users/"))
    );

    // Without the map the same names are taken as user names, which this server lacks.
    let (status, reply) = hook(
        &server.url(),
        json!({"state": "facebook session chatting", "action": "setup", "params": {"agents": ["agent1"]}}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        reply["error"].as_str().is_some_and(|e| e.contains("agent1")),
        "{reply}"
    );
}

#[tokio::test]
async fn hook_refuses_two_actors_with_one_user() {
    let server = start_server(ServerConfig::default()).await;
    let (status, reply) = hook(
        &server.url(),
        json!({"state": "facebook session chatting", "action": "setup",
               "params": {"agents": ["agent1"]},
               "actors": {"agent1": "agent1", "agent2": "agent1"}}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        reply["error"],
        "actors `agent1` and `agent2` both log in as `agent1`"
    );
}
