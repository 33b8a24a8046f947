//! The machine-readable report: every scenario outcome as JSON (the transcript with requests,
//! responses and notifications, failures with their mismatches and patches, drifts, notes),
//! plus a summary. It is the full record behind the terminal report, for CI tooling.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Value, json};

use super::sink::{ReportEvent, ReportFile, RunReport, Sink, SinkError};
use crate::golden::RiskClass;
use crate::verdict::{Coverage, ScenarioOutcome, Verdict};

/// Format version of the JSON report; bump on incompatible changes.
pub const JSON_REPORT_VERSION: u32 = 2;

/// The JSON report of a run, as a value (for callers that inspect it; the sink serialises
/// [`JsonReport`] directly, without building this tree).
pub fn json_report(report: &RunReport) -> Value {
    serde_json::to_value(JsonReport::full(report)).unwrap_or(Value::Null)
}

/// The JSON report, borrowing the outcomes: serialising it never copies a transcript into an
/// intermediate tree, which would double the peak memory of a large run.
#[derive(Serialize)]
pub struct JsonReport<'a> {
    version: u32,
    summary: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    coverage: Option<&'a Option<Coverage>>,
    scenarios: Vec<ScenarioEntry<'a>>,
}

/// One scenario in a report: the whole outcome, or (in the last-run record) only what
/// `--last-failed` reads.
#[derive(Serialize)]
#[serde(untagged)]
enum ScenarioEntry<'a> {
    Full(&'a ScenarioOutcome),
    Brief { name: &'a str, verdict: Verdict },
}

impl<'a> JsonReport<'a> {
    /// Everything: summary, coverage and every outcome with its transcript.
    pub fn full(report: &'a RunReport) -> Self {
        JsonReport {
            version: JSON_REPORT_VERSION,
            summary: summary(report),
            coverage: Some(&report.coverage),
            scenarios: report.outcomes.iter().map(ScenarioEntry::Full).collect(),
        }
    }

    /// The record a later `--last-failed` reads when no `--report-json` was asked for: the
    /// summary and each scenario's name and verdict, so a run outside CI does not leave a
    /// copy of every transcript behind.
    pub fn brief(report: &'a RunReport) -> Self {
        JsonReport {
            version: JSON_REPORT_VERSION,
            summary: summary(report),
            coverage: None,
            scenarios: report
                .outcomes
                .iter()
                .map(|o| ScenarioEntry::Brief {
                    name: &o.name,
                    verdict: o.verdict,
                })
                .collect(),
        }
    }
}

fn summary(report: &RunReport) -> Value {
    let drifts: serde_json::Map<String, Value> = RiskClass::ALL
        .iter()
        .map(|c| (c.name().to_owned(), json!(report.drifts(*c))))
        .collect();
    json!({
        "scenarios": report.outcomes.len() + report.not_run.len(),
        "passed": report.count(Verdict::Passed),
        "failed": report.count(Verdict::Failed),
        "errored": report.count(Verdict::Error),
        "interrupted": report.count(Verdict::Interrupted),
        "skipped": report.count(Verdict::Skipped),
        "run_interrupted": report.interrupted,
        "latency": report.latency(),
        "not_run": report.not_run.iter().map(|n| &n.name).collect::<Vec<_>>(),
        "golden": {
            "compared": report.compared(),
            "notice": report.golden_notice,
            "fail_on": report.fail_on,
            "drifts": drifts,
            "pending": report.pending,
            "unreferenced": report.unreferenced.iter().map(|(kind, path)| json!({"kind": kind, "path": path})).collect::<Vec<_>>(),
        },
    })
}

/// The names of the scenarios that failed or errored in a JSON report (for `--last-failed`),
/// or why `text` is not one.
pub fn failed_in_report(text: &str) -> Result<BTreeSet<String>, String> {
    let report: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let scenarios = report
        .get("scenarios")
        .and_then(Value::as_array)
        .ok_or_else(|| "no `scenarios` list: not a gws-contract JSON report".to_owned())?;
    Ok(scenarios
        .iter()
        .filter(|s| matches!(s.get("verdict").and_then(Value::as_str), Some("failed" | "error")))
        .filter_map(|s| s.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect())
}

/// `--report-json FILE`.
pub struct JsonSink {
    file: ReportFile,
    brief: bool,
}

impl JsonSink {
    /// A sink writing to `file` (already checked).
    pub fn new(file: ReportFile) -> Self {
        JsonSink { file, brief: false }
    }

    /// The last-run record for `--last-failed` (see [`JsonReport::brief`]).
    pub fn last_run(file: ReportFile) -> Self {
        JsonSink { file, brief: true }
    }
}

impl Sink for JsonSink {
    fn event(&mut self, _event: ReportEvent<'_>) {}

    fn finish(&mut self, report: &RunReport) -> Result<(), SinkError> {
        let json = if self.brief {
            JsonReport::brief(report)
        } else {
            JsonReport::full(report)
        };
        let mut text = serde_json::to_string_pretty(&json).map_err(|e| SinkError::Write {
            what: "JSON report",
            path: self.file.path().to_path_buf(),
            reason: e.to_string(),
        })?;
        text.push('\n');
        self.file.write(text.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_failures_of_a_report_are_its_failed_and_errored_scenarios() {
        let text = r#"{"version": 2, "scenarios": [
            {"name": "a", "verdict": "passed"},
            {"name": "b", "verdict": "failed"},
            {"name": "c", "verdict": "error"}
        ]}"#;
        let failed: Vec<String> = failed_in_report(text).expect("a report").into_iter().collect();
        assert_eq!(failed, ["b", "c"]);
        assert!(failed_in_report("{}").is_err());
        assert!(failed_in_report("not json").is_err());
    }
}
