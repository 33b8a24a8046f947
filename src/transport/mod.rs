//! HTTP for actors and for the state hook: one cookie jar and login per actor, Basic auth on
//! every request, CSRF headers when the target asks for them.
//!
//! Returns plain request/response data; it never decides whether a response is right. Every
//! request has a time limit.

mod actor;
mod hook;

pub use actor::{ActorHttp, HttpRequest, HttpResponse, TransportError};
pub use hook::StateHook;
