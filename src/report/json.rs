//! The machine-readable report: every scenario outcome as JSON (the transcript with requests,
//! responses and notifications, failures with their mismatches and patches, drifts, notes),
//! plus a summary. It is the full record behind the terminal report, for CI tooling.

use serde_json::{Value, json};

use super::sink::{ReportEvent, ReportFile, RunReport, Sink, SinkError};
use crate::golden::RiskClass;
use crate::verdict::Verdict;

/// Format version of the JSON report; bump on incompatible changes.
pub const JSON_REPORT_VERSION: u32 = 2;

/// The JSON report of a run.
pub fn json_report(report: &RunReport) -> Value {
    let drifts: serde_json::Map<String, Value> = RiskClass::ALL
        .iter()
        .map(|c| (c.name().to_owned(), json!(report.drifts(*c))))
        .collect();
    json!({
        "version": JSON_REPORT_VERSION,
        "summary": {
            "scenarios": report.outcomes.len() + report.not_run.len(),
            "passed": report.count(Verdict::Passed),
            "failed": report.count(Verdict::Failed),
            "errored": report.count(Verdict::Error),
            "interrupted": report.count(Verdict::Interrupted),
            "skipped": report.count(Verdict::Skipped),
            "run_interrupted": report.interrupted,
            "not_run": report.not_run,
            "golden": {
                "compared": report.compared(),
                "notice": report.golden_notice,
                "fail_on": report.fail_on,
                "drifts": drifts,
                "pending": report.pending,
                "unreferenced": report.unreferenced.iter().map(|(kind, path)| json!({"kind": kind, "path": path})).collect::<Vec<_>>(),
            },
        },
        "coverage": report.coverage,
        "scenarios": report.outcomes,
    })
}

/// `--report-json FILE`.
pub struct JsonSink {
    file: ReportFile,
}

impl JsonSink {
    /// A sink writing to `file` (already checked).
    pub fn new(file: ReportFile) -> Self {
        JsonSink { file }
    }
}

impl Sink for JsonSink {
    fn event(&mut self, _event: ReportEvent<'_>) {}

    fn finish(&mut self, report: &RunReport) -> Result<(), SinkError> {
        let mut text = serde_json::to_string_pretty(&json_report(report)).map_err(|e| SinkError::Write {
            what: "JSON report",
            path: self.file.path().to_path_buf(),
            reason: e.to_string(),
        })?;
        text.push('\n');
        self.file.write(text.as_bytes())
    }
}
