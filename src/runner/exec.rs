//! Running one scenario: open actor sessions, apply provider states, execute steps, settle,
//! tear down. The step and notification logic live in `steps` and `notify`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use serde_saphyr::Spanned;

use super::error::RunError;
use super::outcome::{Failure, FailureKind, Note, NoteKind, ScenarioOutcome, StepOutcome, StepRef, Verdict};
use super::streams::ActorStream;
use crate::bayeux::{BayeuxClient, BayeuxConfig};
use crate::matching::{Vars, interpolate, resolve_pointer};
use crate::scenario::{LoadedScenario, Requirement, SourcePos, StreamMode};
use crate::target::Target;
use crate::transport::{ActorHttp, StateHook};

/// Run-wide settings.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Notification timeout for steps that set none.
    pub default_timeout: Duration,
    /// Wait after the last step for late extras, for scenarios that set none.
    pub default_settle: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            default_timeout: Duration::from_millis(5000),
            default_settle: Duration::from_millis(250),
        }
    }
}

pub(super) struct Actor {
    pub http: ActorHttp,
    pub bayeux: Option<BayeuxClient>,
    pub stream: ActorStream,
}

/// Why the steps stopped early.
pub(super) enum Stop {
    /// The scenario could not go on (see [`RunError`]).
    Error(RunError),
    /// An earlier failure (a capture that found nothing) left later steps without their
    /// inputs; they are skipped and the scenario fails on that earlier failure.
    Skipped {
        /// The first step not run.
        from: StepRef,
        /// The variables it needed that no capture provided.
        undefined: Vec<String>,
    },
}

impl From<RunError> for Stop {
    fn from(error: RunError) -> Self {
        Stop::Error(error)
    }
}

/// The state of one scenario run.
pub(super) struct Run<'a> {
    pub loaded: &'a LoadedScenario,
    pub options: &'a RunOptions,
    pub vars: Vars,
    /// Interactions this scenario created; only notifications about them count.
    pub ids: BTreeSet<String>,
    pub actors: BTreeMap<String, Actor>,
    pub hook: StateHook,
    pub steps: Vec<StepOutcome>,
    pub failures: Vec<Failure>,
    pub notes: Vec<Note>,
    /// States set up so far: (state, params, setup reply), torn down in reverse order.
    pub applied: Vec<(String, Value, Value)>,
    /// Each actor's user on the target, sent with every hook call.
    pub users: BTreeMap<String, String>,
    /// The stream mode each actor had in the last decided step; notifications arriving late
    /// for that step are judged with it.
    pub step_modes: BTreeMap<String, StreamMode>,
    /// Set when a state hook did not say how many notifications its state caused; the runner
    /// then lets setup notifications settle before step 1.
    pub setup_unhinted: bool,
}

/// Runs one loaded scenario against `target`. Never panics on target behaviour: everything the
/// target does wrong ends up in the outcome.
pub async fn run_scenario(
    loaded: &LoadedScenario,
    target: Arc<Target>,
    options: &RunOptions,
) -> ScenarioOutcome {
    let started = Instant::now();
    let mut vars: Vars = loaded.scenario.vars.clone();
    vars.insert(
        "target".to_owned(),
        Value::String(target.base.as_str().trim_end_matches('/').to_owned()),
    );
    let finish = |vars: Vars, steps, failures: Vec<Failure>, notes, error: Option<RunError>| {
        let verdict = if error.is_some() {
            Verdict::Error
        } else if failures.is_empty() {
            Verdict::Passed
        } else {
            Verdict::Failed
        };
        ScenarioOutcome {
            name: loaded.name.clone(),
            file: loaded.path.clone(),
            verdict,
            duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            vars,
            steps,
            failures,
            notes,
            error,
        }
    };
    let unmet = unmet_requirements(&loaded.scenario.requires, &target);
    if !unmet.is_empty() {
        let mut outcome = finish(vars, Vec::new(), Vec::new(), Vec::new(), None);
        outcome.verdict = Verdict::Skipped;
        outcome.notes.push(Note {
            step: StepRef {
                number: 0,
                label: "requires".to_owned(),
            },
            actor: None,
            kind: NoteKind::Unmet { requirements: unmet },
        });
        return outcome;
    }
    let hook = match StateHook::new(Arc::clone(&target)) {
        Ok(hook) => hook,
        Err(e) => {
            return finish(
                vars,
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Some(RunError::target(e.to_string())),
            );
        }
    };
    let actors = match open_actors(loaded, &target).await {
        Ok(actors) => actors,
        Err(e) => return finish(vars, Vec::new(), Vec::new(), Vec::new(), Some(e)),
    };
    let mut run = Run {
        loaded,
        options,
        vars,
        ids: BTreeSet::new(),
        actors,
        hook,
        steps: Vec::new(),
        failures: Vec::new(),
        notes: Vec::new(),
        applied: Vec::new(),
        users: loaded
            .scenario
            .actors
            .iter()
            .map(|a| (a.value.clone(), target.login_for(&a.value).user))
            .collect(),
        step_modes: BTreeMap::new(),
        setup_unhinted: false,
    };
    let error = match run.execute().await {
        Ok(()) => None,
        Err(Stop::Error(error)) => Some(error),
        Err(Stop::Skipped { from, undefined }) => {
            run.notes.push(Note {
                step: from,
                actor: None,
                kind: NoteKind::Skipped { undefined },
            });
            None
        }
    };
    run.teardown().await;
    finish(run.vars, run.steps, run.failures, run.notes, error)
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
        let http = ActorHttp::new(name, Arc::clone(target)).map_err(|e| failed(&e))?;
        http.login().await.map_err(|e| failed(&e))?;
        let config = BayeuxConfig {
            endpoint: endpoint.clone(),
            channel: target.channel.clone(),
        };
        let (client, inbox) = BayeuxClient::start(http.client(), http.decorate(), config)
            .await
            .map_err(|e| failed(&e))?;
        actors.insert(
            name.clone(),
            Actor {
                http,
                bayeux: Some(client),
                stream: ActorStream::new(name, &target.channel, inbox),
            },
        );
    }
    Ok(actors)
}

impl Run<'_> {
    async fn execute(&mut self) -> Result<(), Stop> {
        let scenario = &self.loaded.scenario;
        for given in &scenario.given {
            self.given(given).await?;
        }
        if self.setup_unhinted {
            self.settle().await;
        }
        for (index, step) in scenario.steps.iter().enumerate() {
            self.step(index + 1, step).await?;
        }
        self.settle().await;
        self.check_streams_alive()?;
        Ok(())
    }

    pub(super) fn pos(&self, loc: &serde_saphyr::Location) -> SourcePos {
        SourcePos::from_location(&self.loaded.path, loc)
    }

    pub(super) fn fail(
        &mut self,
        step: &StepRef,
        actor: Option<&str>,
        loc: &serde_saphyr::Location,
        kind: FailureKind,
    ) {
        let pos = self.pos(loc);
        self.failures.push(Failure {
            step: step.clone(),
            actor: actor.map(str::to_owned),
            pos,
            kind,
        });
    }

    /// Resolves placeholders in `value`. Validation has checked every name is defined before
    /// use, so a name can only be missing because its capture found nothing: that capture
    /// already failed, and this step and the rest are skipped.
    pub(super) fn interpolate(
        &mut self,
        value: &Value,
        step: &StepRef,
        actor: Option<&str>,
        loc: &serde_saphyr::Location,
    ) -> Result<Value, Stop> {
        interpolate(value, &self.vars).map_err(|errors| {
            let names: Vec<String> = errors.into_iter().map(|e| e.name).collect();
            self.fail(step, actor, loc, FailureKind::Template { names: names.clone() });
            Stop::Skipped {
                from: step.clone(),
                undefined: names,
            }
        })
    }

    pub(super) fn capture(
        &mut self,
        captures: &BTreeMap<String, Spanned<String>>,
        document: &Value,
        step: &StepRef,
        actor: Option<&str>,
    ) {
        for (name, pointer) in captures {
            match resolve_pointer(document, &pointer.value) {
                Some(value) => {
                    if let Some(id) = value.as_str() {
                        // Captured ids may name interactions created by this scenario.
                        self.ids.insert(id.to_owned());
                    }
                    self.vars.insert(name.clone(), value.clone());
                }
                None => self.fail(
                    step,
                    actor,
                    &pointer.referenced,
                    FailureKind::Capture {
                        name: name.clone(),
                        pointer: pointer.value.clone(),
                        document: document.clone(),
                    },
                ),
            }
        }
    }

    fn check_streams_alive(&self) -> Result<(), RunError> {
        for actor in self.actors.values() {
            if let Some(reason) = &actor.stream.dead {
                return Err(RunError::target(format!(
                    "{}: CometD connection lost: {reason}",
                    actor.stream.actor
                )));
            }
        }
        Ok(())
    }

    async fn teardown(&mut self) {
        for (state, params, reply) in std::mem::take(&mut self.applied).into_iter().rev() {
            let result = self.hook.teardown(&state, &params, &self.users, &reply).await;
            let reason = match result {
                Ok(reply) if (200..300).contains(&reply.status) => continue,
                Ok(reply) => format!("HTTP {}", reply.status),
                Err(e) => e.to_string(),
            };
            self.notes.push(Note {
                step: StepRef {
                    number: 0,
                    label: format!("teardown {state}"),
                },
                actor: None,
                kind: NoteKind::Teardown { state, reason },
            });
        }
        for actor in self.actors.values_mut() {
            if let Some(client) = actor.bayeux.take() {
                client.disconnect().await;
            }
        }
    }
}
