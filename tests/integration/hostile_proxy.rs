//! A hostile target for tests: an in-process HTTP proxy in front of an in-process reference
//! server that forwards everything faithfully except one kind of request (a stage: login,
//! state hook, handshake, subscribe, connect, step request), which it answers with one
//! misbehaviour: never answering, an endless or huge body, garbage, JSON nested too deep,
//! closing mid-response, a flood of notifications, absurd advice; or it dies mid-run.
//!
//! It runs on the test's runtime on 127.0.0.1:0; dropping it stops both servers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use gws_contract::server::{ReferenceServer, ServerConfig};
use serde_json::{Value, json};
use tokio::sync::Notify;

use crate::support::start_server;

/// Which requests misbehave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `GET /api/v2/me` (the actor's login).
    Login,
    /// `POST /contract/states`.
    Hook,
    /// `/meta/handshake`.
    Handshake,
    /// `/meta/subscribe`.
    Subscribe,
    /// Every `/meta/connect`.
    Connect,
    /// `/meta/connect` after the first (held ones).
    LaterConnect,
    /// Any other request: the scenario's steps.
    Step,
}

/// What the misbehaving requests get.
#[derive(Debug, Clone, Copy)]
pub enum Misbehaviour {
    /// No answer, ever.
    Hang,
    /// 200 with a chunked body that never ends.
    EndlessBody,
    /// 200 with a body of this many bytes (declared length).
    HugeBody(usize),
    /// 200 with this body instead of the real one.
    Garbage(&'static str),
    /// 200 with JSON arrays nested this deep.
    DeepJson(usize),
    /// The headers and a few bytes, then the connection is closed.
    CloseMidResponse,
    /// The real reply, with each notification in it repeated this many times.
    Flood(usize),
    /// The real reply, with every advice's timeout 2^64−1 and, if set, interval 2^63−1.
    AbsurdAdvice {
        /// Whether the interval is absurd too.
        interval: bool,
    },
    /// The proxy dies instead of answering: this request, every later one and every one still
    /// held are cut off.
    Die,
    /// The real replies; the proxy dies right after passing on the n-th reply that carries
    /// notifications.
    DieAfterNotifications(usize),
}

/// A running hostile proxy and the reference server behind it.
pub struct HostileTarget {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    _upstream: ReferenceServer,
}

impl Drop for HostileTarget {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HostileTarget {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

struct ProxyState {
    upstream: String,
    client: reqwest::Client,
    stage: Stage,
    misbehaviour: Misbehaviour,
    /// How many requests of the stage to forward faithfully before misbehaving.
    skip: usize,
    seen: AtomicUsize,
    replies_with_notifications: AtomicUsize,
    dead: AtomicBool,
    died: Notify,
}

/// Starts a reference server (holding connects for 1 s, so long-polls cycle quickly) and the
/// proxy in front of it: requests of `stage` get `misbehaviour`, after the first `skip` of them.
pub async fn start(stage: Stage, misbehaviour: Misbehaviour, skip: usize) -> HostileTarget {
    let upstream = start_server(ServerConfig {
        connect_hold: Duration::from_secs(1),
        ..ServerConfig::default()
    })
    .await;
    let state = Arc::new(ProxyState {
        upstream: upstream.url(),
        client: reqwest::Client::new(),
        stage,
        misbehaviour,
        skip,
        seen: AtomicUsize::new(0),
        replies_with_notifications: AtomicUsize::new(0),
        dead: AtomicBool::new(false),
        died: Notify::new(),
    });
    let app = axum::Router::new().fallback(proxy).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    HostileTarget {
        addr,
        task,
        _upstream: upstream,
    }
}

async fn proxy(State(state): State<Arc<ProxyState>>, request: Request) -> Response {
    if state.dead.load(Ordering::SeqCst) {
        return cut_off();
    }
    let method = request.method().clone();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_owned(), ToString::to_string);
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let stage = classify(&method, &path_and_query, &body);
    let chosen = stage.contains(&state.stage) && state.seen.fetch_add(1, Ordering::SeqCst) >= state.skip;
    if !chosen {
        return forward(&state, method, &path_and_query, headers, body).await;
    }
    match state.misbehaviour {
        Misbehaviour::Hang => std::future::pending().await,
        Misbehaviour::EndlessBody => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let endless = stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            json_response(Body::from_stream(endless))
        }
        Misbehaviour::HugeBody(bytes) => json_response(Body::from(vec![b' '; bytes])),
        Misbehaviour::Garbage(text) => json_response(Body::from(text)),
        Misbehaviour::DeepJson(depth) => {
            json_response(Body::from(format!("{}{}", "[".repeat(depth), "]".repeat(depth))))
        }
        Misbehaviour::CloseMidResponse => {
            let parts = stream::iter([
                Ok(Bytes::from_static(b"[{\"channel\":")),
                Err(std::io::Error::other("the proxy closes the connection")),
            ]);
            json_response(Body::from_stream(parts))
        }
        Misbehaviour::Flood(copies) => {
            rewrite(&state, method, &path_and_query, headers, body, |messages| {
                messages
                    .into_iter()
                    .flat_map(|m| {
                        let n = if m.get("data").is_some() { copies } else { 1 };
                        std::iter::repeat_n(m, n)
                    })
                    .collect()
            })
            .await
        }
        Misbehaviour::AbsurdAdvice { interval } => {
            rewrite(&state, method, &path_and_query, headers, body, |mut messages| {
                for m in &mut messages {
                    if let Some(advice) = m.get_mut("advice").and_then(Value::as_object_mut) {
                        advice.insert("timeout".into(), json!(u64::MAX));
                        if interval {
                            advice.insert("interval".into(), json!(i64::MAX));
                        }
                    }
                }
                messages
            })
            .await
        }
        Misbehaviour::Die => {
            die(&state);
            cut_off()
        }
        Misbehaviour::DieAfterNotifications(n) => {
            let mut carried = false;
            let response = rewrite(&state, method, &path_and_query, headers, body, |messages| {
                carried = messages.iter().any(|m| m.get("data").is_some());
                messages
            })
            .await;
            if carried && state.replies_with_notifications.fetch_add(1, Ordering::SeqCst) + 1 >= n {
                die(&state);
            }
            response
        }
    }
}

fn die(state: &ProxyState) {
    state.dead.store(true, Ordering::SeqCst);
    state.died.notify_waiters();
}

/// The stages a request belongs to (a connect is both `Connect` and maybe `LaterConnect`).
fn classify(method: &Method, path: &str, body: &[u8]) -> Vec<Stage> {
    if path.starts_with("/api/v2/notifications") {
        let messages: Vec<Value> = serde_json::from_slice(body).unwrap_or_default();
        let first = messages.first().cloned().unwrap_or_default();
        return match first["channel"].as_str() {
            Some("/meta/handshake") => vec![Stage::Handshake],
            Some("/meta/subscribe") => vec![Stage::Subscribe],
            Some("/meta/connect") if first["advice"]["timeout"] == json!(0) => vec![Stage::Connect],
            Some("/meta/connect") => vec![Stage::Connect, Stage::LaterConnect],
            _ => Vec::new(),
        };
    }
    if *method == Method::GET && path == "/api/v2/me" {
        return vec![Stage::Login];
    }
    if path.starts_with("/contract/states") {
        return vec![Stage::Hook];
    }
    if path.starts_with("/api/") {
        return vec![Stage::Step];
    }
    Vec::new()
}

/// The request sent upstream as it came; the reply passed back as it came. A proxy that dies
/// meanwhile cuts the reply off.
async fn forward(
    state: &ProxyState,
    method: Method,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut request = state
        .client
        .request(method, format!("{}{path}", state.upstream))
        .body(body);
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let died = state.died.notified();
    let reply = tokio::select! {
        () = died => return cut_off(),
        reply = request.send() => reply,
    };
    let Ok(reply) = reply else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = reply.status();
    let mut response_headers = HeaderMap::new();
    for (name, value) in reply.headers() {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            response_headers.append(name, value.clone());
        }
    }
    let bytes = reply.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = response_headers;
    response
}

/// Forwards, then rewrites the reply's Bayeux messages with `change`.
async fn rewrite(
    state: &ProxyState,
    method: Method,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
    change: impl FnOnce(Vec<Value>) -> Vec<Value>,
) -> Response {
    let response = forward(state, method, path, headers, body).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap_or_default();
    let messages: Vec<Value> = serde_json::from_slice(&bytes).unwrap_or_default();
    let changed = serde_json::to_vec(&change(messages)).unwrap_or_default();
    Response::from_parts(parts, Body::from(changed))
}

fn json_response(body: Body) -> Response {
    let mut response = Response::new(body);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}

/// A response whose body fails at once: the connection is reset, as when a process dies.
fn cut_off() -> Response {
    let failing = stream::iter([Err::<Bytes, _>(std::io::Error::other("the target died"))]);
    Body::from_stream(failing).into_response()
}
