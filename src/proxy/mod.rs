//! The live-traffic recorder (`gws-contract proxy`, DESIGN.md §8): a transparent HTTP proxy
//! between real clients (agent desktops, scripts, the official CometD client) and a GWS
//! server, which writes what went through as a scenario and its golden.
//!
//! Forwarding ([`Proxy`]) only copies each exchange into a log; everything else happens once,
//! when recording stops: [`assemble`] tells actors apart (Basic auth user, then the cookies
//! and Bayeux clientIds their logins led to), keeps state-hook setups and operations, files
//! each notification with the operation in progress when it arrived and decides captures;
//! [`write_recording`] writes the golden through the golden module (a recording is turned
//! into a runner transcript) and the scenario whose expectations come from that golden.
//! Credentials are never written: Authorization, cookies and CSRF tokens are read to tell
//! actors apart and dropped.

mod assemble;
mod captures;
mod classify;
mod document;
mod expect;
mod forward;
mod identify;
mod recording;
mod settings;
mod traffic;
mod transcript;
mod write;
mod yaml;

pub use assemble::{RecordSettings, assemble};
pub use classify::Endpoints;
pub use forward::{Proxy, ProxyError};
pub use recording::{Notes, Recording};
pub use settings::ProfileDefaults;
pub use traffic::Traffic;
pub use transcript::transcript;
pub use write::{RecordError, Written, load_rules, write_recording};
