//! From traffic to a recording, once, when the proxy stops: classify every exchange, tell
//! who sent it, name the actors, keep state-hook setups (as `given:` until the first
//! operation, as `state:` steps after it) and operations, decide the captures, and file each
//! notification with the entry in progress when it reached the proxy — as the runner files
//! them, so a recording and a run of its scenario line up.
//!
//! Like the runner, a recording that started from a state-hook call keeps only notifications
//! about its interactions (the hook's session and captured ids); one that did not keeps every
//! notification on the channel, since nothing says which interactions are its own.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::captures;
use super::classify::{Endpoints, HookCall, Kind, classify};
use super::identify::identify;
use super::recording::{Action, Entry, HttpEntry, Notes, Notification, Recording};
use super::traffic::{Seen, Traffic};
use crate::bayeux::channel_matches;
use crate::runner::interaction_ids;
use crate::transport::redact_headers;

/// How to turn traffic into a recording.
#[derive(Debug, Clone)]
pub struct RecordSettings {
    /// The scenario's name.
    pub name: String,
    /// The state hook, the CometD endpoint and the channel.
    pub endpoints: Endpoints,
    /// Keep user names as actor names instead of `agent1..N`.
    pub keep_users: bool,
    /// Actor names for users (from a profile's `actors:`), which win over both.
    pub actor_names: BTreeMap<String, String>,
}

/// Request headers never replayed: credentials (the CSRF header too, whatever the target
/// calls it), what HTTP clients set by themselves, and browser and transport details.
const UNREPLAYED_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-csrf-token",
    "host",
    "connection",
    "keep-alive",
    "content-length",
    "transfer-encoding",
    "te",
    "upgrade",
    "user-agent",
    "accept",
    "accept-encoding",
    "accept-language",
    "origin",
    "referer",
    "pragma",
    "cache-control",
    "dnt",
    "priority",
    "if-none-match",
    "if-modified-since",
];

/// Interprets `traffic` as `settings` say.
pub fn assemble(traffic: &Traffic, settings: &RecordSettings) -> Recording {
    let mut seen: Vec<&Seen> = traffic.seen.iter().collect();
    seen.sort_by_key(|s| s.started);
    let owned: Vec<Seen> = seen.iter().map(|s| (*s).clone()).collect();
    let kinds: Vec<Kind> = owned.iter().map(|s| classify(s, &settings.endpoints)).collect();
    let users = identify(&owned, &kinds);
    let csrf = Csrf::learn(&owned);
    let naming = Naming::new(&appearance(&owned, &kinds, &users), settings);
    let mut notes = Notes {
        forwarded: owned.len(),
        ..Notes::default()
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut notifications: Vec<(String, Notification)> = Vec::new();
    let mut operations_started = false;
    for ((s, kind), user) in owned.iter().zip(&kinds).zip(&users) {
        let actor = user.as_deref().map(|u| naming.actor(u));
        match kind {
            Kind::Hook(call) => match hook_entry(s, call, &naming, !operations_started) {
                Some(entry) => entries.push(entry),
                None => notes.hook_calls_skipped += 1,
            },
            Kind::Bayeux { response, .. } => {
                notes.bayeux += 1;
                for message in response {
                    let Some(data) = &message.data else { continue };
                    if message.channel.starts_with("/meta/") {
                        continue;
                    }
                    if !channel_matches(&settings.endpoints.channel, &message.channel) {
                        notes.other_channels += 1;
                        continue;
                    }
                    match &actor {
                        Some(actor) => notifications.push((
                            actor.clone(),
                            Notification {
                                at: s.finished,
                                channel: message.channel.clone(),
                                data: data.clone(),
                            },
                        )),
                        None => notes.unidentified += 1,
                    }
                }
            }
            Kind::Login | Kind::Operation => {
                let login = matches!(kind, Kind::Login);
                match actor {
                    Some(actor) => {
                        operations_started |= !login;
                        entries.push(http_entry(s, actor, login, &csrf));
                    }
                    None => notes.unidentified += 1,
                }
            }
            Kind::Failed => notes.failed += 1,
            Kind::NotApi => notes.not_api += 1,
        }
    }
    // Givens first, each part in the order it started; a login kept as a step follows them.
    entries.sort_by_key(|e| (!e.given, e.started));
    let all: Vec<Notification> = notifications.iter().map(|(_, n)| n.clone()).collect();
    captures::plan(&mut entries, &all, &naming.names());
    let before = entries.len();
    entries.retain(|e| !matches!(&e.action, Action::Http(h) if h.login && e.captures.is_empty()));
    notes.logins = before - entries.len();
    if !entries.iter().any(|e| e.given) {
        notes.state_to_fill_in = true;
        entries.insert(0, placeholder(traffic.began_at));
    }
    attribute(&mut entries, notifications, &naming.actors, &mut notes);
    Recording {
        name: settings.name.clone(),
        target: traffic.target.clone(),
        began: traffic.began,
        began_at: traffic.began_at,
        actors: naming.actors,
        entries,
        notes,
    }
}

fn placeholder(at: Instant) -> Entry {
    Entry {
        given: true,
        started: at,
        finished: at,
        action: Action::StateToFillIn,
        captures: Vec::new(),
        notifications: BTreeMap::new(),
    }
}

/// Files each notification (in arrival order) with the entry in progress when it arrived
/// (the first entry for anything earlier), keeping only those about the recording's
/// interactions when it started from a state-hook call.
fn attribute(
    entries: &mut [Entry],
    mut notifications: Vec<(String, Notification)>,
    actors: &[String],
    notes: &mut Notes,
) {
    let hooked = entries.iter().any(|e| matches!(e.action, Action::Hook { .. }));
    let mut ids: BTreeSet<String> = entries
        .iter()
        .flat_map(|e| e.captures.iter().map(|c| c.value.clone()))
        .collect();
    for entry in entries.iter() {
        if let Action::Hook { reply, .. } = &entry.action
            && let Some(id) = reply.get("id").and_then(Value::as_str)
        {
            ids.insert(id.to_owned());
        }
    }
    for entry in entries.iter_mut() {
        entry.notifications = actors.iter().map(|a| (a.clone(), Vec::new())).collect();
    }
    notifications.sort_by_key(|(_, n)| n.at);
    // Logins kept as steps are filed after the givens; they hold no notifications.
    let holders: Vec<usize> = (0..entries.len())
        .filter(|&i| !matches!(&entries[i].action, Action::Http(h) if h.login))
        .collect();
    for (actor, notification) in notifications {
        if hooked
            && !interaction_ids(&notification.data)
                .iter()
                .any(|id| ids.contains(id))
        {
            notes.unrelated += 1;
            continue;
        }
        let slot = holders
            .iter()
            .rev()
            .find(|&&i| entries[i].started <= notification.at)
            .or_else(|| holders.first())
            .copied();
        if let Some(slot) = slot {
            notes.notifications += 1;
            entries[slot]
                .notifications
                .entry(actor)
                .or_default()
                .push(notification);
        }
    }
}

/// A state-hook setup the target accepted, users renamed to actors; `None` for teardowns and
/// refused calls.
fn hook_entry(seen: &Seen, call: &HookCall, naming: &Naming, given: bool) -> Option<Entry> {
    let reply = seen.reply.as_ref()?;
    if call.teardown || !(200..300).contains(&reply.status) {
        return None;
    }
    let to_actor = |name: &str| -> String {
        let user = call.actors.get(name).map_or(name, String::as_str);
        naming.known(user).unwrap_or(name).to_owned()
    };
    let params = rename_params(&call.params, &to_actor);
    let reply_body = rename_reply(&body_value(&reply.body), &to_actor);
    Some(Entry {
        given,
        started: seen.started,
        finished: seen.finished,
        action: Action::Hook {
            state: call.state.clone(),
            params_template: params.clone(),
            params,
            status: reply.status,
            reply: reply_body,
        },
        captures: Vec::new(),
        notifications: BTreeMap::new(),
    })
}

/// The hook parameters that name agents (DESIGN.md §5: `agent`, `agents`, the keys of
/// `nicknames`), with users renamed to actors.
fn rename_params(params: &Value, to_actor: &dyn Fn(&str) -> String) -> Value {
    let Value::Object(map) = params else {
        return params.clone();
    };
    let mut out = map.clone();
    if let Some(Value::String(agent)) = map.get("agent") {
        out.insert("agent".to_owned(), Value::String(to_actor(agent)));
    }
    if let Some(Value::Array(agents)) = map.get("agents") {
        let renamed = agents
            .iter()
            .map(|a| {
                a.as_str()
                    .map_or_else(|| a.clone(), |s| Value::String(to_actor(s)))
            })
            .collect();
        out.insert("agents".to_owned(), Value::Array(renamed));
    }
    if let Some(Value::Object(nicknames)) = map.get("nicknames") {
        out.insert("nicknames".to_owned(), rename_keys(nicknames, to_actor));
    }
    Value::Object(out)
}

/// The hook reply with the keys of `agents` and `notified` (user or actor names) renamed.
fn rename_reply(reply: &Value, to_actor: &dyn Fn(&str) -> String) -> Value {
    let Value::Object(map) = reply else {
        return reply.clone();
    };
    let mut out = map.clone();
    for key in ["agents", "notified"] {
        if let Some(Value::Object(inner)) = map.get(key) {
            out.insert(key.to_owned(), rename_keys(inner, to_actor));
        }
    }
    Value::Object(out)
}

fn rename_keys(map: &Map<String, Value>, to_actor: &dyn Fn(&str) -> String) -> Value {
    Value::Object(map.iter().map(|(k, v)| (to_actor(k), v.clone())).collect())
}

fn http_entry(seen: &Seen, actor: String, login: bool, csrf: &Csrf) -> Entry {
    let reply = seen.reply.as_ref();
    let body = (!seen.request_body.is_empty()).then(|| body_value(&seen.request_body));
    // Secret values (Set-Cookie, tokens) are redacted here, so a recording never holds them.
    let response_headers = reply
        .map(|r| {
            let headers: Vec<(String, String)> = r
                .headers
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_owned(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            redact_headers(&headers)
        })
        .unwrap_or_default();
    Entry {
        given: false,
        started: seen.started,
        finished: seen.finished,
        action: Action::Http(HttpEntry {
            actor,
            login,
            method: seen.method.as_str().to_ascii_uppercase(),
            path: seen.path.clone(),
            path_template: seen.path.clone(),
            headers: replayed_headers(&seen.request_headers, csrf),
            body_template: body.clone(),
            body,
            status: reply.map_or(0, |r| r.status),
            response_headers,
            response: reply.map_or(Value::Null, |r| body_value(&r.body)),
        }),
        captures: Vec::new(),
        notifications: BTreeMap::new(),
    }
}

/// A body as JSON; text that is not JSON as a string; nothing as null (as the transport reads
/// responses).
fn body_value(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// The request headers a scenario should send: none of [`UNREPLAYED_HEADERS`], no `sec-*`,
/// not the CSRF header (by the name the target gave it) nor any header carrying a token the
/// target handed out, and no JSON content type (the runner sets it for JSON bodies).
fn replayed_headers(headers: &HeaderMap, csrf: &Csrf) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let name = name.as_str();
        let Ok(value) = value.to_str() else { continue };
        let json_type = name == "content-type" && value.to_ascii_lowercase().starts_with("application/json");
        if UNREPLAYED_HEADERS.contains(&name)
            || name.starts_with("sec-")
            || json_type
            || csrf.names.contains(name)
            || csrf.tokens.contains(value)
            || crate::transport::is_sensitive_header(name)
        {
            continue;
        }
        out.push((name.to_owned(), value.to_owned()));
    }
    out
}

/// The CSRF header names and token values the target handed out (`X-CSRF-HEADER`,
/// `X-CSRF-TOKEN`), so no request header carrying one is ever written.
#[derive(Debug, Default)]
struct Csrf {
    names: BTreeSet<String>,
    tokens: BTreeSet<String>,
}

impl Csrf {
    fn learn(seen: &[Seen]) -> Self {
        let mut csrf = Csrf::default();
        for reply in seen.iter().filter_map(|s| s.reply.as_ref()) {
            for value in reply.headers.get_all("x-csrf-header") {
                if let Ok(name) = value.to_str() {
                    csrf.names.insert(name.trim().to_ascii_lowercase());
                }
            }
            for value in reply.headers.get_all("x-csrf-token") {
                if let Ok(token) = value.to_str()
                    && !token.is_empty()
                {
                    csrf.tokens.insert(token.trim().to_owned());
                }
            }
        }
        csrf
    }
}

/// Users in order of appearance: the user of each identified request and each user a state
/// hook call names, as they come.
fn appearance(seen: &[Seen], kinds: &[Kind], users: &[Option<String>]) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut add = |user: &str| {
        if !order.iter().any(|u| u == user) {
            order.push(user.to_owned());
        }
    };
    for ((s, kind), user) in seen.iter().zip(kinds).zip(users) {
        if let Some(user) = user {
            add(user);
        }
        if let Kind::Hook(call) = kind
            && !call.teardown
            && s.reply.is_some()
        {
            for named in agents_named(&call.params) {
                add(call.actors.get(&named).map_or(named.as_str(), String::as_str));
            }
        }
    }
    order
}

/// The agents a hook call's parameters name.
fn agents_named(params: &Value) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(agent) = params.get("agent").and_then(Value::as_str) {
        names.push(agent.to_owned());
    }
    if let Some(agents) = params.get("agents").and_then(Value::as_array) {
        names.extend(agents.iter().filter_map(Value::as_str).map(str::to_owned));
    }
    names
}

/// Users → actor names: a profile's name for the user, else the user name with
/// `--keep-users`, else `agent1..N` in order of appearance.
#[derive(Debug)]
struct Naming {
    by_user: BTreeMap<String, String>,
    actors: Vec<String>,
}

impl Naming {
    fn new(order: &[String], settings: &RecordSettings) -> Self {
        let mut taken: BTreeSet<String> = settings.actor_names.values().cloned().collect();
        let mut by_user = BTreeMap::new();
        let mut actors = Vec::new();
        let mut next = 1;
        for user in order {
            let name = if let Some(name) = settings.actor_names.get(user) {
                name.clone()
            } else if settings.keep_users && !taken.contains(user) {
                user.clone()
            } else {
                loop {
                    let candidate = format!("agent{next}");
                    next += 1;
                    if !taken.contains(&candidate) {
                        break candidate;
                    }
                }
            };
            taken.insert(name.clone());
            by_user.insert(user.clone(), name.clone());
            actors.push(name);
        }
        Naming { by_user, actors }
    }

    /// Every user and actor name (never captured as ids).
    fn names(&self) -> BTreeSet<String> {
        self.by_user.keys().chain(&self.actors).cloned().collect()
    }

    fn known(&self, user: &str) -> Option<&str> {
        self.by_user.get(user).map(String::as_str)
    }

    fn actor(&self, user: &str) -> String {
        self.known(user).unwrap_or(user).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn settings(keep_users: bool, actor_names: &[(&str, &str)]) -> RecordSettings {
        RecordSettings {
            name: "r".to_owned(),
            endpoints: Endpoints::default(),
            keep_users,
            actor_names: actor_names
                .iter()
                .map(|(u, a)| ((*u).to_owned(), (*a).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn actors_are_named_in_order_of_appearance_unless_kept_or_named_by_a_profile() {
        let order = ["bob".to_owned(), "alice".to_owned(), "carol".to_owned()];
        assert_eq!(
            Naming::new(&order, &settings(false, &[])).actors,
            ["agent1", "agent2", "agent3"]
        );
        assert_eq!(
            Naming::new(&order, &settings(true, &[])).actors,
            ["bob", "alice", "carol"]
        );
        assert_eq!(
            Naming::new(&order, &settings(false, &[("alice", "agent1")])).actors,
            ["agent2", "agent1", "agent3"]
        );
    }

    #[test]
    fn hook_params_and_replies_name_actors() {
        let naming = Naming::new(&["bob".to_owned(), "alice".to_owned()], &settings(false, &[]));
        let to_actor = |name: &str| naming.known(name).unwrap_or(name).to_owned();
        assert_eq!(
            rename_params(
                &json!({"agents": ["alice", "bob"], "agent": "bob", "nicknames": {"alice": "Al"}, "customer": "bob"}),
                &to_actor
            ),
            json!({"agents": ["agent2", "agent1"], "agent": "agent1", "nicknames": {"agent2": "Al"}, "customer": "bob"})
        );
        assert_eq!(
            rename_reply(
                &json!({"agents": {"bob": {"participantId": "P"}}, "notified": {"alice": 1}, "id": "X"}),
                &to_actor
            ),
            json!({"agents": {"agent1": {"participantId": "P"}}, "notified": {"agent2": 1}, "id": "X"})
        );
    }

    #[test]
    fn secret_response_headers_are_redacted_in_the_recording() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "set-cookie",
            axum::http::HeaderValue::from_static("JSESSIONID=S3CRET; Path=/"),
        );
        headers.insert("x-csrf-token", axum::http::HeaderValue::from_static("t0ken"));
        let seen = Seen {
            started: Instant::now(),
            finished: Instant::now(),
            method: axum::http::Method::GET,
            path: "/api/v2/me".to_owned(),
            request_headers: HeaderMap::new(),
            request_body: axum::body::Bytes::new(),
            reply: Some(super::super::traffic::Reply {
                status: 200,
                headers,
                body: axum::body::Bytes::from_static(b"{}"),
            }),
        };
        let entry = http_entry(&seen, "agent1".to_owned(), true, &Csrf::default());
        let Action::Http(http) = entry.action else {
            panic!("an HTTP entry")
        };
        assert!(
            http.response_headers
                .iter()
                .all(|(_, v)| v == crate::transport::REDACTED),
            "{:?}",
            http.response_headers
        );
    }

    #[test]
    fn replayed_headers_leave_out_credentials_and_noise() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Basic eA=="),
            ("cookie", "JSESSIONID=A"),
            ("x-my-csrf", "tok-123"),
            ("x-other", "tok-123"),
            ("content-type", "application/json;charset=UTF-8"),
            ("user-agent", "node"),
            ("sec-fetch-mode", "cors"),
            ("x-tenant", "acme"),
        ] {
            headers.append(
                axum::http::HeaderName::from_static(name),
                axum::http::HeaderValue::from_static(value),
            );
        }
        let csrf = Csrf {
            names: BTreeSet::from(["x-my-csrf".to_owned()]),
            tokens: BTreeSet::from(["tok-123".to_owned()]),
        };
        assert_eq!(
            replayed_headers(&headers, &csrf),
            [("x-tenant".to_owned(), "acme".to_owned())]
        );
    }
}
