//! The playback's HTTP surface: the state hook picks (or continues) a replay session, every
//! other request is matched against its session's next step, and the reference server's own
//! CometD endpoint answers CometD messages and delivers the recorded notifications to each
//! actor's sessions.
//!
//! Any user may log in, and keeps the first password it uses (a playback has no credentials
//! to check, and goldens hold none; keeping the first one is what makes a wrong password
//! wrong). Basic auth registers the user, and JSESSIONID cookies work as on the reference
//! server, CSRF tokens too when the playback is started with CSRF protection. A login
//! (`GET /api/v2/me`) is answered from a recorded login of that user that a session has
//! coming, else as the reference server describes a user; either way with the same user id,
//! which every replay session binds too. A request the playback refuses (no or wrong
//! credentials, no CSRF token) gets the refusal a session recorded for it, else the
//! reference server's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::super::auth::{Authed, Refusal as AuthRefusal, authenticate, basic_credentials};
use super::super::body::read;
use super::super::cometd;
use super::super::ids;
use super::super::world::{SharedWorld, User, lock};
use super::library::{Kind, LOGIN_PATH, Library, NOTIFICATIONS_PATH};
use super::sessions::{Answer, Sessions, UserIds};
use super::track::Call;

/// Everything a playback holds.
pub(crate) struct Replay {
    /// Logins and CometD clients (the reference server's machinery).
    pub world: SharedWorld,
    /// The goldens.
    pub library: Library,
    /// Open replay sessions.
    pub sessions: Mutex<Sessions>,
    /// Users whose password is known (the first one they used). Locked before the world.
    pub learned: Mutex<BTreeSet<String>>,
}

impl Replay {
    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The ids of every user the goldens' actors (and `actors`) may log in as, registering
    /// users not seen yet.
    fn user_ids(&self, actors: &BTreeMap<String, String>) -> UserIds {
        let users: BTreeSet<String> = self
            .library
            .actors()
            .into_iter()
            .map(|actor| actors.get(actor).map_or(actor, String::as_str).to_owned())
            .chain(actors.values().cloned())
            .collect();
        let mut w = lock(&self.world);
        users
            .into_iter()
            .map(|user| {
                let id = w
                    .dir
                    .users
                    .entry(user.clone())
                    .or_insert_with(|| User {
                        name: user.clone(),
                        // Nobody knows it: the user's first login sets the password.
                        password: ids::hex(32),
                        id: ids::hex(32),
                    })
                    .id
                    .clone();
                (user, id)
            })
            .collect()
    }
}

type Shared = Arc<Replay>;

/// The playback's routes.
pub(crate) fn router(replay: Shared, max_body: usize) -> Router {
    Router::new()
        .route("/contract/states", post(hook))
        .route(NOTIFICATIONS_PATH, post(bayeux).get(cometd::refuse_get))
        .route(
            &format!("{NOTIFICATIONS_PATH}/"),
            post(bayeux).get(cometd::refuse_get),
        )
        .route(
            &format!("{NOTIFICATIONS_PATH}/{{*rest}}"),
            post(bayeux).get(cometd::refuse_get),
        )
        .fallback(request)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(replay)
}

/// Registers the Basic auth user the first time it is seen, with the password given, so the
/// reference server's authentication accepts it from then on (and refuses other passwords).
fn admit(replay: &Replay, headers: &HeaderMap) {
    // The first reading (UTF-8 when the bytes are UTF-8, else ISO-8859-1) is the one the
    // client most likely meant.
    let Some(Some(readings)) = basic_credentials(headers) else {
        return;
    };
    let Some((user, password)) = readings.into_iter().next() else {
        return;
    };
    let mut learned = replay.learned.lock().unwrap_or_else(PoisonError::into_inner);
    if !learned.insert(user.clone()) {
        return;
    }
    let mut w = lock(&replay.world);
    match w.dir.users.get_mut(&user) {
        Some(known) => known.password = password,
        None => {
            w.dir.users.insert(
                user.clone(),
                User {
                    name: user,
                    password,
                    id: ids::hex(32),
                },
            );
        }
    }
}

/// The user a request's Basic credentials name, right or wrong.
fn claimed_user(headers: &HeaderMap) -> Option<String> {
    let readings = basic_credentials(headers)??;
    readings.into_iter().next().map(|(user, _)| user)
}

/// A request body as the playback matches it: JSON, or the text as a JSON string.
fn parse_body(bytes: &[u8]) -> Option<Value> {
    (!bytes.is_empty()).then(|| {
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
    })
}

/// CometD: the reference server's engine answers, except requests it refuses for their
/// credentials, which get the refusal a session recorded for them when there is one.
async fn bayeux(
    State(replay): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    admit(&replay, &headers);
    let bytes = match read(body) {
        Ok(bytes) => bytes,
        Err(error) => return error.into_response(),
    };
    let response = cometd::handle(
        State(Arc::clone(&replay.world)),
        headers.clone(),
        Ok(bytes.clone()),
    )
    .await;
    let status = response.status().as_u16();
    if !matches!(status, 401 | 403) {
        return response;
    }
    let body = parse_body(&bytes);
    let claimed = claimed_user(&headers);
    let call = Call::Http {
        user: claimed.as_deref(),
        method: "POST",
        path: uri.path(),
        body: body.as_ref(),
    };
    let answer = replay.sessions().aside(&call, refusals(status, false));
    match answer {
        Some(answer) => {
            publish(&replay, &answer);
            recorded_response(&answer)
        }
        None => response,
    }
}

/// Which recorded refusals may answer a request the playback refuses with `status` (the
/// same status first; a CSRF refusal only by a 403).
fn refusals(status: u16, csrf: bool) -> impl Fn(Kind) -> Option<u8> {
    move |kind| match kind {
        Kind::Refusal(recorded) if recorded == status => Some(0),
        Kind::Refusal(403) => Some(1),
        Kind::Refusal(_) if !csrf => Some(1),
        _ => None,
    }
}

fn publish(replay: &Replay, answer: &Answer) {
    let mut w = lock(&replay.world);
    for (user, data) in &answer.deliveries {
        w.publish(user, data.clone());
    }
}

fn json_reply(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, axum::Json(body.clone())).into_response()
}

/// `POST /contract/states`: `setup` plays the recorded reply of the state a golden starts
/// from (or continues its session); `teardown` ends the session its setup reply names.
async fn hook(State(replay): State<Shared>, body: Result<Bytes, BytesRejection>) -> Response {
    let body = match read(body) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let Ok(request @ Value::Object(_)) = serde_json::from_slice::<Value>(&body) else {
        return json_reply(
            400,
            &json!({"error": "the body must be a JSON object {state, params, action}"}),
        );
    };
    let Some(state) = request.get("state").and_then(Value::as_str) else {
        return json_reply(400, &json!({"error": "missing `state` (a string)"}));
    };
    if request.get("action").and_then(Value::as_str) == Some("teardown") {
        replay
            .sessions()
            .teardown(request.get("setup").unwrap_or(&Value::Null));
        return json_reply(200, &json!({}));
    }
    let params = request.get("params").cloned().unwrap_or(Value::Null);
    let actors: BTreeMap<String, String> = request
        .get("actors")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(actor, user)| Some((actor.clone(), user.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let user_ids = replay.user_ids(&actors);
    let result = replay
        .sessions()
        .setup(&replay.library, state, &params, actors, &user_ids);
    match result {
        Ok(answer) => {
            publish(&replay, &answer);
            json_reply(answer.output.status, &answer.output.body)
        }
        Err(refusal) => json_reply(refusal.status(), &refusal.body()),
    }
}

/// Any other request: a login, a refusal, or the next step of its replay session.
async fn request(
    State(replay): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    admit(&replay, &headers);
    let authed = {
        let mut w = lock(&replay.world);
        authenticate(&mut w, &headers, &method)
    };
    let bytes = match read(body) {
        Ok(bytes) => bytes,
        Err(error) => {
            let response = error.into_response();
            return match &authed {
                Ok(authed) => authed.finish(response),
                Err(_) => response,
            };
        }
    };
    let body = parse_body(&bytes);
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let authed = match authed {
        Ok(authed) => authed,
        Err(refusal) => {
            let claimed = claimed_user(&headers);
            let call = Call::Http {
                user: claimed.as_deref(),
                method: method.as_str(),
                path: &path,
                body: body.as_ref(),
            };
            let fallback = refusal.into_response();
            let rank = refusals(fallback.status().as_u16(), refusal == AuthRefusal::Csrf);
            let answer = replay.sessions().aside(&call, rank);
            return match answer {
                Some(answer) => {
                    publish(&replay, &answer);
                    recorded_response(&answer)
                }
                None => fallback,
            };
        }
    };
    if method == Method::GET && uri.path() == LOGIN_PATH {
        return login(&replay, &authed, &path);
    }
    let user_ids = replay.user_ids(&BTreeMap::new());
    let result = replay.sessions().request(
        &replay.library,
        &authed.user,
        method.as_str(),
        &path,
        body.as_ref(),
        &user_ids,
    );
    match result {
        Ok(answer) => {
            publish(&replay, &answer);
            authed.finish(recorded_response(&answer))
        }
        Err(refusal) => authed.finish(json_reply(refusal.status(), &refusal.body())),
    }
}

fn recorded_response(answer: &Answer) -> Response {
    let output = &answer.output;
    let mut response = if output.body.is_null() {
        StatusCode::OK.into_response()
    } else {
        axum::Json(output.body.clone()).into_response()
    };
    *response.status_mut() = StatusCode::from_u16(output.status).unwrap_or(StatusCode::OK);
    for (name, value) in &output.headers {
        if matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::from_str(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// `GET /api/v2/me`: a recorded login of this user that a session has coming, else the user
/// as the reference server describes one (with the id sessions bound for it either way), and
/// the CSRF token when the playback checks them.
fn login(replay: &Replay, authed: &Authed, path: &str) -> Response {
    let call = Call::Http {
        user: Some(&authed.user),
        method: "GET",
        path,
        body: None,
    };
    let answer = replay
        .sessions()
        .aside(&call, |kind| (kind == Kind::Login).then_some(0));
    let mut response = match answer {
        Some(mut answer) => {
            // A golden records the user name as volatile (profiles choose users); it is the
            // name this user logged in with.
            if let Some(name) = answer.output.body.pointer_mut("/user/userName") {
                *name = json!(authed.user);
            }
            publish(replay, &answer);
            recorded_response(&answer)
        }
        None => {
            let w = lock(&replay.world);
            let body = json!({
                "statusCode": 0,
                "user": {
                    "id": w.dir.user_id(&authed.user),
                    "userName": authed.user,
                    "firstName": authed.user,
                    "lastName": "",
                    "uri": w.dir.user_uri(&authed.user),
                    "path": w.dir.user_path(&authed.user),
                    "roles": ["ROLE_AGENT"],
                    "enabled": true,
                }
            });
            axum::Json(body).into_response()
        }
    };
    if lock(&replay.world).config.csrf {
        let headers = response.headers_mut();
        headers.insert("x-csrf-header", HeaderValue::from_static("X-CSRF-TOKEN"));
        if let Ok(token) = HeaderValue::from_str(&authed.csrf_token) {
            headers.insert("x-csrf-token", token);
        }
    }
    authed.finish(response)
}
