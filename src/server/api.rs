//! The REST surface: routing, `GET /api/v2/me`, the facebooksession operations and reads.
//!
//! HTTP statuses (no page maps them; reference §4.2 [I]): 200 with statusCode 0; 400 for
//! statusCodes 1, 2 and 10; 401 (statusCode 20) without valid credentials; 403 for CSRF; 404
//! (statusCode 6) for unknown sessions and routes; 413 for oversized bodies — always with a
//! JSON `{statusCode, statusMessage}` body.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::auth::authenticate;
use super::body::{gws_error, json_object, method_not_allowed, not_found, read};
use super::cometd;
use super::facebook::{FbSession, Order, PROPERTIES_UPDATED, SeatState, operate, state_change};
use super::faults::{Fault, apply};
use super::hook;
use super::world::{SharedWorld, World, lock};

/// The whole reference server's routes.
pub(crate) fn router(world: SharedWorld, max_body: usize) -> Router {
    Router::new()
        .route("/api/v2/me", get(me))
        .route("/api/v2/me/facebooksessions", get(list_sessions))
        .route(
            "/api/v2/me/facebooksessions/{id}",
            post(operation).get(get_session),
        )
        .route("/api/v2/me/facebooksessions/{id}/messages", get(messages))
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
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(world)
}

async fn me(State(world): State<SharedWorld>, headers: HeaderMap) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::GET) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let Some(user) = w.dir.users.get(&authed.user).cloned() else {
        return gws_error(StatusCode::NOT_FOUND, 6, "User not found");
    };
    let mut body = json!({
        "statusCode": 0,
        "user": {
            "id": user.id,
            "userName": user.name,
            "firstName": user.name,
            "lastName": "",
            "uri": w.dir.user_uri(&user.name),
            "path": w.dir.user_path(&user.name),
            "roles": ["ROLE_AGENT"],
            "enabled": true,
        }
    });
    w.config.variant.dress(&mut body);
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
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::POST) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let request = match read(body).and_then(|bytes| json_object(&bytes)) {
        Ok(request) => request,
        Err(error) => return authed.finish(error.into_response()),
    };
    let outcome = operate(&mut w, &authed.user, &id, &request);
    if !outcome.succeeded() && w.config.faults.contains(&Fault::RefusalNotifies) {
        let view = seated(&w, &id, &authed.user).map(|s| s.current(&w.dir, &authed.user, Order::AgentsFirst));
        if let Some(view) = view {
            w.publish(&authed.user, state_change(PROPERTIES_UPDATED, None, view));
        }
    }
    let users: Vec<String> = w.dir.users.keys().cloned().collect();
    let mut delivery = apply(&w.config.faults, outcome, &users);
    let variant = w.config.variant;
    if let Some(code) = delivery.body.get("statusCode").and_then(Value::as_u64)
        && code != 0
    {
        delivery.status = variant.error_status(code, delivery.status);
    }
    variant.dress(&mut delivery.body);
    for out in delivery.now {
        w.publish(&out.user, out.data);
    }
    if !delivery.later.is_empty() {
        let delay = w.config.fault_delay;
        let later = delivery.later;
        let world = SharedWorld::clone(&world);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let mut w = lock(&world);
            for out in later {
                w.publish(&out.user, out.data);
            }
        });
    }
    authed.finish((delivery.status, axum::Json(delivery.body)).into_response())
}

/// Whether the query asks for whole resources instead of URIs (`fields=*`, the GWS
/// collection convention).
fn wants_all_fields(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&')
            .any(|pair| matches!(pair, "fields=*" | "fields=%2A" | "fields=%2a"))
    })
}

async fn list_sessions(
    State(world): State<SharedWorld>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::GET) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    let mine = w.sessions.values().filter(|s| {
        s.seat(&authed.user)
            .is_some_and(|seat| seat.state != SeatState::Completed)
    });
    let mut body = if wants_all_fields(query.as_deref()) {
        let sessions: Vec<Value> = mine
            .map(|s| s.current(&w.dir, &authed.user, Order::CustomerFirst))
            .collect();
        json!({"statusCode": 0, "facebooksessions": sessions})
    } else {
        let uris: Vec<String> = mine.map(|s| w.dir.session_uri(&s.id)).collect();
        json!({"statusCode": 0, "uris": uris})
    };
    w.config.variant.dress(&mut body);
    authed.finish(axum::Json(body).into_response())
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
    match seated(&w, &id, &authed.user) {
        Some(session) => {
            let resource = session.current(&w.dir, &authed.user, Order::CustomerFirst);
            let mut body = json!({"statusCode": 0, "facebooksession": resource});
            w.config.variant.dress(&mut body);
            authed.finish(axum::Json(body).into_response())
        }
        None => session_not_found(&w, &id),
    }
}

/// The session `id` if `user` has a seat in it: a session the user is not part of does not
/// exist for them (GWS "not found", [`session_not_found`]).
fn seated<'w>(world: &'w World, id: &str, user: &str) -> Option<&'w FbSession> {
    world.sessions.get(id).filter(|s| s.seat(user).is_some())
}

fn session_not_found(world: &World, id: &str) -> Response {
    gws_error(
        world.config.variant.error_status(6, StatusCode::NOT_FOUND),
        6,
        &format!("Facebook session {id} not found"),
    )
}

/// The message log as agents see it (every visibility).
async fn messages(State(world): State<SharedWorld>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let mut w = lock(&world);
    let authed = match authenticate(&mut w, &headers, &Method::GET) {
        Ok(a) => a,
        Err(refusal) => return refusal.into_response(),
    };
    match seated(&w, &id, &authed.user) {
        Some(session) => {
            let mut body = json!({"statusCode": 0, "messages": session.messages});
            w.config.variant.dress(&mut body);
            authed.finish(axum::Json(body).into_response())
        }
        None => session_not_found(&w, &id),
    }
}
