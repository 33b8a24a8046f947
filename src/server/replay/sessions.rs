//! Replay sessions: one per state-hook setup that starts a recording, so parallel scenarios
//! replay independently. A session holds every golden the calls so far are consistent with
//! (several goldens may start from the same state): each call keeps those whose next entry
//! it matches, the first of them (in path order, exact parameters first) produces the answer,
//! and the others stay only if they recorded the same answer. Later requests find their
//! session by the values its goldens bound (a session id in the path, a URI in the body),
//! else by the user whose turn it is.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::library::Library;
use super::template::Difference;
use super::track::{Call, Output, Track};

/// Replay sessions kept at most; the least recently used one goes first.
const MAX_SESSIONS: usize = 1024;

/// Bound values shorter than this do not route requests (too likely to occur by chance).
const MIN_ROUTING_VALUE: usize = 4;

/// What the playback answers and whom it notifies.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    /// The reply.
    pub output: Output,
    /// (user, data) in delivery order.
    pub deliveries: Vec<(String, Value)>,
}

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

#[derive(Debug)]
struct Session {
    /// Actor name → user, as the state hook was told.
    actors: BTreeMap<String, String>,
    tracks: Vec<Track>,
    last_used: Instant,
}

/// Every replay session of a playback.
#[derive(Debug)]
pub(crate) struct Sessions {
    /// Oldest first.
    list: Vec<Session>,
    base_url: String,
}

impl Sessions {
    /// No sessions yet; URIs name `base_url`.
    pub fn new(base_url: &str) -> Self {
        Sessions {
            list: Vec::new(),
            base_url: base_url.to_owned(),
        }
    }

    /// How many sessions are open.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// A state-hook setup: the next `given` entry (or `state:` step) of the session it
    /// continues, or the start of a new session.
    pub fn setup(
        &mut self,
        library: &Library,
        state: &str,
        params: &Value,
        actors: BTreeMap<String, String>,
    ) -> Result<Answer, Refusal> {
        let call = Call::Hook { state, params };
        let mentioned = strings(params);
        for i in (0..self.list.len()).rev() {
            let session = &self.list[i];
            let next_is_hook = session
                .tracks
                .iter()
                .any(|t| t.next().is_some_and(|(_, e)| e.get("state").is_some()));
            let in_given = session.tracks.iter().any(|t| t.done < t.recorded.given.len());
            let referenced = session
                .tracks
                .iter()
                .any(|t| bound_strings(t).any(|v| mentioned.contains(v)));
            if next_is_hook
                && (referenced || (in_given && session.actors == actors))
                && let Ok(answer) = advance(&mut self.list[i], &call)
            {
                self.touch(i);
                return Ok(answer);
            }
        }
        let mut candidates: Vec<(usize, usize, Track)> = library
            .recordings
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.entry(0)
                    .is_some_and(|(_, e)| e.get("state").and_then(Value::as_str) == Some(state))
            })
            .map(|(order, r)| {
                let extra = r.entry(0).map_or(0, |(_, e)| {
                    extra_keys(e.get("params").unwrap_or(&Value::Null), params)
                });
                (extra, order, Track::new(std::sync::Arc::clone(r), &self.base_url))
            })
            .collect();
        candidates.sort_by_key(|(extra, order, _)| (*extra, *order));
        // Goldens recorded with exactly these parameters win; the lenient ones (recorded with
        // fewer parameters) are only used when there is none.
        let exact: Vec<bool> = candidates
            .iter()
            .map(|(extra, _, t)| *extra == 0 && first_matches(t, &call))
            .collect();
        if exact.iter().any(|e| *e) {
            let mut flags = exact.into_iter();
            candidates.retain(|_| flags.next().unwrap_or(false));
        }
        let mut session = Session {
            actors,
            tracks: candidates.into_iter().map(|(_, _, t)| t).collect(),
            last_used: Instant::now(),
        };
        match advance(&mut session, &call) {
            Ok(answer) => {
                self.open(session);
                Ok(answer)
            }
            Err(results) => Err(Refusal::NoRecording {
                call: call.describe(),
                states: initial_states(library),
                closest: closest(&session.tracks, &results),
            }),
        }
    }

    /// An actor's request: the next step of its session.
    pub fn request(
        &mut self,
        library: &Library,
        user: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, Refusal> {
        let call = Call::Http {
            user,
            method,
            path,
            body,
        };
        let mut sent = strings(body.unwrap_or(&Value::Null));
        sent.extend(path_strings(path));
        let by_value = (0..self.list.len()).rev().find(|&i| {
            self.list[i]
                .tracks
                .iter()
                .any(|t| bound_strings(t).any(|v| sent.contains(v)))
        });
        let by_user = || {
            (0..self.list.len()).rev().find(|&i| {
                let s = &self.list[i];
                s.tracks.iter().any(|t| t.expects_user(&s.actors, user))
            })
        };
        let Some(i) = by_value.or_else(by_user) else {
            return self.start_without_hook(library, &call);
        };
        if self.list[i].tracks.iter().all(|t| t.next().is_none()) {
            let first = &self.list[i].tracks[0].recorded;
            return Err(Refusal::Finished {
                call: call.describe(),
                file: first.file.clone(),
                scenario: first.scenario.clone(),
            });
        }
        match advance(&mut self.list[i], &call) {
            Ok(answer) => {
                self.touch(i);
                Ok(answer)
            }
            Err(results) => {
                let closest = closest(&self.list[i].tracks, &results);
                Err(match closest {
                    Some(closest) => Refusal::Mismatch {
                        call: call.describe(),
                        closest,
                    },
                    None => Refusal::NoSession {
                        call: call.describe(),
                        closest: None,
                    },
                })
            }
        }
    }

    /// A request no session holds: it starts one when a golden without `given:` begins with
    /// it; otherwise the closest recorded step anywhere is reported.
    fn start_without_hook(&mut self, library: &Library, call: &Call<'_>) -> Result<Answer, Refusal> {
        let mut session = Session {
            actors: BTreeMap::new(),
            tracks: library
                .recordings
                .iter()
                .filter(|r| r.given.is_empty() && !r.steps.is_empty())
                .map(|r| Track::new(std::sync::Arc::clone(r), &self.base_url))
                .collect(),
            last_used: Instant::now(),
        };
        if !session.tracks.is_empty()
            && let Ok(answer) = advance(&mut session, call)
        {
            self.open(session);
            return Ok(answer);
        }
        // Every recorded request, compared as if its placeholders were unbound: what they
        // would bind to is what no session handed out.
        let mut best: Option<Box<Closest>> = None;
        for recorded in &library.recordings {
            for done in recorded.given.len()..recorded.len() {
                let mut track = Track::new(std::sync::Arc::clone(recorded), &self.base_url);
                track.done = done;
                if track.next().is_none_or(|(_, e)| e.get("request").is_none()) {
                    continue;
                }
                let expected = track.expected();
                let differences = track.matches(call, &BTreeMap::new());
                if best
                    .as_ref()
                    .is_some_and(|b| b.differences.len() <= differences.len())
                {
                    continue;
                }
                best = Some(Box::new(Closest {
                    file: recorded.file.clone(),
                    scenario: recorded.scenario.clone(),
                    entry: track.next().map(|(label, _)| label).unwrap_or_default(),
                    expected,
                    differences,
                    unknown: track
                        .bindings
                        .iter()
                        .map(|(key, value)| (placeholder_text(key), value.clone()))
                        .collect(),
                }));
            }
        }
        Err(Refusal::NoSession {
            call: call.describe(),
            closest: best,
        })
    }

    /// Ends the session whose values the setup reply `setup` holds. Returns whether one did.
    pub fn teardown(&mut self, setup: &Value) -> bool {
        let held = strings(setup);
        let found = (0..self.list.len()).rev().find(|&i| {
            self.list[i]
                .tracks
                .iter()
                .any(|t| bound_strings(t).any(|v| held.contains(v)))
        });
        if let Some(i) = found {
            self.list.remove(i);
        }
        found.is_some()
    }

    /// Forgets sessions unused for longer than `idle`.
    pub fn expire(&mut self, idle: Duration) {
        self.list.retain(|s| s.last_used.elapsed() <= idle);
    }

    fn open(&mut self, session: Session) {
        if self.list.len() >= MAX_SESSIONS {
            self.list.remove(0);
        }
        self.list.push(session);
    }

    /// Marks session `i` used (it moves to the end: most recent).
    fn touch(&mut self, i: usize) {
        let mut session = self.list.remove(i);
        session.last_used = Instant::now();
        self.list.push(session);
    }
}

/// Matches `call` against every track's next entry; the matching tracks stay, the first
/// produces the answer and the others stay if they agree with it. `Err` holds each track's
/// differences when none matched (the session is then unchanged).
fn advance(session: &mut Session, call: &Call<'_>) -> Result<Answer, Vec<(usize, Vec<Difference>)>> {
    let mut failed = Vec::new();
    let mut matching = Vec::new();
    for (i, track) in session.tracks.iter_mut().enumerate() {
        let diffs = track.matches(call, &session.actors);
        if diffs.is_empty() {
            matching.push(i);
        } else {
            failed.push((i, diffs));
        }
    }
    if matching.is_empty() {
        return Err(failed);
    }
    let mut tracks: Vec<Track> = matching.iter().map(|&i| session.tracks[i].clone()).collect();
    let output = tracks[0].produce();
    let mut kept = vec![tracks.remove(0)];
    kept.extend(
        tracks
            .into_iter()
            .filter_map(|mut t| t.agrees(&output).then_some(t)),
    );
    for track in &mut kept {
        track.done += 1;
    }
    session.tracks = kept;
    let deliveries = output
        .notifications
        .iter()
        .flat_map(|(actor, list)| {
            let user = Track::user_of(&session.actors, actor).to_owned();
            list.iter().map(move |data| (user.clone(), data.clone()))
        })
        .collect();
    Ok(Answer { output, deliveries })
}

/// Whether `call` matches the track's next entry (tried on a copy).
fn first_matches(track: &Track, call: &Call<'_>) -> bool {
    track.clone().matches(call, &BTreeMap::new()).is_empty()
}

/// The track (of `tracks`) whose differences are fewest, as a report.
fn closest(tracks: &[Track], results: &[(usize, Vec<Difference>)]) -> Option<Box<Closest>> {
    let (i, differences) = results.iter().min_by_key(|(_, d)| d.len())?;
    let track = tracks.get(*i)?;
    Some(Box::new(Closest {
        file: track.recorded.file.clone(),
        scenario: track.recorded.scenario.clone(),
        entry: track.next().map(|(label, _)| label).unwrap_or_default(),
        expected: track.expected(),
        differences: differences.clone(),
        unknown: BTreeMap::new(),
    }))
}

/// `var:NAME` → `${NAME}`, `id:NAME` → `${id:NAME}`, as goldens write them.
fn placeholder_text(key: &str) -> String {
    match key.split_once(':') {
        Some(("var", name)) => format!("${{{name}}}"),
        Some(("id", name)) => format!("${{id:{name}}}"),
        _ => key.to_owned(),
    }
}

/// The states recordings start from (for the hook's error reply).
fn initial_states(library: &Library) -> Vec<String> {
    let states: BTreeSet<String> = library
        .recordings
        .iter()
        .filter_map(|r| r.entry(0))
        .filter_map(|(_, e)| e.get("state").and_then(Value::as_str).map(str::to_owned))
        .collect();
    states.into_iter().collect()
}

/// String values a track bound that are long enough to route by.
fn bound_strings(track: &Track) -> impl Iterator<Item = &str> {
    track
        .bindings
        .values()
        .filter_map(Value::as_str)
        .filter(|s| s.len() >= MIN_ROUTING_VALUE)
}

/// Every string in a JSON value.
fn strings(value: &Value) -> BTreeSet<&str> {
    fn walk<'a>(value: &'a Value, out: &mut BTreeSet<&'a str>) {
        match value {
            Value::String(s) => {
                out.insert(s);
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(value, &mut out);
    out
}

/// The segments and query values of a path.
fn path_strings(path: &str) -> Vec<&str> {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    path.split('/')
        .filter(|s| !s.is_empty())
        .chain(query.split('&').filter_map(|p| p.split_once('=').map(|(_, v)| v)))
        .collect()
}

/// How many object keys `actual` has that `template` does not (so exact parameters rank
/// before lenient matches).
fn extra_keys(template: &Value, actual: &Value) -> usize {
    match (template, actual) {
        (Value::Object(t), Value::Object(a)) => a
            .iter()
            .map(|(k, v)| t.get(k).map_or(1, |tv| extra_keys(tv, v)))
            .sum(),
        (Value::Array(t), Value::Array(a)) => t.iter().zip(a).map(|(tv, av)| extra_keys(tv, av)).sum(),
        (Value::Null, Value::Object(a)) => a.len(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::server::replay::library::Recorded;

    fn golden(file: &str, params: Value, operation: &str) -> Arc<Recorded> {
        Arc::new(Recorded {
            file: file.to_owned(),
            scenario: file.trim_end_matches(".json").to_owned(),
            given: vec![json!({
                "state": "facebook session chatting", "params": params,
                "reply": {"status": 200, "body": {"id": "${session}"}}, "notifications": {},
            })],
            steps: vec![json!({
                "actor": "agent1",
                "request": {"method": "POST", "path": "/s/${session}", "body": {"operationName": operation}},
                "response": {"status": 200, "body": {"done": operation}},
                "notifications": {"agent1": [{"id": "${session}", "op": operation}]},
            })],
        })
    }

    fn library(recordings: Vec<Arc<Recorded>>) -> Library {
        Library { recordings }
    }

    fn start(sessions: &mut Sessions, library: &Library, params: Value) -> String {
        let answer = sessions
            .setup(library, "facebook session chatting", &params, BTreeMap::new())
            .expect("a recording starts from it");
        answer.output.body["id"].as_str().expect("an id").to_owned()
    }

    #[test]
    fn goldens_that_start_alike_are_told_apart_by_the_first_request_that_differs() {
        let params = json!({"agents": ["agent1"]});
        let library = library(vec![
            golden("complete.json", params.clone(), "Complete"),
            golden("leave.json", params.clone(), "Leave"),
        ]);
        let mut sessions = Sessions::new("http://127.0.0.1:9");
        let id = start(&mut sessions, &library, params);
        let body = json!({"operationName": "Leave"});
        let answer = sessions
            .request(&library, "agent1", "POST", &format!("/s/{id}"), Some(&body))
            .expect("the Leave golden plays");
        assert_eq!(answer.output.body, json!({"done": "Leave"}));
        assert_eq!(
            answer.deliveries,
            [("agent1".to_owned(), json!({"id": id, "op": "Leave"}))]
        );
    }

    #[test]
    fn goldens_recorded_with_exactly_the_params_win_over_lenient_matches() {
        let library = library(vec![
            golden("a-lenient.json", json!({"agents": ["agent1"]}), "Leave"),
            golden(
                "b-exact.json",
                json!({"agents": ["agent1"], "customer": "X"}),
                "Complete",
            ),
        ]);
        let mut sessions = Sessions::new("http://127.0.0.1:9");
        let id = start(
            &mut sessions,
            &library,
            json!({"agents": ["agent1"], "customer": "X"}),
        );
        let body = json!({"operationName": "Leave"});
        let Err(refusal) = sessions.request(&library, "agent1", "POST", &format!("/s/{id}"), Some(&body))
        else {
            panic!("only the exact golden is replayed");
        };
        assert_eq!(refusal.body()["closest"]["recording"], "b-exact.json");
        // Without an exact golden, the lenient one plays.
        let id = start(
            &mut sessions,
            &library,
            json!({"agents": ["agent1"], "customer": "Y"}),
        );
        assert!(
            sessions
                .request(&library, "agent1", "POST", &format!("/s/{id}"), Some(&body))
                .is_ok()
        );
    }
}
