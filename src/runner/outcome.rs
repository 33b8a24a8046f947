//! The result model: what ran, what was observed, and every failure with its location,
//! actor and step. Plain data, serialisable for machine reports and goldens.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::error::RunError;
use crate::matching::Mismatch;
use crate::scenario::{Requirement, SourcePos, StatusSpec};
use crate::transport::{HttpRequest, HttpResponse};

/// The verdict on one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Every expectation held.
    Passed,
    /// At least one expectation failed.
    Failed,
    /// The scenario could not run to the end (target unreachable, hook refused, ...).
    Error,
    /// Not run: the target lacks a feature the scenario `requires:` (neither a pass nor a
    /// failure).
    Skipped,
}

/// Which step something belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRef {
    /// 1-based step number; 0 for the `given:` section.
    pub number: usize,
    /// The step's label (its `name:`, or a description of the request).
    pub label: String,
}

/// What one step did and observed.
#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    /// The step.
    pub step: StepRef,
    /// The acting actor (HTTP steps).
    pub actor: Option<String>,
    /// The request sent (HTTP steps).
    pub request: Option<HttpRequest>,
    /// The response received (HTTP steps) or the hook reply (state steps).
    pub response: Option<HttpResponse>,
    /// Notifications attributed to this step, per actor, in arrival order.
    pub notifications: BTreeMap<String, Vec<Value>>,
}

/// One failed expectation.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// The step it belongs to.
    pub step: StepRef,
    /// The actor concerned (the requester for response failures, the receiver for
    /// notification failures).
    pub actor: Option<String>,
    /// Where the failing expectation is written.
    pub pos: SourcePos,
    /// What failed.
    pub kind: FailureKind,
}

/// The kinds of failure.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureKind {
    /// Wrong HTTP status.
    Status {
        /// The accepted statuses.
        expected: StatusSpec,
        /// Actual status.
        actual: u16,
        /// The response body, for context.
        body: Value,
    },
    /// The response body did not match.
    Body {
        /// Every mismatch.
        mismatches: Vec<Mismatch>,
        /// The expectation as written.
        expected: Value,
        /// The whole actual body.
        actual: Value,
        /// RFC 6902 patch from the normalised expected to the normalised actual (DESIGN §4.6).
        patch: json_patch::Patch,
        /// The scenario line each mismatch's expectation is written on (same order as
        /// `mismatches`; best effort, the expectation's first line when unknown).
        mismatch_lines: Vec<u64>,
    },
    /// Response headers did not match (pointer `/<lowercase-name>`).
    Headers {
        /// Every mismatch.
        mismatches: Vec<Mismatch>,
    },
    /// A capture's pointer named nothing in the reply.
    Capture {
        /// Variable name.
        name: String,
        /// The pointer.
        pointer: String,
        /// The document it was applied to.
        document: Value,
    },
    /// A placeholder could not be resolved at run time.
    Template {
        /// The undefined names.
        names: Vec<String>,
    },
    /// An expected notification arrived but differs.
    Notification {
        /// 0-based position in the actor's expected list for this step.
        index: usize,
        /// The expectation as written.
        expected: Value,
        /// What arrived.
        actual: Value,
        /// Every mismatch.
        mismatches: Vec<Mismatch>,
        /// RFC 6902 patch from the normalised expected to the normalised actual (DESIGN §4.6).
        patch: json_patch::Patch,
        /// The scenario line each mismatch's expectation is written on (same order as
        /// `mismatches`; best effort, the expectation's first line when unknown).
        mismatch_lines: Vec<u64>,
    },
    /// Fewer notifications arrived than expected before the timeout.
    Missing {
        /// How many were expected.
        expected: usize,
        /// How many (relevant ones) arrived.
        received: usize,
        /// The step's timeout in milliseconds.
        timeout_ms: u64,
        /// The expectations that found no notification.
        unmatched: Vec<Value>,
        /// What did arrive.
        arrived: Vec<Value>,
        /// Notifications that arrived meanwhile but were ignored: about none of this
        /// scenario's sessions (or without a session id), or on another channel.
        ignored: usize,
    },
    /// A notification nobody expected, in a strict stream.
    Unexpected {
        /// The notification.
        actual: Value,
    },
}

/// Something worth reporting that is not a failure.
#[derive(Debug, Clone, Serialize)]
pub struct Note {
    /// The step it belongs to.
    pub step: StepRef,
    /// The actor concerned.
    pub actor: Option<String>,
    /// What happened.
    pub kind: NoteKind,
}

/// The kinds of note.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NoteKind {
    /// An extra notification in a lenient stream.
    Extra {
        /// The notification.
        actual: Value,
    },
    /// The Bayeux session was lost and re-established; notifications in the window may be lost.
    Rehandshake {
        /// Milliseconds during which notifications may have been lost.
        window_ms: u64,
        /// The server's reason.
        reason: String,
    },
    /// Steps were skipped because an earlier capture found nothing, leaving them without
    /// these variables.
    Skipped {
        /// The variables the first skipped step needed.
        undefined: Vec<String>,
    },
    /// The scenario was not run: the target does not enable these `requires:` features.
    Unmet {
        /// The missing features.
        requirements: Vec<Requirement>,
    },
    /// A state teardown failed.
    Teardown {
        /// The state.
        state: String,
        /// What went wrong.
        reason: String,
    },
}

/// Everything about one scenario run.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioOutcome {
    /// Scenario name.
    pub name: String,
    /// Scenario file.
    pub file: PathBuf,
    /// The verdict.
    pub verdict: Verdict,
    /// Wall-clock duration in milliseconds.
    pub duration_ms: u64,
    /// Variables at the end of the run (captures included).
    pub vars: BTreeMap<String, Value>,
    /// What each step did.
    pub steps: Vec<StepOutcome>,
    /// Every failed expectation.
    pub failures: Vec<Failure>,
    /// Non-failing observations.
    pub notes: Vec<Note>,
    /// Why the scenario could not run to the end, if it could not.
    pub error: Option<RunError>,
}
