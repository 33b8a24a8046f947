//! Authentication as GWS does it: HTTP Basic on any request, or the JSESSIONID cookie of an
//! HTTP session created by an earlier Basic-authenticated request; optional CSRF token check
//! on modifying requests (reference §4.3).

use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::body::gws_error;
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
    /// No or wrong credentials: 401, statusCode 20.
    Unauthenticated,
    /// CSRF protection on and the token missing or wrong: 403.
    Csrf,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Unauthenticated => {
                let mut response = gws_error(StatusCode::UNAUTHORIZED, 20, "User not authenticated");
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
    let cookie_session =
        session_cookie(headers).and_then(|id| world.http_sessions.get(&id).cloned().map(|s| (id, s)));
    let basic = basic_credentials(headers);
    let (user, session_id, created) = match basic {
        Some(Some((user, password))) => {
            let valid = world.dir.users.get(&user).is_some_and(|u| u.password == password);
            if !valid {
                return Err(Refusal::Unauthenticated);
            }
            match cookie_session {
                Some((id, s)) if s.user == user => (user, id, false),
                _ => {
                    let id = ids::hex(32).to_uppercase();
                    world.http_sessions.insert(
                        id.clone(),
                        HttpSession {
                            user: user.clone(),
                            csrf_token: uuid_like(),
                            last_used: Instant::now(),
                        },
                    );
                    (user, id, true)
                }
            }
        }
        // An Authorization header that is not valid Basic auth.
        Some(None) => return Err(Refusal::Unauthenticated),
        None => match cookie_session {
            Some((id, s)) => (s.user, id, false),
            None => return Err(Refusal::Unauthenticated),
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
    if world.config.csrf && modifying && !created {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        if sent != Some(csrf_token.as_str()) {
            return Err(Refusal::Csrf);
        }
    } else if world.config.csrf && modifying && created {
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
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<Option<(String, String)>> {
    let value = headers.get(header::AUTHORIZATION)?;
    let decoded = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Basic ").or_else(|| v.strip_prefix("basic ")))
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok())
        // GWS clients encode credentials as ISO-8859-1; each byte is one code point.
        .map(|bytes| bytes.iter().map(|&b| char::from(b)).collect::<String>())
        .and_then(|text| text.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
    Some(decoded)
}

fn uuid_like() -> String {
    let h = ids::hex(32);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
