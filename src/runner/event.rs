//! Live progress events: the only interface between a running suite and a live reporter.

use super::outcome::ScenarioOutcome;

/// Something that happened during a run.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// A scenario started.
    ScenarioStarted {
        /// Its position in the run (0-based, input order).
        index: usize,
        /// Its name.
        name: String,
    },
    /// A scenario finished (passed, failed or errored).
    ScenarioFinished {
        /// Its position in the run (0-based, input order).
        index: usize,
        /// What happened.
        outcome: Box<ScenarioOutcome>,
    },
}
