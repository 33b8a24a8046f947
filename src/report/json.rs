//! The machine-readable report: every scenario outcome as JSON (steps, requests, responses,
//! received notifications, failures with their mismatches, notes), plus a summary. It is the
//! full record behind the terminal report, for CI tooling.

use serde_json::{Value, json};

use crate::runner::{ScenarioOutcome, Verdict};

/// Format version of the JSON report; bump on incompatible changes.
pub const JSON_REPORT_VERSION: u32 = 1;

/// The JSON report of a run.
pub fn json_report(outcomes: &[ScenarioOutcome]) -> Value {
    let count = |v: Verdict| outcomes.iter().filter(|o| o.verdict == v).count();
    json!({
        "version": JSON_REPORT_VERSION,
        "summary": {
            "scenarios": outcomes.len(),
            "passed": count(Verdict::Passed),
            "failed": count(Verdict::Failed),
            "errored": count(Verdict::Error),
            "skipped": count(Verdict::Skipped),
        },
        "scenarios": outcomes,
    })
}
