//! Wire-level helpers for the reference-server tests: GWS REST calls and a minimal Bayeux
//! long-polling client written straight on reqwest, independent of the harness's own client,
//! so the server is checked against the wire format itself.
//!
//! An operation queues all its notifications before its HTTP reply is sent, so after the
//! reply a `/meta/connect` that asks for no hold (`advice.timeout: 0`) collects every one of
//! them without waiting.

use serde_json::{Value, json};

/// The reference server's channel for Facebook session notifications.
pub const CHANNEL: &str = "/v2/me/facebooksession";

/// One agent talking to the server: REST with Basic auth, plus an optional Bayeux session.
pub struct Agent {
    pub name: String,
    password: String,
    base: String,
    http: reqwest::Client,
    pub client_id: Option<String>,
    next_id: u64,
}

impl Agent {
    /// An agent with the reference server's default password.
    pub fn new(base: &str, name: &str) -> Agent {
        Agent::with_password(base, name, "password")
    }

    /// An agent with its own password (and its own cookie jar).
    pub fn with_password(base: &str, name: &str, password: &str) -> Agent {
        Agent {
            name: name.to_owned(),
            password: password.to_owned(),
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("reqwest client builds"),
            client_id: None,
            next_id: 0,
        }
    }

    /// Another Bayeux session of the same user, sharing this agent's HTTP client (building a
    /// client is the expensive part when a test needs hundreds of sessions).
    pub fn another(&self) -> Agent {
        Agent {
            name: self.name.clone(),
            password: self.password.clone(),
            base: self.base.clone(),
            http: self.http.clone(),
            client_id: None,
            next_id: 0,
        }
    }

    /// An agent that has handshaken and subscribed to [`CHANNEL`].
    pub async fn listening(base: &str, name: &str) -> Agent {
        let mut agent = Agent::new(base, name);
        agent.handshake().await;
        agent.subscribe(CHANNEL).await;
        agent
    }

    /// A request with this agent's Basic credentials.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .basic_auth(&self.name, Some(&self.password))
    }

    /// GET `path`: (HTTP status, JSON body or `null`).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        send(self.request(reqwest::Method::GET, path)).await
    }

    /// POST JSON `body` to `path`.
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        send(self.request(reqwest::Method::POST, path).json(body)).await
    }

    /// An operation on a facebooksession.
    pub async fn op(&self, session: &str, body: Value) -> (u16, Value) {
        self.post(&format!("/api/v2/me/facebooksessions/{session}"), &body)
            .await
    }

    /// This agent's view of a session: `facebooksession` from `GET /api/v2/facebooksessions/{id}`.
    pub async fn view(&self, session: &str) -> Value {
        let (status, body) = self.get(&format!("/api/v2/facebooksessions/{session}")).await;
        assert_eq!(status, 200, "GET session as {}: {body}", self.name);
        body["facebooksession"].clone()
    }

    /// POSTs Bayeux `messages` to the CometD endpoint plus `suffix` (`/handshake`, `/connect`,
    /// `/`, or ``) and returns the reply array.
    pub async fn bayeux(&self, suffix: &str, messages: Value) -> (u16, Value) {
        self.post(&format!("/api/v2/notifications{suffix}"), &messages)
            .await
    }

    fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    /// Handshakes; panics unless it succeeds.
    pub async fn handshake(&mut self) -> Value {
        let id = self.id();
        let (status, reply) = self
            .bayeux(
                "/handshake",
                json!([{"id": id, "channel": "/meta/handshake", "version": "1.0",
                        "minimumVersion": "1.0", "supportedConnectionTypes": ["long-polling"]}]),
            )
            .await;
        assert_eq!(status, 200, "handshake: {reply}");
        assert_eq!(reply[0]["successful"], true, "handshake: {reply}");
        self.client_id = reply[0]["clientId"].as_str().map(str::to_owned);
        reply[0].clone()
    }

    /// Subscribes; panics unless it succeeds.
    pub async fn subscribe(&mut self, channel: &str) {
        let id = self.id();
        let (_, reply) = self
            .bayeux(
                "/",
                json!([{"id": id, "channel": "/meta/subscribe", "clientId": self.client_id,
                        "subscription": channel}]),
            )
            .await;
        assert_eq!(reply[0]["successful"], true, "subscribe: {reply}");
    }

    /// One `/meta/connect`; `timeout` is the advice sent (`Some(0)`: answer at once).
    pub async fn connect(&mut self, timeout: Option<u64>) -> Value {
        let id = self.id();
        let mut message = json!({"id": id, "channel": "/meta/connect", "clientId": self.client_id,
                                 "connectionType": "long-polling"});
        if let Some(timeout) = timeout {
            message["advice"] = json!({"timeout": timeout});
        }
        let (status, reply) = self.bayeux("/connect", json!([message])).await;
        assert_eq!(status, 200, "connect: {reply}");
        reply
    }

    /// The notifications queued for this agent so far (`data` of every delivery), without
    /// waiting.
    pub async fn drain(&mut self) -> Vec<Value> {
        data_of(&self.connect(Some(0)).await)
    }
}

/// The `data` of every delivery on [`CHANNEL`] in a Bayeux reply array.
pub fn data_of(reply: &Value) -> Vec<Value> {
    reply
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["channel"] == CHANNEL)
        .map(|m| m["data"].clone())
        .collect()
}

/// Sends a request and reads (status, JSON body or `null`).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("server reachable");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body readable");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

/// A state-hook call: (HTTP status, reply).
pub async fn hook_raw(base: &str, body: &Value) -> (u16, Value) {
    send(
        reqwest::Client::new()
            .post(format!("{base}/contract/states"))
            .json(body),
    )
    .await
}

/// A state-hook setup that must succeed; returns the reply.
pub async fn hook(base: &str, state: &str, params: Value) -> Value {
    let (status, reply) = hook_raw(
        base,
        &json!({"state": state, "params": params, "action": "setup"}),
    )
    .await;
    assert_eq!(status, 200, "state `{state}`: {reply}");
    reply
}
