//! `serve --replay DIR`: a playback target built from goldens (DESIGN.md §7, §8), so clients
//! can be tested against a target's recorded behaviour without the target.
//!
//! A state-hook call picks the golden(s) it replays and opens a replay session; later
//! requests find their session by the ids it handed out and must match its next recorded step
//! (method, path with bindings, body leniently) to get the recorded response, while the
//! recorded notifications go to each actor's own CometD sessions, in order. Every placeholder
//! gets a fresh value per session ([`fresh`]), the same wherever it appears ([`template`]). A
//! request that matches nothing gets a JSON error naming the closest recorded step and each
//! difference ([`refusal`]). What changes nothing on a server and names no session — logins,
//! CometD messages, requests refused for their credentials — is not played in order but
//! answered aside ([`sessions`]). CometD, logins, cookies and CSRF tokens are the reference
//! server's own machinery; like the reference server, this never imports runner or report
//! code.

mod fresh;
mod handle;
mod library;
mod refusal;
mod routes;
mod sessions;
mod template;
mod track;

pub use handle::{ReplayOptions, ReplayServer};
pub use library::{Library, LibraryError};
