//! Bayeux 1.0 (CometD) over HTTP long-polling: the wire types shared with the reference
//! server, and the client the runner uses to give each actor its own notification inbox.
//!
//! This module knows nothing about scenarios or GWS operations; it moves Bayeux messages.

mod client;
mod message;
mod policy;

pub use client::{BayeuxClient, BayeuxConfig, BayeuxError, Decorate, Delivery, Inbox, Stall};
pub use message::{Advice, Message, channel_matches};
pub use policy::{AdviceClamp, parse_messages};
