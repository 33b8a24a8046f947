//! What the proxy saw: every request and response it forwarded, as sent, with when the request
//! arrived and when the response was complete. Nothing here interprets the traffic; that
//! happens once, when the recording is written (`assemble`).
//!
//! Header values include credentials (Authorization, cookies, CSRF tokens), so these types
//! have no `Debug` that prints them: they stay in memory and are dropped after writing.

use std::fmt;
use std::time::{Instant, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method};
use url::Url;

/// One forwarded request and what came back.
#[derive(Clone)]
pub(crate) struct Seen {
    /// When the request arrived at the proxy.
    pub started: Instant,
    /// When the response was complete (or the target failed).
    pub finished: Instant,
    /// The method.
    pub method: Method,
    /// Path and query as the client sent them (relative to the proxy's root).
    pub path: String,
    /// Request headers as received.
    pub request_headers: HeaderMap,
    /// Request body.
    pub request_body: Bytes,
    /// The target's response; `None` when the target could not be reached.
    pub reply: Option<Reply>,
}

/// A response from the target.
#[derive(Clone)]
pub(crate) struct Reply {
    /// HTTP status.
    pub status: u16,
    /// Response headers as received.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
}

/// Everything one proxy run saw.
pub struct Traffic {
    /// The target the traffic went to.
    pub target: Url,
    /// When the proxy started (wall clock, for the scenario's "recorded on" comment).
    pub began: SystemTime,
    /// When the proxy started (monotonic, the origin of every `Seen` time).
    pub began_at: Instant,
    /// Every exchange, in the order the responses completed.
    pub(crate) seen: Vec<Seen>,
}

impl Traffic {
    /// How many requests were forwarded.
    pub fn requests(&self) -> usize {
        self.seen.len()
    }
}

impl fmt::Debug for Traffic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Traffic")
            .field("target", &self.target.as_str())
            .field("requests", &self.seen.len())
            .finish_non_exhaustive()
    }
}
