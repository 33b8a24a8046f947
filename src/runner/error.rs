//! Why a scenario stopped before its end, classified so `verify` can tell a broken target
//! (exit 3) from a scenario this target cannot run as written (exit 2). Failed expectations
//! are not errors: they are [`Failure`](super::Failure)s (exit 1).

use serde::Serialize;

/// A reason a scenario could not run to its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunError {
    /// The target could not be used: unreachable, timed out, refused a login or the CometD
    /// handshake, failed with a server error, or lost an actor's CometD session for good.
    #[error("{message}")]
    Target {
        /// What happened, naming the actor or URL.
        message: String,
    },
    /// The scenario asks for something the target refuses as a request error: a state or state
    /// parameter its hook does not know (HTTP 4xx from the hook), an invalid HTTP method.
    #[error("{message}")]
    Scenario {
        /// What was refused and why.
        message: String,
    },
}

impl RunError {
    /// A target problem.
    pub fn target(message: impl Into<String>) -> Self {
        RunError::Target {
            message: message.into(),
        }
    }

    /// A scenario problem.
    pub fn scenario(message: impl Into<String>) -> Self {
        RunError::Scenario {
            message: message.into(),
        }
    }
}
