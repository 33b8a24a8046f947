//! One golden being replayed: where it is (the next `given` entry or step), what its
//! placeholders are bound to, and the two things done with its next entry — matching a call
//! against it, and producing the reply and notifications it recorded.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::fresh::Fresh;
use super::library::Recorded;
use super::template::{Bindings, Difference, Instantiator, resolved, unify};

/// What a client sent that the playback must match.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Call<'a> {
    /// A state-hook setup.
    Hook {
        /// The state.
        state: &'a str,
        /// Its parameters.
        params: &'a Value,
    },
    /// An HTTP request by a user.
    Http {
        /// Who sent it.
        user: &'a str,
        /// The method.
        method: &'a str,
        /// Path and query.
        path: &'a str,
        /// The JSON body, if any.
        body: Option<&'a Value>,
    },
}

impl Call<'_> {
    /// The call as JSON, for error reports.
    pub fn describe(&self) -> Value {
        match self {
            Call::Hook { state, params } => json!({"state": state, "params": params}),
            Call::Http {
                user,
                method,
                path,
                body,
            } => {
                let mut map = Map::new();
                map.insert("user".to_owned(), json!(user));
                map.insert("method".to_owned(), json!(method));
                map.insert("path".to_owned(), json!(path));
                if let Some(body) = body {
                    map.insert("body".to_owned(), (*body).clone());
                }
                Value::Object(map)
            }
        }
    }
}

/// What the playback answers with.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Output {
    /// HTTP status.
    pub status: u16,
    /// Response headers (lowercase names).
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Value,
    /// Per actor, the notifications to deliver, in order.
    pub notifications: BTreeMap<String, Vec<Value>>,
}

impl Output {
    fn as_json(&self) -> Value {
        let headers: Map<String, Value> = self.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        json!({"status": self.status, "headers": headers, "body": self.body, "notifications": self.notifications})
    }
}

/// A golden in a replay session.
#[derive(Debug, Clone)]
pub(crate) struct Track {
    pub recorded: Arc<Recorded>,
    /// How many entries (givens, then steps) were replayed.
    pub done: usize,
    pub bindings: Bindings,
    fresh: Fresh,
}

impl Track {
    pub fn new(recorded: Arc<Recorded>, base_url: &str) -> Self {
        Track {
            recorded,
            done: 0,
            bindings: Bindings::new(),
            fresh: Fresh::new(base_url),
        }
    }

    /// The next entry and its label (`given 1`, `step 2`).
    pub fn next(&self) -> Option<(String, &Value)> {
        self.recorded.entry(self.done)
    }

    /// The user an actor of this golden logs in as.
    pub fn user_of<'a>(actors: &'a BTreeMap<String, String>, actor: &'a str) -> &'a str {
        actors.get(actor).map_or(actor, String::as_str)
    }

    /// Whether the next entry is an HTTP request by `user`.
    pub fn expects_user(&self, actors: &BTreeMap<String, String>, user: &str) -> bool {
        self.next()
            .and_then(|(_, e)| e.get("actor").and_then(Value::as_str))
            .is_some_and(|actor| Self::user_of(actors, actor) == user)
    }

    /// Matches `call` against the next entry, binding its placeholders when everything
    /// matches. Returns the differences (none: it matches).
    pub fn matches(&mut self, call: &Call<'_>, actors: &BTreeMap<String, String>) -> Vec<Difference> {
        let Some((_, entry)) = self.next() else {
            return vec![Difference {
                pointer: String::new(),
                expected: json!("nothing: the recording has no more steps"),
                actual: Some(call.describe()),
            }];
        };
        let entry = entry.clone();
        let mut trial = self.bindings.clone();
        let diffs = match_entry(&entry, call, actors, &mut trial);
        if diffs.is_empty() {
            self.bindings = trial;
        }
        diffs
    }

    /// The next entry's recorded reply and notifications, with fresh values bound.
    pub fn produce(&mut self) -> Output {
        let entry = self.next().map(|(_, e)| e.clone()).unwrap_or(Value::Null);
        let template = output_template(&entry);
        let mut out = Instantiator {
            bindings: &mut self.bindings,
            fresh: &mut self.fresh,
        };
        let value = out.value(&template);
        let headers = value["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        (
                            k.to_ascii_lowercase(),
                            v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let notifications = value["notifications"]
            .as_object()
            .map(|n| {
                n.iter()
                    .map(|(actor, list)| (actor.clone(), list.as_array().cloned().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        Output {
            status: value["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200),
            headers,
            body: value["body"].clone(),
            notifications,
        }
    }

    /// Whether this golden would have produced `output` for its next entry (binding its own
    /// placeholders to what was produced).
    pub fn agrees(&mut self, output: &Output) -> bool {
        let entry = self.next().map(|(_, e)| e.clone()).unwrap_or(Value::Null);
        unify(
            &output_template(&entry),
            &output.as_json(),
            &mut self.bindings,
            "",
        )
        .is_empty()
    }

    /// The next entry as the error report shows it: its request (or state and params) with
    /// bound placeholders resolved.
    pub fn expected(&self) -> Value {
        let Some((_, entry)) = self.next() else {
            return Value::Null;
        };
        match entry.get("state") {
            Some(state) => json!({"state": state, "params": resolved(&entry["params"], &self.bindings)}),
            None => {
                let mut request = resolved(&entry["request"], &self.bindings);
                if let (Some(map), Some(actor)) = (request.as_object_mut(), entry.get("actor")) {
                    map.insert("actor".to_owned(), actor.clone());
                }
                request
            }
        }
    }
}

/// `{status, headers, body, notifications}` of a recorded entry.
fn output_template(entry: &Value) -> Value {
    let reply = entry.get("response").or_else(|| entry.get("reply"));
    let mut headers = reply
        .and_then(|r| r.get("headers"))
        .cloned()
        .unwrap_or_else(|| json!({}));
    let body = reply.and_then(|r| r.get("body")).cloned().unwrap_or(Value::Null);
    if let Some(map) = headers.as_object_mut()
        && !body.is_null()
        && !map.keys().any(|k| k.eq_ignore_ascii_case("content-type"))
    {
        map.insert("content-type".to_owned(), json!("application/json"));
    }
    json!({
        "status": reply.and_then(|r| r.get("status")).cloned().unwrap_or(json!(200)),
        "headers": headers,
        "body": body,
        "notifications": entry.get("notifications").cloned().unwrap_or_else(|| json!({})),
    })
}

/// The differences between `call` and a recorded entry (`given` entry or step).
fn match_entry(
    entry: &Value,
    call: &Call<'_>,
    actors: &BTreeMap<String, String>,
    bindings: &mut Bindings,
) -> Vec<Difference> {
    let mut diffs = Vec::new();
    match (entry.get("state").and_then(Value::as_str), call) {
        (Some(state), Call::Hook { state: sent, params }) => {
            if state != *sent {
                diffs.push(Difference {
                    pointer: "/state".to_owned(),
                    expected: json!(state),
                    actual: Some(json!(sent)),
                });
            }
            let template = entry.get("params").cloned().unwrap_or(Value::Null);
            if !(template.is_null() && (params.is_null() || params.as_object().is_some_and(Map::is_empty))) {
                diffs.extend(unify(&template, params, bindings, "/params"));
            }
        }
        (
            None,
            Call::Http {
                user,
                method,
                path,
                body,
            },
        ) => {
            let request = &entry["request"];
            let actor = entry.get("actor").and_then(Value::as_str).unwrap_or_default();
            let expected_user = Track::user_of(actors, actor);
            if expected_user != *user {
                diffs.push(Difference {
                    pointer: "/user".to_owned(),
                    expected: json!(expected_user),
                    actual: Some(json!(user)),
                });
            }
            let recorded_method = request.get("method").and_then(Value::as_str).unwrap_or("GET");
            if !recorded_method.eq_ignore_ascii_case(method) {
                diffs.push(Difference {
                    pointer: "/method".to_owned(),
                    expected: json!(recorded_method),
                    actual: Some(json!(method)),
                });
            }
            let recorded_path = request.get("path").cloned().unwrap_or(Value::Null);
            diffs.extend(unify(&recorded_path, &json!(path), bindings, "/path"));
            if let Some(template) = request.get("body") {
                match body {
                    Some(body) => diffs.extend(unify(template, body, bindings, "/body")),
                    None => diffs.push(Difference {
                        pointer: "/body".to_owned(),
                        expected: resolved(template, bindings),
                        actual: None,
                    }),
                }
            }
        }
        (Some(state), Call::Http { .. }) => diffs.push(Difference {
            pointer: String::new(),
            expected: json!(format!("the state-hook call `{state}`")),
            actual: Some(call.describe()),
        }),
        (None, Call::Hook { .. }) => diffs.push(Difference {
            pointer: String::new(),
            expected: json!(format!(
                "a {} request",
                entry
                    .pointer("/request/method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
            )),
            actual: Some(call.describe()),
        }),
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded() -> Arc<Recorded> {
        Arc::new(Recorded {
            file: "complete.json".to_owned(),
            scenario: "complete".to_owned(),
            given: vec![json!({
                "state": "facebook session chatting", "params": {"agents": ["agent1"]},
                "reply": {"status": 200, "body": {"id": "${session}", "agents": {"agent1": {"participantId": "$id:participant-1"}}}},
                "notifications": {"agent1": []},
            })],
            steps: vec![json!({
                "actor": "agent1",
                "request": {"method": "POST", "path": "/api/v2/me/facebooksessions/${session}", "body": {"operationName": "Complete"}},
                "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": {"statusCode": 0}},
                "notifications": {"agent1": [{"facebooksession": {"id": "${session}", "state": "Completed"}, "referenceId": "$type:integer"}]},
            })],
        })
    }

    #[test]
    fn a_track_replays_its_golden_entry_by_entry_with_consistent_fresh_ids() {
        let actors = BTreeMap::from([("agent1".to_owned(), "alice".to_owned())]);
        let mut track = Track::new(recorded(), "http://127.0.0.1:9");
        let params = json!({"agents": ["agent1"], "extra": 1});
        assert!(
            track
                .matches(
                    &Call::Hook {
                        state: "facebook session chatting",
                        params: &params
                    },
                    &actors
                )
                .is_empty()
        );
        let reply = track.produce();
        track.done += 1;
        let session = reply.body["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v2/me/facebooksessions/{session}");
        let body = json!({"operationName": "Complete"});
        let call = Call::Http {
            user: "alice",
            method: "POST",
            path: &path,
            body: Some(&body),
        };
        assert!(track.matches(&call, &actors).is_empty());
        let out = track.produce();
        assert_eq!(
            out.headers,
            [("content-type".to_owned(), "application/json".to_owned())]
        );
        assert_eq!(
            out.notifications["agent1"][0]["facebooksession"]["id"],
            json!(session)
        );
        assert_eq!(out.notifications["agent1"][0]["referenceId"], json!(1));
    }

    #[test]
    fn a_mismatch_names_each_difference() {
        let actors = BTreeMap::new();
        let mut track = Track::new(recorded(), "http://127.0.0.1:9");
        track.bindings.insert("var:session".to_owned(), json!("S1"));
        track.done = 1;
        let body = json!({"operationName": "Leave"});
        let call = Call::Http {
            user: "agent2",
            method: "POST",
            path: "/api/v2/me/facebooksessions/S1",
            body: Some(&body),
        };
        let diffs = track.matches(&call, &actors);
        let found: Vec<(&str, &Value)> = diffs.iter().map(|d| (d.pointer.as_str(), &d.expected)).collect();
        assert_eq!(
            found,
            [
                ("/user", &json!("agent1")),
                ("/body/operationName", &json!("Complete"))
            ]
        );
        assert_eq!(track.expected()["path"], json!("/api/v2/me/facebooksessions/S1"));
    }

    #[test]
    fn another_golden_agrees_with_what_one_produced_when_it_recorded_the_same() {
        let mut first = Track::new(recorded(), "http://127.0.0.1:9");
        let mut second = Track::new(recorded(), "http://127.0.0.1:9");
        let out = first.produce();
        assert!(second.agrees(&out));
        assert_eq!(
            first.bindings, second.bindings,
            "the second binds its placeholders to the first's values"
        );
        let mut changed = out.clone();
        changed.body["agents"] = json!({});
        assert!(!Track::new(recorded(), "http://127.0.0.1:9").agrees(&changed));
    }
}
