//! The golden judge, and the verdict that combines it with the inline contract.

use std::sync::Arc;

use serde_json::Value;

use super::contract::judge_contract;
use super::outcome::{ScenarioOutcome, Verdict};
use crate::golden::{Drift, GoldenCheck, Observed, RiskClass, diff, document};
use crate::runner::{Stop, Transcript};
use crate::scenario::LoadedScenario;

/// What is known about a scenario's golden before judging.
#[derive(Debug, Clone, Copy)]
pub enum GoldenInput<'a> {
    /// No golden directory applies (an external target without `--golden`).
    NotConfigured,
    /// The directory has no golden for this scenario yet; it would be at `path`.
    Missing {
        /// Where it would be.
        path: &'a str,
    },
    /// The golden at `path`.
    Present {
        /// The file.
        path: &'a str,
        /// Its content.
        golden: &'a Value,
    },
}

/// Every drift of a run from its golden.
pub fn judge_golden(golden: &Value, transcript: &Transcript) -> Vec<Drift> {
    diff(
        golden,
        &document(transcript),
        &transcript.final_vars(),
        Observed::Run,
    )
}

/// The outcome of a run: the inline contract's failures, the golden's drifts (failing the
/// scenario at `fail_on` and above), and the run's error if it stopped early.
pub fn judge(
    loaded: &LoadedScenario,
    transcript: Arc<Transcript>,
    golden: GoldenInput<'_>,
    fail_on: RiskClass,
) -> ScenarioOutcome {
    let judgement = judge_contract(loaded, &transcript);
    let complete = transcript.stop.is_none();
    let (check, drifts) = match golden {
        GoldenInput::NotConfigured => (GoldenCheck::NotConfigured, Vec::new()),
        GoldenInput::Missing { path } => (
            GoldenCheck::Missing {
                path: path.to_owned(),
            },
            Vec::new(),
        ),
        GoldenInput::Present { path, .. } if !complete => (
            GoldenCheck::Skipped {
                path: path.to_owned(),
            },
            Vec::new(),
        ),
        GoldenInput::Present { path, golden } => (
            GoldenCheck::Compared {
                path: path.to_owned(),
            },
            judge_golden(golden, &transcript),
        ),
    };
    let error = match &transcript.stop {
        Some(Stop::Error { error }) => Some(error.clone()),
        _ => None,
    };
    let verdict = if matches!(transcript.stop, Some(Stop::Interrupted)) {
        Verdict::Interrupted
    } else if matches!(transcript.stop, Some(Stop::Unmet { .. })) {
        Verdict::Skipped
    } else if error.is_some() {
        Verdict::Error
    } else if !judgement.failures.is_empty() || drifts.iter().any(|d| d.class >= fail_on) {
        Verdict::Failed
    } else {
        Verdict::Passed
    };
    ScenarioOutcome {
        name: transcript.scenario.clone(),
        file: transcript.file.clone(),
        verdict,
        duration_ms: transcript.duration_ms,
        failures: judgement.failures,
        notes: judgement.notes,
        golden: check,
        drifts,
        error,
        transcript,
    }
}
