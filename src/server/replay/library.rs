//! The goldens a playback serves: every `*.json` below the directory (pending `.new` files
//! and the rules left out), in path order, each read and checked once at start, with what the
//! playback needs to know about each entry worked out once: whether it is played in order
//! (state-hook calls, answered API requests) or answered whenever it comes (logins, CometD
//! messages, refusals), and which user-id placeholder stands for which actor's user.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::golden::{GOLDEN_FORMAT, GoldenError, GoldenStore};
use crate::matching::template::{Part, parts};

/// The login path: `GET` on it answers with the caller's user (and, with CSRF protection
/// on, the token).
pub(crate) const LOGIN_PATH: &str = "/api/v2/me";

/// The CometD endpoint (suffixes such as `/handshake` below it).
pub(crate) const NOTIFICATIONS_PATH: &str = "/api/v2/notifications";

/// Why the goldens cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// A golden could not be read or parsed.
    #[error(transparent)]
    Golden(#[from] GoldenError),
    /// A JSON file that is not a golden this version writes.
    #[error("{path} is not a golden: {reason}")]
    NotAGolden {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The directory holds none.
    #[error("{} holds no goldens (*.json files written by `record` or `proxy`)", .dir.display())]
    Empty {
        /// The directory.
        dir: PathBuf,
    },
}

/// What a recorded entry is to the playback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A state-hook call: played in order.
    Hook,
    /// An API request the target accepted: played in order.
    Request,
    /// `GET /api/v2/me` answered with a 2xx: a login (or a user looking itself up), which
    /// changes nothing, so it is answered whenever it comes and never waited for.
    Login,
    /// A CometD message: the playback's CometD engine (the reference server's, which is what
    /// a recording of the reference server saw) answers it.
    Bayeux,
    /// A request refused with this status (401 or 403: no or wrong credentials, or no CSRF
    /// token). A refusal changes nothing: it is played to requests the playback refuses,
    /// whenever they come.
    Refusal(u16),
}

impl Kind {
    /// Whether the entry is played in recorded order (the others are answered aside).
    pub fn in_order(self) -> bool {
        matches!(self, Kind::Hook | Kind::Request)
    }

    fn of(entry: &Value) -> Kind {
        if entry.get("state").is_some() {
            return Kind::Hook;
        }
        let request = &entry["request"];
        let method = request.get("method").and_then(Value::as_str).unwrap_or("GET");
        let path = request.get("path").and_then(Value::as_str).unwrap_or_default();
        let path = path.split_once('?').map_or(path, |(path, _)| path);
        let status = entry
            .pointer("/response/status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok());
        match status {
            Some(status @ (401 | 403)) => Kind::Refusal(status),
            _ if path == NOTIFICATIONS_PATH || path.starts_with(&format!("{NOTIFICATIONS_PATH}/")) => {
                Kind::Bayeux
            }
            Some(200..=299) if path == LOGIN_PATH && method.eq_ignore_ascii_case("GET") => Kind::Login,
            _ => Kind::Request,
        }
    }
}

/// One golden, ready to replay.
#[derive(Debug)]
pub(crate) struct Recorded {
    /// Its path below the golden directory, with `/` separators.
    pub file: String,
    /// The scenario it recorded.
    pub scenario: String,
    /// Its `given` entries.
    pub given: Vec<Value>,
    /// Its steps.
    pub steps: Vec<Value>,
    /// Per entry (givens, then steps), what it is.
    pub kinds: Vec<Kind>,
    /// User-id placeholders (binding keys, `id:NAME`) → the actor whose user they are.
    pub users: BTreeMap<String, String>,
}

impl Recorded {
    /// A golden of `scenario` with these entries.
    pub fn new(file: String, scenario: String, given: Vec<Value>, steps: Vec<Value>) -> Self {
        let kinds = given.iter().chain(&steps).map(Kind::of).collect();
        let mut recorded = Recorded {
            file,
            scenario,
            given,
            steps,
            kinds,
            users: BTreeMap::new(),
        };
        recorded.users = user_placeholders(&recorded);
        recorded
    }

    /// Entry `index` of the whole sequence (givens, then steps), with its label.
    pub fn entry(&self, index: usize) -> Option<(String, &Value)> {
        if index < self.given.len() {
            return Some((format!("given {}", index + 1), &self.given[index]));
        }
        let step = index - self.given.len();
        self.steps.get(step).map(|s| (format!("step {}", step + 1), s))
    }

    /// How many entries it has (givens and steps).
    pub fn len(&self) -> usize {
        self.given.len() + self.steps.len()
    }

    /// What entry `index` is (a request, for an index past the end).
    pub fn kind(&self, index: usize) -> Kind {
        self.kinds.get(index).copied().unwrap_or(Kind::Request)
    }

    /// The actors its entries name.
    fn actors(&self) -> impl Iterator<Item = &str> {
        let stepping = self
            .steps
            .iter()
            .filter_map(|s| s.get("actor").and_then(Value::as_str));
        let notified = self
            .given
            .iter()
            .chain(&self.steps)
            .filter_map(|e| e.get("notifications").and_then(Value::as_object))
            .flat_map(|n| n.keys().map(String::as_str));
        stepping
            .chain(notified)
            .chain(self.users.values().map(String::as_str))
    }
}

/// Every golden of a directory.
#[derive(Debug, Clone)]
pub struct Library {
    pub(crate) recordings: Vec<Arc<Recorded>>,
}

impl Library {
    /// Reads every golden below `dir`.
    pub fn load(dir: &Path) -> Result<Self, LibraryError> {
        let store = GoldenStore::new(dir);
        let mut recordings = Vec::new();
        for path in store.goldens()? {
            let Some(golden) = store.load(&path)? else {
                continue;
            };
            let file = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            recordings.push(Arc::new(recorded(&path, file, &golden)?));
        }
        if recordings.is_empty() {
            return Err(LibraryError::Empty {
                dir: dir.to_path_buf(),
            });
        }
        Ok(Library { recordings })
    }

    /// The scenarios it can replay, in path order.
    pub fn scenarios(&self) -> Vec<&str> {
        self.recordings.iter().map(|r| r.scenario.as_str()).collect()
    }

    /// Every actor name the goldens use.
    pub(crate) fn actors(&self) -> BTreeSet<&str> {
        self.recordings.iter().flat_map(|r| r.actors()).collect()
    }
}

fn recorded(path: &Path, file: String, golden: &Value) -> Result<Recorded, LibraryError> {
    let bad = |reason: &str| LibraryError::NotAGolden {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    };
    if golden.get("format").and_then(Value::as_u64) != Some(GOLDEN_FORMAT) {
        return Err(bad(&format!("`format` is not {GOLDEN_FORMAT}")));
    }
    let list = |key: &str| -> Result<Vec<Value>, LibraryError> {
        match golden.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) if items.iter().all(Value::is_object) => Ok(items.clone()),
            Some(_) => Err(bad(&format!("`{key}` is not a list of objects"))),
        }
    };
    let scenario = golden
        .get("scenario")
        .and_then(Value::as_str)
        .unwrap_or(&file)
        .to_owned();
    Ok(Recorded::new(file, scenario, list("given")?, list("steps")?))
}

/// Which user-id placeholder is which actor's user, from where GWS names a user's resource
/// (`/users/<id>`): a state-hook reply's `agents.<actor>.path`, and a login's `user.path`.
/// The playback binds these to the ids its logins hand out, so a user is the same user in
/// every replay session and in every login, whichever answers first.
fn user_placeholders(recorded: &Recorded) -> BTreeMap<String, String> {
    let mut users = BTreeMap::new();
    for (index, entry) in recorded.given.iter().chain(&recorded.steps).enumerate() {
        match recorded.kinds[index] {
            Kind::Hook => {
                let agents = entry.pointer("/reply/body/agents").and_then(Value::as_object);
                for (actor, agent) in agents.into_iter().flatten() {
                    if let Some(key) = agent.get("path").and_then(Value::as_str).and_then(user_key) {
                        users.entry(key).or_insert_with(|| actor.clone());
                    }
                }
            }
            Kind::Login => {
                let actor = entry.get("actor").and_then(Value::as_str);
                let path = entry.pointer("/response/body/user/path").and_then(Value::as_str);
                if let (Some(actor), Some(key)) = (actor, path.and_then(user_key)) {
                    users.entry(key).or_insert_with(|| actor.to_owned());
                }
            }
            _ => {}
        }
    }
    users
}

/// `id:NAME` for a golden's `/users/${id:NAME}`.
fn user_key(path: &str) -> Option<String> {
    match parts(path).as_slice() {
        [Part::Text("/users/"), Part::Id(name)] => Some(format!("id:{name}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn entries_are_told_apart_and_users_found_where_gws_names_them() {
        let recorded = Recorded::new(
            "x.json".to_owned(),
            "x".to_owned(),
            vec![
                json!({"state": "s", "reply": {"body": {"agents": {"agent1": {"path": "/users/${id:user-1}"}}}}}),
            ],
            vec![
                json!({"actor": "agent2", "request": {"method": "GET", "path": "/api/v2/me"},
                       "response": {"status": 200, "body": {"user": {"path": "/users/${id:user-2}"}}}}),
                json!({"actor": "agent1", "request": {"method": "POST", "path": "/api/v2/me/facebooksessions/${session}"},
                       "response": {"status": 401}}),
                json!({"actor": "agent1", "request": {"method": "POST", "path": "/api/v2/notifications/handshake"},
                       "response": {"status": 200}}),
                json!({"actor": "agent1", "request": {"method": "POST", "path": "/api/v2/me/facebooksessions/${session}"},
                       "response": {"status": 400}}),
                json!({"actor": "agent1", "request": {"method": "GET", "path": "/api/v2/me"},
                       "response": {"status": 500}}),
            ],
        );
        assert_eq!(
            recorded.kinds,
            [
                Kind::Hook,
                Kind::Login,
                Kind::Refusal(401),
                Kind::Bayeux,
                Kind::Request,
                Kind::Request
            ]
        );
        assert_eq!(
            recorded.users,
            BTreeMap::from([
                ("id:user-1".to_owned(), "agent1".to_owned()),
                ("id:user-2".to_owned(), "agent2".to_owned())
            ])
        );
    }
}
