//! The server side of Bayeux long-polling at `/api/v2/notifications` (and any suffix the
//! CometD JS client appends: `/handshake`, `/connect`, `/disconnect`, `/`).
//!
//! A `/meta/connect` is answered at once when events are queued or the client asked for no
//! hold (`advice.timeout = 0`, the first connect); otherwise it is held until an event is
//! queued, the client disconnects, a newer connect of the same client supersedes it (Bayeux
//! allows one outstanding connect; the older one returns without taking events, so none are
//! lost to a poll its client abandoned), the server shuts down, or the hold time passes.
//! Unknown or expired clients get `402::Unknown client` with `advice.reconnect = "handshake"`,
//! as CometD 3 (GWS's version) answers; subscriptions outside the user's own `/v2/me/` topics
//! are denied (`403:CHANNEL:Permission Denied`). A client that holds no connect and has not connected
//! within `maxInterval` is expired. Every request is authenticated like the REST API (Basic
//! or JSESSIONID); CSRF tokens are not required here, because no CometD message modifies
//! contact-center data.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::auth::authenticate;
use super::body::read;
use super::faults::Fault;
use super::ids;
use super::world::{Client, SharedWorld, lock};
use crate::bayeux::{Advice, Message};

const UNKNOWN_CLIENT: &str = "402::Unknown client";

/// Refuses WebSocket upgrades (and any GET) at once so clients fall back to long-polling;
/// GWS "does not currently support web sockets".
pub(crate) async fn refuse_get() -> Response {
    (
        StatusCode::BAD_REQUEST,
        "WebSocket is not supported; use long-polling",
    )
        .into_response()
}

/// Handles one long-polling POST.
pub(crate) async fn handle(
    State(world): State<SharedWorld>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let authed = {
        let mut w = lock(&world);
        match authenticate(&mut w, &headers, &Method::GET) {
            Ok(a) => a,
            Err(refusal) => return refusal.into_response(),
        }
    };
    let body = match read(body) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let messages = match parse(&body) {
        Ok(messages) => messages,
        Err(reason) => return (StatusCode::BAD_REQUEST, reason).into_response(),
    };
    let mut replies = Vec::new();
    let mut connect = None;
    for message in messages {
        match message.channel.as_str() {
            "/meta/handshake" => replies.push(handshake(&world, &authed.user, &message)),
            "/meta/connect" => connect = Some(message),
            "/meta/subscribe" => replies.push(subscribe(&world, &authed.user, &message, true)),
            "/meta/unsubscribe" => replies.push(subscribe(&world, &authed.user, &message, false)),
            "/meta/disconnect" => replies.push(disconnect(&world, &message)),
            _ => replies.push(publish_denied(&message)),
        }
    }
    if let Some(message) = connect {
        replies.extend(self::connect(&world, &authed.user, &message).await);
    }
    let (faults, variant) = {
        let w = lock(&world);
        (w.config.faults.clone(), w.config.variant)
    };
    if faults.contains(&Fault::MetaReplyWithoutId) {
        for reply in replies.iter_mut().filter(|r| r.channel.starts_with("/meta/")) {
            reply.id = None;
        }
    }
    if variant.conforming() {
        for reply in &mut replies {
            reply.ext = Some(serde_json::json!({"vendor": {"node": "gws-b"}}));
        }
    }
    authed.finish(axum::Json(replies).into_response())
}

fn parse(body: &[u8]) -> Result<Vec<Message>, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    let items = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return Err("expected a JSON array of Bayeux messages".to_owned()),
    };
    items
        .into_iter()
        .map(|item| {
            serde_json::from_value::<Message>(item).map_err(|e| format!("invalid Bayeux message: {e}"))
        })
        .collect()
}

fn reply_to(message: &Message) -> Message {
    Message {
        channel: message.channel.clone(),
        id: message.id.clone(),
        client_id: message.client_id.clone(),
        ..Message::default()
    }
}

fn failed(message: &Message, error: &str, reconnect: Option<&str>) -> Message {
    Message {
        successful: Some(false),
        error: Some(error.to_owned()),
        advice: reconnect.map(|r| Advice {
            reconnect: Some(r.to_owned()),
            interval: Some(0),
            ..Advice::default()
        }),
        ..reply_to(message)
    }
}

/// The reply for a clientId the server does not know: `402::Unknown client`, advising a new
/// handshake (or the deviation a fault asks for).
fn unknown_client(world: &SharedWorld, message: &Message) -> Message {
    let faults = &lock(world).config.faults;
    let error = if faults.contains(&Fault::UnknownClientWrongError) {
        "403::Unknown client"
    } else {
        UNKNOWN_CLIENT
    };
    let reconnect = if faults.contains(&Fault::UnknownClientRetry) {
        "retry"
    } else {
        "handshake"
    };
    failed(message, error, Some(reconnect))
}

fn advice(world: &SharedWorld) -> Advice {
    let w = lock(world);
    Advice {
        reconnect: Some("retry".to_owned()),
        interval: Some(w.config.variant.advice_interval()),
        timeout: Some(u64::try_from(w.config.connect_hold.as_millis()).unwrap_or(u64::MAX)),
        max_interval: Some(u64::try_from(w.config.max_interval.as_millis()).unwrap_or(u64::MAX)),
        ..Advice::default()
    }
}

fn handshake(world: &SharedWorld, user: &str, message: &Message) -> Message {
    let offered = message.supported_connection_types.as_deref().unwrap_or(&[]);
    if !offered.is_empty() && !offered.iter().any(|t| t == "long-polling") {
        return Message {
            supported_connection_types: Some(vec!["long-polling".to_owned()]),
            ..failed(
                message,
                "406::Unsupported connection type; use long-polling",
                Some("none"),
            )
        };
    }
    let advice = advice(world);
    let client_id = ids::hex(40);
    lock(world).clients.insert(client_id.clone(), Client::new(user));
    Message {
        successful: Some(true),
        client_id: Some(client_id),
        version: Some("1.0".to_owned()),
        minimum_version: Some("1.0".to_owned()),
        supported_connection_types: Some(vec!["long-polling".to_owned()]),
        advice: Some(advice),
        ..reply_to(message)
    }
}

/// Subscribes (or unsubscribes) `subscription`, a channel or an array of channels.
fn subscribe(world: &SharedWorld, user: &str, message: &Message, add: bool) -> Message {
    let mut w = lock(world);
    let any_channel = w.config.faults.contains(&Fault::SubscribeAnyChannel);
    let Some(client) = message.client_id.as_ref().and_then(|id| w.clients.get_mut(id)) else {
        drop(w);
        return unknown_client(world, message);
    };
    if client.user != user {
        return failed(message, "403::Client belongs to another user", None);
    }
    client.last_seen = Instant::now();
    let channels: Vec<String> = match &message.subscription {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    if channels.is_empty() {
        return failed(message, "403::subscription_missing", None);
    }
    if let Some(bad) = channels
        .iter()
        .find(|c| !c.starts_with('/') || c.starts_with("/meta/"))
    {
        return Message {
            subscription: message.subscription.clone(),
            ..failed(message, &format!("403:{bad}:subscription_invalid"), None)
        };
    }
    if add
        && !any_channel
        && let Some(denied) = channels.iter().find(|c| !readable(c))
    {
        return Message {
            subscription: message.subscription.clone(),
            ..failed(message, &format!("403:{denied}:Permission Denied"), None)
        };
    }
    for channel in channels {
        if add {
            client.subscriptions.insert(channel);
        } else {
            client.subscriptions.remove(&channel);
        }
    }
    Message {
        successful: Some(true),
        subscription: message.subscription.clone(),
        ..reply_to(message)
    }
}

/// Whether a user may subscribe to `channel`: GWS topics are the user's own, under `/v2/me/`
/// (reference §4.4), so another user's or any other channel is denied, as Bayeux's
/// `403:/bar/baz:Permission Denied` sample shows.
fn readable(channel: &str) -> bool {
    channel.starts_with("/v2/me/") && channel.len() > "/v2/me/".len()
}

fn disconnect(world: &SharedWorld, message: &Message) -> Message {
    let removed = message
        .client_id
        .as_ref()
        .and_then(|id| lock(world).clients.remove(id));
    match removed {
        Some(client) => {
            // Releases a held connect so the client's poll ends now, not after the hold time.
            client.notify.notify_one();
            Message {
                successful: Some(true),
                ..reply_to(message)
            }
        }
        None => unknown_client(world, message),
    }
}

fn publish_denied(message: &Message) -> Message {
    // GWS topics are server-push only.
    failed(message, &format!("403:{}:Publish denied", message.channel), None)
}

/// Answers a connect: queued events (if any) followed by the connect reply. Held until an
/// event is queued, the client disconnects, a newer connect supersedes it, the server closes,
/// or the hold time passes; wake-ups that change none of these (a stale permit) wait on.
async fn connect(world: &SharedWorld, user: &str, message: &Message) -> Vec<Message> {
    let advice = advice(world);
    let wants_no_hold = message
        .advice
        .as_ref()
        .and_then(|a| a.timeout)
        .is_some_and(|t| t == 0);
    let Some(id) = message.client_id.as_deref() else {
        return vec![unknown_client(world, message)];
    };
    let variant = lock(world).config.variant;
    let (deadline, generation) = {
        let mut w = lock(world);
        let hold = w.config.connect_hold;
        let Some(client) = w.clients.get_mut(id) else {
            drop(w);
            return vec![unknown_client(world, message)];
        };
        if client.user != user {
            return vec![failed(message, "403::Client belongs to another user", None)];
        }
        client.connect_generation += 1;
        if client.holding > 0 {
            // Bayeux allows one outstanding connect per client: release the older one.
            client.notify.notify_one();
        }
        (Instant::now() + hold, client.connect_generation)
    };
    let mut held: Option<Held> = None;
    loop {
        let notify = {
            let mut w = lock(world);
            let closing = w.closing;
            let Some(client) = w.clients.get_mut(id) else {
                // Disconnected (or expired) while held: nothing left to count.
                if let Some(held) = held.as_mut() {
                    held.armed = false;
                }
                return vec![Message {
                    successful: Some(false),
                    error: Some(UNKNOWN_CLIENT.to_owned()),
                    advice: Some(Advice {
                        reconnect: Some("none".to_owned()),
                        ..Advice::default()
                    }),
                    ..reply_to(message)
                }];
            };
            client.last_seen = Instant::now();
            let superseded = client.connect_generation != generation;
            let ready = !client.queue.is_empty() && !superseded;
            if wants_no_hold || ready || superseded || closing || Instant::now() >= deadline {
                if let Some(held) = held.as_mut() {
                    client.holding = client.holding.saturating_sub(1);
                    held.armed = false;
                }
                if superseded {
                    // Whatever woke this connect may have been meant for the newer one.
                    client.notify.notify_one();
                }
                let events: Vec<Message> = if superseded {
                    Vec::new()
                } else {
                    client.queue.drain(..).collect()
                };
                let reply = Message {
                    successful: Some(true),
                    advice: Some(advice),
                    ..reply_to(message)
                };
                // Bayeux lets events come before or after the meta reply in one response.
                return if variant.conforming() {
                    std::iter::once(reply).chain(events).collect()
                } else {
                    events.into_iter().chain(std::iter::once(reply)).collect()
                };
            }
            if held.is_none() {
                client.holding += 1;
                held = Some(Held {
                    world: SharedWorld::clone(world),
                    client: id.to_owned(),
                    armed: true,
                });
            }
            client.notify.clone()
        };
        let _ = tokio::time::timeout_at(deadline.into(), notify.notified()).await;
    }
}

/// Counts a held connect for as long as it is held. If the connection is dropped mid-hold
/// (the client went away, so axum drops the handler), the count is released here; otherwise
/// the client would look held forever and never expire.
struct Held {
    world: SharedWorld,
    client: String,
    /// Cleared when the connect returns normally and released the count itself.
    armed: bool,
}

impl Drop for Held {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let mut w = lock(&self.world);
        if let Some(client) = w.clients.get_mut(&self.client) {
            client.holding = client.holding.saturating_sub(1);
            client.last_seen = Instant::now();
        }
    }
}

/// Removes clients that have not connected within `max_interval` (and hold no connect).
pub(crate) fn expire_clients(world: &SharedWorld) {
    let mut w = lock(world);
    let max = w.config.max_interval;
    w.clients
        .retain(|_, c| c.holding > 0 || c.last_seen.elapsed() <= max);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_and_batched_messages() {
        assert_eq!(parse(br#"{"channel":"/meta/handshake"}"#).unwrap().len(), 1);
        assert_eq!(
            parse(br#"[{"channel":"/meta/connect"},{"channel":"/meta/subscribe"}]"#)
                .unwrap()
                .len(),
            2
        );
        assert!(parse(b"[1]").is_err());
        assert!(parse(b"{").is_err());
    }
}
