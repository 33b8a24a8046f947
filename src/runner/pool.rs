//! Running many scenarios, `jobs` at a time. Each finished scenario is reported at once as a
//! [`RunEvent::ScenarioObserved`]; the transcripts come back in input order.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Semaphore, watch};

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

/// Steers a running suite from outside: stop starting scenarios (fail-fast), or interrupt the
/// running ones too (Ctrl-C), which then tear down what they set up and end as interrupted.
#[derive(Debug, Clone)]
pub struct RunControl {
    stop: Arc<AtomicBool>,
    interrupt: Arc<watch::Sender<bool>>,
}

impl Default for RunControl {
    fn default() -> Self {
        RunControl {
            stop: Arc::new(AtomicBool::new(false)),
            interrupt: Arc::new(watch::channel(false).0),
        }
    }
}

impl RunControl {
    /// Interrupts the run: no more scenarios start, and running ones stop at once, tear down
    /// their states (bounded) and end as interrupted.
    pub fn interrupt(&self) {
        self.stop_starting();
        self.interrupt.send_replace(true);
    }

    /// Whether [`RunControl::interrupt`] was called.
    pub fn is_interrupted(&self) -> bool {
        *self.interrupt.borrow()
    }

    /// Resolves when the run is interrupted.
    pub async fn interrupted(&self) {
        let mut rx = self.interrupt.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = rx.wait_for(|interrupted| *interrupted).await;
    }

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
        let permits = Arc::clone(&permits);
        let target = Arc::clone(&target);
        let events = Arc::clone(&events);
        let control = control.clone();
        handles.push(tokio::spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = permits.acquire_owned().await;
            if control.stopping() {
                return None;
            }
            events(&RunEvent::ScenarioStarted {
                index,
                name: job.loaded.name.clone(),
            });
            let transcript =
                Arc::new(run_scenario(&job.loaded, target, &job.plan, index, &events, &control).await);
            events(&RunEvent::ScenarioObserved {
                index,
                transcript: Arc::clone(&transcript),
            });
            Some(transcript)
        }));
    }
    let mut transcripts = Vec::with_capacity(handles.len());
    for handle in handles {
        // A scenario task only fails by panicking; its scenario then has no transcript and
        // the caller reports it as not run.
        transcripts.push(handle.await.ok().flatten());
    }
    transcripts
}
