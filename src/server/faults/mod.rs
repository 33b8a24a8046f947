//! Deliberate deviations (`serve --fault NAME`), so the harness can prove it catches each one:
//! for every contract the shipped suite asserts there is a fault that breaks just that contract,
//! and a test runs the whole suite once per fault (the mutation score).
//!
//! Each fault is exactly one kind of deviation. Most change only what leaves the server — the
//! reply to an operation request (`POST /api/v2/me/facebooksessions/{id}`) or the notifications
//! it causes ([`delivery`]), never the notifications of the state hook's setup, which is test
//! support. The others act where their contract lives, as a vendor's bug would: authentication
//! (`auth.rs`), the CometD endpoint (`cometd.rs`), the fan-out of chat messages, and the
//! operations that update userData, transfer, or accept.

mod catalog;
mod delivery;

pub use catalog::{Fault, UnknownFault};
pub(crate) use delivery::apply;
