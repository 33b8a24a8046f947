//! Running many scenarios, `jobs` at a time, returning outcomes in input order.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::event::RunEvent;
use super::exec::{RunOptions, run_scenario};
use super::outcome::ScenarioOutcome;
use crate::scenario::LoadedScenario;
use crate::target::Target;

/// The outcome of a whole run, in the order the scenarios were given.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// One outcome per scenario.
    pub scenarios: Vec<ScenarioOutcome>,
}

/// Runs `scenarios` with at most `jobs` at once, calling `on_event` as they start and finish.
pub async fn run_all(
    scenarios: Vec<LoadedScenario>,
    target: Arc<Target>,
    options: RunOptions,
    jobs: usize,
    on_event: Arc<dyn Fn(&RunEvent) + Send + Sync>,
) -> RunOutcome {
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let options = Arc::new(options);
    let mut handles = Vec::with_capacity(scenarios.len());
    let mut identities = Vec::with_capacity(scenarios.len());
    for (index, loaded) in scenarios.into_iter().enumerate() {
        identities.push((loaded.name.clone(), loaded.path.clone()));
        let permits = Arc::clone(&permits);
        let target = Arc::clone(&target);
        let options = Arc::clone(&options);
        let on_event = Arc::clone(&on_event);
        handles.push(tokio::spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = permits.acquire_owned().await;
            on_event(&RunEvent::ScenarioStarted {
                index,
                name: loaded.name.clone(),
            });
            let outcome = run_scenario(&loaded, target, &options).await;
            on_event(&RunEvent::ScenarioFinished {
                index,
                outcome: Box::new(outcome.clone()),
            });
            outcome
        }));
    }
    let mut outcomes = Vec::with_capacity(handles.len());
    for (handle, (name, file)) in handles.into_iter().zip(identities) {
        match handle.await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => outcomes.push(ScenarioOutcome {
                name,
                file,
                verdict: super::Verdict::Error,
                duration_ms: 0,
                vars: Default::default(),
                steps: Vec::new(),
                failures: Vec::new(),
                notes: Vec::new(),
                error: Some(super::RunError::target(format!(
                    "internal error: scenario task failed: {e}"
                ))),
            }),
        }
    }
    RunOutcome { scenarios: outcomes }
}
