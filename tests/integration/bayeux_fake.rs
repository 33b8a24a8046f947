//! A scripted Bayeux server for client tests: it records every request (headers and
//! messages) and answers each meta message from a per-channel script queue, or with a plain
//! success when nothing is scripted. A non-first `/meta/connect` with nothing scripted is held
//! until the test scripts an answer, like a real long-poll with no events.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gws_contract::bayeux::{BayeuxClient, BayeuxConfig, Decorate, Inbox, Message};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// The channel the fake publishes on and clients subscribe to.
pub const CHANNEL: &str = "/v2/me/facebooksession";

/// What the fake answers to one request.
pub enum Answer {
    /// A JSON array of these messages.
    Messages(Vec<Value>),
    /// A raw body with this HTTP status.
    Raw(u16, &'static str),
    /// A raw body built by the test, with status 200.
    Body(String),
    /// No answer, ever (the request is held until the client gives up).
    Hang,
}

type Script = Box<dyn FnOnce(&Message, &str) -> Answer + Send>;

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// When it arrived.
    pub arrived: Instant,
    /// When the fake produced its answer (`None` while a connect is held).
    pub answered: Option<Instant>,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its messages.
    pub messages: Vec<Message>,
}

impl Seen {
    /// The first message's channel.
    pub fn channel(&self) -> &str {
        self.messages.first().map_or("", |m| m.channel.as_str())
    }
}

#[derive(Default)]
struct FakeState {
    log: Mutex<Vec<Seen>>,
    scripts: Mutex<HashMap<String, VecDeque<Script>>>,
    scripted: Notify,
    logged: Notify,
    handshakes: AtomicU64,
}

/// A running fake; dropping it stops accepting connections.
pub struct FakeBayeux {
    addr: SocketAddr,
    state: Arc<FakeState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeBayeux {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeBayeux {
    /// Starts the fake on an ephemeral loopback port.
    pub async fn start() -> FakeBayeux {
        let state = Arc::new(FakeState::default());
        let app = axum::Router::new()
            .route("/cometd", axum::routing::post(handle))
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeBayeux { addr, state, task }
    }

    /// `http://127.0.0.1:PORT/cometd`.
    pub fn endpoint(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/cometd", self.addr)).expect("endpoint URL")
    }

    /// Queues the answer to the next unanswered message on `channel`.
    pub fn script(&self, channel: &str, answer: impl FnOnce(&Message, &str) -> Answer + Send + 'static) {
        self.state
            .scripts
            .lock()
            .expect("scripts lock")
            .entry(channel.to_owned())
            .or_default()
            .push_back(Box::new(answer));
        self.state.scripted.notify_waiters();
    }

    /// Everything received so far.
    pub fn log(&self) -> Vec<Seen> {
        self.state.log.lock().expect("log lock").clone()
    }

    /// Waits until `count` requests on `channel` have arrived (or panics after 10 s).
    pub async fn wait_for(&self, channel: &str, count: usize) -> Vec<Seen> {
        let wait = async {
            loop {
                let notified = self.state.logged.notified();
                let seen: Vec<Seen> = self
                    .log()
                    .into_iter()
                    .filter(|s| s.channel() == channel)
                    .collect();
                if seen.len() >= count {
                    return seen;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("fewer than {count} {channel} requests: {:#?}", self.log()))
    }

    /// Starts our client against the fake with Basic auth as `agent1`.
    pub async fn client(&self) -> (BayeuxClient, Inbox) {
        self.try_client().await.expect("client starts against the fake")
    }

    /// Like [`FakeBayeux::client`], returning the start error.
    pub async fn try_client(&self) -> Result<(BayeuxClient, Inbox), gws_contract::bayeux::BayeuxError> {
        self.try_client_with(|_| {}).await
    }

    /// Like [`FakeBayeux::try_client`], with the configuration adjusted by `adjust` first.
    pub async fn try_client_with(
        &self,
        adjust: impl FnOnce(&mut BayeuxConfig),
    ) -> Result<(BayeuxClient, Inbox), gws_contract::bayeux::BayeuxError> {
        let decorate: Decorate = Arc::new(|r| r.basic_auth("agent1", Some("secret")));
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client");
        let mut config = BayeuxConfig::new(self.endpoint(), CHANNEL);
        adjust(&mut config);
        BayeuxClient::start(http, decorate, config).await
    }
}

/// A successful reply to `m`.
pub fn ok(m: &Message) -> Value {
    json!({"channel": m.channel, "id": m.id, "successful": true})
}

/// A successful reply to `m` with `advice`.
pub fn ok_with(m: &Message, advice: Value) -> Value {
    json!({"channel": m.channel, "id": m.id, "successful": true, "advice": advice})
}

/// A failed reply to `m`.
pub fn failed(m: &Message, error: &str, advice: Value) -> Value {
    json!({"channel": m.channel, "id": m.id, "successful": false, "error": error, "advice": advice})
}

/// An event on [`CHANNEL`] whose data is `{"n": n}`.
pub fn event(n: u64) -> Value {
    json!({"channel": CHANNEL, "data": {"n": n}})
}

async fn handle(State(state): State<Arc<FakeState>>, headers: HeaderMap, body: Bytes) -> Response {
    let arrived = Instant::now();
    let messages: Vec<Message> = serde_json::from_slice(&body).unwrap_or_default();
    let Some(first) = messages.first().cloned() else {
        return (StatusCode::BAD_REQUEST, "expected a message array").into_response();
    };
    let client_id = first.client_id.clone().unwrap_or_default();
    let index = {
        let mut log = state.log.lock().expect("log lock");
        log.push(Seen {
            arrived,
            answered: None,
            headers,
            messages,
        });
        log.len() - 1
    };
    state.logged.notify_waiters();
    let script = next_script(&state, &first).await;
    let answer = match script {
        Some(script) => script(&first, &client_id),
        None => default_answer(&state, &first),
    };
    state.log.lock().expect("log lock")[index].answered = Some(Instant::now());
    match answer {
        Answer::Messages(items) => axum::Json(Value::Array(items)).into_response(),
        Answer::Raw(status, text) => (
            StatusCode::from_u16(status).expect("valid status"),
            text.to_owned(),
        )
            .into_response(),
        Answer::Body(text) => text.into_response(),
        Answer::Hang => std::future::pending().await,
    }
}

/// The scripted answer for `m`; a held connect waits for one.
async fn next_script(state: &FakeState, m: &Message) -> Option<Script> {
    let holds = m.channel == "/meta/connect" && m.advice.as_ref().and_then(|a| a.timeout) != Some(0);
    loop {
        let notified = state.scripted.notified();
        let popped = state
            .scripts
            .lock()
            .expect("scripts lock")
            .get_mut(&m.channel)
            .and_then(VecDeque::pop_front);
        if popped.is_some() || !holds {
            return popped;
        }
        notified.await;
    }
}

fn default_answer(state: &FakeState, m: &Message) -> Answer {
    let reply = match m.channel.as_str() {
        "/meta/handshake" => {
            let n = state.handshakes.fetch_add(1, Ordering::Relaxed) + 1;
            json!({
                "channel": m.channel, "id": m.id, "successful": true, "clientId": format!("client-{n}"),
                "version": "1.0", "supportedConnectionTypes": ["long-polling"],
                "advice": {"reconnect": "retry", "interval": 0, "timeout": 60000},
            })
        }
        "/meta/subscribe" => {
            json!({"channel": m.channel, "id": m.id, "successful": true, "subscription": m.subscription})
        }
        _ => ok(m),
    };
    Answer::Messages(vec![reply])
}
