//! Replay sessions: one per state-hook setup that starts a recording, so parallel scenarios
//! replay independently. A session holds every golden the calls so far are consistent with
//! (many goldens start from the same state): each call keeps those whose next entry played in
//! order it matches, the first of them (in path order, exact parameters first) produces the
//! answer, and the others stay only if they recorded exactly the same answer.
//!
//! A request belongs to the session whose handed-out values it carries (a session id in the
//! path, a URI in the body; the more the better) and whose recording it matches; failing that,
//! to a session in which it is that user's turn and whose recording it matches; failing that,
//! it may start a golden that has no `given:`. Users' ids are the same in every session (the
//! playback's logins hand them out), so they route nothing.
//!
//! Logins, CometD messages and refusals change nothing on a server, and requests that carry no
//! session's values (a login, a request without credentials) cannot be told apart between
//! parallel sessions; so they are not played in order. A session passes over them when its
//! next ordered request comes, and [`Sessions::aside`] answers them from any session that has
//! one coming that matches, without moving it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::fresh::Fresh;
use super::library::{Kind, Library};
use super::refusal::{Closest, Refusal};
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

/// How well a recorded entry answers a call aside: its kind's rank, then the values its
/// session shares with the call (more is better), then how recent the session is.
type AsideRank = (u8, Reverse<usize>, Reverse<usize>);

/// Users' ids, by user name: the ids the playback's logins hand out.
pub(crate) type UserIds = BTreeMap<String, String>;

#[derive(Debug)]
struct Session {
    /// Actor name → user, as the state hook was told.
    actors: BTreeMap<String, String>,
    tracks: Vec<Track>,
    /// One generator per session, whichever golden produces, so counters keep increasing
    /// and repeated values stay the same.
    fresh: Fresh,
    last_used: Instant,
}

impl Session {
    fn new(actors: BTreeMap<String, String>, tracks: Vec<Track>, base_url: &str) -> Self {
        Session {
            actors,
            tracks,
            fresh: Fresh::new(base_url),
            last_used: Instant::now(),
        }
    }

    /// How many of the values this session handed out are among `sent`.
    fn shares(&self, sent: &BTreeSet<&str>) -> usize {
        let values: BTreeSet<&str> = self.tracks.iter().flat_map(routing_values).collect();
        values.intersection(sent).count()
    }

    /// Whether none of its goldens has an entry left to play in order.
    fn finished(&self) -> bool {
        self.tracks.iter().all(|t| t.ordered().is_none())
    }
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
        user_ids: &UserIds,
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
            let referenced = session.shares(&mentioned) > 0;
            if next_is_hook
                && (referenced || (in_given && session.actors == actors))
                && let Ok(answer) = advance(&mut self.list[i], &call)
            {
                self.touch(i);
                return Ok(answer);
            }
        }
        let fresh = Fresh::new(&self.base_url);
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
                (extra, order, Track::new(Arc::clone(r), &actors, user_ids))
            })
            .collect();
        candidates.sort_by_key(|(extra, order, _)| (*extra, *order));
        // Goldens recorded with exactly these parameters win; the lenient ones (recorded with
        // fewer parameters) are only used when there is none.
        let exact: Vec<bool> = candidates
            .iter()
            .map(|(extra, _, t)| *extra == 0 && t.clone().matches(&call, &actors, &fresh).is_empty())
            .collect();
        if exact.iter().any(|e| *e) {
            let mut flags = exact.into_iter();
            candidates.retain(|_| flags.next().unwrap_or(false));
        }
        let tracks = candidates.into_iter().map(|(_, _, t)| t).collect();
        let mut session = Session::new(actors, tracks, &self.base_url);
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

    /// An authenticated request: the next ordered step of the session it belongs to.
    pub fn request(
        &mut self,
        library: &Library,
        user: &str,
        method: &str,
        path: &str,
        body: Option<&Value>,
        user_ids: &UserIds,
    ) -> Result<Answer, Refusal> {
        let call = Call::Http {
            user: Some(user),
            method,
            path,
            body,
        };
        let sent = call_strings(&call);
        let mut by_value: Vec<(usize, usize)> = self
            .list
            .iter()
            .enumerate()
            .map(|(i, s)| (s.shares(&sent), i))
            .filter(|(shared, _)| *shared > 0)
            .collect();
        // The most values in common first, then the most recent.
        by_value.sort_unstable_by(|a, b| b.cmp(a));
        let by_turn = (0..self.list.len()).rev().filter(|&i| {
            let s = &self.list[i];
            s.tracks.iter().any(|t| t.expects_user(&s.actors, user))
        });
        let candidates: Vec<usize> = if by_value.is_empty() {
            by_turn.collect()
        } else {
            by_value.iter().map(|(_, i)| *i).collect()
        };
        let mut first_failure = None;
        for &i in &candidates {
            match advance(&mut self.list[i], &call) {
                Ok(answer) => {
                    self.touch(i);
                    return Ok(answer);
                }
                Err(results) => {
                    first_failure.get_or_insert((i, results));
                }
            }
        }
        if by_value.is_empty()
            && let Some(answer) = self.start_without_hook(library, &call, user_ids)
        {
            return Ok(answer);
        }
        match first_failure {
            Some((i, results)) => Err(self.refused(i, &call, &results)),
            None => Err(nowhere(library, &call, &self.base_url)),
        }
    }

    /// A request answered aside: a login, or a request the playback refuses. `rank` says which
    /// kinds of recorded entries may answer it, best first (lower); among those that match,
    /// the best kind wins, then the session that shares the most values with it, then the most
    /// recent. The session does not move: such entries are passed over when it does.
    pub fn aside(&mut self, call: &Call<'_>, rank: impl Fn(Kind) -> Option<u8>) -> Option<Answer> {
        let sent = call_strings(call);
        // (rank, session, track, entry), the best so far.
        let mut best: Option<(AsideRank, usize, usize, usize)> = None;
        for (i, session) in self.list.iter().enumerate() {
            let shared = session.shares(&sent);
            for (t, track) in session.tracks.iter().enumerate() {
                for index in track.aside() {
                    let Some(kind) = rank(track.recorded.kind(index)) else {
                        continue;
                    };
                    let key = (kind, Reverse(shared), Reverse(i));
                    if best.as_ref().is_some_and(|(b, ..)| *b <= key) {
                        continue;
                    }
                    if track.would_match(index, call, &session.actors) {
                        best = Some((key, i, t, index));
                    }
                }
            }
        }
        let (_, i, t, index) = best?;
        let Session {
            actors,
            tracks,
            fresh,
            ..
        } = &mut self.list[i];
        let track = &mut tracks[t];
        let _ = track.matches_at(index, call, actors);
        let output = track.produce_at(index, fresh);
        let deliveries = deliveries(actors, &output);
        self.touch(i);
        Some(Answer { output, deliveries })
    }

    /// A request no session holds: it starts one when a golden without `given:` begins with
    /// it.
    fn start_without_hook(
        &mut self,
        library: &Library,
        call: &Call<'_>,
        user_ids: &UserIds,
    ) -> Option<Answer> {
        let no_actors = BTreeMap::new();
        let tracks: Vec<Track> = library
            .recordings
            .iter()
            .filter(|r| r.given.is_empty())
            .map(|r| Track::new(Arc::clone(r), &no_actors, user_ids))
            .filter(|t| t.ordered().is_some())
            .collect();
        if tracks.is_empty() {
            return None;
        }
        let mut session = Session::new(no_actors, tracks, &self.base_url);
        let answer = advance(&mut session, call).ok()?;
        self.open(session);
        Some(answer)
    }

    /// The refusal of a call session `i` was the best candidate for.
    fn refused(&self, i: usize, call: &Call<'_>, results: &[(usize, Vec<Difference>)]) -> Refusal {
        let session = &self.list[i];
        if session.finished() {
            let first = &session.tracks[0].recorded;
            return Refusal::Finished {
                call: call.describe(),
                file: first.file.clone(),
                scenario: first.scenario.clone(),
            };
        }
        match closest(&session.tracks, results) {
            Some(closest) => Refusal::Mismatch {
                call: call.describe(),
                closest,
            },
            None => Refusal::NoSession {
                call: call.describe(),
                closest: None,
            },
        }
    }

    /// Ends the session whose values the setup reply `setup` holds. Returns whether one did.
    pub fn teardown(&mut self, setup: &Value) -> bool {
        let held = strings(setup);
        let found = (0..self.list.len())
            .rev()
            .find(|&i| self.list[i].shares(&held) > 0);
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

/// Matches `call` against every track's next ordered entry; the matching tracks stay, the
/// first produces the answer and the others stay if they recorded the same. `Err` holds each
/// track's differences when none matched (the session is then unchanged).
fn advance(session: &mut Session, call: &Call<'_>) -> Result<Answer, Vec<(usize, Vec<Difference>)>> {
    let mut failed = Vec::new();
    let mut matching = Vec::new();
    for (i, track) in session.tracks.iter_mut().enumerate() {
        let diffs = track.matches(call, &session.actors, &session.fresh);
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
    let output = tracks[0].produce(&mut session.fresh);
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
    let deliveries = deliveries(&session.actors, &output);
    Ok(Answer { output, deliveries })
}

/// Who gets which of `output`'s notifications, in order.
fn deliveries(actors: &BTreeMap<String, String>, output: &Output) -> Vec<(String, Value)> {
    output
        .notifications
        .iter()
        .flat_map(|(actor, list)| {
            let user = Track::user_of(actors, actor).to_owned();
            list.iter().map(move |data| (user.clone(), data.clone()))
        })
        .collect()
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

/// The refusal of a request no session holds: the closest recorded request anywhere, compared
/// as if its placeholders were unbound, and what they would bind to (what no session handed
/// out).
fn nowhere(library: &Library, call: &Call<'_>, base_url: &str) -> Refusal {
    let no_actors = BTreeMap::new();
    let mut best: Option<Box<Closest>> = None;
    for recorded in &library.recordings {
        for index in (0..recorded.len()).filter(|&i| recorded.kind(i) == Kind::Request) {
            let mut track = Track::new(Arc::clone(recorded), &no_actors, &UserIds::new());
            track.done = index;
            let expected = track.expected();
            let differences = track.matches(call, &no_actors, &Fresh::new(base_url));
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
    Refusal::NoSession {
        call: call.describe(),
        closest: best,
    }
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

/// String values a track bound that can tell its session apart: long enough, and not made of
/// values every session shares (users' ids, and URIs and paths built on them).
fn routing_values(track: &Track) -> impl Iterator<Item = &str> {
    track
        .bindings
        .values()
        .filter_map(Value::as_str)
        .filter(|s| s.len() >= MIN_ROUTING_VALUE)
        .filter(|s| !track.shared.iter().any(|shared| s.contains(shared.as_str())))
}

/// The strings a call carries: every string of its body, the segments and query values of
/// its path, and a hook call's parameters.
fn call_strings<'a>(call: &Call<'a>) -> BTreeSet<&'a str> {
    match call {
        Call::Hook { params, .. } => strings(params),
        Call::Http { path, body, .. } => {
            let mut sent = body.map(strings).unwrap_or_default();
            sent.extend(path_strings(path));
            sent
        }
    }
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
    use serde_json::json;

    use super::*;
    use crate::server::replay::library::Recorded;

    fn golden(file: &str, params: Value, steps: Vec<Value>) -> Arc<Recorded> {
        Arc::new(Recorded::new(
            file.to_owned(),
            file.trim_end_matches(".json").to_owned(),
            vec![json!({
                "state": "facebook session chatting", "params": params,
                "reply": {"status": 200, "body": {"id": "${session}"}}, "notifications": {},
            })],
            steps,
        ))
    }

    fn operation(operation: &str) -> Value {
        json!({
            "actor": "agent1",
            "request": {"method": "POST", "path": "/s/${session}", "body": {"operationName": operation}},
            "response": {"status": 200, "body": {"done": operation}},
            "notifications": {"agent1": [{"id": "${session}", "op": operation}]},
        })
    }

    fn refused(path: &str, status: u16) -> Value {
        json!({
            "actor": "agent1",
            "request": {"method": "GET", "path": path},
            "response": {"status": status, "body": {"refused": status}},
            "notifications": {"agent1": []},
        })
    }

    fn library(recordings: Vec<Arc<Recorded>>) -> Library {
        Library { recordings }
    }

    fn start(sessions: &mut Sessions, library: &Library, params: Value) -> String {
        let answer = sessions
            .setup(
                library,
                "facebook session chatting",
                &params,
                BTreeMap::new(),
                &UserIds::new(),
            )
            .expect("a recording starts from it");
        answer.output.body["id"].as_str().expect("an id").to_owned()
    }

    fn post(
        sessions: &mut Sessions,
        library: &Library,
        id: &str,
        operation: &str,
    ) -> Result<Answer, Refusal> {
        let body = json!({ "operationName": operation });
        sessions.request(
            library,
            "agent1",
            "POST",
            &format!("/s/{id}"),
            Some(&body),
            &UserIds::new(),
        )
    }

    fn anonymous<'a>(path: &'a str) -> Call<'a> {
        Call::Http {
            user: None,
            method: "GET",
            path,
            body: None,
        }
    }

    fn refusals(kind: Kind) -> Option<u8> {
        matches!(kind, Kind::Refusal(_)).then_some(0)
    }

    #[test]
    fn goldens_that_start_alike_are_told_apart_by_the_first_request_that_differs() {
        let params = json!({"agents": ["agent1"]});
        let library = library(vec![
            golden("complete.json", params.clone(), vec![operation("Complete")]),
            golden("leave.json", params.clone(), vec![operation("Leave")]),
        ]);
        let mut sessions = Sessions::new("http://127.0.0.1:9");
        let id = start(&mut sessions, &library, params);
        let answer = post(&mut sessions, &library, &id, "Leave").expect("the Leave golden plays");
        assert_eq!(answer.output.body, json!({"done": "Leave"}));
        assert_eq!(
            answer.deliveries,
            [("agent1".to_owned(), json!({"id": id, "op": "Leave"}))]
        );
    }

    #[test]
    fn goldens_recorded_with_exactly_the_params_win_over_lenient_matches() {
        let library = library(vec![
            golden(
                "a-lenient.json",
                json!({"agents": ["agent1"]}),
                vec![operation("Leave")],
            ),
            golden(
                "b-exact.json",
                json!({"agents": ["agent1"], "customer": "X"}),
                vec![operation("Complete")],
            ),
        ]);
        let mut sessions = Sessions::new("http://127.0.0.1:9");
        let id = start(
            &mut sessions,
            &library,
            json!({"agents": ["agent1"], "customer": "X"}),
        );
        let Err(refusal) = post(&mut sessions, &library, &id, "Leave") else {
            panic!("only the exact golden is replayed");
        };
        assert_eq!(refusal.body()["closest"]["recording"], "b-exact.json");
        // Without an exact golden, the lenient one plays.
        let id = start(
            &mut sessions,
            &library,
            json!({"agents": ["agent1"], "customer": "Y"}),
        );
        assert!(post(&mut sessions, &library, &id, "Leave").is_ok());
    }

    #[test]
    fn parallel_sessions_of_goldens_that_start_alike_each_follow_their_own() {
        let params = json!({"agents": ["agent1"]});
        let library = library(vec![
            golden(
                "a.json",
                params.clone(),
                vec![operation("Complete"), operation("Leave")],
            ),
            golden(
                "b.json",
                params.clone(),
                vec![operation("Complete"), operation("Reject")],
            ),
        ]);
        let mut sessions = Sessions::new("http://127.0.0.1:9");
        let first = start(&mut sessions, &library, params.clone());
        let second = start(&mut sessions, &library, params);
        for id in [&first, &second] {
            assert!(post(&mut sessions, &library, id, "Complete").is_ok());
        }
        assert!(post(&mut sessions, &library, &first, "Reject").is_ok());
        assert!(post(&mut sessions, &library, &second, "Leave").is_ok());
        let Err(refusal) = post(&mut sessions, &library, &first, "Leave") else {
            panic!("the first session played b.json to its end");
        };
        assert_eq!(
            refusal.body()["error"],
            "the recording of `b` (b.json) has no more steps"
        );
    }

    #[test]
    fn refusals_are_answered_aside_and_passed_over_by_the_next_ordered_request() {
        let params = json!({"agents": ["agent1"]});
        let library = library(vec![
            golden(
                "csrf.json",
                params.clone(),
                vec![refused("/me", 403), operation("Complete")],
            ),
            golden(
                "no-credentials.json",
                params.clone(),
                vec![refused("/me", 401), refused("/other", 401), operation("Complete")],
            ),
        ]);
        let mut sessions = Sessions::new("http://127.0.0.1:9");
        let id = start(&mut sessions, &library, params);
        let prefer = |status: u16| {
            move |kind: Kind| match kind {
                Kind::Refusal(s) => Some(u8::from(s != status)),
                _ => None,
            }
        };
        let answer = sessions
            .aside(&anonymous("/me"), prefer(401))
            .expect("a recorded refusal");
        assert_eq!(
            answer.output.status, 401,
            "the status the playback refuses with wins"
        );
        let answer = sessions
            .aside(&anonymous("/me"), prefer(403))
            .expect("a recorded refusal");
        assert_eq!(answer.output.status, 403);
        assert!(
            sessions.aside(&anonymous("/other"), refusals).is_some(),
            "answered whenever it comes"
        );
        assert!(sessions.aside(&anonymous("/never"), refusals).is_none());
        let answer = post(&mut sessions, &library, &id, "Complete").expect("the refusals are passed over");
        assert_eq!(answer.output.body, json!({"done": "Complete"}));
        assert!(
            sessions.aside(&anonymous("/me"), refusals).is_none(),
            "passed over for good"
        );
    }

    #[test]
    fn a_request_of_no_session_starts_a_golden_without_given_only_if_it_matches() {
        let library = library(vec![Arc::new(Recorded::new(
            "unknown.json".to_owned(),
            "unknown".to_owned(),
            Vec::new(),
            vec![
                json!({"actor": "agent1", "request": {"method": "GET", "path": "/s/NOSUCH"},
                       "response": {"status": 404, "body": {"statusCode": 6}}}),
            ],
        ))]);
        let mut sessions = Sessions::new("http://127.0.0.1:9");
        let get = |sessions: &mut Sessions, path: &str| {
            sessions.request(&library, "agent1", "GET", path, None, &UserIds::new())
        };
        let Err(refusal) = get(&mut sessions, "/s/OTHER") else {
            panic!("nothing was recorded for it");
        };
        assert_eq!(refusal.body()["closest"]["recording"], "unknown.json");
        assert_eq!(sessions.len(), 0);
        let answer = get(&mut sessions, "/s/NOSUCH").expect("the golden starts");
        assert_eq!(answer.output.status, 404);
    }
}
