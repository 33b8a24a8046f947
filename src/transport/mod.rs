//! HTTP for actors and for the state hook: one cookie jar and login per actor, Basic auth on
//! every request, CSRF headers when the target asks for them.
//!
//! Returns plain request/response data; it never decides whether a response is right. Every
//! request has a time limit, and secret header values never leave this module unredacted.

mod actor;
mod hook;
mod redact;

pub use actor::{ActorHttp, HttpRequest, HttpResponse, RequestAuth, TransportError};
pub use hook::StateHook;
pub use redact::{REDACTED, SENSITIVE_HEADERS, is_sensitive_header, redact_headers};
