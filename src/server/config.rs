//! Reference server settings: users, CSRF mode, CometD timing, limits, faults.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::faults::Fault;
use super::variant::Variant;

/// How the reference server behaves.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Users as (name, password). Defaults to agent1..agent3 with password `password`.
    pub users: Vec<(String, String)>,
    /// The nickname an agent goes by when an operation seats them (Consult, Invite,
    /// Transfer), per user; users not listed go by their user name. The harness sets its
    /// actors' names here, so what is observed does not depend on the users behind them.
    pub nicknames: BTreeMap<String, String>,
    /// Require the CSRF header on modifying requests (GWS `enableCsrfProtection`).
    pub csrf: bool,
    /// How long a `/meta/connect` is held when nothing is queued.
    pub connect_hold: Duration,
    /// A client silent for longer than this after its last connect is expired.
    pub max_interval: Duration,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// An HTTP session (JSESSIONID) unused for this long is forgotten.
    pub http_session_idle: Duration,
    /// The UserData key SetDisposition uses when the request names none.
    pub disposition_key: String,
    /// Deliberate deviations (empty: behave as documented).
    pub faults: BTreeSet<Fault>,
    /// How the server renders what the contract leaves open (`conforming`: differently from
    /// the documentation's samples, within the contract).
    pub variant: Variant,
    /// How late [`Fault::DelayNotification`] sends its notification. The default is beyond
    /// the runner's default 5 s step timeout.
    pub fault_delay: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            users: ["agent1", "agent2", "agent3"]
                .iter()
                .map(|u| ((*u).to_owned(), crate::target::DEFAULT_PASSWORD.to_owned()))
                .collect(),
            nicknames: BTreeMap::new(),
            csrf: false,
            connect_hold: Duration::from_secs(30),
            max_interval: Duration::from_secs(10),
            max_body_bytes: 256 * 1024,
            http_session_idle: Duration::from_secs(30 * 60),
            disposition_key: "DispositionCode".to_owned(),
            faults: BTreeSet::new(),
            variant: Variant::Reference,
            fault_delay: Duration::from_millis(6000),
        }
    }
}
