//! The terminal sink: one block per scenario as soon as every earlier one has been printed (so
//! the report is in input order, stable between runs, however parallel jobs finish), then the
//! summary.

use std::io::Write;
use std::sync::PoisonError;

use super::sink::{ReportEvent, RunReport, SharedWriter, Sink, SinkError};
use super::terminal::{render_failure_details, render_passing_details, render_scenario_line};
use crate::golden::RiskClass;
use crate::verdict::{ScenarioOutcome, Verdict};

/// Prints scenarios in input order and the summary.
pub struct TerminalSink {
    out: SharedWriter,
    pending: Vec<Option<Box<ScenarioOutcome>>>,
    next: usize,
}

impl TerminalSink {
    /// A sink for a run of `count` scenarios, writing to `out`.
    pub fn new(out: SharedWriter, count: usize) -> Self {
        TerminalSink {
            out,
            pending: vec![None; count],
            next: 0,
        }
    }

    fn flush_ready(&mut self) {
        let mut w = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        while let Some(Some(outcome)) = self.pending.get_mut(self.next).map(Option::take) {
            let _ = render_scenario_line(&mut *w, &outcome);
            let _ = if outcome.verdict == Verdict::Passed {
                render_passing_details(&mut *w, &outcome)
            } else {
                render_failure_details(&mut *w, &outcome)
            };
            let _ = w.flush();
            self.next += 1;
        }
    }
}

impl Sink for TerminalSink {
    fn event(&mut self, event: ReportEvent<'_>) {
        if let ReportEvent::ScenarioFinished { index, outcome } = event {
            if let Some(slot) = self.pending.get_mut(index) {
                *slot = Some(Box::new(outcome.clone()));
            }
            self.flush_ready();
        }
    }

    fn finish(&mut self, report: &RunReport) -> Result<(), SinkError> {
        // Scenarios that never started leave holes; print whatever is left in order.
        self.next = self.pending.len();
        let mut w = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(coverage) = &report.coverage {
            let _ = super::coverage::render_coverage(&mut *w, coverage);
        }
        let _ = render_summary(&mut *w, report);
        let _ = w.flush();
        Ok(())
    }
}

/// The summary: verdict counts, goldens and drifts, pending files, unreferenced files.
pub fn render_summary(w: &mut dyn Write, report: &RunReport) -> std::io::Result<()> {
    let total = report.outcomes.len() + report.not_run.len();
    write!(
        w,
        "{total} scenario(s): {} passed, {} failed, {} errored",
        report.count(Verdict::Passed),
        report.count(Verdict::Failed),
        report.count(Verdict::Error)
    )?;
    let interrupted = report.count(Verdict::Interrupted);
    if interrupted > 0 {
        write!(w, ", {interrupted} interrupted")?;
    }
    let skipped = report.count(Verdict::Skipped);
    if skipped > 0 {
        write!(w, ", {skipped} skipped")?;
    }
    if !report.not_run.is_empty() {
        write!(w, ", {} not run", report.not_run.len())?;
    }
    if report.interrupted {
        write!(w, "; the run was interrupted (Ctrl-C)")?;
    }
    writeln!(w)?;
    let dir = report
        .golden_dir
        .as_ref()
        .map_or_else(|| "the golden directory".to_owned(), |d| d.display().to_string());
    if let Some(notice) = &report.golden_notice {
        writeln!(w, "goldens: {notice}")?;
    } else if report.compared() > 0 {
        let counts: Vec<String> = RiskClass::ALL
            .iter()
            .map(|c| format!("{} {}", report.drifts(*c), c.name()))
            .collect();
        write!(w, "goldens: {} compared", report.compared())?;
        if report.without_golden() > 0 {
            write!(w, ", {} without one in {dir}", report.without_golden())?;
        }
        write!(w, "; drifts: {}", counts.join(", "))?;
        if let Some(class) = report.fail_on {
            write!(w, " (failing on {} and above)", class.name())?;
        }
        writeln!(w)?;
    } else if report.without_golden() > 0 {
        writeln!(
            w,
            "goldens: none of these scenarios has one in {dir}; checked the inline contract only \
             (`gws-contract record` writes them)"
        )?;
    }
    for (kind, path) in &report.unreferenced {
        let what = match kind {
            super::sink::Unreferenced::GoldenWithoutScenario => "golden without a scenario",
            super::sink::Unreferenced::ScenarioWithoutGolden => "scenario without a golden",
        };
        writeln!(w, "unreferenced: {what}: {}", path.display())?;
    }
    if !report.pending.is_empty() {
        writeln!(
            w,
            "wrote {} pending golden(s) for review; `gws-contract accept` promotes them:",
            report.pending.len()
        )?;
        for path in &report.pending {
            writeln!(w, "  {}", path.display())?;
        }
    }
    Ok(())
}
