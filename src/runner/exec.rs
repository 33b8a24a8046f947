//! Running one scenario: open actor sessions, apply provider states, execute steps, settle,
//! tear down, and return the [`Transcript`]. What is done per exchange lives in `steps`, how
//! notifications are collected in `collect`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::task::JoinHandle;

use super::error::RunError;
use super::event::{EventSink, RunEvent};
use super::plan::ScenarioPlan;
use super::pool::RunControl;
use super::sessions::{INTERRUPTED_CLOSE, Lease, Sessions};
use super::streams::Streams;
use super::transcript::{Exchange, Stop, Teardown, Transcript};
use crate::cookies::shared_client;
use crate::matching::Vars;
use crate::scenario::{LoadedScenario, Requirement};
use crate::target::Target;
use crate::transport::{ActorHttp, HttpResponse, StateHook, TransportError};

pub(super) struct Actor {
    pub http: ActorHttp,
    /// Keeps the actor's deliveries coming into the scenario's stream.
    _lease: Lease,
}

/// The state of one scenario run.
pub(super) struct Run<'a> {
    pub loaded: &'a LoadedScenario,
    pub plan: &'a ScenarioPlan,
    pub index: usize,
    pub events: &'a EventSink,
    pub started: Instant,
    /// Variables in scope now (constants, built-ins, captures so far).
    pub vars: Vars,
    /// Interactions this scenario created; only notifications about them count.
    pub ids: BTreeSet<String>,
    pub actors: BTreeMap<String, Actor>,
    pub streams: Streams,
    /// The configured notification channel (a pattern).
    pub channel: String,
    pub hook: StateHook,
    pub exchanges: Vec<Exchange>,
    /// When each exchange started (parallel to `exchanges`): deliveries are attributed to the
    /// exchange in progress when they arrived.
    pub origins: Vec<Instant>,
    /// States set up so far: (state, params, setup reply), torn down in reverse order.
    pub applied: Vec<(String, Value, Value)>,
    /// The state-hook call in progress, if any.
    pub pending: Option<PendingSetup>,
    /// Each actor's user on the target, sent with every hook call.
    pub users: BTreeMap<String, String>,
    /// Set when a state hook did not say how many notifications its state caused; the runner
    /// then lets setup notifications settle before step 1.
    pub setup_unhinted: bool,
    /// Whether the last exchange ended by quiescence, which makes the final settle redundant.
    pub quiet: bool,
    /// Actors whose long-poll is failing right now (the client retries), with the reason.
    pub trouble: BTreeMap<String, String>,
}

/// A state-hook setup in flight.
pub(super) struct PendingSetup {
    pub state: String,
    pub params: Value,
    /// Whether what it sets up is torn down after the scenario (`given:` states).
    pub torn_down: bool,
    pub call: JoinHandle<Result<HttpResponse, TransportError>>,
}

/// How long the teardown of an interrupted scenario may take in all: the user asked to stop.
const INTERRUPTED_TEARDOWN: Duration = Duration::from_secs(5);

/// Runs one loaded scenario against `target` as `plan` says, on sessions of its own,
/// reporting progress to `events` as scenario number `index`; `control` may interrupt it.
/// Never panics on target behaviour: whatever the target does ends up in the transcript.
pub async fn run_scenario(
    loaded: &LoadedScenario,
    target: Arc<Target>,
    plan: &ScenarioPlan,
    index: usize,
    events: &EventSink,
    control: &RunControl,
) -> Transcript {
    let client = match shared_client() {
        Ok(client) => client,
        Err(e) => {
            return Transcript::not_run(loaded, &format!("cannot build HTTP client: {e}"));
        }
    };
    let sessions = Sessions::new(Arc::clone(&target), client);
    let transcript = run_on(loaded, target, &sessions, 0, plan, index, events, control).await;
    sessions.close(close_deadline(control)).await;
    transcript
}

/// When the sessions of a run that may have been interrupted must be closed by.
pub(super) fn close_deadline(control: &RunControl) -> Option<Instant> {
    control
        .is_interrupted()
        .then(|| Instant::now() + INTERRUPTED_CLOSE)
}

/// Runs one scenario in job slot `slot` (which picks each actor's user from its pool), on the
/// sessions in `sessions`.
#[expect(
    clippy::too_many_arguments,
    reason = "what one scenario run needs, passed down once from run_all"
)]
pub(super) async fn run_on(
    loaded: &LoadedScenario,
    target: Arc<Target>,
    sessions: &Sessions,
    slot: usize,
    plan: &ScenarioPlan,
    index: usize,
    events: &EventSink,
    control: &RunControl,
) -> Transcript {
    let started = Instant::now();
    let mut vars: Vars = loaded.scenario.vars.clone();
    vars.insert(
        "target".to_owned(),
        Value::String(target.base.as_str().trim_end_matches('/').to_owned()),
    );
    let early = |vars: Vars, error: RunError| Transcript {
        scenario: loaded.name.clone(),
        file: loaded.path.clone(),
        target: target.base.to_string(),
        duration_ms: millis(started),
        vars,
        captured: Vec::new(),
        exchanges: Vec::new(),
        teardown: Vec::new(),
        stop: Some(Stop::Error { error }),
    };
    let unmet = unmet_requirements(&loaded.scenario.requires, &target);
    if !unmet.is_empty() {
        // Nothing is sent: the scenario is skipped, neither passed nor failed.
        return Transcript {
            scenario: loaded.name.clone(),
            file: loaded.path.clone(),
            target: target.base.to_string(),
            duration_ms: 0,
            vars,
            captured: Vec::new(),
            exchanges: Vec::new(),
            teardown: Vec::new(),
            stop: Some(Stop::Unmet { requirements: unmet }),
        };
    }
    let hook = StateHook::with_client(Arc::clone(&target), sessions.client().clone());
    let users: BTreeMap<String, String> = loaded
        .scenario
        .actors
        .iter()
        .map(|a| (a.value.clone(), target.login_for_slot(&a.value, slot).user))
        .collect();
    let streams = Streams::new();
    let actors = match open_actors(loaded, &target, sessions, slot, &streams).await {
        Ok(actors) => actors,
        Err(e) => return early(vars, e),
    };
    let mut run = Run {
        loaded,
        plan,
        index,
        events,
        started,
        vars,
        ids: BTreeSet::new(),
        actors,
        streams,
        channel: target.channel.clone(),
        hook,
        exchanges: Vec::new(),
        origins: Vec::new(),
        applied: Vec::new(),
        pending: None,
        users,
        setup_unhinted: false,
        quiet: false,
        trouble: BTreeMap::new(),
    };
    let initial_vars = run.vars.clone();
    let stop = tokio::select! {
        result = run.execute() => result.err(),
        () = control.interrupted() => Some(Stop::Interrupted),
    };
    let deadline = matches!(stop, Some(Stop::Interrupted)).then(|| Instant::now() + INTERRUPTED_TEARDOWN);
    let teardown = run.teardown(deadline).await;
    let captured = captured_names(&run.exchanges);
    Transcript {
        scenario: loaded.name.clone(),
        file: loaded.path.clone(),
        target: target.base.to_string(),
        duration_ms: millis(started),
        vars: initial_vars,
        captured,
        exchanges: std::mem::take(&mut run.exchanges),
        teardown,
        stop,
    }
}

impl Run<'_> {
    /// Waits for a state-hook setup that an interrupt left in flight; what it set up joins the
    /// states to tear down.
    async fn finish_pending(&mut self, pending: PendingSetup, deadline: Option<Instant>) {
        let call = pending.call;
        let reply = match deadline {
            None => call.await,
            Some(at) => match tokio::time::timeout_at(at.into(), call).await {
                Ok(reply) => reply,
                Err(_) => return,
            },
        };
        if let Ok(Ok(reply)) = reply
            && pending.torn_down
            && (200..300).contains(&reply.status)
        {
            self.applied.push((pending.state, pending.params, reply.body));
        }
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

fn captured_names(exchanges: &[Exchange]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for capture in exchanges.iter().flat_map(|e| &e.captures) {
        if capture.value.is_some() && !names.contains(&capture.name) {
            names.push(capture.name.clone());
        }
    }
    names
}

/// The features `requires` names that `target` does not enable.
fn unmet_requirements(requires: &[Requirement], target: &Target) -> Vec<Requirement> {
    let mut unmet: Vec<Requirement> = requires
        .iter()
        .copied()
        .filter(|r| match r {
            Requirement::Csrf => !target.csrf,
        })
        .collect();
    unmet.sort();
    unmet.dedup();
    unmet
}

/// Every actor's session (opened if need be) with its deliveries going to `streams`, before
/// anything happens on the target.
async fn open_actors(
    loaded: &LoadedScenario,
    target: &Target,
    sessions: &Sessions,
    slot: usize,
    streams: &Streams,
) -> Result<BTreeMap<String, Actor>, RunError> {
    let mut actors = BTreeMap::new();
    for name in &loaded.scenario.actors {
        let name = &name.value;
        let lease = sessions
            .acquire(name, target.login_for_slot(name, slot), streams.sender())
            .await?;
        actors.insert(
            name.clone(),
            Actor {
                http: lease.live.http.clone(),
                _lease: lease,
            },
        );
    }
    Ok(actors)
}

impl Run<'_> {
    async fn execute(&mut self) -> Result<(), Stop> {
        let scenario = &self.loaded.scenario;
        for (index, given) in scenario.given.iter().enumerate() {
            self.given(index, given).await?;
        }
        if self.setup_unhinted {
            self.settle().await;
        }
        for (index, step) in scenario.steps.iter().enumerate() {
            self.step(index, step).await?;
        }
        if !self.quiet {
            self.settle().await;
        }
        if let (Some(plan), Some(slot)) = (
            self.plan.steps.last().cloned(),
            self.exchanges.len().checked_sub(1),
        ) && !scenario.steps.is_empty()
        {
            self.watch_late(slot, &plan).await;
        }
        if let Some((actor, reason)) = self.streams.dead.iter().next() {
            return Err(Stop::Error {
                error: RunError::target(format!("{actor}: CometD connection lost: {reason}")),
            });
        }
        // A stream that is failing when the run ends was not verified to its end: whatever
        // the target sent since cannot be known, so no verdict can be reached.
        if let Some((actor, reason)) = self.trouble.iter().next() {
            return Err(Stop::Error {
                error: RunError::target(format!(
                    "{actor}: CometD connection lost before the run could be verified to its end: {reason}"
                )),
            });
        }
        Ok(())
    }

    /// Milliseconds from `origin` to `at` (0 if `at` is earlier).
    pub(super) fn ms_since(origin: Instant, at: Instant) -> f64 {
        at.saturating_duration_since(origin).as_secs_f64() * 1000.0
    }

    pub(super) fn emit(&self, event: RunEvent) {
        (self.events)(&event);
    }

    /// Tears down every applied state, newest first; with a `deadline` (an interrupted run),
    /// whatever is left when it passes is abandoned and says so. The actors' sessions outlive
    /// the scenario (their owner closes them).
    async fn teardown(&mut self, deadline: Option<Instant>) -> Vec<Teardown> {
        if let Some(pending) = self.pending.take() {
            self.finish_pending(pending, deadline).await;
        }
        let mut done = Vec::new();
        for (state, params, reply) in std::mem::take(&mut self.applied).into_iter().rev() {
            let call = self.hook.teardown(&state, &params, &self.users, &reply);
            let result = match deadline {
                None => call.await.map_err(|e| e.to_string()),
                Some(at) => match tokio::time::timeout_at(at.into(), call).await {
                    Ok(result) => result.map_err(|e| e.to_string()),
                    Err(_) => Err("interrupted: no time left to tear it down".to_owned()),
                },
            };
            done.push(Teardown {
                state,
                params,
                result,
            });
        }
        done
    }
}
