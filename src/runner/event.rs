//! Live progress events: the only interface between a running suite and anything watching it
//! (report sinks, progress bars, `-vv` wire logs). Events carry observations, never verdicts.

use std::sync::Arc;

use serde_json::Value;

use super::transcript::{Exchange, Transcript};

/// Receives events; called from the runner's tasks, so it must be cheap and thread-safe.
pub type EventSink = Arc<dyn Fn(&RunEvent) + Send + Sync>;

/// An event sink that drops everything.
pub fn no_events() -> EventSink {
    Arc::new(|_: &RunEvent| {})
}

/// Something that happened during a run. `index` is the scenario's position in the run
/// (0-based, input order).
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A scenario started.
    ScenarioStarted {
        /// Its position.
        index: usize,
        /// Its name.
        name: String,
    },
    /// A delivery reached an actor's CometD session.
    NotificationReceived {
        /// The scenario's position.
        index: usize,
        /// The receiving actor.
        actor: String,
        /// The Bayeux channel.
        channel: String,
        /// The `data` object.
        data: Value,
        /// Milliseconds since the scenario started.
        at_ms: f64,
        /// Whether it is about this scenario's interactions on the configured channel.
        relevant: bool,
    },
    /// A `given:` state or step finished, with everything it observed.
    ExchangeDone {
        /// The scenario's position.
        index: usize,
        /// What it observed.
        exchange: Box<Exchange>,
    },
    /// A scenario finished running (its transcript is complete; it has not been judged).
    ScenarioObserved {
        /// Its position.
        index: usize,
        /// What it observed.
        transcript: Arc<Transcript>,
    },
}
