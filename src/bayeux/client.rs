//! A Bayeux long-polling client: one per actor, delivering every event into an [`Inbox`].
//!
//! Behaviour that interop with real servers requires (see `reference/crates.md` §2):
//! the subscription is confirmed before the first `/meta/connect`; the first connect asks for
//! no hold (`advice.timeout = 0`); event messages are accepted in *any* response and in any
//! order relative to the meta reply; re-handshaking is decided by `advice.reconnect`, not by
//! error codes (servers spell "unknown client" differently), and every re-handshake is
//! reported to the inbox as a window in which notifications may have been lost.
//!
//! The loop never sleeps except for the server-advised interval and a bounded backoff after
//! failures ([`super::policy`] holds those decisions); after a few failures in a row it gives
//! up with [`Delivery::Failed`] rather than retrying forever.
//!
//! Every exchange is bounded: the handshake, subscribe and disconnect by the request timeout,
//! a `/meta/connect` by the hold the server advised plus the request timeout (a connect that
//! outlives that ends the session with [`Delivery::Stalled`]), and every body by
//! [`BayeuxConfig::max_body`]. Advice is clamped to sane bounds
//! ([`Delivery::AdviceClamped`] says so), so a server cannot make the client wait for ever.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinHandle;
use url::Url;

use super::message::{Advice, Message};
use super::policy::{
    AdviceClamp, MAX_CONSECUTIVE_ERRORS, Next, backoff, clamp_advice, decide, excerpt, interval,
    merge_advice, parse_messages,
};
use crate::cookies::CookieClient;
use crate::error_chain::flatten;
use crate::limits::{BodyError, ByteSize, read_limited};

/// Adds per-request authentication (Basic auth, CSRF headers) to every Bayeux POST.
pub type Decorate = Arc<dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync>;

/// Where and what to subscribe, and the bounds on each exchange.
#[derive(Debug, Clone)]
pub struct BayeuxConfig {
    /// The CometD endpoint, e.g. `http://127.0.0.1:8090/api/v2/notifications`.
    pub endpoint: Url,
    /// The channel to subscribe, e.g. `/v2/me/facebooksession`.
    pub channel: String,
    /// Limit on the handshake, subscribe and disconnect, and on a connect's reply beyond the
    /// server's advised hold (the target's request timeout).
    pub request_timeout: Duration,
    /// The longest response body read.
    pub max_body: usize,
}

impl BayeuxConfig {
    /// A configuration with the default request timeout and body limit.
    pub fn new(endpoint: Url, channel: impl Into<String>) -> Self {
        BayeuxConfig {
            endpoint,
            channel: channel.into(),
            request_timeout: crate::target::DEFAULT_REQUEST_TIMEOUT,
            max_body: crate::limits::DEFAULT_MAX_BODY,
        }
    }
}

/// What the client hands to its owner.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// An event message.
    Data {
        /// Its channel.
        channel: String,
        /// Its `data` object.
        data: Value,
        /// When it was received.
        at: Instant,
    },
    /// The server forgot the session; the client handshook and subscribed again. Events
    /// published between `from` and `to` may have been lost.
    Rehandshake {
        /// Last moment the old session was known to be alive.
        from: Instant,
        /// When the new subscription was confirmed.
        to: Instant,
        /// The server's error string.
        reason: String,
    },
    /// The connection failed for good (advice `none`, or repeated transport errors).
    Failed {
        /// Why.
        reason: String,
    },
    /// A `/meta/connect` got no reply within the hold the server advised plus the request
    /// timeout: the long-poll hangs. The session is over (nothing more is delivered).
    Stalled(Stall),
    /// The server advised a timeout or interval beyond the client's bounds; the bound is used
    /// instead. The session goes on.
    AdviceClamped(AdviceClamp),
    /// A `/meta/connect` failed (the client retries): until [`Delivery::Recovered`], nothing
    /// that was published can be known to have arrived.
    Trouble {
        /// Why the connect failed.
        reason: String,
    },
    /// A connect succeeded again after [`Delivery::Trouble`].
    Recovered,
}

/// A hung long-poll.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the long-poll /meta/connect to {url} got no reply within {waited:?} (the advised hold of \
     {hold:?} plus the request timeout)"
)]
pub struct Stall {
    /// When the unanswered connect was sent.
    pub since: Instant,
    /// The endpoint.
    pub url: String,
    /// How long the client waited.
    pub waited: Duration,
    /// The hold the server had advised.
    pub hold: Duration,
}

/// The receiving end of a client's deliveries.
pub type Inbox = mpsc::UnboundedReceiver<Delivery>;

/// Why a Bayeux exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum BayeuxError {
    /// No HTTP exchange was possible.
    #[error("cannot reach CometD endpoint {url}: {reason}")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// The transport error, flattened (reqwest errors are not `Clone`).
        reason: String,
    },
    /// The exchange got no complete reply within its time limit.
    #[error("no reply from CometD endpoint {url} within {after:?}")]
    Timeout {
        /// The endpoint.
        url: String,
        /// The limit that ran out.
        after: Duration,
    },
    /// The reply's body is longer than the limit; reading stopped there.
    #[error(
        "the reply from CometD endpoint {url} is longer than {limit} (--max-body); reading stopped there"
    )]
    BodyTooLarge {
        /// The endpoint.
        url: String,
        /// The limit.
        limit: ByteSize,
    },
    /// The endpoint answered with a non-2xx HTTP status.
    #[error("CometD endpoint {url} answered HTTP {status} with body {body}")]
    Status {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body, quoted (error pages usually say why).
        body: String,
    },
    /// The body was not a Bayeux message array.
    #[error("CometD endpoint {url} did not answer with Bayeux messages: {detail}")]
    Protocol {
        /// The endpoint.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The server refused the handshake.
    #[error("handshake refused: {error}")]
    HandshakeRefused {
        /// The server's error string.
        error: String,
    },
    /// The server refused the subscription.
    #[error("subscription to {channel} refused: {error}")]
    SubscribeRefused {
        /// The channel.
        channel: String,
        /// The server's error string.
        error: String,
    },
    /// The server did not confirm the `/meta/disconnect`.
    #[error("disconnect refused: {error}")]
    DisconnectRefused {
        /// The server's error string.
        error: String,
    },
}

impl BayeuxError {
    /// Whether trying again may help: transport trouble, yes; a refusal by the server, no.
    fn is_transient(&self) -> bool {
        matches!(
            self,
            BayeuxError::Unreachable { .. }
                | BayeuxError::Timeout { .. }
                | BayeuxError::Status { .. }
                | BayeuxError::Protocol { .. }
        )
    }
}

struct Shared {
    http: CookieClient,
    decorate: Decorate,
    config: BayeuxConfig,
    client_id: Mutex<String>,
    next_id: AtomicU64,
    deliveries: mpsc::UnboundedSender<Delivery>,
}

/// A connected, subscribed Bayeux session with its long-poll loop running. Dropping it stops
/// the loop without telling the server; [`BayeuxClient::disconnect`] tells it.
pub struct BayeuxClient {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// The hold assumed until the server advises one (CometD's default).
const DEFAULT_HOLD: Duration = Duration::from_secs(30);
/// How long a disconnect may take; the session is abandoned either way.
const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl BayeuxClient {
    /// Handshakes, subscribes and starts long-polling. Cookies go to and come from `http`'s
    /// jar (CometD servers bind sessions to the `BAYEUX_BROWSER` cookie); give the actor's own
    /// [`CookieClient`] so the Bayeux session shares its HTTP session.
    pub async fn start(
        http: impl Into<CookieClient>,
        decorate: Decorate,
        config: BayeuxConfig,
    ) -> Result<(BayeuxClient, Inbox), BayeuxError> {
        let (tx, inbox) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            http: http.into(),
            decorate,
            config,
            client_id: Mutex::new(String::new()),
            next_id: AtomicU64::new(1),
            deliveries: tx,
        });
        let advice = shared.handshake_and_subscribe().await?;
        let advice = shared.adopt(advice);
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(poll_loop(Arc::clone(&shared), advice, stop_rx));
        Ok((BayeuxClient { shared, stop, task }, inbox))
    }

    /// The current Bayeux client id (it changes after a re-handshake).
    pub async fn client_id(&self) -> String {
        self.shared.client_id.lock().await.clone()
    }

    /// Stops the loop and sends `/meta/disconnect`. Errors are ignored: the session is being
    /// abandoned either way and the server expires it. [`BayeuxClient::close`] reports them.
    pub async fn disconnect(self) {
        let _ = self.close().await;
    }

    /// Stops the loop, then sends `/meta/disconnect` and checks the server confirmed it.
    ///
    /// The loop is stopped first so that the server's answer to a connect it releases because
    /// of the disconnect (often `reconnect: none`) is not mistaken for a failure.
    pub async fn close(mut self) -> Result<(), BayeuxError> {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task)
            .await
            .is_err()
        {
            self.task.abort();
        }
        let msg = Message {
            channel: "/meta/disconnect".to_owned(),
            id: Some(self.shared.next_id()),
            client_id: Some(self.client_id().await),
            ..Message::default()
        };
        let timeout = DISCONNECT_TIMEOUT.min(self.shared.config.request_timeout);
        let replies = self.shared.post(&[msg], timeout).await?;
        self.shared.deliver_events(&replies);
        match meta_reply(&replies, "/meta/disconnect") {
            Some(r) if r.successful == Some(true) => Ok(()),
            Some(r) => Err(BayeuxError::DisconnectRefused {
                error: r.error.clone().unwrap_or_else(|| "no error given".to_owned()),
            }),
            None => Err(self.shared.protocol("no /meta/disconnect reply")),
        }
    }
}

impl Drop for BayeuxClient {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.task.abort();
    }
}

impl Shared {
    fn next_id(&self) -> String {
        self.next_id.fetch_add(1, Ordering::Relaxed).to_string()
    }

    fn protocol(&self, detail: impl Into<String>) -> BayeuxError {
        BayeuxError::Protocol {
            url: self.config.endpoint.to_string(),
            detail: detail.into(),
        }
    }

    async fn post(&self, messages: &[Message], timeout: Duration) -> Result<Vec<Message>, BayeuxError> {
        let url = self.config.endpoint.as_str();
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                BayeuxError::Timeout {
                    url: url.to_owned(),
                    after: timeout,
                }
            } else {
                BayeuxError::Unreachable {
                    url: url.to_owned(),
                    reason: flatten(&e),
                }
            }
        };
        let request = self
            .http
            .client()
            .post(self.config.endpoint.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json;charset=UTF-8")
            .body(serde_json::to_vec(messages).unwrap_or_default())
            .timeout(timeout);
        let response = self.http.send((self.decorate)(request)).await.map_err(failed)?;
        let status = response.status();
        let bytes = read_limited(response, self.config.max_body)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge => BayeuxError::BodyTooLarge {
                    url: url.to_owned(),
                    limit: ByteSize(self.config.max_body),
                },
                BodyError::Read(e) => failed(e),
            })?;
        if !status.is_success() {
            return Err(BayeuxError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
                body: excerpt(&bytes),
            });
        }
        parse_messages(&bytes).map_err(|detail| BayeuxError::Protocol {
            url: url.to_owned(),
            detail,
        })
    }

    /// Handshake + subscribe; returns the server's advice. Events that arrive in these replies
    /// are delivered too.
    async fn handshake_and_subscribe(&self) -> Result<Advice, BayeuxError> {
        let handshake = Message {
            channel: "/meta/handshake".to_owned(),
            id: Some(self.next_id()),
            version: Some("1.0".to_owned()),
            minimum_version: Some("1.0".to_owned()),
            supported_connection_types: Some(vec!["long-polling".to_owned()]),
            advice: Some(Advice {
                timeout: Some(60_000),
                interval: Some(0),
                ..Advice::default()
            }),
            ..Message::default()
        };
        let replies = self.post(&[handshake], self.config.request_timeout).await?;
        self.deliver_events(&replies);
        let reply = meta_reply(&replies, "/meta/handshake")
            .ok_or_else(|| self.protocol("the response held no /meta/handshake reply"))?;
        if reply.successful != Some(true) {
            return Err(BayeuxError::HandshakeRefused {
                error: reply.error.clone().unwrap_or_else(|| "no error given".to_owned()),
            });
        }
        let client_id = reply
            .client_id
            .clone()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| self.protocol("the /meta/handshake reply has no clientId"))?;
        let advice = reply.advice.clone().unwrap_or_default();
        *self.client_id.lock().await = client_id.clone();

        let subscribe = Message {
            channel: "/meta/subscribe".to_owned(),
            id: Some(self.next_id()),
            client_id: Some(client_id),
            subscription: Some(json!(self.config.channel)),
            ..Message::default()
        };
        let replies = self.post(&[subscribe], self.config.request_timeout).await?;
        self.deliver_events(&replies);
        match meta_reply(&replies, "/meta/subscribe") {
            Some(r) if r.successful == Some(true) => Ok(advice),
            Some(r) => Err(BayeuxError::SubscribeRefused {
                channel: self.config.channel.clone(),
                error: r.error.clone().unwrap_or_else(|| "no error given".to_owned()),
            }),
            None => Err(self.protocol("the response held no /meta/subscribe reply")),
        }
    }

    /// The hold the server advised (already clamped), or CometD's default.
    fn hold(advice: &Advice) -> Duration {
        advice.timeout.map_or(DEFAULT_HOLD, Duration::from_millis)
    }

    /// Clamps `advice` to the client's bounds, telling the owner about each value replaced.
    fn adopt(&self, advice: Advice) -> Advice {
        let (advice, clamps) = clamp_advice(advice);
        for clamp in clamps {
            let _ = self.deliveries.send(Delivery::AdviceClamped(clamp));
        }
        advice
    }

    /// One `/meta/connect` exchange. The hold the server advised bounds the wait for the
    /// reply (plus the request timeout), whatever the client asked for: Faye ignores
    /// `timeout: 0`.
    async fn connect(&self, first: bool, advice: &Advice) -> Result<Vec<Message>, BayeuxError> {
        let hold = Self::hold(advice);
        let connect = Message {
            channel: "/meta/connect".to_owned(),
            id: Some(self.next_id()),
            client_id: Some(self.client_id.lock().await.clone()),
            connection_type: Some("long-polling".to_owned()),
            advice: first.then(|| Advice {
                timeout: Some(0),
                ..Advice::default()
            }),
            ..Message::default()
        };
        self.post(&[connect], hold + self.config.request_timeout).await
    }

    fn deliver_events(&self, messages: &[Message]) {
        for m in messages {
            if m.channel.starts_with("/meta/") {
                continue;
            }
            if let Some(data) = &m.data {
                // The receiver is gone only when the owner stopped listening; nothing to do.
                let _ = self.deliveries.send(Delivery::Data {
                    channel: m.channel.clone(),
                    data: data.clone(),
                    at: Instant::now(),
                });
            }
        }
    }

    fn fail(&self, reason: String) {
        let _ = self.deliveries.send(Delivery::Failed { reason });
    }
}

async fn poll_loop(shared: Arc<Shared>, mut advice: Advice, mut stop: watch::Receiver<bool>) {
    let mut first = true;
    let mut errors = 0u32;
    let mut alive_at = Instant::now();
    loop {
        let since = Instant::now();
        let result = tokio::select! {
            _ = stop.changed() => return,
            r = shared.connect(first, &advice) => r,
        };
        let next = match result {
            Ok(replies) => {
                shared.deliver_events(&replies);
                let reply = meta_reply(&replies, "/meta/connect");
                if let Some(new) = reply.and_then(|r| r.advice.clone()) {
                    advice = shared.adopt(merge_advice(&advice, new));
                }
                decide(&advice, reply)
            }
            // A long-poll that outlives its advised hold plus the request timeout hangs: the
            // target stopped answering, as any request past the request timeout, so the
            // session ends rather than retrying into the same silence.
            Err(BayeuxError::Timeout { url, after }) => {
                let _ = shared.deliveries.send(Delivery::Stalled(Stall {
                    since,
                    url,
                    waited: after,
                    hold: Shared::hold(&advice),
                }));
                return;
            }
            // A body over the limit will not shrink on retry.
            Err(e @ BayeuxError::BodyTooLarge { .. }) => Next::Fail {
                reason: e.to_string(),
            },
            Err(e) => Next::Retry {
                reason: e.to_string(),
            },
        };
        let wait = match next {
            Next::Connect { wait } => {
                if errors > 0 {
                    let _ = shared.deliveries.send(Delivery::Recovered);
                }
                errors = 0;
                first = false;
                alive_at = Instant::now();
                wait
            }
            Next::Retry { reason } => {
                errors += 1;
                if errors == 1 {
                    // Said at once: a run that ends before the retries do must not pass.
                    let _ = shared.deliveries.send(Delivery::Trouble {
                        reason: reason.clone(),
                    });
                }
                if errors >= MAX_CONSECUTIVE_ERRORS {
                    shared.fail(format!(
                        "gave up after {errors} failed /meta/connect attempts in a row; the last: {reason}"
                    ));
                    return;
                }
                interval(&advice) + backoff(errors)
            }
            Next::Fail { reason } => {
                shared.fail(reason);
                return;
            }
            Next::Rehandshake { reason } => {
                let Some(new_advice) = rehandshake(&shared, &reason, &mut stop).await else {
                    return;
                };
                let _ = shared.deliveries.send(Delivery::Rehandshake {
                    from: alive_at,
                    to: Instant::now(),
                    reason,
                });
                advice = shared.adopt(new_advice);
                first = true;
                errors = 0;
                alive_at = Instant::now();
                Duration::ZERO
            }
        };
        if !wait.is_zero() && wait_or_stop(&mut stop, wait).await {
            return;
        }
    }
}

/// Handshakes and subscribes again, retrying transient failures a bounded number of times.
/// `None` when stopped or given up (the failure is then already delivered).
async fn rehandshake(shared: &Shared, reason: &str, stop: &mut watch::Receiver<bool>) -> Option<Advice> {
    let mut attempts = 0u32;
    loop {
        let result = tokio::select! {
            _ = stop.changed() => return None,
            r = shared.handshake_and_subscribe() => r,
        };
        attempts += 1;
        match result {
            Ok(advice) => return Some(advice),
            Err(e) if e.is_transient() && attempts < MAX_CONSECUTIVE_ERRORS => {
                if wait_or_stop(stop, backoff(attempts)).await {
                    return None;
                }
            }
            Err(e) => {
                shared.fail(format!(
                    "re-handshake after `{reason}` failed (attempt {attempts}): {e}"
                ));
                return None;
            }
        }
    }
}

/// Sleeps for `delay`; returns true if asked to stop meanwhile (or if the client is gone).
async fn wait_or_stop(stop: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        _ = stop.changed() => true,
        () = tokio::time::sleep(delay) => false,
    }
}

fn meta_reply<'a>(messages: &'a [Message], channel: &str) -> Option<&'a Message> {
    messages.iter().find(|m| m.channel == channel)
}
