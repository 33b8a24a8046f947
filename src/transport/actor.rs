//! One actor's HTTP client: its own cookie jar (GWS requires JSESSIONID; CometD servers bind
//! sessions to `BAYEUX_BROWSER`), Basic auth on every request, and the CSRF token read from
//! `GET /api/v2/me` when the target enables CSRF protection.
//!
//! Every request is bounded by the target's `request_timeout`, so a target that stops answering
//! ends the scenario with [`TransportError::Timeout`] instead of hanging the run. Responses are
//! handed out with secret header values redacted (see [`super::redact`]); the CSRF token is read
//! from the raw response before that.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::redact::{redact_headers, serialize_redacted};
use crate::bayeux::Decorate;
use crate::cookies::{CookieClient, shared_client};
use crate::elide::{MESSAGE_CHARS, elide};
use crate::error_chain::flatten;
use crate::limits::{BodyError, ByteSize, MAX_JSON_DEPTH, json_too_deep, read_limited};
use crate::sendable::{self, Unsendable};
use crate::target::{Login, Secret, Target};

/// A request ready to send (placeholders already resolved). Sensitive header values are sent
/// as they are but redacted when the request is serialised (reports) or debug-printed.
#[derive(Clone, PartialEq, Serialize)]
pub struct HttpRequest {
    /// HTTP method.
    pub method: String,
    /// Path (or absolute URL).
    pub path: String,
    /// Extra headers.
    #[serde(serialize_with = "serialize_redacted")]
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Value>,
    /// How the request authenticates (the actor's session unless a step says otherwise).
    #[serde(skip_serializing_if = "RequestAuth::is_actor")]
    pub auth: RequestAuth,
}

/// How a request authenticates. Anything but [`RequestAuth::Actor`] is a deliberately wrong
/// request, for scenarios that check the target refuses it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestAuth {
    /// The actor's session: Basic auth, its cookies, and the CSRF token when the target
    /// wants one.
    #[default]
    Actor,
    /// No credentials and a fresh cookie jar: the actor's JSESSIONID would still
    /// authenticate the request.
    None,
    /// The actor's user name with a made-up password (never the real one), and a fresh
    /// cookie jar.
    WrongPassword,
    /// The actor's credentials and session, but no CSRF token.
    NoCsrf,
}

impl RequestAuth {
    fn is_actor(&self) -> bool {
        *self == RequestAuth::Actor
    }
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &redact_headers(&self.headers))
            .field("body", &self.body)
            .field("auth", &self.auth)
            .finish()
    }
}

/// What came back. The transport redacts sensitive header values (`set-cookie`,
/// `x-csrf-token`, ...) before handing a response out, and serialising one redacts them again
/// in case it was built elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpResponse {
    /// HTTP status code.
    pub status: u16,
    /// Response headers (lowercase names), in arrival order.
    #[serde(serialize_with = "serialize_redacted")]
    pub headers: Vec<(String, String)>,
    /// The body parsed as JSON, or a JSON string holding the raw text if it is not JSON, or
    /// null if empty.
    pub body: Value,
}

impl HttpResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An HTTP exchange that could not happen.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransportError {
    /// The URL could not be built.
    #[error("invalid URL for path `{path}`: {reason}")]
    Url {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The method is not a valid HTTP method.
    #[error("invalid HTTP method `{0}`")]
    Method(String),
    /// The request cannot be put on the wire as the scenario (after `${var}` interpolation)
    /// or the profile wrote it: a bad header, a path that forms no URI, a user name Basic auth
    /// cannot carry. Nothing was sent.
    #[error("cannot send this request: {0}")]
    Unsendable(#[from] Unsendable),
    /// The target accepted the request but did not finish answering in time.
    #[error("no response from {url} within {after:?} (the request timeout)")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit that ran out.
        after: Duration,
    },
    /// The server could not be reached.
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// The flattened transport error.
        reason: String,
    },
    /// The response body is longer than the limit (`--max-body`); reading stopped there.
    #[error("the response body from {url} is longer than {limit} (--max-body); reading stopped there")]
    BodyTooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: ByteSize,
    },
    /// The response body nests JSON deeper than the harness reads.
    #[error("the response body from {url} nests JSON more than {max} levels deep; it was not read")]
    TooDeep {
        /// The URL.
        url: String,
        /// The deepest nesting read.
        max: usize,
    },
    /// The target refused the actor's login.
    #[error("login as user `{user}` refused: HTTP {status} from {url}")]
    LoginRefused {
        /// The user name (never the password).
        user: String,
        /// HTTP status.
        status: u16,
        /// The URL.
        url: String,
    },
    /// Building the HTTP client failed.
    #[error("cannot build HTTP client: {0}")]
    Client(String),
}

impl TransportError {
    /// Whether the request itself was at fault (the scenario or profile must change), rather
    /// than the target: nothing was sent.
    pub fn is_scenario_error(&self) -> bool {
        matches!(
            self,
            TransportError::Method(_) | TransportError::Unsendable(_) | TransportError::Url { .. }
        )
    }
}

/// One actor's HTTP session.
#[derive(Clone)]
pub struct ActorHttp {
    actor: String,
    http: CookieClient,
    target: Arc<Target>,
    login: Login,
    csrf: Arc<Mutex<Option<(String, String)>>>,
    /// Set when the target answered an actor request with a new session cookie after the
    /// login: it dropped the session the login made (and its CSRF token with it).
    dropped: Arc<AtomicBool>,
}

/// The session cookie of GWS (a Java servlet container). A response that sets it to a request
/// sent with the actor's session means the target no longer knew that session.
const SESSION_COOKIE: &str = "JSESSIONID";

impl std::fmt::Debug for ActorHttp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActorHttp")
            .field("actor", &self.actor)
            .field("user", &self.login.user)
            .finish_non_exhaustive()
    }
}

impl ActorHttp {
    /// A fresh session (empty cookie jar) for `actor` on `target`, over a client of its own.
    /// A run shares one client among its actors instead ([`ActorHttp::with_client`]).
    pub fn new(actor: &str, target: Arc<Target>) -> Result<Self, TransportError> {
        let client = shared_client().map_err(|e| TransportError::Client(e.to_string()))?;
        let login = target.login_for(actor);
        Ok(ActorHttp::with_client(actor, login, target, client))
    }

    /// A fresh session (empty cookie jar) for `actor`, logging in as `login`, over `client`
    /// (see [`crate::cookies`]).
    pub fn with_client(actor: &str, login: Login, target: Arc<Target>, client: reqwest::Client) -> Self {
        ActorHttp {
            actor: actor.to_owned(),
            http: CookieClient::new(client),
            target,
            login,
            csrf: Arc::new(Mutex::new(None)),
            dropped: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The user this session logs in as.
    pub fn user(&self) -> &str {
        &self.login.user
    }

    /// Whether the session may be gone since the last [`ActorHttp::login`]: the target
    /// refused a request made with it (HTTP 401, or 403 to a modifying request with CSRF
    /// protection on), or began a new session and logging in again failed. A session kept
    /// across scenarios logs in again before the next one.
    pub fn dropped(&self) -> bool {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The actor's name.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The client with this session's cookie jar, for the Bayeux session.
    pub fn client(&self) -> CookieClient {
        self.http.clone()
    }

    /// Adds this actor's auth (and CSRF headers) to Bayeux requests.
    pub fn decorate(&self) -> Decorate {
        let this = self.clone();
        Arc::new(move |request| this.authorise(request, true))
    }

    /// Logs in: `GET /api/v2/me` with Basic auth establishes the session cookie and, with
    /// CSRF enabled, yields the token.
    pub async fn login(&self) -> Result<(), TransportError> {
        sendable::check_user(&self.login.user)?;
        let url = self.url("/api/v2/me")?;
        let request = self
            .authorise(self.http.client().get(url.clone()), false)
            .timeout(self.target.request_timeout);
        let response = self
            .http
            .send(request)
            .await
            .map_err(|e| failed(&url, &e, self.target.request_timeout))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(TransportError::LoginRefused {
                user: self.login.user.clone(),
                status,
                url: shown_url(&url),
            });
        }
        self.dropped.store(false, Ordering::Relaxed);
        let headers = response.headers();
        let name = headers.get("x-csrf-header").and_then(|v| v.to_str().ok());
        let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
        if let (Some(name), Some(token)) = (name, token) {
            *self
                .csrf
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some((name.to_owned(), token.to_owned()));
        }
        Ok(())
    }

    /// Sends `request` and returns the response, whatever its status.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        sendable::check_path(&request.path)?;
        let url = self.url(&request.path)?;
        sendable::check_url(&url)?;
        for (name, value) in &request.headers {
            sendable::check_header_name(name)?;
            sendable::check_header_value(name, value)?;
        }
        let method = reqwest::Method::from_bytes(request.method.to_ascii_uppercase().as_bytes())
            .map_err(|_| TransportError::Method(elide(&request.method, MESSAGE_CHARS).into_owned()))?;
        let modifying = !matches!(
            method,
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::OPTIONS
        );
        let mut builder = self.http.client().request(method, url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let builder = match request.auth {
            RequestAuth::Actor => self.authorise(builder, modifying),
            RequestAuth::NoCsrf => self.authorise(builder, false),
            RequestAuth::None => builder,
            RequestAuth::WrongPassword => {
                let wrong = wrong_password(&self.login.password);
                builder.header(reqwest::header::AUTHORIZATION, self.basic_auth_with(&wrong))
            }
        };
        let builder = builder.timeout(self.target.request_timeout);
        let response = match request.auth {
            RequestAuth::Actor | RequestAuth::NoCsrf => self.http.send(builder).await,
            // Without the actor's cookies: its JSESSIONID would still authenticate the request.
            RequestAuth::None | RequestAuth::WrongPassword => builder.send().await,
        }
        .map_err(|e| failed(&url, &e, self.target.request_timeout))?;
        let with_session = matches!(request.auth, RequestAuth::Actor | RequestAuth::NoCsrf);
        let status = response.status().as_u16();
        let renewed = with_session && sets_session_cookie(&response);
        let response = read_response(response, &url, self.target.request_timeout, self.target.max_body).await;
        if renewed && self.target.csrf {
            // The target dropped the session and began another: its CSRF token is the new
            // session's, so the actor logs in again now, as a desktop would.
            if self.login().await.is_err() {
                self.dropped.store(true, Ordering::Relaxed);
            }
        } else if with_session && (status == 401 || (status == 403 && modifying && self.target.csrf)) {
            // Refused with the actor's own session: it may be gone (a POST with a token of a
            // forgotten session is refused before a new one is made). Logged in again before
            // the next scenario; a false alarm costs one login.
            self.dropped.store(true, Ordering::Relaxed);
        }
        response
    }

    fn url(&self, path: &str) -> Result<url::Url, TransportError> {
        self.target.url(path).map_err(|e| TransportError::Url {
            path: elide(path, MESSAGE_CHARS).into_owned(),
            reason: e.to_string(),
        })
    }

    /// The `Authorization` value, encoded as the target wants (ISO-8859-1 by default, as GWS's
    /// own client does; reqwest's `basic_auth` always encodes UTF-8). Marked sensitive so the
    /// HTTP stack never logs it.
    fn basic_auth(&self) -> reqwest::header::HeaderValue {
        self.basic_auth_with(self.login.password.expose())
    }

    /// [`ActorHttp::basic_auth`] with another password (a deliberately wrong one).
    fn basic_auth_with(&self, password: &str) -> reqwest::header::HeaderValue {
        use base64::Engine;
        let bytes = self.target.credentials_charset.encode(&self.login.user, password);
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        // Base64 is always a valid header value.
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Basic {encoded}"))
            .unwrap_or_else(|_| reqwest::header::HeaderValue::from_static("Basic"));
        value.set_sensitive(true);
        value
    }

    fn authorise(&self, builder: reqwest::RequestBuilder, modifying: bool) -> reqwest::RequestBuilder {
        let builder = builder.header(reqwest::header::AUTHORIZATION, self.basic_auth());
        if modifying && self.target.csrf {
            let csrf = self
                .csrf
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            if let Some((name, token)) = csrf {
                return builder.header(name, token);
            }
        }
        builder
    }
}

/// Whether `response` sets the session cookie.
fn sets_session_cookie(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|cookie| {
            cookie
                .split_once('=')
                .is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case(SESSION_COOKIE))
        })
}

/// A password that is certainly not `real`: random, so no file or report ever holds one that
/// works, and checked against the real one rather than assumed different.
fn wrong_password(real: &Secret) -> String {
    let mut wrong = format!("wrong-{:016x}", rand::random::<u64>());
    if wrong == real.expose() {
        wrong.push('!');
    }
    wrong
}

/// Reads status, headers (secrets redacted) and body, at most `max_body` bytes of it; a
/// non-JSON body is kept as text so reports can show it. `timeout` is the limit the request
/// was sent with, for the error.
pub(crate) async fn read_response(
    response: reqwest::Response,
    url: &url::Url,
    timeout: Duration,
    max_body: usize,
) -> Result<HttpResponse, TransportError> {
    let status = response.status().as_u16();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let headers = redact_headers(&headers);
    let bytes = read_limited(response, max_body).await.map_err(|e| match e {
        BodyError::TooLarge => TransportError::BodyTooLarge {
            url: shown_url(url),
            limit: ByteSize(max_body),
        },
        BodyError::Read(e) => failed(url, &e, timeout),
    })?;
    if json_too_deep(&bytes, MAX_JSON_DEPTH) {
        return Err(TransportError::TooDeep {
            url: shown_url(url),
            max: MAX_JSON_DEPTH,
        });
    }
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// Flattens a reqwest error: a request that ran out of `timeout` (while connecting, waiting or
/// reading the body) is a [`TransportError::Timeout`], anything else the target being
/// unreachable.
pub(crate) fn failed(url: &url::Url, error: &reqwest::Error, timeout: Duration) -> TransportError {
    if error.is_timeout() {
        return TransportError::Timeout {
            url: shown_url(url),
            after: timeout,
        };
    }
    TransportError::Unreachable {
        url: shown_url(url),
        reason: flatten(error),
    }
}

/// A URL as errors quote it: bounded (a scenario's path may be long).
pub(crate) fn shown_url(url: &url::Url) -> String {
    elide(url.as_str(), MESSAGE_CHARS).into_owned()
}
