//! Running scenarios against their inline contract only, without goldens or sinks: the entry
//! point for embedding the harness and for tests.

use std::sync::Arc;

use crate::golden::RiskClass;
use crate::runner::{Job, Purpose, RunControl, RunOptions, ScenarioPlan, no_events, run_all, run_scenario};
use crate::scenario::LoadedScenario;
use crate::target::Target;
use crate::verdict::{GoldenInput, ScenarioOutcome, judge};

/// Runs one scenario and judges it against its inline contract only (no goldens, no sinks):
/// the entry point for embedding the harness and for tests.
pub async fn run_inline(
    loaded: &LoadedScenario,
    target: Arc<Target>,
    options: &RunOptions,
) -> ScenarioOutcome {
    let plan = ScenarioPlan::derive(loaded, options, None, Purpose::Verify);
    let transcript = run_scenario(loaded, target, &plan, 0, &no_events(), &RunControl::default()).await;
    judge(
        loaded,
        Arc::new(transcript),
        GoldenInput::NotConfigured,
        RiskClass::High,
    )
}

/// Runs `scenarios`, `jobs` at a time, each judged against its inline contract only; outcomes
/// in input order (a scenario whose task failed is an error outcome, never a pass).
pub async fn run_inline_all(
    scenarios: Vec<LoadedScenario>,
    target: Arc<Target>,
    options: &RunOptions,
    jobs: usize,
) -> Vec<ScenarioOutcome> {
    let scenarios: Vec<Arc<LoadedScenario>> = scenarios.into_iter().map(Arc::new).collect();
    let work = scenarios
        .iter()
        .map(|loaded| Job {
            loaded: Arc::clone(loaded),
            plan: ScenarioPlan::derive(loaded, options, None, Purpose::Verify),
        })
        .collect();
    let transcripts = run_all(work, target, jobs, no_events(), RunControl::default()).await;
    scenarios
        .iter()
        .zip(transcripts)
        .map(|(loaded, transcript)| {
            let transcript = transcript.unwrap_or_else(|| {
                Arc::new(crate::runner::Transcript::not_run(
                    loaded,
                    "internal error: the scenario's task failed",
                ))
            });
            judge(loaded, transcript, GoldenInput::NotConfigured, RiskClass::High)
        })
        .collect()
}
