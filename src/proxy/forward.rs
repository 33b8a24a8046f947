//! The forwarding half of the proxy: every request is sent on to the target as received
//! (method, path, query, headers, cookies, Basic auth, CSRF headers, body) and the target's
//! response is sent back as received, while a copy of both is appended to the traffic log.
//!
//! Each request is handled on its own task, so Bayeux long-polls are held concurrently and
//! one actor's held `/meta/connect` never delays another's request. Bodies are read whole:
//! GWS answers (long-poll answers included) are complete JSON documents sent at once, so
//! reading one to its end delays it by no more than copying it. The only changes made to a
//! request are those a proxy must make: hop-by-hop headers are dropped, `Host` names the
//! target, and `Accept-Encoding` is removed so the target answers with bodies the recorder
//! can read. Redirects are passed back to the client, never followed.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::oneshot;
use url::Url;

use super::traffic::{Reply, Seen, Traffic};

/// Largest request or response body the proxy forwards.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those the
/// proxy sets itself.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the proxy's HTTP client: {0}")]
    Client(String),
}

/// A running proxy. Dropping it stops it; [`Proxy::stop`] also hands back what it saw.
pub struct Proxy {
    addr: SocketAddr,
    target: Url,
    began: SystemTime,
    began_at: Instant,
    log: Arc<Mutex<Vec<Seen>>>,
    shutdown: Option<oneshot::Sender<()>>,
}

struct Forwarder {
    target: Url,
    client: reqwest::Client,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Proxy {
    /// Listens on `listen` (port 0 for an ephemeral one) and forwards to `target`, serving in
    /// the background on the current tokio runtime.
    pub async fn start(listen: SocketAddr, target: Url) -> Result<Self, ProxyError> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|source| ProxyError::Listen { addr: listen, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| ProxyError::Listen { addr: listen, source })?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            // Node-based servers close idle keep-alive connections after 5 s; a POST sent on
            // one they are closing fails and is not retried.
            .pool_idle_timeout(Duration::from_secs(4))
            .build()
            .map_err(|e| ProxyError::Client(e.to_string()))?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let forwarder = Arc::new(Forwarder {
            target: target.clone(),
            client,
            log: Arc::clone(&log),
        });
        let app = Router::new().fallback(forward).with_state(forwarder);
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Proxy {
            addr,
            target,
            began: SystemTime::now(),
            began_at: Instant::now(),
            log,
            shutdown: Some(tx),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many exchanges have completed so far.
    pub fn seen(&self) -> usize {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Stops accepting connections and returns every exchange completed so far. Requests
    /// still held (long-polls) finish in the background and are not recorded.
    pub fn stop(mut self) -> Traffic {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let seen = std::mem::take(&mut *self.log.lock().unwrap_or_else(PoisonError::into_inner));
        Traffic {
            target: self.target.clone(),
            began: self.began,
            began_at: self.began_at,
            seen,
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Forwarder {
    /// The target URL for a client's path and query (the target's own base path kept).
    fn upstream(&self, path: &str) -> Result<Url, url::ParseError> {
        let base = self.target.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}"))
    }
}

async fn forward(State(forwarder): State<Arc<Forwarder>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let Ok(request_body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return proxy_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large to forward",
        );
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned());
    let Ok(url) = forwarder.upstream(&path) else {
        return proxy_error(StatusCode::BAD_REQUEST, "the request path cannot be forwarded");
    };
    let mut builder = forwarder
        .client
        .request(parts.method.clone(), url)
        .headers(request_headers(&parts.headers));
    if !request_body.is_empty() || parts.headers.contains_key(header::CONTENT_LENGTH) {
        builder = builder.body(request_body.clone());
    }
    let result = match builder.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            response.bytes().await.map(|body| Reply {
                status,
                headers,
                body,
            })
        }
        Err(e) => Err(e),
    };
    let (reply, response) = match result {
        Ok(reply) => {
            let response = client_response(&reply);
            (Some(reply), response)
        }
        Err(e) => (
            None,
            proxy_error(
                StatusCode::BAD_GATEWAY,
                &format!("gws-contract proxy cannot reach the target: {}", flatten(&e)),
            ),
        ),
    };
    let seen = Seen {
        started,
        finished: Instant::now(),
        method: parts.method,
        path,
        request_headers: parts.headers,
        request_body,
        reply,
    };
    forwarder
        .log
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(seen);
    response
}

/// The headers to send on: hop-by-hop ones (and those the `Connection` header names) and
/// `Accept-Encoding` removed.
fn request_headers(headers: &HeaderMap) -> HeaderMap {
    let mut out = end_to_end(headers);
    out.remove(header::ACCEPT_ENCODING);
    out
}

fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    let mut out = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let lower = name.as_str();
        if HOP_BY_HOP.contains(&lower) || named.iter().any(|n| n == lower) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

fn client_response(reply: &Reply) -> Response {
    let mut response = Response::new(Body::from(reply.body.clone()));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::BAD_GATEWAY);
    *response.headers_mut() = end_to_end(&reply.headers);
    response
}

fn proxy_error(status: StatusCode, message: &str) -> Response {
    let mut response = (status, axum::Json(json!({ "error": message }))).into_response();
    response.headers_mut().insert(
        HeaderName::from_static("x-gws-contract-proxy"),
        HeaderValue::from_static("error"),
    );
    response
}

/// A reqwest error with its causes, on one line.
fn flatten(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_connection_named_headers_are_not_forwarded() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("connection", "keep-alive, x-private"),
            ("keep-alive", "timeout=5"),
            ("x-private", "1"),
            ("host", "127.0.0.1:1"),
            ("accept-encoding", "gzip"),
            ("authorization", "Basic eA=="),
            ("cookie", "JSESSIONID=A"),
            ("x-csrf-token", "t"),
        ] {
            headers.append(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        let out = request_headers(&headers);
        let mut names: Vec<&str> = out.keys().map(HeaderName::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["authorization", "cookie", "x-csrf-token"]);
    }
}
