//! The terminal sink: one block per scenario as soon as every earlier one has been printed (so
//! the report is in input order, stable between runs, however parallel jobs finish), then the
//! summary. How much it says follows [`Verbosity`].

use std::io::Write;
use std::sync::PoisonError;

use indicatif::ProgressBar;

use super::sink::{ReportEvent, RunReport, SharedWriter, Sink, SinkError};
use super::steps::render_steps;
use super::style::{ERROR, FAIL, PASS, WARN};
use super::terminal::{render_failure_details, render_passing_details, render_scenario_line};
use crate::golden::RiskClass;
use crate::scenario::LoadedScenario;
use crate::verdict::{ScenarioOutcome, Verdict};

/// How much the terminal report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    /// The summary only (`-q`).
    Quiet,
    /// A line per scenario, details of failures, notes and drifts.
    #[default]
    Normal,
    /// Also a line per step with its timing and notification counts (`-v`).
    Steps,
    /// Also every HTTP exchange and notification per actor, with timestamps (`-vv`).
    Wire,
}

/// Prints scenarios in input order and the summary.
pub struct TerminalSink {
    out: SharedWriter,
    verbosity: Verbosity,
    progress: Option<ProgressBar>,
    pending: Vec<Option<Box<ScenarioOutcome>>>,
    next: usize,
}

impl TerminalSink {
    /// A sink for a run of `count` scenarios, writing to `out`.
    pub fn new(out: SharedWriter, count: usize) -> Self {
        TerminalSink {
            out,
            verbosity: Verbosity::Normal,
            progress: None,
            pending: vec![None; count],
            next: 0,
        }
    }

    /// Says as much as `verbosity` asks for.
    pub fn with_verbosity(mut self, verbosity: Verbosity) -> Self {
        self.verbosity = verbosity;
        self
    }

    /// Hides `bar` while printing, so the report and the bar do not garble each other.
    pub fn with_progress(mut self, bar: Option<ProgressBar>) -> Self {
        self.progress = bar;
        self
    }

    fn flush_ready(&mut self) {
        while let Some(Some(outcome)) = self.pending.get_mut(self.next).map(Option::take) {
            self.print(&outcome);
            self.next += 1;
        }
    }

    fn print(&self, outcome: &ScenarioOutcome) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let mut text = Vec::new();
        let _ = render_scenario(&mut text, outcome, self.verbosity);
        let write = || {
            let mut w = self.out.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = w.write_all(&text);
            let _ = w.flush();
        };
        match &self.progress {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}

/// A scenario's whole block: its line, with `-v` its steps, then failures, drifts and notes.
pub fn render_scenario(
    w: &mut dyn Write,
    outcome: &ScenarioOutcome,
    verbosity: Verbosity,
) -> std::io::Result<()> {
    render_scenario_line(w, outcome)?;
    if verbosity >= Verbosity::Steps {
        render_steps(w, &outcome.transcript, verbosity == Verbosity::Wire)?;
    }
    if outcome.verdict == Verdict::Passed {
        render_passing_details(w, outcome)
    } else {
        render_failure_details(w, outcome)
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
        // Scenarios that never started leave holes; print whatever is left, in order.
        for outcome in std::mem::take(&mut self.pending).into_iter().flatten() {
            self.print(&outcome);
        }
        let mut w = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        if self.verbosity != Verbosity::Quiet {
            for skipped in &report.not_run {
                let _ = writeln!(
                    w,
                    "{WARN}SKIP {WARN:#} {} ({}, not run)",
                    skipped.name,
                    skipped.file.display()
                );
            }
        }
        if let Some(coverage) = &report.coverage {
            let _ = super::coverage::render_coverage(&mut *w, coverage);
        }
        let _ = render_summary(&mut *w, report);
        let _ = w.flush();
        Ok(())
    }
}

/// `verify --list`: the scenarios a run would take, one `name (file)` line each, in run order.
pub fn render_list(w: &mut dyn Write, scenarios: &[LoadedScenario]) -> std::io::Result<()> {
    for loaded in scenarios {
        writeln!(w, "{} ({})", loaded.name, loaded.path.display())?;
    }
    Ok(())
}

/// `verify --last-failed` after a run without failures.
pub fn render_nothing_to_rerun(w: &mut dyn Write, previous: &std::path::Path) -> std::io::Result<()> {
    writeln!(
        w,
        "--last-failed: the previous run ({}) recorded no failures; nothing to re-run",
        previous.display()
    )
}

/// The summary: verdict counts, goldens and drifts, pending files, unreferenced files.
pub fn render_summary(w: &mut dyn Write, report: &RunReport) -> std::io::Result<()> {
    let total = report.outcomes.len() + report.not_run.len();
    let counted = |n: usize, style: anstyle::Style| if n > 0 { style } else { anstyle::Style::new() };
    let (passed, failed, errored) = (
        report.count(Verdict::Passed),
        report.count(Verdict::Failed),
        report.count(Verdict::Error),
    );
    let (p, f, e) = (
        counted(passed, PASS),
        counted(failed, FAIL),
        counted(errored, ERROR),
    );
    write!(
        w,
        "{total} scenario(s): {p}{passed} passed{p:#}, {f}{failed} failed{f:#}, {e}{errored} errored{e:#}"
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
        write!(w, ", {WARN}{} not run{WARN:#}", report.not_run.len())?;
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
    if let Some(latency) = report.latency() {
        writeln!(
            w,
            "latency: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} notification(s), from each step's request",
            latency.p50_ms, latency.p95_ms, latency.max_ms, latency.notifications
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
