//! A Bayeux long-polling client: one per actor, delivering every event into an [`Inbox`].
//!
//! Behaviour that interop with real servers requires (see `reference/crates.md` §2):
//! the subscription is confirmed before the first `/meta/connect`; the first connect asks for
//! no hold (`advice.timeout = 0`); event messages are accepted in *any* response and in any
//! order relative to the meta reply; re-handshaking is decided by `advice.reconnect`, not by
//! error codes (servers spell "unknown client" differently), and every re-handshake is
//! reported to the inbox as a window in which notifications may have been lost.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc, watch};
use tokio::task::JoinHandle;
use url::Url;

use super::message::{Advice, Message};

/// Adds per-request authentication (Basic auth, CSRF headers) to every Bayeux POST.
pub type Decorate = Arc<dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync>;

/// Where and what to subscribe.
#[derive(Debug, Clone)]
pub struct BayeuxConfig {
    /// The CometD endpoint, e.g. `http://127.0.0.1:8090/api/v2/notifications`.
    pub endpoint: Url,
    /// The channel to subscribe, e.g. `/v2/me/facebooksession`.
    pub channel: String,
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
    /// The endpoint answered with a non-2xx HTTP status.
    #[error("CometD endpoint {url} answered HTTP {status}")]
    Status {
        /// The endpoint.
        url: String,
        /// The HTTP status.
        status: u16,
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
}

struct Shared {
    http: reqwest::Client,
    decorate: Decorate,
    config: BayeuxConfig,
    client_id: Mutex<String>,
    next_id: AtomicU64,
    deliveries: mpsc::UnboundedSender<Delivery>,
}

/// A connected, subscribed Bayeux session with its long-poll loop running.
pub struct BayeuxClient {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// How long to wait for a reply beyond the server's advised hold.
const REPLY_MARGIN: Duration = Duration::from_secs(10);
/// Transport errors tolerated in a row before the loop gives up.
const MAX_CONSECUTIVE_ERRORS: u32 = 3;

impl BayeuxClient {
    /// Handshakes, subscribes and starts long-polling. `http` must have a cookie store (CometD
    /// servers bind sessions to the `BAYEUX_BROWSER` cookie).
    pub async fn start(
        http: reqwest::Client,
        decorate: Decorate,
        config: BayeuxConfig,
    ) -> Result<(BayeuxClient, Inbox), BayeuxError> {
        let (tx, inbox) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            http,
            decorate,
            config,
            client_id: Mutex::new(String::new()),
            next_id: AtomicU64::new(1),
            deliveries: tx,
        });
        let advice = shared.handshake_and_subscribe().await?;
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(poll_loop(Arc::clone(&shared), advice, stop_rx));
        Ok((BayeuxClient { shared, stop, task }, inbox))
    }

    /// Sends `/meta/disconnect` and stops the loop. Errors are ignored: the session is being
    /// abandoned either way and the server expires it.
    pub async fn disconnect(self) {
        let id = self.shared.next_id();
        let client_id = self.shared.client_id.lock().await.clone();
        let msg = Message {
            channel: "/meta/disconnect".to_owned(),
            id: Some(id),
            client_id: Some(client_id),
            ..Message::default()
        };
        let _ = self.shared.post(&[msg], Duration::from_secs(5)).await;
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(2), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

impl Shared {
    fn next_id(&self) -> String {
        self.next_id.fetch_add(1, Ordering::Relaxed).to_string()
    }

    async fn post(&self, messages: &[Message], timeout: Duration) -> Result<Vec<Message>, BayeuxError> {
        let url = self.config.endpoint.as_str();
        let request = self
            .http
            .post(self.config.endpoint.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json;charset=UTF-8")
            .body(serde_json::to_vec(messages).unwrap_or_default())
            .timeout(timeout);
        let response = (self.decorate)(request)
            .send()
            .await
            .map_err(|e| BayeuxError::Unreachable {
                url: url.to_owned(),
                reason: flatten(&e),
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(BayeuxError::Status {
                url: url.to_owned(),
                status: status.as_u16(),
            });
        }
        let bytes = response.bytes().await.map_err(|e| BayeuxError::Unreachable {
            url: url.to_owned(),
            reason: flatten(&e),
        })?;
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
        let replies = self.post(&[handshake], REPLY_MARGIN).await?;
        self.deliver_events(&replies);
        let reply = meta_reply(&replies, "/meta/handshake").ok_or_else(|| BayeuxError::Protocol {
            url: self.config.endpoint.to_string(),
            detail: "no /meta/handshake reply".to_owned(),
        })?;
        if reply.successful != Some(true) {
            return Err(BayeuxError::HandshakeRefused {
                error: reply.error.clone().unwrap_or_else(|| "no error given".to_owned()),
            });
        }
        let client_id = reply.client_id.clone().ok_or_else(|| BayeuxError::Protocol {
            url: self.config.endpoint.to_string(),
            detail: "handshake reply without clientId".to_owned(),
        })?;
        let advice = reply.advice.clone().unwrap_or_default();
        *self.client_id.lock().await = client_id.clone();

        let subscribe = Message {
            channel: "/meta/subscribe".to_owned(),
            id: Some(self.next_id()),
            client_id: Some(client_id),
            subscription: Some(json!(self.config.channel)),
            ..Message::default()
        };
        let replies = self.post(&[subscribe], REPLY_MARGIN).await?;
        self.deliver_events(&replies);
        match meta_reply(&replies, "/meta/subscribe") {
            Some(r) if r.successful == Some(true) => Ok(advice),
            Some(r) => Err(BayeuxError::SubscribeRefused {
                channel: self.config.channel.clone(),
                error: r.error.clone().unwrap_or_else(|| "no error given".to_owned()),
            }),
            None => Err(BayeuxError::Protocol {
                url: self.config.endpoint.to_string(),
                detail: "no /meta/subscribe reply".to_owned(),
            }),
        }
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
}

async fn poll_loop(shared: Arc<Shared>, mut advice: Advice, mut stop: watch::Receiver<bool>) {
    let mut first = true;
    let mut errors = 0u32;
    let mut alive_at = Instant::now();
    loop {
        let hold = Duration::from_millis(advice.timeout.unwrap_or(30_000));
        let connect = Message {
            channel: "/meta/connect".to_owned(),
            id: Some(shared.next_id()),
            client_id: Some(shared.client_id.lock().await.clone()),
            connection_type: Some("long-polling".to_owned()),
            advice: first.then(|| Advice {
                timeout: Some(0),
                ..Advice::default()
            }),
            ..Message::default()
        };
        let batch = [connect];
        let result = tokio::select! {
            _ = stop.changed() => return,
            r = shared.post(&batch, hold + REPLY_MARGIN) => r,
        };
        let replies = match result {
            Ok(replies) => {
                errors = 0;
                replies
            }
            Err(e) => {
                errors += 1;
                if errors >= MAX_CONSECUTIVE_ERRORS {
                    let _ = shared.deliveries.send(Delivery::Failed {
                        reason: e.to_string(),
                    });
                    return;
                }
                if wait_or_stop(&mut stop, Duration::from_millis(100 * u64::from(errors))).await {
                    return;
                }
                continue;
            }
        };
        shared.deliver_events(&replies);
        let reply = meta_reply(&replies, "/meta/connect");
        if let Some(new) = reply.and_then(|r| r.advice.clone()) {
            advice = merge_advice(&advice, new);
        }
        let successful = reply.is_some_and(|r| r.successful == Some(true));
        if successful {
            alive_at = Instant::now();
            first = false;
        }
        match advice.reconnect.as_deref() {
            Some("handshake") if !successful => {
                let reason = reply
                    .and_then(|r| r.error.clone())
                    .unwrap_or_else(|| "server advised re-handshake".to_owned());
                match shared.handshake_and_subscribe().await {
                    Ok(new_advice) => {
                        let _ = shared.deliveries.send(Delivery::Rehandshake {
                            from: alive_at,
                            to: Instant::now(),
                            reason,
                        });
                        advice = new_advice;
                        first = true;
                        alive_at = Instant::now();
                    }
                    Err(e) => {
                        let _ = shared.deliveries.send(Delivery::Failed {
                            reason: format!("re-handshake after `{reason}` failed: {e}"),
                        });
                        return;
                    }
                }
            }
            Some("none") => {
                let _ = shared.deliveries.send(Delivery::Failed {
                    reason: reply
                        .and_then(|r| r.error.clone())
                        .unwrap_or_else(|| "server advised reconnect: none".to_owned()),
                });
                return;
            }
            _ => {
                if !successful {
                    // An unsuccessful connect without usable advice: back off like an error.
                    errors += 1;
                    if errors >= MAX_CONSECUTIVE_ERRORS {
                        let _ = shared.deliveries.send(Delivery::Failed {
                            reason: reply
                                .and_then(|r| r.error.clone())
                                .unwrap_or_else(|| "connect failed without a reply".to_owned()),
                        });
                        return;
                    }
                }
                let interval = advice.interval.unwrap_or(0).max(0);
                #[expect(clippy::cast_sign_loss, reason = "clamped to be non-negative")]
                let interval = Duration::from_millis(interval as u64);
                if !interval.is_zero() && wait_or_stop(&mut stop, interval).await {
                    return;
                }
            }
        }
    }
}

/// Sleeps for `delay`; returns true if asked to stop meanwhile.
async fn wait_or_stop(stop: &mut watch::Receiver<bool>, delay: Duration) -> bool {
    tokio::select! {
        _ = stop.changed() => true,
        () = tokio::time::sleep(delay) => false,
    }
}

/// Later advice supersedes earlier advice field by field (Bayeux §5.2).
fn merge_advice(old: &Advice, new: Advice) -> Advice {
    Advice {
        reconnect: new.reconnect.or_else(|| old.reconnect.clone()),
        interval: new.interval.or(old.interval),
        timeout: new.timeout.or(old.timeout),
        max_interval: new.max_interval.or(old.max_interval),
        multiple_clients: new.multiple_clients.or(old.multiple_clients),
    }
}

fn meta_reply<'a>(messages: &'a [Message], channel: &str) -> Option<&'a Message> {
    messages.iter().find(|m| m.channel == channel)
}

/// Parses a response body: a JSON array of messages (or, leniently, a single message).
fn parse_messages(bytes: &[u8]) -> Result<Vec<Message>, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| format!("invalid message: {e}")))
            .collect(),
        Value::Object(_) => serde_json::from_value(value)
            .map(|m| vec![m])
            .map_err(|e| format!("invalid message: {e}")),
        _ => Err("expected a JSON array of messages".to_owned()),
    }
}

/// A reqwest error with its causes, on one line (the top level alone says only "error
/// sending request").
fn flatten(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arrays_and_single_messages() {
        let msgs = parse_messages(
            br#"[{"channel":"/a","data":{"x":1}},{"channel":"/meta/connect","successful":true}]"#,
        )
        .unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            parse_messages(br#"{"channel":"/meta/connect"}"#).unwrap().len(),
            1
        );
        assert!(parse_messages(b"nope").is_err());
        assert!(parse_messages(b"3").is_err());
    }

    #[test]
    fn later_advice_wins_field_by_field() {
        let old = Advice {
            reconnect: Some("retry".into()),
            timeout: Some(30_000),
            interval: Some(0),
            ..Advice::default()
        };
        let new = Advice {
            reconnect: Some("handshake".into()),
            ..Advice::default()
        };
        let merged = merge_advice(&old, new);
        assert_eq!(merged.reconnect.as_deref(), Some("handshake"));
        assert_eq!(merged.timeout, Some(30_000));
    }
}
