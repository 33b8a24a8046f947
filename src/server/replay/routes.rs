//! The playback's HTTP surface: the state hook picks (or continues) a replay session, every
//! other request is matched against its session's next step, and the reference server's own
//! CometD endpoint delivers the recorded notifications to each actor's sessions.
//!
//! Logins are accepted for any user and password (a playback has no credentials to check,
//! and goldens hold none): Basic auth registers the user, and JSESSIONID cookies work as on
//! the reference server. `GET /api/v2/me` answers as a login unless it is the next recorded
//! step of the caller's session.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use super::super::auth::{Authed, authenticate, basic_credentials};
use super::super::body::read;
use super::super::cometd;
use super::super::ids;
use super::super::world::{SharedWorld, User, lock};
use super::library::Library;
use super::sessions::{Answer, Sessions};

/// Everything a playback holds.
pub(crate) struct Replay {
    /// Logins and CometD clients (the reference server's machinery).
    pub world: SharedWorld,
    /// The goldens.
    pub library: Library,
    /// Open replay sessions.
    pub sessions: Mutex<Sessions>,
}

impl Replay {
    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Shared = Arc<Replay>;

/// The login path, answered as a login when it is not a recorded step.
const LOGIN_PATH: &str = "/api/v2/me";

/// The playback's routes.
pub(crate) fn router(replay: Shared, max_body: usize) -> Router {
    Router::new()
        .route("/contract/states", post(hook))
        .route("/api/v2/notifications", post(bayeux).get(cometd::refuse_get))
        .route("/api/v2/notifications/", post(bayeux).get(cometd::refuse_get))
        .route(
            "/api/v2/notifications/{*rest}",
            post(bayeux).get(cometd::refuse_get),
        )
        .fallback(request)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(replay)
}

/// Registers the Basic auth user (with the password given) so the reference server's
/// authentication accepts it.
fn admit(world: &SharedWorld, headers: &HeaderMap) {
    // The first reading (UTF-8 when the bytes are UTF-8, else ISO-8859-1) is the one the
    // client most likely meant; the playback accepts any password anyway.
    let Some(Some(readings)) = basic_credentials(headers) else {
        return;
    };
    let Some((user, password)) = readings.into_iter().next() else {
        return;
    };
    let mut w = lock(world);
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

async fn bayeux(
    State(replay): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    admit(&replay.world, &headers);
    cometd::handle(State(Arc::clone(&replay.world)), headers, body).await
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
    let actors = request
        .get("actors")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(actor, user)| Some((actor.clone(), user.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default();
    let result = replay.sessions().setup(&replay.library, state, &params, actors);
    match result {
        Ok(answer) => {
            publish(&replay, &answer);
            json_reply(answer.output.status, &answer.output.body)
        }
        Err(refusal) => json_reply(refusal.status(), &refusal.body()),
    }
}

/// Any other request: the next step of its replay session.
async fn request(
    State(replay): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    admit(&replay.world, &headers);
    let authed = {
        let mut w = lock(&replay.world);
        match authenticate(&mut w, &headers, &method) {
            Ok(authed) => authed,
            Err(refusal) => return refusal.into_response(),
        }
    };
    let bytes = match read(body) {
        Ok(bytes) => bytes,
        Err(error) => return authed.finish(error.into_response()),
    };
    let body = (!bytes.is_empty()).then(|| {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    });
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let result = replay.sessions().request(
        &replay.library,
        &authed.user,
        method.as_str(),
        &path,
        body.as_ref(),
    );
    match result {
        Ok(answer) => {
            publish(&replay, &answer);
            authed.finish(recorded_response(&answer))
        }
        Err(_) if method == Method::GET && uri.path() == LOGIN_PATH => login(&replay, &authed),
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

/// `GET /api/v2/me` as a login: the user, as the reference server describes one.
fn login(replay: &Replay, authed: &Authed) -> Response {
    let w = lock(&replay.world);
    let id = w.dir.user_id(&authed.user).to_owned();
    let body = json!({
        "statusCode": 0,
        "user": {
            "id": id,
            "userName": authed.user,
            "firstName": authed.user,
            "lastName": "",
            "uri": w.dir.user_uri(&authed.user),
            "path": w.dir.user_path(&authed.user),
            "roles": ["ROLE_AGENT"],
            "enabled": true,
        }
    });
    drop(w);
    authed.finish(axum::Json(body).into_response())
}
