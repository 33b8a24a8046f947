//! `verify`: run every scenario, judge each transcript against its inline contract and its
//! golden as soon as it finishes, feed the sinks, and — outside CI — leave pending goldens for
//! drifted scenarios. Goldens are never rewritten here.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use super::SuiteError;
use crate::golden::{GoldenCheck, GoldenError, GoldenStore, RiskClass, Rules, observed_counts, record};
use crate::report::{ReportEvent, RunReport, Sinks, Unreferenced};
use crate::runner::{
    EventSink, Job, Purpose, RunControl, RunError, RunEvent, RunOptions, ScenarioPlan, Stop, Transcript,
    run_all,
};
use crate::scenario::LoadedScenario;
use crate::target::Target;
use crate::verdict::{GoldenInput, ScenarioOutcome, Verdict, coverage, judge};

/// What `--unreferenced` does with goldens without scenarios and scenarios without goldens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnreferencedPolicy {
    /// Say nothing.
    Ignore,
    /// List goldens without scenarios in the summary (scenarios without goldens are counted).
    #[default]
    Warn,
    /// List them and fail the run.
    Fail,
}

/// How `verify` runs.
#[derive(Debug, Clone)]
pub struct VerifySettings {
    /// Scenarios at once.
    pub jobs: usize,
    /// Timeouts.
    pub options: RunOptions,
    /// The target's goldens, if it has any.
    pub goldens: Option<GoldenStore>,
    /// Why there are none, when there are none.
    pub golden_notice: Option<String>,
    /// Drifts of this class and above fail the scenario.
    pub fail_on: RiskClass,
    /// Write `<golden>.new` for drifted scenarios (never in CI).
    pub write_pending: bool,
    /// What to do with unreferenced goldens and scenarios.
    pub unreferenced: UnreferencedPolicy,
    /// The scenario directories the run was given (unreferenced goldens are looked for in
    /// their golden counterparts only).
    pub scenario_dirs: Vec<PathBuf>,
    /// Compute operations × states exercised and notification types asserted.
    pub coverage: bool,
}

struct Prepared {
    path: Option<PathBuf>,
    golden: Option<Value>,
}

/// Runs `scenarios` against `target` and reports to `sinks`. The report comes back for the
/// exit code; sinks are finished before it does.
pub async fn verify(
    scenarios: Vec<LoadedScenario>,
    target: Arc<Target>,
    settings: &VerifySettings,
    sinks: Sinks,
    control: RunControl,
) -> Result<RunReport, SuiteError> {
    let scenarios: Vec<Arc<LoadedScenario>> = scenarios.into_iter().map(Arc::new).collect();
    let (prepared, rules) = prepare_goldens(&scenarios, settings)?;
    let jobs = scenarios
        .iter()
        .zip(&prepared)
        .map(|(loaded, p)| Job {
            loaded: Arc::clone(loaded),
            plan: ScenarioPlan::derive(
                loaded,
                &settings.options,
                p.golden.as_ref().map(observed_counts).as_ref(),
                Purpose::Verify,
            ),
        })
        .collect();
    let outcomes: Arc<Mutex<Vec<Option<ScenarioOutcome>>>> =
        Arc::new(Mutex::new(vec![None; scenarios.len()]));
    let events: EventSink = {
        let sinks = sinks.clone();
        let outcomes = Arc::clone(&outcomes);
        let scenarios = scenarios.clone();
        let prepared = Arc::new(prepared);
        let fail_on = settings.fail_on;
        Arc::new(move |event: &RunEvent| {
            sinks.event(ReportEvent::Run(event));
            let RunEvent::ScenarioObserved { index, transcript } = event else {
                return;
            };
            let (Some(loaded), Some(p)) = (scenarios.get(*index), prepared.get(*index)) else {
                return;
            };
            let path = p.path.as_ref().map(|p| p.display().to_string());
            let input = match (&path, &p.golden) {
                (Some(path), Some(golden)) => GoldenInput::Present { path, golden },
                (Some(path), None) => GoldenInput::Missing { path },
                (None, _) => GoldenInput::NotConfigured,
            };
            let outcome = judge(loaded, Arc::clone(transcript), input, fail_on);
            sinks.event(ReportEvent::ScenarioFinished {
                index: *index,
                outcome: &outcome,
            });
            outcomes.lock().unwrap_or_else(PoisonError::into_inner)[*index] = Some(outcome);
        })
    };
    let transcripts = run_all(jobs, Arc::clone(&target), settings.jobs, events, control.clone()).await;
    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap_or_else(PoisonError::into_inner));
    let mut report = RunReport {
        golden_notice: settings.golden_notice.clone(),
        golden_dir: settings.goldens.as_ref().map(|s| s.dir.clone()),
        fail_on: settings.goldens.as_ref().map(|_| settings.fail_on),
        interrupted: control.is_interrupted(),
        ..RunReport::default()
    };
    for ((loaded, outcome), transcript) in scenarios.iter().zip(outcomes).zip(transcripts) {
        match (outcome, transcript) {
            (Some(outcome), _) => report.outcomes.push(outcome),
            // Observed but never judged: the scenario's task failed. Never a pass.
            (None, Some(transcript)) => report.outcomes.push(internal_error(loaded, &transcript)),
            (None, None) => report.not_run.push(loaded.name.clone()),
        }
    }
    if let Some(store) = &settings.goldens {
        if settings.write_pending {
            report.pending = write_pending(store, &rules, &report.outcomes)?;
        }
        report.unreferenced = match settings.unreferenced {
            UnreferencedPolicy::Ignore => Vec::new(),
            // Scenarios without goldens are counted in the summary already.
            UnreferencedPolicy::Warn => unreferenced(store, &scenarios, &settings.scenario_dirs)?
                .into_iter()
                .filter(|(kind, _)| *kind == Unreferenced::GoldenWithoutScenario)
                .collect(),
            UnreferencedPolicy::Fail => unreferenced(store, &scenarios, &settings.scenario_dirs)?,
        };
    }
    if settings.coverage {
        let runs: Vec<(&LoadedScenario, &Transcript)> = scenarios
            .iter()
            .map(AsRef::as_ref)
            .zip(&report.outcomes)
            .filter(|(s, o)| s.name == o.name)
            .map(|(s, o)| (s, o.transcript.as_ref()))
            .collect();
        report.coverage = Some(coverage(&runs));
    }
    sinks.finish(&report)?;
    Ok(report)
}

fn internal_error(loaded: &LoadedScenario, transcript: &Transcript) -> ScenarioOutcome {
    let mut transcript = transcript.clone();
    transcript.stop = Some(Stop::Error {
        error: RunError::target("internal error: the scenario could not be judged"),
    });
    judge(
        loaded,
        Arc::new(transcript),
        GoldenInput::NotConfigured,
        RiskClass::High,
    )
}

/// Reads every scenario's golden (and the rules) before anything runs: a broken golden stops
/// the run at once rather than after it.
fn prepare_goldens(
    scenarios: &[Arc<LoadedScenario>],
    settings: &VerifySettings,
) -> Result<(Vec<Prepared>, Rules), SuiteError> {
    let Some(store) = &settings.goldens else {
        let none = scenarios
            .iter()
            .map(|_| Prepared {
                path: None,
                golden: None,
            })
            .collect();
        return Ok((none, Rules::default()));
    };
    let rules = store.load_rules()?;
    let mut prepared = Vec::with_capacity(scenarios.len());
    let mut errors: Vec<GoldenError> = Vec::new();
    for loaded in scenarios {
        let path = store.path_for(&loaded.path);
        match store.load(&path) {
            Ok(golden) => prepared.push(Prepared {
                path: Some(path),
                golden,
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok((prepared, rules))
    } else {
        Err(SuiteError::Goldens(errors))
    }
}

/// Writes `<golden>.new` for every complete run that drifted from its golden. A scenario
/// without a golden gets none: `record` is how goldens are made.
fn write_pending(
    store: &GoldenStore,
    rules: &Rules,
    outcomes: &[ScenarioOutcome],
) -> Result<Vec<PathBuf>, SuiteError> {
    let mut written = Vec::new();
    for outcome in outcomes {
        if outcome.transcript.stop.is_some()
            || matches!(outcome.verdict, Verdict::Error | Verdict::Interrupted)
        {
            continue;
        }
        let path = match &outcome.golden {
            GoldenCheck::Compared { path } if !outcome.drifts.is_empty() => path,
            _ => continue,
        };
        let candidate = record(&outcome.transcript, rules);
        written.push(store.write_pending(Path::new(path), &candidate)?);
    }
    Ok(written)
}

/// Scenarios without goldens, and goldens below the directories the run was given whose
/// scenarios do not exist.
fn unreferenced(
    store: &GoldenStore,
    scenarios: &[Arc<LoadedScenario>],
    dirs: &[PathBuf],
) -> Result<Vec<(Unreferenced, PathBuf)>, SuiteError> {
    let expected: BTreeSet<PathBuf> = scenarios.iter().map(|s| store.path_for(&s.path)).collect();
    let mut found = Vec::new();
    for path in &expected {
        if !path.is_file() {
            found.push((Unreferenced::ScenarioWithoutGolden, path.clone()));
        }
    }
    for dir in dirs {
        let golden_dir = store.dir.join(below_scenarios(dir));
        for golden in GoldenStore::new(&golden_dir).goldens()? {
            if !expected.contains(&golden) {
                found.push((Unreferenced::GoldenWithoutScenario, golden));
            }
        }
    }
    Ok(found)
}

/// The part of a scenario directory below its `scenarios/` component (all of it if none).
fn below_scenarios(dir: &Path) -> PathBuf {
    let components: Vec<Component<'_>> = dir.components().collect();
    let below = components
        .iter()
        .rposition(|c| c.as_os_str() == "scenarios")
        .map_or(&components[..], |i| &components[i + 1..]);
    below
        .iter()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect()
}
