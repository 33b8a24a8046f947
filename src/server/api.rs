//! The REST surface: routing, `GET /api/v2/me`, the facebooksession operations and reads,
//! and JSON error bodies with GWS statusCodes for everything that goes wrong.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::auth::{authenticate, gws_error};
use super::cometd;
use super::facebook::{SeatState, operate};
use super::hook;
use super::world::{SharedWorld, lock};

/// The whole reference server's routes.
pub(crate) fn router(world: SharedWorld, max_body: usize) -> Router {
    Router::new()
        .route("/api/v2/me", get(me))
        .route("/api/v2/me/facebooksessions", get(list_sessions))
        .route("/api/v2/me/facebooksessions/{id}", post(operation))
        .route("/api/v2/facebooksessions/{id}", get(get_session))
        .route(
            "/api/v2/notifications",
            post(cometd::handle).get(cometd::refuse_get),
        )
        .route(
            "/api/v2/notifications/",
            post(cometd::handle).get(cometd::refuse_get),
        )
        .route(
            "/api/v2/notifications/{*rest}",
            post(cometd::handle).get(cometd::refuse_get),
        )
        .route("/contract/states", post(hook::states))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(world)
}

async fn not_found() -> Response {
    gws_error(StatusCode::NOT_FOUND, 6, "Resource not found")
}

async fn me(State(world): State<SharedWorld>, headers: HeaderMap) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::GET) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let user = w.users.get(&authed.user).cloned();
    let Some(user) = user else {
        return gws_error(StatusCode::NOT_FOUND, 6, "User not found");
    };
    let body = json!({
        "statusCode": 0,
        "user": {
            "id": user.id,
            "userName": user.name,
            "firstName": user.name,
            "lastName": "",
            "uri": w.user_uri(&user.name),
            "path": w.user_path(&user.name),
            "roles": ["ROLE_AGENT"],
            "enabled": true,
        }
    });
    let mut response = axum::Json(body).into_response();
    if w.config.csrf {
        let headers = response.headers_mut();
        headers.insert("X-CSRF-HEADER", HeaderValue::from_static("X-CSRF-TOKEN"));
        if let Ok(token) = HeaderValue::from_str(&authed.csrf_token) {
            headers.insert("X-CSRF-TOKEN", token);
        }
    }
    authed.finish(response)
}

async fn operation(
    State(world): State<SharedWorld>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::POST) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let request: Value = match serde_json::from_slice(&body) {
        Ok(value @ Value::Object(_)) => value,
        Ok(_) => return gws_error(StatusCode::BAD_REQUEST, 10, "Request body must be a JSON object"),
        Err(e) => {
            return gws_error(
                StatusCode::BAD_REQUEST,
                10,
                &format!("Request body is not valid JSON: {e}"),
            );
        }
    };
    let (status, reply) = operate(&mut w, &authed.user, &id, &request);
    authed.finish((status, axum::Json(reply)).into_response())
}

async fn list_sessions(State(world): State<SharedWorld>, headers: HeaderMap) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::GET) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let uris: Vec<String> = w
        .sessions
        .values()
        .filter(|s| {
            s.seat(&authed.user)
                .is_some_and(|seat| seat.state != SeatState::Completed)
        })
        .map(|s| s.uri(&w))
        .collect();
    authed.finish(axum::Json(json!({"statusCode": 0, "uris": uris})).into_response())
}

async fn get_session(
    State(world): State<SharedWorld>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::GET) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(session) = w.sessions.get(&id) else {
        return gws_error(
            StatusCode::NOT_FOUND,
            6,
            &format!("Facebook session {id} not found"),
        );
    };
    let Some(seat) = session.seat(&authed.user) else {
        return gws_error(
            StatusCode::NOT_FOUND,
            6,
            &format!("Facebook session {id} not found"),
        );
    };
    let state = seat.state;
    let resource = session.resource(&w, state, super::facebook::capabilities_of(state));
    authed.finish(axum::Json(json!({"statusCode": 0, "facebooksession": resource})).into_response())
}
