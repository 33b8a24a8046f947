//! Issue 13: the playback answers what it recorded and nothing else: a request that matches
//! no recorded step gets a JSON error naming the closest one and every difference, a state
//! nothing was recorded from is refused with the recorded states, and parallel replays of one
//! golden keep their own ids.

use std::net::SocketAddr;

use gws_contract::server::{Library, ReplayServer};
use serde_json::{Value, json};

use crate::server_wire::{hook, hook_raw};
use crate::support::{redact, root};

async fn replay_shipped() -> ReplayServer {
    let library = Library::load(&root().join("golden")).expect("the shipped goldens load");
    ReplayServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), library)
        .await
        .expect("the playback starts")
}

/// The parameters the Complete golden was recorded with.
fn complete_params() -> Value {
    let text =
        std::fs::read_to_string(root().join("golden/facebook/complete.json")).expect("read the golden");
    let golden: Value = serde_json::from_str(&text).expect("the golden is JSON");
    golden["given"][0]["params"].clone()
}

async fn post(base: &str, user: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .basic_auth(user, Some("any"))
        .json(body)
        .send()
        .await
        .expect("the playback answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

fn pretty(value: &Value) -> String {
    redact(serde_json::to_string_pretty(value).expect("serialise").as_bytes())
}

#[tokio::test]
async fn replay_an_unmatched_request_gets_an_error_naming_the_closest_step_and_the_differences() {
    let replay = replay_shipped().await;
    let base = replay.url();
    let setup = hook(&base, "facebook session chatting", complete_params()).await;
    let path = format!(
        "/api/v2/me/facebooksessions/{}",
        setup["id"].as_str().expect("id")
    );
    let (status, error) = post(&base, "agent1", &path, &json!({"operationName": "Leave"})).await;
    assert_eq!(status, 409);
    insta::assert_snapshot!(pretty(&error));
    // The session is unchanged: the recorded step still plays.
    let body = json!({"operationName": "Complete", "queueName": "PostProcessingQueue"});
    let (status, reply) = post(&base, "agent1", &path, &body).await;
    assert_eq!((status, reply), (200, json!({"statusCode": 0})));
}

#[tokio::test]
async fn replay_a_request_of_no_session_names_what_was_never_handed_out() {
    let replay = replay_shipped().await;
    let body = json!({"operationName": "Complete", "queueName": "PostProcessingQueue"});
    let (status, error) = post(
        &replay.url(),
        "agent1",
        "/api/v2/me/facebooksessions/NEVERHANDEDOUT01",
        &body,
    )
    .await;
    assert_eq!(status, 409);
    insta::assert_snapshot!(pretty(&error));
}

#[tokio::test]
async fn replay_refuses_a_state_nothing_was_recorded_from_and_lists_the_recorded_ones() {
    let replay = replay_shipped().await;
    // No shipped golden starts from this state (DESIGN.md §5 offers none by that name).
    let (status, error) = hook_raw(
        &replay.url(),
        &json!({"state": "facebook session parked", "params": {"agent": "agent1"}, "action": "setup"}),
    )
    .await;
    assert_eq!(status, 400);
    insta::assert_snapshot!(pretty(&error));
}

#[tokio::test]
async fn replay_parallel_sessions_of_one_golden_keep_their_own_fresh_ids() {
    let replay = replay_shipped().await;
    let base = replay.url();
    let first = hook(&base, "facebook session chatting", complete_params()).await;
    let second = hook(&base, "facebook session chatting", complete_params()).await;
    assert_ne!(first["id"], second["id"]);
    assert_ne!(
        first["customer"]["participantId"],
        second["customer"]["participantId"]
    );
    assert_eq!(replay.sessions(), 2);
    let body = json!({"operationName": "Complete", "queueName": "PostProcessingQueue"});
    for setup in [&second, &first] {
        let path = format!(
            "/api/v2/me/facebooksessions/{}",
            setup["id"].as_str().expect("id")
        );
        let (status, reply) = post(&base, "agent1", &path, &body).await;
        assert_eq!((status, reply), (200, json!({"statusCode": 0})), "{path}");
    }
    let path = format!(
        "/api/v2/me/facebooksessions/{}",
        first["id"].as_str().expect("id")
    );
    let (status, error) = post(&base, "agent1", &path, &body).await;
    assert_eq!(status, 409);
    assert_eq!(
        error["error"],
        "the recording of `complete` (facebook/complete.json) has no more steps"
    );
    for setup in [&first, &second] {
        let (status, _) = hook_raw(
            &base,
            &json!({"state": "facebook session chatting", "action": "teardown", "setup": setup}),
        )
        .await;
        assert_eq!(status, 200);
    }
    assert_eq!(replay.sessions(), 0);
}

#[tokio::test]
async fn replay_answers_requests_it_refuses_with_the_refusal_recorded_for_them() {
    let replay = replay_shipped().await;
    let base = replay.url();
    let client = reqwest::Client::new();
    // A user keeps the first password it logs in with.
    let login = client
        .get(format!("{base}/api/v2/me"))
        .basic_auth("agent1", Some("first"))
        .send()
        .await
        .expect("the playback answers");
    assert_eq!(login.status(), 200);
    let setup = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await;
    let path = format!(
        "/api/v2/me/facebooksessions/{}",
        setup["id"].as_str().expect("id")
    );
    let complete = json!({"operationName": "Complete"});
    let anonymous = client
        .post(format!("{base}{path}"))
        .json(&complete)
        .send()
        .await
        .expect("the playback answers");
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Basic realm=\"GWS\"");
    assert_eq!(
        anonymous.json::<Value>().await.expect("JSON"),
        json!({"statusCode": 20, "statusMessage": "User not authenticated"}),
        "as errors/no-credentials.json recorded it"
    );
    let wrong = client
        .post(format!("{base}{path}"))
        .basic_auth("agent1", Some("second"))
        .json(&complete)
        .send()
        .await
        .expect("the playback answers");
    assert_eq!(wrong.status(), 401, "another password is a wrong one");
    // Nothing recorded a refusal of this: the reference server's refusal.
    let elsewhere = client
        .get(format!("{base}/api/v2/me/facebooksessions/NEVERHANDEDOUT01"))
        .send()
        .await
        .expect("the playback answers");
    assert_eq!(elsewhere.status(), 401);
    // The refusals changed nothing: the recorded read of the unchanged session plays.
    let read = client
        .get(format!("{base}{path}"))
        .basic_auth("agent1", Some("first"))
        .send()
        .await
        .expect("the playback answers");
    assert_eq!(read.status(), 200);
    let read: Value = read.json().await.expect("JSON");
    assert_eq!(read["facebooksession"]["state"], "Chatting", "{read}");
}
