//! Our Bayeux client against the reference server: receive a notification triggered through
//! the state hook, disconnect for real, and re-handshake after the server forgets the client.
//!
//! To make the server forget the client without new server features, a small logging proxy
//! sits between them and rewrites the connect replies' `advice.interval` to a long pause. The
//! client honours it, holds no connect meanwhile, and the server expires it after its
//! (shortened) `max_interval`; the next connect is answered `402::Unknown client` with
//! `reconnect: handshake`. The proxy stops rewriting once it has seen that answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use gws_contract::bayeux::{BayeuxClient, BayeuxConfig, Delivery, Inbox, Message};
use gws_contract::server::{ReferenceServer, ServerConfig};
use gws_contract::target::Target;
use gws_contract::transport::ActorHttp;
use serde_json::{Value, json};

use crate::support::{start_server, target_for};

/// The interval the proxy advises while it wants the server to forget the client.
const FORGET_INTERVAL_MS: i64 = 1500;

async fn hook(base: &str, state: &str, params: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/contract/states"))
        .json(&json!({"state": state, "params": params, "action": "setup"}))
        .send()
        .await
        .expect("state hook reachable");
    assert!(
        response.status().is_success(),
        "hook {state}: {}",
        response.status()
    );
    response.json().await.expect("state hook replies JSON")
}

/// Logs in `agent1` and starts a Bayeux client on `endpoint` (the server's or a proxy's).
async fn agent1_client(target: &Arc<Target>, endpoint: url::Url) -> (BayeuxClient, Inbox) {
    let http = ActorHttp::new("agent1", Arc::clone(target)).expect("actor client");
    http.login().await.expect("agent1 logs in");
    let config = BayeuxConfig::new(endpoint, target.channel.clone());
    BayeuxClient::start(http.client(), http.decorate(), config)
        .await
        .expect("handshake and subscribe succeed")
}

async fn next(inbox: &mut Inbox) -> Delivery {
    tokio::time::timeout(Duration::from_secs(20), inbox.recv())
        .await
        .expect("a delivery within 20 s")
        .expect("the inbox is open")
}

async fn customer_writes(base: &str, session: &str, text: &str, inbox: &mut Inbox) {
    hook(
        base,
        "customer message",
        json!({"session": session, "text": text}),
    )
    .await;
    match next(inbox).await {
        Delivery::Data { channel, data, .. } => {
            assert_eq!(channel, "/v2/me/facebooksession");
            assert_eq!(data["notificationType"], "NewMessages");
            assert_eq!(data["messages"][0]["text"], text);
            assert_eq!(
                data["facebooksessionPath"],
                format!("/facebooksessions/{session}")
            );
        }
        other => panic!("expected the customer's message, got {other:?}"),
    }
}

#[tokio::test]
async fn bayeux_reference_server_delivers_hook_notifications_and_forgets_on_disconnect() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let target = target_for(&server);
    let endpoint = target.url(&target.notifications_path).expect("endpoint");
    let (client, mut inbox) = agent1_client(&target, endpoint.clone()).await;
    let session = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await;
    let session = session["id"].as_str().expect("session id").to_owned();
    customer_writes(&base, &session, "Hello?", &mut inbox).await;
    customer_writes(&base, &session, "Anyone there?", &mut inbox).await;

    let client_id = client.client_id().await;
    client.close().await.expect("the server confirms the disconnect");
    // The server releases the held connect with `reconnect: none`; that is the end of a
    // deliberate disconnect, not a failure to report.
    let end = tokio::time::timeout(Duration::from_secs(20), inbox.recv())
        .await
        .expect("inbox closes");
    assert_eq!(end, None);
    // The server no longer knows the client id.
    let reply: Vec<Message> = reqwest::Client::new()
        .post(endpoint)
        .basic_auth("agent1", Some("password"))
        .json(&json!([{"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling", "advice": {"timeout": 0}}]))
        .send()
        .await
        .expect("endpoint reachable")
        .json()
        .await
        .expect("Bayeux reply");
    assert_eq!(reply[0].successful, Some(false));
    assert_eq!(
        reply[0].advice.as_ref().and_then(|a| a.reconnect.as_deref()),
        Some("handshake")
    );
}

#[tokio::test]
async fn bayeux_reference_server_forgets_the_client_which_rehandshakes_and_resubscribes() {
    let config = ServerConfig {
        max_interval: Duration::from_millis(50),
        connect_hold: Duration::from_millis(200),
        ..ServerConfig::default()
    };
    let server = start_server(config).await;
    let base = server.url();
    let target = target_for(&server);
    let proxy = Proxy::start(&server).await;
    let endpoint =
        url::Url::parse(&format!("{}{}", proxy.url, target.notifications_path)).expect("proxy URL");
    let started = Instant::now();
    let (client, mut inbox) = agent1_client(&target, endpoint).await;

    let Delivery::Rehandshake { from, to, reason } = next(&mut inbox).await else {
        panic!("expected a re-handshake report first");
    };
    let received = Instant::now();
    assert!(reason.contains("Unknown client"), "{reason}");
    assert!(started <= from && from <= to && to <= received);
    // The client paused for the advised interval after its last good connect, so the window
    // in which events may have been lost is at least that long.
    let window = to.duration_since(from);
    assert!(
        window >= Duration::from_millis(FORGET_INTERVAL_MS.unsigned_abs()),
        "{window:?}"
    );

    let session = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await;
    let session = session["id"].as_str().expect("session id").to_owned();
    customer_writes(&base, &session, "after the re-handshake", &mut inbox).await;

    let log = proxy.log();
    let forgotten = log
        .iter()
        .position(|(channel, error)| {
            channel == "/meta/connect" && error.as_deref().is_some_and(|e| e.contains("Unknown client"))
        })
        .unwrap_or_else(|| panic!("no unknown-client connect in {log:?}"));
    let after: Vec<&str> = log[forgotten + 1..]
        .iter()
        .take(3)
        .map(|(c, _)| c.as_str())
        .collect();
    assert_eq!(
        after,
        ["/meta/handshake", "/meta/subscribe", "/meta/connect"],
        "{log:?}"
    );
    assert_eq!(
        log[forgotten + 2].1,
        None,
        "the new subscription succeeded: {log:?}"
    );
    client.close().await.expect("the server confirms the disconnect");
}

/// A logging HTTP proxy in front of the reference server's CometD endpoint (also used by the
/// runner's re-handshake test).
pub(crate) struct Proxy {
    pub(crate) url: String,
    state: Arc<ProxyState>,
}

struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    /// (request channel, error of its reply) in arrival order of replies.
    log: Mutex<Vec<(String, Option<String>)>>,
    forgotten: AtomicBool,
}

impl Proxy {
    pub(crate) async fn start(server: &ReferenceServer) -> Proxy {
        let state = Arc::new(ProxyState {
            upstream: server.url(),
            http: reqwest::Client::new(),
            log: Mutex::new(Vec::new()),
            forgotten: AtomicBool::new(false),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Proxy { url, state }
    }

    fn log(&self) -> Vec<(String, Option<String>)> {
        self.state.log.lock().expect("log lock").clone()
    }
}

async fn forward(
    State(state): State<Arc<ProxyState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut request = state.http.post(format!("{}{}", state.upstream, uri.path()));
    for name in ["authorization", "cookie", "content-type"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value);
        }
    }
    let Ok(response) = request.body(body).send().await else {
        return (StatusCode::BAD_GATEWAY, "upstream unreachable").into_response();
    };
    let status = response.status();
    let cookies: Vec<_> = response.headers().get_all("set-cookie").iter().cloned().collect();
    let bytes = response.bytes().await.unwrap_or_default();
    let Ok(mut replies) = serde_json::from_slice::<Vec<Value>>(&bytes) else {
        return (status, bytes).into_response();
    };
    for reply in &mut replies {
        let channel = reply["channel"].as_str().unwrap_or_default().to_owned();
        if !channel.starts_with("/meta/") {
            continue;
        }
        let error = reply["error"].as_str().map(str::to_owned);
        if channel == "/meta/connect" {
            if error.is_some() {
                state.forgotten.store(true, Ordering::SeqCst);
            } else if !state.forgotten.load(Ordering::SeqCst) {
                reply["advice"]["interval"] = json!(FORGET_INTERVAL_MS);
            }
        }
        state.log.lock().expect("log lock").push((channel, error));
    }
    let mut out = (status, axum::Json(replies)).into_response();
    for cookie in cookies {
        out.headers_mut().append("set-cookie", cookie);
    }
    out
}
