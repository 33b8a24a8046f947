//! Running many scenarios, `jobs` at a time. Each finished scenario is reported at once as a
//! [`RunEvent::ScenarioObserved`]; the transcripts come back in input order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Semaphore;

use super::event::{EventSink, RunEvent};
use super::exec::run_scenario;
use super::plan::ScenarioPlan;
use super::transcript::Transcript;
use crate::scenario::LoadedScenario;
use crate::target::Target;

/// One scenario to run, with its wait plan.
#[derive(Debug, Clone)]
pub struct Job {
    /// The scenario.
    pub loaded: Arc<LoadedScenario>,
    /// How it waits.
    pub plan: ScenarioPlan,
}

/// Stops a run from starting more scenarios (fail-fast, Ctrl-C); running ones finish.
#[derive(Debug, Clone, Default)]
pub struct RunControl {
    stop: Arc<AtomicBool>,
}

impl RunControl {
    /// Asks the run to start no more scenarios.
    pub fn stop_starting(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether [`RunControl::stop_starting`] was called.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// Runs `jobs` with at most `concurrency` at once. A scenario that was never started (the run
/// was stopped first) has no transcript.
pub async fn run_all(
    jobs: Vec<Job>,
    target: Arc<Target>,
    concurrency: usize,
    events: EventSink,
    control: RunControl,
) -> Vec<Option<Arc<Transcript>>> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut handles = Vec::with_capacity(jobs.len());
    for (index, job) in jobs.into_iter().enumerate() {
        // Permits are taken here, in input order, not inside the tasks: the runtime may poll
        // spawned tasks in any order, and scenarios must start in the order given (so that
        // `--jobs 1` is sequential and a stop holds for every later scenario).
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            handles.push(None);
            continue;
        };
        if control.stopping() {
            handles.push(None);
            continue;
        }
        let target = Arc::clone(&target);
        let events = Arc::clone(&events);
        handles.push(Some(tokio::spawn(async move {
            let _permit = permit;
            events(&RunEvent::ScenarioStarted {
                index,
                name: job.loaded.name.clone(),
            });
            let transcript = Arc::new(run_scenario(&job.loaded, target, &job.plan, index, &events).await);
            events(&RunEvent::ScenarioObserved {
                index,
                transcript: Arc::clone(&transcript),
            });
            transcript
        })));
    }
    let mut transcripts = Vec::with_capacity(handles.len());
    for handle in handles {
        // A scenario task only fails by panicking; its scenario then has no transcript and
        // the caller reports it as not run.
        transcripts.push(match handle {
            Some(handle) => handle.await.ok(),
            None => None,
        });
    }
    transcripts
}
