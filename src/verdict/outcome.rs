//! The result model: the verdict on a scenario, every failure with its location, actor and
//! step, notes, and golden drifts, next to the transcript they were judged from. Plain data,
//! serialisable for machine reports.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::golden::{Drift, GoldenCheck};
use crate::matching::Mismatch;
use crate::runner::{RunError, StepRef, Transcript};
use crate::scenario::{Requirement, SourcePos, StatusSpec};

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
    /// The run was interrupted (Ctrl-C) before this scenario ended.
    Interrupted,
    /// Not run: the target lacks a feature the scenario `requires:` (neither a pass nor a
    /// failure).
    Skipped,
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
        /// What did arrive in time.
        arrived: Vec<Value>,
        /// What arrived after the timeout (before the next step), with its arrival time in
        /// milliseconds after the step started.
        late: Vec<(Value, f64)>,
        /// Notifications that arrived meanwhile but were ignored: about none of this
        /// scenario's sessions (or without a session id), or on another channel.
        ignored: usize,
        /// Why the actor's CometD session failed meanwhile, if it did (a hung long-poll, ...).
        stream: Option<String>,
    },
    /// A symbolic id (`$id:NAME`) does not hold: the same placeholder matched another value
    /// than where it was first bound, or another placeholder's value.
    Binding {
        /// The placeholder, `$id:NAME`.
        placeholder: String,
        /// The value it matched here.
        value: String,
        /// What it conflicts with.
        conflict: BindingConflict,
        /// Where the conflicting binding was made: `actor, step N, /pointer`.
        first: String,
    },
    /// A notification nobody expected, in a strict stream.
    Unexpected {
        /// The notification.
        actual: Value,
    },
}

/// How a symbolic id binding was broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BindingConflict {
    /// The placeholder was bound to this other value first.
    OtherValue {
        /// The value it was bound to.
        bound: String,
    },
    /// The value was already bound to this other placeholder.
    OtherPlaceholder {
        /// That placeholder, `$id:NAME`.
        placeholder: String,
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
    /// The server advised a timeout or interval beyond the client's bounds; the bound was used.
    AdviceClamped {
        /// What was clamped.
        detail: String,
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
    /// Every failed expectation of the inline contract.
    pub failures: Vec<Failure>,
    /// Non-failing observations.
    pub notes: Vec<Note>,
    /// How the run compared with the scenario's golden.
    pub golden: GoldenCheck,
    /// Differences from the golden (those at or above `--fail-on` fail the scenario).
    pub drifts: Vec<Drift>,
    /// Why the scenario could not run to the end, if it could not.
    pub error: Option<RunError>,
    /// What the run observed.
    pub transcript: Arc<Transcript>,
}
