//! Why the playback refuses a call: the JSON error a client gets, naming the closest recorded
//! entry and every difference, so a client developer sees at once what the recording expected.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::template::Difference;

/// The recorded entry closest to a call that matched nothing, and how it differs.
#[derive(Debug, Clone)]
pub(crate) struct Closest {
    pub file: String,
    pub scenario: String,
    pub entry: String,
    pub expected: Value,
    pub differences: Vec<Difference>,
    /// Placeholders the request would bind to values no session handed out (for a request
    /// that belongs to no session).
    pub unknown: BTreeMap<String, Value>,
}

/// Why the playback cannot answer a call from its recordings.
#[derive(Debug, Clone)]
pub(crate) enum Refusal {
    /// No golden starts from this state-hook call.
    NoRecording {
        call: Value,
        states: Vec<String>,
        closest: Option<Box<Closest>>,
    },
    /// The request belongs to no replay session.
    NoSession {
        call: Value,
        closest: Option<Box<Closest>>,
    },
    /// The request does not match its session's next step.
    Mismatch { call: Value, closest: Box<Closest> },
    /// Its session's goldens have no steps left.
    Finished {
        call: Value,
        file: String,
        scenario: String,
    },
}

impl Refusal {
    /// The HTTP status: 400 for a state the hook cannot set up, 409 for a request that
    /// conflicts with the recording.
    pub fn status(&self) -> u16 {
        match self {
            Refusal::NoRecording { .. } => 400,
            _ => 409,
        }
    }

    /// The JSON error body: what went wrong, the request, and the closest recorded entry
    /// with every difference.
    pub fn body(&self) -> Value {
        let (error, call, closest) = match self {
            Refusal::NoRecording { call, closest, .. } => (
                "no recording starts from this state-hook call".to_owned(),
                call,
                closest.as_deref(),
            ),
            Refusal::NoSession { call, closest } => (
                "this request belongs to no replay session: its ids were never handed out; a replay starts \
                 with a state-hook call (POST /contract/states)"
                    .to_owned(),
                call,
                closest.as_deref(),
            ),
            Refusal::Mismatch { call, closest } => (
                "no recorded step matches this request".to_owned(),
                call,
                Some(&**closest),
            ),
            Refusal::Finished { call, file, scenario } => (
                format!("the recording of `{scenario}` ({file}) has no more steps"),
                call,
                None,
            ),
        };
        let mut body = Map::new();
        body.insert("error".to_owned(), json!(error));
        body.insert("request".to_owned(), call.clone());
        if let Some(closest) = closest {
            let mut report = json!({
                "recording": closest.file,
                "scenario": closest.scenario,
                "entry": closest.entry,
                "expected": closest.expected,
                "differences": closest.differences,
            });
            if !closest.unknown.is_empty() {
                report["never_handed_out"] = json!(closest.unknown);
            }
            body.insert("closest".to_owned(), report);
        }
        if let Refusal::NoRecording { states, .. } = self {
            body.insert("states".to_owned(), json!(states));
        }
        Value::Object(body)
    }
}
