//! The report pipeline: a run feeds [`ReportEvent`]s to every [`Sink`] (terminal, JSON, ...),
//! then hands each its [`RunReport`] to finish with. File sinks share one [`ReportFile`]: its
//! path is checked before anything runs (missing directories are created; a path that cannot
//! be written is an error at once) and it is written atomically, also when scenarios fail or
//! error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::atomic::Destination;
use crate::golden::{GoldenCheck, RiskClass};
use crate::runner::RunEvent;
use crate::verdict::{Coverage, ScenarioOutcome, Verdict};

/// A writer shared between a run and its live reporter.
pub type SharedWriter = Arc<Mutex<dyn Write + Send>>;

/// Something a sink hears about while a run goes on.
#[derive(Debug, Clone, Copy)]
pub enum ReportEvent<'a> {
    /// The runner observed something (scenario started, notification, step done, ...).
    Run(&'a RunEvent),
    /// A scenario was judged.
    ScenarioFinished {
        /// Its position in the run.
        index: usize,
        /// The outcome.
        outcome: &'a ScenarioOutcome,
    },
}

/// Everything about a finished run, for the summary and for file reports.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Outcomes in input order (scenarios that never started are in `not_run`).
    pub outcomes: Vec<ScenarioOutcome>,
    /// Scenarios that did not run (the run was stopped first, e.g. by `--fail-fast`).
    pub not_run: Vec<NotRun>,
    /// Why goldens were not used, when they were not (one line for the summary).
    pub golden_notice: Option<String>,
    /// The golden directory, when one applies.
    pub golden_dir: Option<PathBuf>,
    /// The class at and above which drifts fail the run.
    pub fail_on: Option<RiskClass>,
    /// Pending files written for review.
    pub pending: Vec<PathBuf>,
    /// Goldens without scenarios and scenarios without goldens, as (kind, path).
    pub unreferenced: Vec<(Unreferenced, PathBuf)>,
    /// Operations × states exercised and notification types asserted (`--coverage`).
    pub coverage: Option<Coverage>,
    /// The run was interrupted (Ctrl-C): what is reported is what ran until then.
    pub interrupted: bool,
}

/// A scenario that did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRun {
    /// Its name.
    pub name: String,
    /// Its file.
    pub file: PathBuf,
}

/// An unreferenced file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unreferenced {
    /// A golden no scenario maps to.
    GoldenWithoutScenario,
    /// A scenario with no golden.
    ScenarioWithoutGolden,
}

impl RunReport {
    /// How many outcomes have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.outcomes.iter().filter(|o| o.verdict == verdict).count()
    }

    /// How many drifts of `class` the run found.
    pub fn drifts(&self, class: RiskClass) -> usize {
        self.outcomes
            .iter()
            .flat_map(|o| &o.drifts)
            .filter(|d| d.class == class)
            .count()
    }

    /// How many scenarios were compared with a golden.
    pub fn compared(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.golden, GoldenCheck::Compared { .. }))
            .count()
    }

    /// The latency of every notification the run received (from the request of the step it
    /// arrived in), summarised; `None` when none arrived.
    pub fn latency(&self) -> Option<Latency> {
        let mut all: Vec<f64> = self
            .outcomes
            .iter()
            .flat_map(|o| &o.transcript.exchanges)
            .flat_map(|e| e.notifications.values().flatten())
            .map(|n| n.at_ms)
            .collect();
        Latency::of(&mut all)
    }

    /// How many scenarios have no golden yet.
    pub fn without_golden(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.golden, GoldenCheck::Missing { .. }))
            .count()
    }
}

/// Notification latency over a run: how long after its step's request each notification
/// arrived.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Latency {
    /// How many notifications.
    pub notifications: usize,
    /// The median, in milliseconds.
    pub p50_ms: f64,
    /// The 95th percentile (nearest rank), in milliseconds.
    pub p95_ms: f64,
    /// The slowest, in milliseconds.
    pub max_ms: f64,
}

impl Latency {
    /// Summarises `samples` (sorted in place); `None` when there are none.
    pub fn of(samples: &mut [f64]) -> Option<Self> {
        samples.sort_by(f64::total_cmp);
        let rank = |p: usize| samples[(samples.len() * p).div_ceil(100).saturating_sub(1)];
        let max_ms = *samples.last()?;
        Some(Latency {
            notifications: samples.len(),
            p50_ms: rank(50),
            p95_ms: rank(95),
            max_ms,
        })
    }
}

/// Why a sink could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The report file cannot be (or could not be) written.
    #[error("cannot write the {what} to {path}: {reason}")]
    Write {
        /// Which report.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// A consumer of a run's events and result.
pub trait Sink: Send {
    /// Called as things happen (from the runner's tasks; keep it cheap).
    fn event(&mut self, event: ReportEvent<'_>);
    /// Called once after the run with its full result.
    fn finish(&mut self, report: &RunReport) -> Result<(), SinkError>;
}

/// A report file: checked before the run, written after it — atomically when it is a regular
/// file (through a symbolic link, the file it names), in place when it is a FIFO or a device,
/// to standard output for `-`.
#[derive(Clone)]
pub struct ReportFile {
    what: &'static str,
    path: PathBuf,
    destination: Destination,
    stdout: SharedWriter,
}

impl std::fmt::Debug for ReportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportFile")
            .field("what", &self.what)
            .field("destination", &self.destination)
            .finish_non_exhaustive()
    }
}

impl ReportFile {
    /// Checks that `path` can be written as the `what` report (creating missing parent
    /// directories), so a run never ends without the report it was asked for. `-` is
    /// `stdout`.
    pub fn prepare(what: &'static str, path: &Path, stdout: &SharedWriter) -> Result<Self, SinkError> {
        let failed = |reason: String| SinkError::Write {
            what,
            path: path.to_path_buf(),
            reason,
        };
        let destination = Destination::resolve(path).map_err(|e| failed(e.to_string()))?;
        let file = ReportFile {
            what,
            path: path.to_path_buf(),
            destination: destination.clone(),
            stdout: Arc::clone(stdout),
        };
        let target = match &destination {
            Destination::File(target) => target,
            // Opening a FIFO would wait for its reader, and a device or stdout needs no
            // directory: they are written as they are when the run ends.
            Destination::InPlace(_) | Destination::Stdout => return Ok(file),
        };
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)
            .map_err(|e| failed(format!("cannot create directory {}: {e}", dir.display())))?;
        // Probe with a temporary file beside it: the real write goes the same way.
        let probe = dir.join(format!(".gws-contract-probe.{}", std::process::id()));
        std::fs::write(&probe, b"")
            .map_err(|e| failed(format!("directory {} is not writable: {e}", dir.display())))?;
        let _ = std::fs::remove_file(&probe);
        Ok(file)
    }

    /// Writes `bytes` where the report goes.
    pub fn write(&self, bytes: &[u8]) -> Result<(), SinkError> {
        let mut stdout = self.stdout.lock().unwrap_or_else(PoisonError::into_inner);
        self.destination
            .write(bytes, &mut *stdout)
            .map_err(|e| SinkError::Write {
                what: self.what,
                path: self.path.clone(),
                reason: e.to_string(),
            })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Runs events into a set of sinks from many tasks.
#[derive(Clone)]
pub struct Sinks(Arc<Mutex<Vec<Box<dyn Sink>>>>);

impl Sinks {
    /// Wraps `sinks`.
    pub fn new(sinks: Vec<Box<dyn Sink>>) -> Self {
        Sinks(Arc::new(Mutex::new(sinks)))
    }

    /// Hands `event` to every sink.
    pub fn event(&self, event: ReportEvent<'_>) {
        let mut sinks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        for sink in sinks.iter_mut() {
            sink.event(event);
        }
    }

    /// Finishes every sink (all of them, even when one fails); the first error is returned.
    pub fn finish(&self, report: &RunReport) -> Result<(), SinkError> {
        let mut sinks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut first = Ok(());
        for sink in sinks.iter_mut() {
            let result = sink.finish(report);
            if first.is_ok() {
                first = result;
            }
        }
        first
    }
}

#[cfg(test)]
mod tests {
    use super::Latency;

    #[test]
    fn latency_percentiles_are_nearest_rank_over_every_sample() {
        let mut samples: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let latency = Latency::of(&mut samples).expect("samples");
        assert_eq!(latency.notifications, 100);
        assert_eq!(
            (latency.p50_ms, latency.p95_ms, latency.max_ms),
            (50.0, 95.0, 100.0)
        );
        let latency = Latency::of(&mut [3.0]).expect("one sample");
        assert_eq!((latency.p50_ms, latency.p95_ms, latency.max_ms), (3.0, 3.0, 3.0));
        let latency = Latency::of(&mut [4.0, 1.0, 2.0]).expect("samples");
        assert_eq!((latency.p50_ms, latency.p95_ms), (2.0, 4.0));
        assert_eq!(Latency::of(&mut []), None);
    }
}
