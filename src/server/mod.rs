//! The reference server: an in-memory GWS simulator with HTTP Basic/cookie auth, the Facebook
//! Private Messaging API, a real CometD long-polling endpoint and the provider-state hook
//! (DESIGN.md §5, §7). It is the embedded default target and the baseline for goldens; with
//! [`Fault`]s it deviates on purpose so the harness can prove it notices.
//!
//! It must behave like a real target, so it never imports runner or report code; it shares
//! only the Bayeux wire types with the client. `serve --replay` ([`ReplayServer`]) plays
//! goldens back on the same CometD and login machinery.

mod api;
mod auth;
mod body;
mod cometd;
mod config;
mod facebook;
mod faults;
mod handle;
mod hook;
mod ids;
mod replay;
mod variant;
mod world;

pub use config::ServerConfig;
pub use faults::{Fault, UnknownFault};
pub use handle::{ReferenceServer, ServerStats};
pub use replay::{Library, LibraryError, ReplayOptions, ReplayServer};
pub use variant::{UnknownVariant, Variant};
