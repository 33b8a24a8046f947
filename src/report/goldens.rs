//! What `record`, `accept` and `compare` print.

use std::io::{self, Write};
use std::path::PathBuf;

use super::diff::text_diff;
use super::drift::render_drift;
use super::terminal::{render_failure_details, render_scenario_line};
use crate::golden::{Comparison, RiskClass, RuleKind, ScenarioComparison};
use crate::suite::{GoldenChange, RecordReport};
use crate::verdict::Verdict;

/// Per scenario: its inline verdict, then created / changed (with the diff) / unchanged /
/// not recorded; then proposed rules and anything unstable between runs.
pub fn render_recorded(w: &mut dyn Write, report: &RecordReport) -> io::Result<()> {
    let mut counts = [0usize; 4];
    for golden in &report.goldens {
        render_scenario_line(w, &golden.outcome)?;
        if golden.outcome.verdict != Verdict::Passed {
            render_failure_details(w, &golden.outcome)?;
        }
        let path = golden.path.display();
        match &golden.change {
            GoldenChange::Created => {
                counts[0] += 1;
                writeln!(w, "  created   {path}")?;
            }
            GoldenChange::Changed { old, new } => {
                counts[1] += 1;
                writeln!(w, "  changed   {path}")?;
                for line in text_diff(old, new, "golden", "recorded").lines() {
                    writeln!(w, "    {line}")?;
                }
            }
            GoldenChange::Unchanged => {
                counts[2] += 1;
                writeln!(w, "  unchanged {path}")?;
            }
            GoldenChange::NotRecorded { reason } => {
                counts[3] += 1;
                writeln!(w, "  not recorded {path}: {reason}")?;
            }
        }
    }
    for name in &report.not_run {
        writeln!(w, "NOT RUN {name}")?;
    }
    for (scenario, pointers) in &report.unstable {
        writeln!(
            w,
            "warning: {scenario}: the target answered differently between runs at {} (no rule can hide that; the first run was recorded)",
            pointers.join(", ")
        )?;
    }
    if !report.proposals.is_empty() {
        writeln!(
            w,
            "{} rule(s) proposed from {} runs:",
            report.proposals.len(),
            report.runs
        )?;
        for rule in &report.proposals {
            let kind = match rule.kind {
                RuleKind::Id => "id",
                RuleKind::Volatile => "volatile",
            };
            writeln!(
                w,
                "  {kind:<8} {} (seen in {})",
                rule.path,
                rule.scenarios.join(", ")
            )?;
        }
        if let Some(path) = &report.rules_written {
            writeln!(
                w,
                "  written to {}; review it, then `gws-contract accept`",
                path.display()
            )?;
        }
    }
    let failed = report
        .goldens
        .iter()
        .filter(|g| matches!(g.outcome.verdict, Verdict::Failed | Verdict::Error))
        .count();
    writeln!(
        w,
        "{} golden(s): {} created, {} changed, {} unchanged, {} not recorded; {} scenario(s) failed their inline expectations",
        report.goldens.len(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        failed
    )
}

/// `accepted golden/x.json` per promoted file, or a line saying there was nothing.
pub fn render_accepted(w: &mut dyn Write, accepted: &[PathBuf]) -> io::Result<()> {
    if accepted.is_empty() {
        return writeln!(w, "nothing to accept: no pending files for these scenarios");
    }
    for path in accepted {
        writeln!(w, "accepted {}", path.display())?;
    }
    writeln!(w, "{} file(s) accepted", accepted.len())
}

/// Per golden: identical, only in one directory, or each drift of B from A.
pub fn render_compare(w: &mut dyn Write, comparison: &Comparison) -> io::Result<()> {
    let (a, b) = (comparison.a.display(), comparison.b.display());
    let mut differing = 0;
    for (path, result) in &comparison.scenarios {
        let path = path.display();
        match result {
            ScenarioComparison::OnlyInA => {
                differing += 1;
                writeln!(w, "ONLY  {path}: only in {a}")?;
            }
            ScenarioComparison::OnlyInB => {
                differing += 1;
                writeln!(w, "ONLY  {path}: only in {b}")?;
            }
            ScenarioComparison::Compared { drifts } if drifts.is_empty() => writeln!(w, "SAME  {path}")?,
            ScenarioComparison::Compared { drifts } => {
                differing += 1;
                let counts: Vec<String> = RiskClass::ALL
                    .iter()
                    .map(|c| (c, drifts.iter().filter(|d| d.class == *c).count()))
                    .filter(|(_, n)| *n > 0)
                    .map(|(c, n)| format!("{n} {}", c.name()))
                    .collect();
                writeln!(w, "DIFF  {path} ({})", counts.join(", "))?;
                for drift in drifts {
                    render_drift(w, drift)?;
                }
            }
        }
    }
    writeln!(
        w,
        "{} golden(s) compared ({a} → {b}): {differing} differ",
        comparison.scenarios.len()
    )
}
