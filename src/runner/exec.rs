//! Running one scenario: open actor sessions, apply provider states, execute steps, settle,
//! tear down, and return the [`Transcript`]. What is done per exchange lives in `steps`, how
//! notifications are collected in `collect`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::error::RunError;
use super::event::{EventSink, RunEvent};
use super::plan::ScenarioPlan;
use super::pool::RunControl;
use super::streams::Streams;
use super::transcript::{Exchange, Stop, Teardown, Transcript};
use crate::bayeux::{BayeuxClient, BayeuxConfig};
use crate::cookies::shared_client;
use crate::matching::Vars;
use crate::scenario::{LoadedScenario, Requirement};
use crate::target::Target;
use crate::transport::{ActorHttp, StateHook};

pub(super) struct Actor {
    pub http: ActorHttp,
    pub bayeux: Option<BayeuxClient>,
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

/// How long the teardown of an interrupted scenario may take in all: the user asked to stop.
const INTERRUPTED_TEARDOWN: Duration = Duration::from_secs(5);

/// Runs one loaded scenario against `target` as `plan` says, reporting progress to `events`
/// as scenario number `index`; `control` may interrupt it. Never panics on target behaviour:
/// whatever the target does ends up in the transcript.
pub async fn run_scenario(
    loaded: &LoadedScenario,
    target: Arc<Target>,
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
    let client = match shared_client() {
        Ok(client) => client,
        Err(e) => return early(vars, RunError::target(format!("cannot build HTTP client: {e}"))),
    };
    let hook = StateHook::with_client(Arc::clone(&target), client.clone());
    let mut streams = Streams::new();
    let actors = match open_actors(loaded, &target, &client, &mut streams).await {
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
        users: loaded
            .scenario
            .actors
            .iter()
            .map(|a| (a.value.clone(), target.login_for(&a.value).user))
            .collect(),
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

/// Logs every actor in and subscribes its stream before anything happens on the target.
async fn open_actors(
    loaded: &LoadedScenario,
    target: &Arc<Target>,
    client: &reqwest::Client,
    streams: &mut Streams,
) -> Result<BTreeMap<String, Actor>, RunError> {
    let endpoint = target.url(&target.notifications_path).map_err(|e| {
        RunError::target(format!(
            "invalid CometD endpoint {}: {e}",
            target.notifications_path
        ))
    })?;
    let mut actors = BTreeMap::new();
    for name in &loaded.scenario.actors {
        let name = &name.value;
        let failed = |e: &dyn std::fmt::Display| RunError::target(format!("{name}: {e}"));
        let http = ActorHttp::with_client(name, target.login_for(name), Arc::clone(target), client.clone());
        http.login().await.map_err(|e| {
            if e.is_scenario_error() {
                RunError::scenario(format!("{name}: {e}"))
            } else {
                failed(&e)
            }
        })?;
        let config = BayeuxConfig {
            endpoint: endpoint.clone(),
            channel: target.channel.clone(),
            request_timeout: target.request_timeout,
            max_body: target.max_body,
        };
        let (client, inbox) = BayeuxClient::start(http.client(), http.decorate(), config)
            .await
            .map_err(|e| failed(&e))?;
        streams.attach(name, inbox);
        actors.insert(
            name.clone(),
            Actor {
                http,
                bayeux: Some(client),
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

    /// Tears down every applied state, newest first, then disconnects the actors; with a
    /// `deadline` (an interrupted run), whatever is left when it passes is abandoned and says so.
    async fn teardown(&mut self, deadline: Option<Instant>) -> Vec<Teardown> {
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
        for actor in self.actors.values_mut() {
            if let Some(client) = actor.bayeux.take() {
                match deadline {
                    None => client.disconnect().await,
                    Some(at) => {
                        let _ = tokio::time::timeout_at(at.into(), client.disconnect()).await;
                    }
                }
            }
        }
        done
    }
}
