//! Why a scenario stopped before its end, classified so `verify` can tell a broken target
//! (exit 3) from a scenario this target cannot run as written (exit 2), and located at the
//! step (and scenario line) it happened in. Failed expectations are not errors: they are
//! failures of the verdict (exit 1).

use serde::Serialize;

use super::transcript::StepRef;
use crate::scenario::SourcePos;

/// Whose problem a [`RunError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunErrorKind {
    /// The target could not be used: unreachable, timed out, refused a login or the CometD
    /// handshake, failed with a server error, or lost an actor's CometD session for good.
    Target,
    /// The scenario asks for something the target refuses as a request error: a state or state
    /// parameter its hook does not know (HTTP 4xx from the hook), a request that cannot be sent.
    Scenario,
}

/// A reason a scenario could not run to its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct RunError {
    /// Whose problem it is.
    pub kind: RunErrorKind,
    /// What happened, naming the actor, URL or state.
    pub message: String,
    /// The step it happened in, when it happened in one (`given:` entries are step 0).
    pub step: Option<StepRef>,
    /// Where that step is written.
    pub pos: Option<SourcePos>,
}

impl RunError {
    /// A target problem.
    pub fn target(message: impl Into<String>) -> Self {
        RunError {
            kind: RunErrorKind::Target,
            message: message.into(),
            step: None,
            pos: None,
        }
    }

    /// A scenario problem.
    pub fn scenario(message: impl Into<String>) -> Self {
        RunError {
            kind: RunErrorKind::Scenario,
            message: message.into(),
            step: None,
            pos: None,
        }
    }

    /// The same error, located at `step`, written at `pos`.
    #[must_use]
    pub fn at(mut self, step: &StepRef, pos: SourcePos) -> Self {
        self.step = Some(step.clone());
        self.pos = Some(pos);
        self
    }

    /// Whether the target is to blame (exit 3) rather than the scenario (exit 2).
    pub fn is_target(&self) -> bool {
        self.kind == RunErrorKind::Target
    }
}
