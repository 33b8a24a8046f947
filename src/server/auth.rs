//! Authentication as GWS does it: HTTP Basic on any request, or the JSESSIONID cookie of an
//! HTTP session created by an earlier Basic-authenticated request; optional CSRF token check
//! on modifying requests (reference §4.3).

use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::body::gws_error;
use super::faults::Fault;
use super::ids;
use super::world::{HttpSession, World};

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "JSESSIONID";

/// A request that passed authentication.
#[derive(Debug, Clone)]
pub(crate) struct Authed {
    pub user: String,
    /// The session's CSRF token (returned on `GET /api/v2/me`).
    pub csrf_token: String,
    /// Set when a new HTTP session was created and the client must store its cookie.
    pub set_cookie: Option<HeaderValue>,
}

impl Authed {
    /// Adds the `Set-Cookie` header, if any, to `response`.
    pub fn finish(&self, mut response: Response) -> Response {
        if let Some(cookie) = &self.set_cookie {
            response.headers_mut().append(header::SET_COOKIE, cookie.clone());
        }
        response
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No or wrong credentials: statusCode 20, with HTTP 401 (or what a fault or the variant
    /// says).
    Unauthenticated {
        /// The HTTP status.
        status: StatusCode,
    },
    /// CSRF protection on and the token missing or wrong: 403.
    Csrf,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthenticated { status } => {
                let mut response = gws_error(status, 20, "User not authenticated");
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"GWS\""),
                );
                response
            }
            Refusal::Csrf => gws_error(StatusCode::FORBIDDEN, 3, "Missing or invalid Csrf token"),
        }
    }
}

/// Authenticates a request; `Err` says why it is refused.
pub(crate) fn authenticate(
    world: &mut World,
    headers: &HeaderMap,
    method: &Method,
) -> Result<Authed, Refusal> {
    let faults = &world.config.faults;
    let unauthenticated = Refusal::Unauthenticated {
        status: if faults.contains(&Fault::UnauthenticatedHttp200) {
            StatusCode::OK
        } else {
            world.config.variant.error_status(20, StatusCode::UNAUTHORIZED)
        },
    };
    let any_password = faults.contains(&Fault::WrongPasswordAccepted);
    let anonymous_user = faults
        .contains(&Fault::AnonymousAccepted)
        .then(|| world.config.users.first().map(|(name, _)| name.clone()))
        .flatten();
    let cookie_session =
        session_cookie(headers).and_then(|id| world.http_sessions.get(&id).cloned().map(|s| (id, s)));
    let basic = basic_credentials(headers);
    let (user, session_id, created) = match basic {
        Some(Some(decodings)) => {
            let Some(user) = decodings.into_iter().find_map(|(user, password)| {
                let valid = world
                    .dir
                    .users
                    .get(&user)
                    .is_some_and(|u| u.password == password || any_password);
                valid.then_some(user)
            }) else {
                return Err(unauthenticated);
            };
            match cookie_session {
                Some((id, s)) if s.user == user => (user, id, false),
                _ => {
                    let id = open_session(world, &user);
                    (user, id, true)
                }
            }
        }
        // An Authorization header that is not valid Basic auth.
        Some(None) => return Err(unauthenticated),
        None => match (cookie_session, anonymous_user) {
            (Some((id, s)), _) => (s.user, id, false),
            (None, Some(user)) => {
                let id = open_session(world, &user);
                (user, id, true)
            }
            (None, None) => return Err(unauthenticated),
        },
    };
    let csrf_token = match world.http_sessions.get_mut(&session_id) {
        Some(session) => {
            session.last_used = Instant::now();
            session.csrf_token.clone()
        }
        None => String::new(),
    };
    let modifying = matches!(
        *method,
        Method::POST | Method::PUT | Method::DELETE | Method::PATCH
    );
    let csrf = world.config.csrf && !world.config.faults.contains(&Fault::CsrfNotEnforced);
    if csrf && modifying && !created {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        if sent != Some(csrf_token.as_str()) {
            return Err(Refusal::Csrf);
        }
    } else if csrf && modifying && created {
        // A brand-new session has no token the client could know yet.
        return Err(Refusal::Csrf);
    }
    let set_cookie = created
        .then(|| HeaderValue::from_str(&format!("{SESSION_COOKIE}={session_id}; Path=/; HttpOnly")).ok())
        .flatten();
    Ok(Authed {
        user,
        csrf_token,
        set_cookie,
    })
}

/// A new HTTP session (JSESSIONID) for `user`, with its CSRF token.
fn open_session(world: &mut World, user: &str) -> String {
    let id = ids::hex(32).to_uppercase();
    world.http_sessions.insert(
        id.clone(),
        HttpSession {
            user: user.to_owned(),
            csrf_token: ids::uuid_like(),
            last_used: Instant::now(),
        },
    );
    id
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// `None`: no Authorization header. `Some(None)`: present but not decodable Basic auth.
/// Otherwise the (user, password) readings of the credentials to try: UTF-8 first (when the
/// bytes are valid UTF-8), then ISO-8859-1. GWS's own client sends ISO-8859-1 and RFC 7617
/// clients may send UTF-8; a password valid in both readings is rare, and one that matches
/// in either is the user's.
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<Option<Vec<(String, String)>>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let bytes = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok());
    let Some(bytes) = bytes else {
        return Some(None);
    };
    let latin1: String = bytes.iter().map(|&b| char::from(b)).collect();
    let readings: Vec<(String, String)> = std::str::from_utf8(&bytes)
        .ok()
        .filter(|utf8| *utf8 != latin1)
        .into_iter()
        .chain(std::iter::once(latin1.as_str()))
        .filter_map(|text| text.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())))
        .collect();
    Some((!readings.is_empty()).then_some(readings))
}
