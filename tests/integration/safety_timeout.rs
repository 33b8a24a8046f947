//! A target that stops answering ends the run with an infrastructure error (exit 3) naming the
//! URL and the limit, instead of hanging: every actor and state-hook request is bounded by the
//! request timeout (`--request-timeout`, the profile's `request_timeout`, default 30 s).
//!
//! The stub below logs in and speaks CometD sanely but never answers the state hook, nor
//! `GET /hang`: it holds those requests forever.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::routing::{get, post};
use gws_contract::target::{Secret, Target};
use gws_contract::transport::{ActorHttp, HttpRequest, RequestAuth, TransportError};
use serde_json::{Value, json};

use crate::safety_support::{both, clean, run_cli_env, write};

/// A running stub; dropping it stops it (and releases every held request).
struct HangingTarget {
    url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HangingTarget {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_hanging_target() -> HangingTarget {
    let app = axum::Router::new()
        .route("/api/v2/me", get(|| async { Json(json!({"statusCode": 0})) }))
        .route("/api/v2/notifications", post(bayeux))
        .route("/api/v2/notifications/{*suffix}", post(bayeux))
        .route("/contract/states", post(hold_forever))
        .route("/hang", get(hold_forever));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    HangingTarget {
        url: format!("http://{addr}"),
        task,
    }
}

async fn hold_forever() -> &'static str {
    std::future::pending::<()>().await;
    "never"
}

/// Handshake, subscribe, the first connect and disconnect are answered at once; later connects
/// are held, like a long-poll with nothing to deliver.
async fn bayeux(Json(messages): Json<Vec<Value>>) -> Json<Value> {
    let mut replies = Vec::new();
    for m in &messages {
        let channel = m["channel"].as_str().unwrap_or_default();
        let mut reply = json!({"channel": channel, "id": m["id"], "successful": true});
        match channel {
            "/meta/handshake" => {
                reply["clientId"] = json!("stub-client");
                reply["version"] = json!("1.0");
                reply["supportedConnectionTypes"] = json!(["long-polling"]);
                reply["advice"] = json!({"reconnect": "retry", "interval": 0, "timeout": 30000});
            }
            "/meta/subscribe" => reply["subscription"] = m["subscription"].clone(),
            "/meta/connect" if m["advice"]["timeout"] != 0 => {
                std::future::pending::<()>().await;
            }
            _ => {}
        }
        replies.push(reply);
    }
    Json(Value::Array(replies))
}

#[tokio::test]
async fn safety_unanswered_state_hook_times_out_with_exit_3_naming_url_and_limit() {
    let stub = start_hanging_target().await;
    let output = run_cli_env(
        &[
            "verify",
            "--target",
            &stub.url,
            "--request-timeout",
            "500ms",
            "scenarios/facebook/complete.yaml",
        ],
        &[],
    )
    .await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(3), "{}", both(&output, &dir));
    let stdout = clean(&output.stdout, &dir);
    assert!(
        stdout.contains("no response from http://127.0.0.1:[port]/contract/states within 500ms"),
        "{stdout}"
    );
    insta::assert_snapshot!(stdout);
}

#[tokio::test]
async fn safety_profile_request_timeout_applies_and_the_flag_overrides_it() {
    let stub = start_hanging_target().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(
        dir.path(),
        "profile.yaml",
        &format!("base_url: {}\nrequest_timeout: 300ms\n", stub.url),
    );
    let scenario = "scenarios/facebook/complete.yaml";
    let output = run_cli_env(&["verify", "--profile", &profile, scenario], &[]).await;
    assert_eq!(output.status.code(), Some(3), "{}", both(&output, dir.path()));
    let stdout = clean(&output.stdout, dir.path());
    assert!(stdout.contains("/contract/states within 300ms"), "{stdout}");

    let output = run_cli_env(
        &[
            "verify",
            "--profile",
            &profile,
            "--request-timeout",
            "0.4s",
            scenario,
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", both(&output, dir.path()));
    let stdout = clean(&output.stdout, dir.path());
    assert!(stdout.contains("/contract/states within 400ms"), "{stdout}");
}

#[tokio::test]
async fn safety_bad_request_timeout_is_a_usage_error() {
    for (value, message) in [
        ("soon", "error: --request-timeout \"soon\" is not a duration"),
        ("0", "error: --request-timeout must be more than 0"),
    ] {
        let output = run_cli_env(
            &[
                "verify",
                "--request-timeout",
                value,
                "scenarios/facebook/complete.yaml",
            ],
            &[],
        )
        .await;
        assert_eq!(output.status.code(), Some(2), "{value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.starts_with(message), "{stderr}");
        assert!(output.stdout.is_empty(), "nothing runs");
    }
}

#[tokio::test]
async fn safety_actor_requests_time_out_with_a_typed_error() {
    let stub = start_hanging_target().await;
    let mut target = Target::with_defaults(url::Url::parse(&stub.url).expect("URL"), Secret::new("pw"));
    target.request_timeout = Duration::from_millis(200);
    let http = ActorHttp::new("agent1", Arc::new(target)).expect("actor client");
    http.login().await.expect("the stub answers logins");
    let request = HttpRequest {
        method: "GET".to_owned(),
        path: "/hang".to_owned(),
        headers: Vec::new(),
        body: None,
        auth: RequestAuth::Actor,
    };
    // Only a hang reaches this bound: it turns one into a failure.
    let result = tokio::time::timeout(Duration::from_secs(60), http.send(&request))
        .await
        .expect("the request must time out on its own");
    match result {
        Err(TransportError::Timeout { url, after }) => {
            assert_eq!(url, format!("{}/hang", stub.url));
            assert_eq!(after, Duration::from_millis(200));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
}
