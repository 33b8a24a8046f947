//! The recording: the traffic interpreted as a scenario would describe it — actors, the
//! provider states it started from, the operations in order with what came back, each
//! actor's notifications attributed to the operation in progress when they arrived, and the
//! captures that let later requests and notifications refer to values the target handed out.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime};

use serde_json::Value;
use url::Url;

/// What the proxy recorded, ready to be written as a scenario and a golden.
#[derive(Debug, Clone)]
pub struct Recording {
    /// The scenario's name.
    pub name: String,
    /// The target the traffic went to.
    pub target: Url,
    /// When the proxy started.
    pub began: SystemTime,
    /// The proxy's monotonic origin.
    pub(crate) began_at: Instant,
    /// Scenario actor names, in order of appearance.
    pub actors: Vec<String>,
    /// `given:` entries, then steps, in the order they started.
    pub(crate) entries: Vec<Entry>,
    /// Counts for the summary.
    pub notes: Notes,
}

/// What was forwarded but not recorded as a step, and why (counts only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Requests forwarded.
    pub forwarded: usize,
    /// Bayeux requests (handshakes, connects, subscribes, ...).
    pub bayeux: usize,
    /// Logins (`GET /api/v2/me`) not needed as steps.
    pub logins: usize,
    /// Requests whose user could not be told (no Basic auth, no known cookie or clientId).
    pub unidentified: usize,
    /// Requests the target did not answer.
    pub failed: usize,
    /// Requests outside the API (`/api/...`): pages, scripts, icons.
    pub not_api: usize,
    /// State-hook teardowns and refused hook calls.
    pub hook_calls_skipped: usize,
    /// Notifications recorded.
    pub notifications: usize,
    /// Notifications on the channel about none of the recording's interactions.
    pub unrelated: usize,
    /// Notifications on other channels.
    pub other_channels: usize,
    /// Whether the recording started without a state-hook call (its `given:` must be filled in).
    pub state_to_fill_in: bool,
}

/// One `given:` entry or step.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// A `given:` entry (else a step).
    pub given: bool,
    /// When its request arrived.
    pub started: Instant,
    /// When its response was complete.
    pub finished: Instant,
    /// What was done.
    pub action: Action,
    /// Variables captured from its reply.
    pub captures: Vec<CaptureSpec>,
    /// Per actor, the notifications that arrived while it was in progress.
    pub notifications: BTreeMap<String, Vec<Notification>>,
}

/// What an entry did.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// The traffic did not start with a state-hook call: the state must be filled in.
    StateToFillIn,
    /// A state-hook setup.
    Hook {
        /// The state.
        state: String,
        /// Its parameters as sent, users renamed to actors.
        params: Value,
        /// The same with captured values as `${name}`.
        params_template: Value,
        /// The hook's HTTP status.
        status: u16,
        /// The hook's reply, users renamed to actors.
        reply: Value,
    },
    /// An HTTP request by an actor.
    Http(HttpEntry),
}

/// An actor's request and the target's response.
#[derive(Debug, Clone)]
pub(crate) struct HttpEntry {
    /// Who sent it.
    pub actor: String,
    /// Whether it was a login, kept because a later request uses a value it returned.
    pub login: bool,
    /// HTTP method.
    pub method: String,
    /// Path and query as sent.
    pub path: String,
    /// The same with captured values as `${name}`.
    pub path_template: String,
    /// Request headers worth replaying (no credentials, no transport or browser noise).
    pub headers: Vec<(String, String)>,
    /// The JSON body as sent.
    pub body: Option<Value>,
    /// The same with captured values as `${name}`.
    pub body_template: Option<Value>,
    /// Response status.
    pub status: u16,
    /// Response headers (lowercase names).
    pub response_headers: Vec<(String, String)>,
    /// Response body (JSON; text as a string; null when empty).
    pub response: Value,
}

/// A variable captured from a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaptureSpec {
    /// The variable.
    pub name: String,
    /// The JSON Pointer into the reply.
    pub pointer: String,
    /// The captured value.
    pub value: String,
}

/// A notification as delivered.
#[derive(Debug, Clone)]
pub(crate) struct Notification {
    /// When the response carrying it reached the proxy.
    pub at: Instant,
    /// Its channel.
    pub channel: String,
    /// Its `data`.
    pub data: Value,
}

impl Entry {
    /// The reply captures are taken from.
    pub fn reply(&self) -> Option<&Value> {
        match &self.action {
            Action::StateToFillIn => None,
            Action::Hook { reply, .. } => Some(reply),
            Action::Http(http) => Some(&http.response),
        }
    }
}

impl Recording {
    /// How many steps (not `given:` entries) it has.
    pub fn steps(&self) -> usize {
        self.entries.iter().filter(|e| !e.given).count()
    }
}
