//! Running many scenarios, `jobs` at a time, in job slots that keep their actors' sessions
//! across scenarios. Each finished scenario is reported at once as a
//! [`RunEvent::ScenarioObserved`]; the transcripts come back in input order.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::event::{EventSink, RunEvent};
use super::exec::{close_deadline, run_on};
use super::plan::ScenarioPlan;
use super::sessions::Sessions;
use super::transcript::Transcript;
use crate::cookies::shared_client;
use crate::scenario::{LoadedScenario, SessionPolicy};
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

/// Runs `jobs` with at most `concurrency` at once, in that many job slots. Each slot runs one
/// scenario after another on sessions kept across them (see [`super::sessions`]); slot `k`
/// logs each actor in as the `k`-th user of its pool. A scenario that was never started (the
/// run was stopped first) has no transcript.
pub async fn run_all(
    jobs: Vec<Job>,
    target: Arc<Target>,
    concurrency: usize,
    events: EventSink,
    control: RunControl,
) -> Vec<Option<Arc<Transcript>>> {
    let count = jobs.len();
    let client = match shared_client() {
        Ok(client) => client,
        Err(e) => {
            let reason = format!("cannot build HTTP client: {e}");
            return jobs
                .iter()
                .map(|job| Some(Arc::new(Transcript::not_run(&job.loaded, &reason))))
                .collect();
        }
    };
    let shared = Arc::new(Shared {
        jobs,
        next: AtomicUsize::new(0),
        sessions: Sessions::new(Arc::clone(&target), client),
        target,
        events,
        control,
        transcripts: Mutex::new(vec![None; count]),
        fresh_gate: tokio::sync::Semaphore::new(FRESH_ON_SHARED_USERS),
        concurrency,
    });
    let mut slots = JoinSet::new();
    for slot in 0..concurrency.clamp(1, count.max(1)) {
        slots.spawn(run_slot(Arc::clone(&shared), slot));
    }
    while slots.join_next().await.is_some() {}
    shared.sessions.close(close_deadline(&shared.control)).await;
    std::mem::take(&mut *shared.transcripts.lock().unwrap_or_else(PoisonError::into_inner))
}

/// What the job slots of a run share.
struct Shared {
    jobs: Vec<Job>,
    /// The next job to start: jobs are taken in input order, so `--jobs 1` is sequential and
    /// the scenarios started before a stop are always a prefix of the input.
    next: AtomicUsize,
    sessions: Sessions,
    target: Arc<Target>,
    events: EventSink,
    control: RunControl,
    transcripts: Mutex<Vec<Option<Arc<Transcript>>>>,
    /// `sessions: fresh` scenarios whose users other slots share: each adds a CometD session
    /// that receives every notification to that user, so running them all at once makes the
    /// traffic grow with the square of `--jobs` (deliveries then come late). At most
    /// [`FRESH_ON_SHARED_USERS`] of them run at once.
    fresh_gate: tokio::sync::Semaphore,
    /// How many scenarios run at once: a user whose pool is smaller is shared by slots.
    concurrency: usize,
}

/// How many `sessions: fresh` scenarios on shared users may run at once.
const FRESH_ON_SHARED_USERS: usize = 16;

/// One job slot: takes the next job until none is left or the run stops.
async fn run_slot(shared: Arc<Shared>, slot: usize) {
    loop {
        let index = shared.next.fetch_add(1, Ordering::SeqCst);
        // Checked after taking the index: every later index is taken later still, so it sees
        // the stop too.
        if index >= shared.jobs.len() || shared.control.stopping() {
            return;
        }
        // Each scenario is a task of its own: one that panics loses its transcript (the caller
        // reports it as not run), not the slot.
        let task = tokio::spawn(run_job(Arc::clone(&shared), slot, index));
        let transcript = task.await.ok();
        shared.transcripts.lock().unwrap_or_else(PoisonError::into_inner)[index] = transcript;
    }
}

async fn run_job(shared: Arc<Shared>, slot: usize, index: usize) -> Arc<Transcript> {
    let job = &shared.jobs[index];
    let events = &shared.events;
    events(&RunEvent::ScenarioStarted {
        index,
        name: job.loaded.name.clone(),
    });
    let target = Arc::clone(&shared.target);
    let (control, plan) = (&shared.control, &job.plan);
    let transcript = match job.loaded.scenario.sessions {
        SessionPolicy::Reuse => {
            run_on(
                &job.loaded,
                target,
                &shared.sessions,
                slot,
                plan,
                index,
                events,
                control,
            )
            .await
        }
        SessionPolicy::Fresh => {
            let shares_a_user = job
                .loaded
                .scenario
                .actors
                .iter()
                .any(|a| target.pool_for(&a.value).len() < shared.concurrency);
            let _gate = if shares_a_user {
                shared.fresh_gate.acquire().await.ok()
            } else {
                None
            };
            let own = Sessions::new(Arc::clone(&target), shared.sessions.client().clone());
            let transcript = run_on(&job.loaded, target, &own, slot, plan, index, events, control).await;
            own.close(close_deadline(control)).await;
            transcript
        }
    };
    let transcript = Arc::new(transcript);
    events(&RunEvent::ScenarioObserved {
        index,
        transcript: Arc::clone(&transcript),
    });
    transcript
}
