//! The golden document: what a transcript holds that belongs in a golden — every `given:`
//! state and step with its request, response (or hook reply) and every actor's notifications —
//! and nothing that varies with when or where it ran (no times, no hosts once symbolised).
//!
//! ```json
//! { "format": 1, "scenario": "complete",
//!   "given": [ { "state": "...", "params": {..}, "reply": {"status": 200, "body": {..}},
//!                "notifications": { "agent1": [ {..data..} ] } } ],
//!   "steps": [ { "actor": "agent1",
//!                "request": {"method": "POST", "path": "...", "body": {..}},
//!                "response": {"status": 200, "headers": {..}, "body": {..}},
//!                "notifications": { "agent1": [..], "agent2": [] } } ] }
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::runner::{Action, Exchange, ObservedCounts, Transcript};
use crate::transport::{HttpResponse, is_sensitive_header};

/// Version of the golden format; bump on incompatible changes.
pub const GOLDEN_FORMAT: u64 = 1;

/// Response headers left out of goldens: they describe the connection or the moment (framing,
/// `date`), not the API, and would make every recording differ; `x-csrf-header` names the
/// header of the CSRF token, session machinery the transport handles, there or not with the
/// target's CSRF setting. Secret headers are left out too (their values are redacted anyway).
const TRANSPORT_HEADERS: &[&str] = &[
    "connection",
    "content-length",
    "date",
    "keep-alive",
    "transfer-encoding",
    "x-csrf-header",
];

/// The raw golden document of `transcript` (values as observed, before symbolisation).
pub fn document(transcript: &Transcript) -> Value {
    let mut given = Vec::new();
    let mut steps = Vec::new();
    for exchange in &transcript.exchanges {
        let entry = exchange_document(exchange);
        if exchange.step.is_given() {
            given.push(entry);
        } else {
            steps.push(entry);
        }
    }
    json!({
        "format": GOLDEN_FORMAT,
        "scenario": transcript.scenario,
        "given": given,
        "steps": steps,
    })
}

fn exchange_document(exchange: &Exchange) -> Value {
    let mut entry = Map::new();
    match &exchange.action {
        Action::Hook { state, params, reply } => {
            entry.insert("state".into(), Value::String(state.clone()));
            entry.insert("params".into(), params.clone());
            if let Some(reply) = reply {
                entry.insert(
                    "reply".into(),
                    json!({"status": reply.status, "body": reply.body}),
                );
            }
        }
        Action::Http {
            actor,
            request,
            response,
        } => {
            entry.insert("actor".into(), Value::String(actor.clone()));
            let mut req = Map::new();
            req.insert(
                "method".into(),
                Value::String(request.method.to_ascii_uppercase()),
            );
            req.insert("path".into(), Value::String(request.path.clone()));
            let headers: Map<String, Value> = request
                .headers
                .iter()
                .filter(|(name, _)| !is_sensitive_header(name))
                .map(|(name, value)| (name.to_ascii_lowercase(), Value::String(value.clone())))
                .collect();
            if !headers.is_empty() {
                req.insert("headers".into(), Value::Object(headers));
            }
            if let Some(body) = &request.body {
                req.insert("body".into(), body.clone());
            }
            entry.insert("request".into(), Value::Object(req));
            if let Some(response) = response {
                entry.insert("response".into(), response_document(response));
            }
        }
    }
    let notifications: Map<String, Value> = exchange
        .notifications
        .iter()
        .map(|(actor, list)| {
            (
                actor.clone(),
                Value::Array(list.iter().map(|n| n.data.clone()).collect()),
            )
        })
        .collect();
    entry.insert("notifications".into(), Value::Object(notifications));
    Value::Object(entry)
}

fn response_document(response: &HttpResponse) -> Value {
    let mut headers = Map::new();
    for (name, value) in &response.headers {
        let name = name.to_ascii_lowercase();
        if TRANSPORT_HEADERS.contains(&name.as_str()) || is_sensitive_header(&name) {
            continue;
        }
        match headers.get_mut(&name) {
            Some(Value::String(joined)) => {
                joined.push_str(", ");
                joined.push_str(value);
            }
            _ => {
                headers.insert(name, Value::String(value.clone()));
            }
        }
    }
    json!({"status": response.status, "headers": headers, "body": response.body})
}

/// How many notifications each actor received per `given:` entry and step, as a golden
/// recorded them (the runner's wait plan reads this).
pub fn observed_counts(golden: &Value) -> ObservedCounts {
    let counts = |section: &str| -> Vec<BTreeMap<String, usize>> {
        golden
            .get(section)
            .and_then(Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| {
                        entry
                            .get("notifications")
                            .and_then(Value::as_object)
                            .map(|per_actor| {
                                per_actor
                                    .iter()
                                    .map(|(actor, list)| (actor.clone(), list.as_array().map_or(0, Vec::len)))
                                    .collect()
                            })
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    ObservedCounts {
        givens: counts("given"),
        steps: counts("steps"),
    }
}
