//! One golden being replayed: where it is (how many entries were played or passed over), what
//! its placeholders are bound to, and the things done with its entries — matching a call
//! against the next one played in order (passing over the logins, CometD messages and refusals
//! before it, which are answered aside), matching a call against one of those, and producing
//! the reply and notifications an entry recorded.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::fresh::Fresh;
use super::library::{Kind, Recorded};
use super::template::{Bindings, Difference, Instantiator, resolved, unify, unify_exact};

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
    /// An HTTP request.
    Http {
        /// Who sent it: the authenticated user, or for a refused request the user its
        /// credentials name (none without credentials).
        user: Option<&'a str>,
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
                if let Some(user) = user {
                    map.insert("user".to_owned(), json!(user));
                }
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
    /// As [`output_template`] shapes an entry, actors notified of nothing left out.
    fn as_json(&self) -> Value {
        let headers: Map<String, Value> = self.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let notifications: Map<String, Value> = self
            .notifications
            .iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(actor, list)| (actor.clone(), json!(list)))
            .collect();
        json!({"status": self.status, "headers": headers, "body": self.body, "notifications": notifications})
    }
}

/// A golden in a replay session.
#[derive(Debug, Clone)]
pub(crate) struct Track {
    pub recorded: Arc<Recorded>,
    /// How many entries (givens, then steps) were played or passed over.
    pub done: usize,
    pub bindings: Bindings,
    /// Values bound from outside the session (users' ids, the same in every session), which
    /// therefore say nothing about which session a request belongs to.
    pub shared: Vec<String>,
}

impl Track {
    /// A replay of `recorded` in which actor A is user `actors[A]` (or A), whose id is
    /// `user_ids[user]` when known.
    pub fn new(
        recorded: Arc<Recorded>,
        actors: &BTreeMap<String, String>,
        user_ids: &BTreeMap<String, String>,
    ) -> Self {
        let mut bindings = Bindings::new();
        let mut shared = Vec::new();
        for (key, actor) in &recorded.users {
            if let Some(id) = user_ids.get(Self::user_of(actors, actor)) {
                bindings.insert(key.clone(), Value::String(id.clone()));
                shared.push(id.clone());
            }
        }
        Track {
            recorded,
            done: 0,
            bindings,
            shared,
        }
    }

    /// The index of the next entry played in order.
    pub fn ordered(&self) -> Option<usize> {
        (self.done..self.recorded.len()).find(|&i| self.recorded.kind(i).in_order())
    }

    /// The next entry played in order, and its label (`given 1`, `step 2`).
    pub fn next(&self) -> Option<(String, &Value)> {
        self.recorded.entry(self.ordered()?)
    }

    /// The entries answered aside that come before the next one played in order.
    pub fn aside(&self) -> std::ops::Range<usize> {
        self.done..self.ordered().unwrap_or(self.recorded.len())
    }

    /// The user an actor of this golden logs in as.
    pub fn user_of<'a>(actors: &'a BTreeMap<String, String>, actor: &'a str) -> &'a str {
        actors.get(actor).map_or(actor, String::as_str)
    }

    /// Whether the next entry played in order is an HTTP request by `user`.
    pub fn expects_user(&self, actors: &BTreeMap<String, String>, user: &str) -> bool {
        self.next()
            .and_then(|(_, e)| e.get("actor").and_then(Value::as_str))
            .is_some_and(|actor| Self::user_of(actors, actor) == user)
    }

    /// Matches `call` against the next entry played in order, passing over the ones answered
    /// aside before it (a login there binds what it would have answered, so the ids the
    /// playback's own login handed out are the ones expected). When everything matches, the
    /// track moves to that entry and binds its placeholders. Returns the differences (none:
    /// it matches).
    pub fn matches(
        &mut self,
        call: &Call<'_>,
        actors: &BTreeMap<String, String>,
        fresh: &Fresh,
    ) -> Vec<Difference> {
        let Some(index) = self.ordered() else {
            return vec![Difference {
                pointer: String::new(),
                expected: json!("nothing: the recording has no more steps"),
                actual: Some(call.describe()),
            }];
        };
        let mut trial = self.clone();
        let mut scratch = fresh.clone();
        for passed in self.done..index {
            if self.recorded.kind(passed) == Kind::Login {
                trial.produce_at(passed, &mut scratch);
            }
        }
        let diffs = trial.matches_at(index, call, actors);
        if diffs.is_empty() {
            self.bindings = trial.bindings;
            self.done = index;
        }
        diffs
    }

    /// Matches `call` against entry `index`, binding its placeholders when everything
    /// matches. Returns the differences (none: it matches).
    pub fn matches_at(
        &mut self,
        index: usize,
        call: &Call<'_>,
        actors: &BTreeMap<String, String>,
    ) -> Vec<Difference> {
        let Some((_, entry)) = self.recorded.entry(index) else {
            return vec![Difference {
                pointer: String::new(),
                expected: json!("nothing: the recording has no more steps"),
                actual: Some(call.describe()),
            }];
        };
        let mut trial = self.bindings.clone();
        let diffs = match_entry(entry, call, actors, &mut trial);
        if diffs.is_empty() {
            self.bindings = trial;
        }
        diffs
    }

    /// Whether `call` matches entry `index` (nothing is bound).
    pub fn would_match(&self, index: usize, call: &Call<'_>, actors: &BTreeMap<String, String>) -> bool {
        self.recorded
            .entry(index)
            .is_some_and(|(_, entry)| match_entry(entry, call, actors, &mut self.bindings.clone()).is_empty())
    }

    /// The recorded reply and notifications of the entry the track is at, with fresh values
    /// bound.
    pub fn produce(&mut self, fresh: &mut Fresh) -> Output {
        self.produce_at(self.done, fresh)
    }

    /// The recorded reply and notifications of entry `index`, with fresh values bound.
    pub fn produce_at(&mut self, index: usize, fresh: &mut Fresh) -> Output {
        let entry = self
            .recorded
            .entry(index)
            .map(|(_, e)| e.clone())
            .unwrap_or(Value::Null);
        let template = output_template(&entry);
        fresh.begin_entry();
        let mut out = Instantiator::new(&mut self.bindings, fresh);
        let body = out.value(&template["body"]);
        let headers = out.value(&template["headers"]);
        let headers = headers
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
        let notifications = template["notifications"]
            .as_object()
            .map(|n| {
                n.iter()
                    .map(|(actor, list)| {
                        let list = list.as_array().map(Vec::as_slice).unwrap_or_default();
                        (actor.clone(), list.iter().map(|data| out.value(data)).collect())
                    })
                    .collect()
            })
            .unwrap_or_default();
        Output {
            status: template["status"]
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(200),
            headers,
            body,
            notifications,
        }
    }

    /// Whether this golden recorded `output` for the entry it is at (binding its own
    /// placeholders to what was produced): the same status, headers, body and notifications,
    /// no more and no less.
    pub fn agrees(&mut self, output: &Output) -> bool {
        let entry = self
            .recorded
            .entry(self.done)
            .map(|(_, e)| e.clone())
            .unwrap_or(Value::Null);
        let mut template = output_template(&entry);
        if let Some(notifications) = template["notifications"].as_object_mut() {
            notifications.retain(|_, list| list.as_array().is_none_or(|l| !l.is_empty()));
        }
        unify_exact(&template, &output.as_json(), &mut self.bindings).is_empty()
    }

    /// The next entry played in order as the error report shows it: its request (or state
    /// and params) with bound placeholders resolved.
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
            // A request without credentials names no user: it can only be a refusal, which
            // the golden recorded under the actor who sent it.
            if let Some(user) = user
                && expected_user != *user
            {
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

    const BASE: &str = "http://127.0.0.1:9";

    fn recorded() -> Arc<Recorded> {
        Arc::new(Recorded::new(
            "complete.json".to_owned(),
            "complete".to_owned(),
            vec![json!({
                "state": "facebook session chatting", "params": {"agents": ["agent1"]},
                "reply": {"status": 200, "body": {"id": "${session}", "agents": {"agent1": {
                    "participantId": "$id:participant-1", "path": "/users/${id:user-1}", "uri": "${agent1_uri}"}}}},
                "notifications": {"agent1": []},
            })],
            vec![
                json!({
                    "actor": "agent1",
                    "request": {"method": "GET", "path": "/api/v2/me"},
                    "response": {"status": 200, "body": {"user": {"id": "$id:user-1", "path": "/users/${id:user-1}"}}},
                    "notifications": {},
                }),
                json!({
                    "actor": "agent1",
                    "request": {"method": "POST", "path": "/api/v2/me/facebooksessions/${session}", "body": {"operationName": "Complete"}},
                    "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": {"statusCode": 0}},
                    "notifications": {"agent1": [{"facebooksession": {"id": "${session}", "state": "Completed"}, "referenceId": "$type:integer"}]},
                }),
            ],
        ))
    }

    fn track(actors: &BTreeMap<String, String>) -> Track {
        let ids = BTreeMap::from([("alice".to_owned(), "a11ce".to_owned())]);
        Track::new(recorded(), actors, &ids)
    }

    #[test]
    fn a_track_replays_its_golden_entry_by_entry_with_consistent_fresh_ids() {
        let actors = BTreeMap::from([("agent1".to_owned(), "alice".to_owned())]);
        let mut fresh = Fresh::new(BASE);
        let mut track = track(&actors);
        let params = json!({"agents": ["agent1"], "extra": 1});
        let hook = Call::Hook {
            state: "facebook session chatting",
            params: &params,
        };
        assert!(track.matches(&hook, &actors, &fresh).is_empty());
        let reply = track.produce(&mut fresh);
        track.done += 1;
        assert_eq!(
            reply.body["agents"]["agent1"]["uri"],
            format!("{BASE}/api/v2/users/a11ce"),
            "the user's id is the one its logins are given"
        );
        let session = reply.body["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v2/me/facebooksessions/{session}");
        let body = json!({"operationName": "Complete"});
        let call = Call::Http {
            user: Some("alice"),
            method: "POST",
            path: &path,
            body: Some(&body),
        };
        assert!(
            track.matches(&call, &actors, &fresh).is_empty(),
            "the login before it is passed over"
        );
        assert_eq!(track.done, 2);
        let out = track.produce(&mut fresh);
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
        let mut track = track(&actors);
        track.bindings.insert("var:session".to_owned(), json!("S1"));
        track.done = 1;
        let body = json!({"operationName": "Leave"});
        let call = Call::Http {
            user: Some("agent2"),
            method: "POST",
            path: "/api/v2/me/facebooksessions/S1",
            body: Some(&body),
        };
        let diffs = track.matches(&call, &actors, &Fresh::new(BASE));
        let found: Vec<(&str, &Value)> = diffs.iter().map(|d| (d.pointer.as_str(), &d.expected)).collect();
        assert_eq!(
            found,
            [
                ("/user", &json!("agent1")),
                ("/body/operationName", &json!("Complete"))
            ]
        );
        assert_eq!(track.done, 1, "nothing moves on a mismatch");
        assert_eq!(track.expected()["path"], json!("/api/v2/me/facebooksessions/S1"));
    }

    #[test]
    fn another_golden_agrees_with_what_one_produced_when_it_recorded_the_same() {
        let actors = BTreeMap::new();
        let mut fresh = Fresh::new(BASE);
        let mut first = track(&actors);
        let mut second = track(&actors);
        let out = first.produce(&mut fresh);
        assert!(second.agrees(&out));
        assert_eq!(
            first.bindings, second.bindings,
            "the second binds its placeholders to the first's values"
        );
        let mut changed = out.clone();
        changed.body["agents"] = json!({});
        assert!(!track(&actors).agrees(&changed));
        let mut more = out.clone();
        more.body["extra"] = json!(1);
        assert!(!track(&actors).agrees(&more), "no more than it recorded");
        let mut quiet = out;
        quiet.notifications.clear();
        assert!(
            track(&actors).agrees(&quiet),
            "an actor recorded as notified of nothing is not notified"
        );
    }
}
