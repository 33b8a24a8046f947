//! `record`: run the scenarios `runs` times (a fresh embedded server each time), learn what
//! varies between runs, and write one canonical golden per scenario, atomically. Scenarios
//! whose inline expectations fail are still recorded (and say so); scenarios that could not
//! run to the end are not.

use std::path::PathBuf;
use std::sync::Arc;

use super::SuiteError;
use super::endpoint::Endpoint;
use crate::golden::{
    GoldenStore, Learned, Recordings, Rule, Rules, captured_vars, document, learn, observed_counts,
    symbolize, to_canonical_json,
};
use crate::runner::{EventSink, Job, Purpose, RunControl, RunOptions, ScenarioPlan, Transcript, run_all};
use crate::scenario::LoadedScenario;
use crate::verdict::{GoldenInput, ScenarioOutcome, judge};

/// How `record` runs.
#[derive(Debug, Clone)]
pub struct RecordSettings {
    /// Scenarios at once.
    pub jobs: usize,
    /// Timeouts.
    pub options: RunOptions,
    /// Where the goldens go.
    pub store: GoldenStore,
    /// How many times to record (at least 1; 2 or more finds volatile values).
    pub runs: usize,
    /// Write proposed rules into `rules.yaml` instead of `rules.yaml.new`.
    pub accept_rules: bool,
}

/// What happened to one golden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoldenChange {
    /// There was none.
    Created,
    /// It changed.
    Changed {
        /// The text it had.
        old: String,
        /// The text it has now.
        new: String,
    },
    /// It is byte-identical.
    Unchanged,
    /// Not written: the scenario did not run to its end (in the run named).
    NotRecorded {
        /// Why.
        reason: String,
    },
}

/// One scenario's recording.
#[derive(Debug, Clone)]
pub struct RecordedGolden {
    /// The golden file.
    pub path: PathBuf,
    /// What happened to it.
    pub change: GoldenChange,
    /// The inline verdict of the first run.
    pub outcome: ScenarioOutcome,
}

/// What `record` did.
#[derive(Debug, Clone)]
pub struct RecordReport {
    /// Per scenario, in input order.
    pub goldens: Vec<RecordedGolden>,
    /// Scenarios that never started (the run was stopped).
    pub not_run: Vec<String>,
    /// Rules proposed by comparing the runs.
    pub proposals: Vec<Rule>,
    /// Where the proposals were written (`rules.yaml.new`, or `rules.yaml` with
    /// `--accept-rules`).
    pub rules_written: Option<PathBuf>,
    /// Per scenario, places where the runs differed in structure (no rule can fix those).
    pub unstable: Vec<(String, Vec<String>)>,
    /// How many runs were recorded.
    pub runs: usize,
}

/// Records `scenarios` against `endpoint`.
pub async fn record(
    scenarios: Vec<LoadedScenario>,
    endpoint: &Endpoint,
    settings: &RecordSettings,
    events: EventSink,
    control: RunControl,
) -> Result<RecordReport, SuiteError> {
    let scenarios: Vec<Arc<LoadedScenario>> = scenarios.into_iter().map(Arc::new).collect();
    let rules = settings.store.load_rules()?;
    let mut paths = Vec::with_capacity(scenarios.len());
    let mut plans = Vec::with_capacity(scenarios.len());
    for loaded in &scenarios {
        let path = settings.store.path_for(&loaded.path);
        let existing = settings.store.load(&path)?;
        plans.push(ScenarioPlan::derive(
            loaded,
            &settings.options,
            existing.as_ref().map(observed_counts).as_ref(),
            Purpose::Record,
        ));
        paths.push(path);
    }
    let runs = settings.runs.max(1);
    let mut all_runs: Vec<Vec<Option<Arc<Transcript>>>> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let opened = endpoint.open().await?;
        let jobs = scenarios
            .iter()
            .zip(&plans)
            .map(|(loaded, plan)| Job {
                loaded: Arc::clone(loaded),
                plan: plan.clone(),
            })
            .collect();
        let transcripts = run_all(
            jobs,
            Arc::clone(&opened.target),
            settings.jobs,
            Arc::clone(&events),
            control.clone(),
        )
        .await;
        opened.close().await;
        all_runs.push(transcripts);
        if control.stopping() {
            break;
        }
    }
    let recordings: Vec<Recordings> = scenarios
        .iter()
        .enumerate()
        .filter_map(|(i, loaded)| {
            let complete: Option<Vec<_>> = all_runs
                .iter()
                .map(|run| run[i].as_ref().filter(|t| t.stop.is_none()))
                .collect();
            let complete = complete?;
            Some(Recordings {
                scenario: loaded.name.clone(),
                runs: complete.iter().map(|t| (document(t), captured_vars(t))).collect(),
            })
        })
        .collect();
    let Learned { proposals, unstable } = learn(&recordings, &rules);
    let effective = Rules {
        rules: rules.rules.iter().chain(&proposals).cloned().collect(),
    };
    let mut report = RecordReport {
        goldens: Vec::new(),
        not_run: Vec::new(),
        proposals: proposals.clone(),
        rules_written: None,
        unstable: unstable.into_iter().collect(),
        runs: all_runs.len(),
    };
    for (i, loaded) in scenarios.iter().enumerate() {
        let Some(first) = all_runs.first().and_then(|run| run[i].clone()) else {
            report.not_run.push(loaded.name.clone());
            continue;
        };
        let outcome = judge(
            loaded,
            Arc::clone(&first),
            GoldenInput::NotConfigured,
            crate::golden::RiskClass::High,
        );
        let failed_run =
            all_runs
                .iter()
                .enumerate()
                .find_map(|(n, run)| match run[i].as_ref().map(|t| t.stop.as_ref()) {
                    None => Some(format!("run {} did not start it", n + 1)),
                    Some(Some(stop)) => Some(format!("run {}: {}", n + 1, stop_reason(stop))),
                    Some(None) => None,
                });
        let change = match failed_run {
            Some(reason) => GoldenChange::NotRecorded { reason },
            None => {
                let golden = symbolize(&document(&first), &captured_vars(&first), &effective);
                let text = to_canonical_json(&golden);
                let old = std::fs::read_to_string(&paths[i]).ok();
                match old {
                    Some(old) if old == text => GoldenChange::Unchanged,
                    old => {
                        settings.store.write(&paths[i], &golden)?;
                        match old {
                            None => GoldenChange::Created,
                            Some(old) => GoldenChange::Changed { old, new: text },
                        }
                    }
                }
            }
        };
        report.goldens.push(RecordedGolden {
            path: paths[i].clone(),
            change,
            outcome,
        });
    }
    if !proposals.is_empty() {
        report.rules_written = Some(if settings.accept_rules {
            settings.store.write_rules(&effective)?;
            settings.store.rules_path()
        } else {
            settings.store.write_pending_rules(&effective)?
        });
    }
    Ok(report)
}

fn stop_reason(stop: &crate::runner::Stop) -> String {
    match stop {
        crate::runner::Stop::Error { error } => error.to_string(),
        crate::runner::Stop::Interrupted => "interrupted".to_owned(),
        crate::runner::Stop::Unmet { requirements } => {
            let names: Vec<&str> = requirements.iter().map(|r| r.name()).collect();
            format!(
                "it requires {}, which the target does not enable",
                names.join(", ")
            )
        }
        crate::runner::Stop::Skipped { step, undefined, .. } => format!(
            "step {} and the ones after it did not run (undefined: {})",
            step.number,
            undefined.join(", ")
        ),
    }
}
