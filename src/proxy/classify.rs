//! What each forwarded exchange was: a state-hook call, Bayeux traffic, a login, an
//! operation, or a request the target never answered.
//!
//! Bayeux is recognised by where it goes (the CometD endpoint and anything below it, where
//! the CometD JS client appends `/handshake`, `/connect`, ...) and by what it is (a POSTed
//! JSON array of messages with meta channels), so a vendor's endpoint at another path is
//! recognised too.

use std::collections::BTreeMap;

use axum::http::Method;
use serde_json::Value;

use super::traffic::Seen;
use crate::bayeux::Message;

/// The paths and channel that tell the kinds apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The provider-state hook's path (`/contract/states`).
    pub state_hook: String,
    /// The CometD endpoint's path (`/api/v2/notifications`).
    pub notifications: String,
    /// The notification channel recorded (a pattern, `/v2/me/facebooksession`).
    pub channel: String,
}

/// The path GWS clients log in with: it sets the session cookie and hands out the CSRF token.
pub(crate) const LOGIN_PATH: &str = "/api/v2/me";

/// Where GWS's REST API lives below the base URL; a desktop served by the same host also
/// fetches pages, scripts and icons, which are not operations.
const API_PREFIX: &str = "/api/";

/// One exchange, interpreted.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// `POST <state hook>`.
    Hook(HookCall),
    /// A Bayeux long-polling request and its answer.
    Bayeux {
        /// The messages sent.
        request: Vec<Message>,
        /// The messages received.
        response: Vec<Message>,
    },
    /// `GET /api/v2/me`.
    Login,
    /// Any other request to the API (`/api/...`) the target answered.
    Operation,
    /// A request outside the API (a browser's page, script or icon).
    NotApi,
    /// The target could not be reached.
    Failed,
}

/// A state-hook call as sent.
#[derive(Debug, Clone)]
pub(crate) struct HookCall {
    /// The state.
    pub state: String,
    /// Its parameters.
    pub params: Value,
    /// `setup` or `teardown`.
    pub teardown: bool,
    /// The `actors` map the caller sent (actor name → user), if any.
    pub actors: BTreeMap<String, String>,
}

/// Interprets `seen`.
pub(crate) fn classify(seen: &Seen, endpoints: &Endpoints) -> Kind {
    let Some(reply) = &seen.reply else {
        return Kind::Failed;
    };
    let path = path_only(&seen.path);
    if seen.method == Method::POST
        && path == endpoints.state_hook
        && let Some(call) = hook_call(&seen.request_body)
    {
        return Kind::Hook(call);
    }
    let below_endpoint = path == endpoints.notifications
        || path
            .strip_prefix(endpoints.notifications.as_str())
            .is_some_and(|rest| rest.starts_with('/'));
    let request = bayeux_messages(&seen.request_body);
    if seen.method == Method::POST
        && let Some(request) = request
        && (below_endpoint || request.iter().any(|m| m.channel.starts_with("/meta/")))
    {
        let response = bayeux_messages(&reply.body).unwrap_or_default();
        return Kind::Bayeux { request, response };
    }
    if below_endpoint {
        // A WebSocket attempt or a malformed poll: Bayeux plumbing, nothing to record.
        return Kind::Bayeux {
            request: Vec::new(),
            response: Vec::new(),
        };
    }
    if seen.method == Method::GET && path == LOGIN_PATH {
        return Kind::Login;
    }
    if !path.starts_with(API_PREFIX) {
        return Kind::NotApi;
    }
    Kind::Operation
}

/// The path without its query.
pub(crate) fn path_only(path_and_query: &str) -> &str {
    path_and_query.split('?').next().unwrap_or(path_and_query)
}

fn hook_call(body: &[u8]) -> Option<HookCall> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let state = value.get("state")?.as_str()?.to_owned();
    let params = value.get("params").cloned().unwrap_or(Value::Null);
    let teardown = value.get("action").and_then(Value::as_str) == Some("teardown");
    let actors = value
        .get("actors")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(actor, user)| Some((actor.clone(), user.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    Some(HookCall {
        state,
        params,
        teardown,
        actors,
    })
}

/// The messages of a Bayeux body (an array of messages, or one message), if it is one.
fn bayeux_messages(body: &[u8]) -> Option<Vec<Message>> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let items = match value {
        Value::Array(items) => items,
        object @ Value::Object(_) => vec![object],
        _ => return None,
    };
    if items.is_empty() {
        return None;
    }
    items
        .into_iter()
        .map(|item| {
            let channel_ok = item
                .get("channel")
                .and_then(Value::as_str)
                .is_some_and(|c| c.starts_with('/'));
            channel_ok
                .then(|| serde_json::from_value::<Message>(item).ok())
                .flatten()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::body::Bytes;
    use axum::http::HeaderMap;

    use super::*;
    use crate::proxy::traffic::Reply;

    fn seen(method: Method, path: &str, body: &str, reply: &str) -> Seen {
        Seen {
            started: Instant::now(),
            finished: Instant::now(),
            method,
            path: path.to_owned(),
            request_headers: HeaderMap::new(),
            request_body: Bytes::from(body.to_owned()),
            reply: Some(Reply {
                status: 200,
                headers: HeaderMap::new(),
                body: Bytes::from(reply.to_owned()),
            }),
        }
    }

    fn endpoints() -> Endpoints {
        Endpoints {
            state_hook: "/contract/states".to_owned(),
            notifications: "/api/v2/notifications".to_owned(),
            channel: "/v2/me/facebooksession".to_owned(),
        }
    }

    #[test]
    fn kinds_by_path_and_content() {
        let kind = |s: Seen| classify(&s, &endpoints());
        assert!(matches!(
            kind(seen(
                Method::POST,
                "/contract/states",
                r#"{"state":"s","params":{"a":1}}"#,
                "{}"
            )),
            Kind::Hook(HookCall { teardown: false, .. })
        ));
        assert!(matches!(
            kind(seen(
                Method::POST,
                "/contract/states",
                r#"{"state":"s","action":"teardown"}"#,
                "{}"
            )),
            Kind::Hook(HookCall { teardown: true, .. })
        ));
        let Kind::Bayeux { request, response } = kind(seen(
            Method::POST,
            "/api/v2/notifications/connect",
            r#"[{"channel":"/meta/connect","clientId":"c1"}]"#,
            r#"[{"channel":"/v2/me/facebooksession","data":{"x":1}},{"channel":"/meta/connect","successful":true}]"#,
        )) else {
            panic!("a connect is Bayeux");
        };
        assert_eq!(request[0].client_id.as_deref(), Some("c1"));
        assert_eq!(response.len(), 2);
        assert!(
            matches!(
                kind(seen(
                    Method::POST,
                    "/cometd",
                    r#"[{"channel":"/meta/handshake"}]"#,
                    "[]"
                )),
                Kind::Bayeux { .. }
            ),
            "Bayeux at another endpoint is recognised by its content"
        );
        assert!(matches!(
            kind(seen(Method::GET, "/api/v2/notifications", "", "")),
            Kind::Bayeux { .. }
        ));
        assert!(matches!(
            kind(seen(Method::GET, "/api/v2/me", "", "{}")),
            Kind::Login
        ));
        assert!(matches!(
            kind(seen(
                Method::POST,
                "/api/v2/me/facebooksessions/X",
                r#"{"operationName":"Complete"}"#,
                "{}"
            )),
            Kind::Operation
        ));
        let mut failed = seen(Method::GET, "/x", "", "");
        failed.reply = None;
        assert!(matches!(kind(failed), Kind::Failed));
    }
}
