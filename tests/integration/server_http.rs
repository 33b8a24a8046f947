//! The HTTP edges of the reference server: Basic auth and the JSESSIONID cookie, CSRF mode
//! (reference §4.3), JSON error bodies for oversized bodies, unknown routes and wrong
//! methods, and the provider-state hook's errors and teardown.

use gws_contract::server::ServerConfig;
use serde_json::{Value, json};

use crate::server_wire::{Agent, hook, hook_raw, send};
use crate::support::start_server;

#[tokio::test]
async fn server_refuses_missing_or_wrong_credentials_with_401() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let anonymous = reqwest::Client::new();
    let response = anonymous
        .get(format!("{base}/api/v2/me"))
        .send()
        .await
        .expect("reachable");
    assert_eq!(response.status().as_u16(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: Value = response.json().await.expect("JSON body");
    assert_eq!(body["statusCode"], 20);

    let wrong = Agent::with_password(&base, "agent1", "not-the-password");
    for (status, body) in [
        wrong.get("/api/v2/me").await,
        wrong
            .post(
                "/api/v2/me/facebooksessions/X",
                &json!({"operationName": "Complete"}),
            )
            .await,
        wrong
            .bayeux("/handshake", json!([{"channel": "/meta/handshake"}]))
            .await,
    ] {
        assert_eq!((status, &body["statusCode"]), (401, &json!(20)), "{body}");
    }
    let garbage = send(
        anonymous
            .get(format!("{base}/api/v2/me"))
            .header("authorization", "Basic %%%not-base64"),
    )
    .await;
    assert_eq!(garbage.0, 401);
}

#[tokio::test]
async fn server_session_cookie_authenticates_later_requests() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let jar_client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let first = jar_client
        .get(format!("{base}/api/v2/me"))
        .basic_auth("agent2", Some("password"))
        .send()
        .await
        .expect("reachable");
    let cookie = first
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("JSESSIONID="), "{cookie}");
    let (status, me) = send(jar_client.get(format!("{base}/api/v2/me"))).await;
    assert_eq!(status, 200);
    assert_eq!(me["user"]["userName"], "agent2");
}

#[tokio::test]
async fn server_csrf_mode_requires_the_token_from_get_me() {
    let config = ServerConfig {
        csrf: true,
        ..ServerConfig::default()
    };
    let server = start_server(config).await;
    let base = server.url();
    let id = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let agent = Agent::new(&base, "agent1");
    let path = format!("/api/v2/me/facebooksessions/{id}");
    let complete = json!({"operationName": "Complete"});

    // A brand-new HTTP session cannot know its token yet.
    let (status, body) = agent.post(&path, &complete).await;
    assert_eq!(status, 403);
    assert_eq!(body["statusMessage"], "Missing or invalid Csrf token");

    let response = agent
        .request(reqwest::Method::GET, "/api/v2/me")
        .send()
        .await
        .expect("reachable");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("x-csrf-header"), "X-CSRF-TOKEN");
    let token = header("x-csrf-token");
    assert_eq!(token.len(), 36, "{token}");

    let (status, _) = send(
        agent
            .request(reqwest::Method::POST, &path)
            .header("X-CSRF-TOKEN", "4a92be65-ec55-4aa2-b9df-9518fd870f2f")
            .json(&complete),
    )
    .await;
    assert_eq!(status, 403, "a wrong token is refused");
    let (status, body) = send(
        agent
            .request(reqwest::Method::POST, &path)
            .header("X-CSRF-TOKEN", &token)
            .json(&complete),
    )
    .await;
    assert_eq!((status, body), (200, json!({"statusCode": 0})));
}

#[tokio::test]
async fn server_oversized_bodies_get_a_json_413() {
    let config = ServerConfig {
        max_body_bytes: 1024,
        ..ServerConfig::default()
    };
    let server = start_server(config).await;
    let base = server.url();
    let agent = Agent::new(&base, "agent1");
    let big = json!({"operationName": "SendMessage", "text": "x".repeat(4096)});
    for path in [
        "/api/v2/me/facebooksessions/ANY",
        "/api/v2/notifications/handshake",
    ] {
        let (status, body) = agent.post(path, &big).await;
        assert_eq!(status, 413, "{path}");
        assert_eq!(body["statusCode"], 10, "{path}: {body}");
        assert!(body["statusMessage"].is_string());
    }
    let (status, body) = hook_raw(
        &base,
        &json!({"state": "customer message", "params": {"text": "x".repeat(4096)}}),
    )
    .await;
    assert_eq!((status, &body["statusCode"]), (413, &json!(10)), "{body}");
}

#[tokio::test]
async fn server_unknown_routes_and_methods_answer_json() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let agent = Agent::new(&base, "agent1");
    let (status, body) = agent.get("/api/v2/nothing/here").await;
    assert_eq!((status, &body["statusCode"]), (404, &json!(6)), "{body}");
    let (status, body) = send(agent.request(reqwest::Method::DELETE, "/api/v2/me")).await;
    assert_eq!((status, &body["statusCode"]), (405, &json!(10)), "{body}");
}

#[tokio::test]
async fn server_state_hook_explains_bad_calls_and_tears_down() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    for (call, fragment) in [
        (json!({"state": "no such state"}), "unknown state `no such state`"),
        (
            json!({"state": "facebook session chatting", "params": {"agents": ["agent1"], "agnets": 1}}),
            "takes no parameter `agnets`",
        ),
        (
            json!({"state": "facebook session chatting", "params": {"agents": []}}),
            "non-empty",
        ),
        (
            json!({"state": "facebook session chatting", "params": {"agents": ["bob"]}}),
            "unknown agent `bob`",
        ),
        (
            json!({"state": "facebook session offered", "params": {}}),
            "`params.agent`",
        ),
        (
            json!({"state": "customer message", "params": {"session": "NOPE", "text": "x"}}),
            "unknown session",
        ),
        (
            json!({"state": "customer transcript", "action": "explode"}),
            "unknown action",
        ),
        (json!([1]), "JSON object"),
    ] {
        let (status, reply) = hook_raw(&base, &call).await;
        assert_eq!(status, 400, "{call}");
        let error = reply["error"].as_str().unwrap_or_default();
        assert!(error.contains(fragment), "{call}: {error}");
        assert!(
            reply["states"].as_array().is_some_and(|s| s.len() == 4),
            "{reply}"
        );
    }

    let params =
        json!({"agents": ["agent1", "agent2"], "customer": "FirstL", "comment": "c", "userData": {"K": 1}});
    let setup = hook(&base, "facebook session chatting", params.clone()).await;
    for key in [
        "/id",
        "/uri",
        "/customer/participantId",
        "/customer/nickname",
        "/agents/agent2/participantId",
        "/agents/agent2/uri",
        "/agents/agent2/path",
    ] {
        assert!(
            setup.pointer(key).is_some_and(Value::is_string),
            "{key} in {setup}"
        );
    }
    let id = setup["id"].as_str().expect("id");
    let agent = Agent::new(&base, "agent1");
    let view = agent.view(id).await;
    assert_eq!(view["userData"]["K"], 1);
    assert_eq!(view["comment"], "c");
    let (status, _) = hook_raw(
        &base,
        &json!({"state": "facebook session chatting", "params": params, "action": "teardown", "setup": setup}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = agent.get(&format!("/api/v2/facebooksessions/{id}")).await;
    assert_eq!(status, 404, "teardown removed the session");
    let (status, _) = hook_raw(
        &base,
        &json!({"state": "facebook session offered", "action": "teardown"}),
    )
    .await;
    assert_eq!(status, 200, "a teardown without its setup reply is harmless");
}

#[tokio::test]
async fn server_http_idle_sessions_are_evicted() {
    let server = crate::support::start_server(gws_contract::server::ServerConfig {
        http_session_idle: std::time::Duration::from_millis(50),
        ..gws_contract::server::ServerConfig::default()
    })
    .await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let me = format!("{}/api/v2/me", server.url());
    let login = client
        .get(&me)
        .basic_auth("agent1", Some("password"))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);
    assert_eq!(server.stats().http_sessions, 1);
    // The sweeper runs periodically; wait (bounded) until it has evicted the idle session.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while server.stats().http_sessions > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the idle session was never evicted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The cookie alone no longer authenticates.
    let again = client.get(&me).send().await.expect("request");
    assert_eq!(again.status(), 401);
}
