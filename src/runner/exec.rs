//! Running one scenario: open actor sessions, apply provider states, execute steps, judge
//! responses and notification streams, settle, tear down.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use serde_saphyr::Spanned;

use super::outcome::{Failure, FailureKind, Note, NoteKind, ScenarioOutcome, StepOutcome, StepRef, Verdict};
use super::streams::{ActorStream, StreamEvent, judge, satisfied};
use crate::bayeux::{BayeuxClient, BayeuxConfig};
use crate::matching::{
    Mismatch, Vars, interpolate, interpolate_str, match_value, normalize, resolve_pointer,
};
use crate::scenario::{
    Given, LoadedScenario, NotificationExpectations, ResponseSpec, SourcePos, Step, StepKind, StreamMode,
    locate_pointer,
};
use crate::target::Target;
use crate::transport::{ActorHttp, HttpRequest, HttpResponse, StateHook};

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

struct Actor {
    http: ActorHttp,
    bayeux: Option<BayeuxClient>,
    stream: ActorStream,
}

struct Run<'a> {
    loaded: &'a LoadedScenario,
    options: &'a RunOptions,
    vars: Vars,
    ids: BTreeSet<String>,
    actors: BTreeMap<String, Actor>,
    hook: StateHook,
    steps: Vec<StepOutcome>,
    failures: Vec<Failure>,
    notes: Vec<Note>,
    /// States set up so far: (state, params, setup reply), torn down in reverse order.
    applied: Vec<(String, Value, Value)>,
    /// Each actor's user on the target, sent with every hook call.
    users: BTreeMap<String, String>,
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
    let outcome = |vars: Vars, steps, failures: Vec<Failure>, notes, error: Option<String>| {
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
    let hook = match StateHook::new(Arc::clone(&target)) {
        Ok(hook) => hook,
        Err(e) => return outcome(vars, Vec::new(), Vec::new(), Vec::new(), Some(e.to_string())),
    };
    let actors = match open_actors(loaded, &target).await {
        Ok(actors) => actors,
        Err(e) => return outcome(vars, Vec::new(), Vec::new(), Vec::new(), Some(e)),
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
    };
    let error = run.execute().await.err();
    run.teardown().await;
    outcome(run.vars, run.steps, run.failures, run.notes, error)
}

/// Logs every actor in and subscribes its stream before anything happens on the target.
async fn open_actors(
    loaded: &LoadedScenario,
    target: &Arc<Target>,
) -> Result<BTreeMap<String, Actor>, String> {
    let endpoint = target
        .url(&target.notifications_path)
        .map_err(|e| format!("invalid CometD endpoint {}: {e}", target.notifications_path))?;
    let mut actors = BTreeMap::new();
    for name in &loaded.scenario.actors {
        let name = &name.value;
        let http = ActorHttp::new(name, Arc::clone(target)).map_err(|e| format!("{name}: {e}"))?;
        http.login().await.map_err(|e| format!("{name}: {e}"))?;
        let config = BayeuxConfig {
            endpoint: endpoint.clone(),
            channel: target.channel.clone(),
        };
        let (client, inbox) = BayeuxClient::start(http.client(), http.decorate(), config)
            .await
            .map_err(|e| format!("{name}: {e}"))?;
        actors.insert(
            name.clone(),
            Actor {
                http,
                bayeux: Some(client),
                stream: ActorStream::new(name, inbox),
            },
        );
    }
    Ok(actors)
}

impl Run<'_> {
    async fn execute(&mut self) -> Result<(), String> {
        let scenario = &self.loaded.scenario;
        for given in &scenario.given {
            self.given(given).await?;
        }
        for (index, step) in scenario.steps.iter().enumerate() {
            self.step(index + 1, step).await?;
        }
        self.settle().await;
        self.check_streams_alive()
    }

    fn pos(&self, loc: &serde_saphyr::Location) -> SourcePos {
        SourcePos::from_location(&self.loaded.path, loc)
    }

    fn fail(&mut self, step: &StepRef, actor: Option<&str>, loc: &serde_saphyr::Location, kind: FailureKind) {
        let pos = self.pos(loc);
        self.failures.push(Failure {
            step: step.clone(),
            actor: actor.map(str::to_owned),
            pos,
            kind,
        });
    }

    fn interpolate(&mut self, value: &Value, step: &StepRef, loc: &serde_saphyr::Location) -> Option<Value> {
        match interpolate(value, &self.vars) {
            Ok(v) => Some(v),
            Err(errors) => {
                let names = errors.into_iter().map(|e| e.name).collect();
                self.fail(step, None, loc, FailureKind::Template { names });
                None
            }
        }
    }

    async fn given(&mut self, given: &Spanned<Given>) -> Result<(), String> {
        let step = StepRef {
            number: 0,
            label: format!("given {}", given.value.state),
        };
        let Some(params) = self.interpolate(&given.value.params, &step, &given.referenced) else {
            return Err(format!(
                "cannot apply state `{}`: undefined variables",
                given.value.state
            ));
        };
        let reply = self
            .call_hook(&given.value.state, &params, &step, &given.referenced)
            .await?;
        self.applied
            .push((given.value.state.clone(), params, reply.body.clone()));
        self.capture(&given.value.capture, &reply.body, &step);
        let mut outcome = StepOutcome {
            step: step.clone(),
            actor: None,
            request: None,
            response: Some(reply),
            notifications: BTreeMap::new(),
        };
        self.notifications(&given.value.notifications, None, None, &step, &mut outcome)
            .await;
        self.steps.push(outcome);
        Ok(())
    }

    async fn call_hook(
        &mut self,
        state: &str,
        params: &Value,
        step: &StepRef,
        loc: &serde_saphyr::Location,
    ) -> Result<HttpResponse, String> {
        let reply = self
            .hook
            .setup(state, params, &self.users)
            .await
            .map_err(|e| format!("state hook: {e}"))?;
        if !(200..300).contains(&reply.status) {
            self.fail(
                step,
                None,
                loc,
                FailureKind::StateHook {
                    state: state.to_owned(),
                    status: reply.status,
                    body: reply.body.clone(),
                },
            );
            return Err(format!(
                "state hook refused state `{state}` (HTTP {})",
                reply.status
            ));
        }
        if let Some(id) = reply.body.get("id").and_then(Value::as_str) {
            self.ids.insert(id.to_owned());
        }
        Ok(reply)
    }

    fn capture(&mut self, captures: &BTreeMap<String, Spanned<String>>, document: &Value, step: &StepRef) {
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
                    None,
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

    async fn step(&mut self, number: usize, step: &Spanned<Step>) -> Result<(), String> {
        let s = &step.value;
        let Some(kind) = s.kind() else {
            return Err(format!("step {number} has an invalid shape"));
        };
        let label = s.name.clone().unwrap_or_else(|| match kind {
            StepKind::Http { actor, request, .. } => {
                format!("{actor} {} {}", request.method, request.path.value)
            }
            StepKind::State { state, .. } => format!("state {state}"),
        });
        let step_ref = StepRef { number, label };
        self.drain_leftovers();
        let mut outcome = StepOutcome {
            step: step_ref.clone(),
            actor: None,
            request: None,
            response: None,
            notifications: BTreeMap::new(),
        };
        match kind {
            StepKind::Http { actor, request, .. } => {
                let path = match interpolate_str(&request.path.value, &self.vars) {
                    Ok(Value::String(p)) => p,
                    Ok(other) => other.to_string(),
                    Err(e) => {
                        let message = format!("step {number}: {e}");
                        self.fail(
                            &step_ref,
                            Some(actor),
                            &request.path.referenced,
                            FailureKind::Template { names: vec![e.name] },
                        );
                        return Err(message);
                    }
                };
                let body = match &request.body {
                    Some(b) => match self.interpolate(b, &step_ref, &step.referenced) {
                        Some(v) => Some(v),
                        None => {
                            return Err(format!("step {number}: undefined variables in the request body"));
                        }
                    },
                    None => None,
                };
                let mut headers = Vec::new();
                for (name, value) in &request.headers {
                    match interpolate_str(value, &self.vars) {
                        Ok(Value::String(v)) => headers.push((name.clone(), v)),
                        Ok(other) => headers.push((name.clone(), other.to_string())),
                        Err(e) => {
                            self.fail(
                                &step_ref,
                                Some(actor),
                                &step.referenced,
                                FailureKind::Template { names: vec![e.name] },
                            );
                            return Err(format!("step {number}: undefined variable in header `{name}`"));
                        }
                    }
                }
                let http_request = HttpRequest {
                    method: request.method.clone(),
                    path,
                    headers,
                    body,
                };
                let http = &self
                    .actors
                    .get(actor)
                    .ok_or_else(|| format!("step {number}: unknown actor `{actor}`"))?
                    .http;
                let response = http
                    .send(&http_request)
                    .await
                    .map_err(|e| format!("step {number} ({actor}): {e}"))?;
                self.capture(&s.capture, &response.body, &step_ref);
                if let Some(spec) = &s.response {
                    self.check_response(&spec.value, &spec.referenced, &response, actor, &step_ref);
                }
                outcome.actor = Some(actor.to_owned());
                outcome.request = Some(http_request);
                outcome.response = Some(response);
            }
            StepKind::State { state, params } => {
                let Some(params) = self.interpolate(params, &step_ref, &step.referenced) else {
                    return Err(format!("step {number}: undefined variables in `params:`"));
                };
                let reply = self
                    .call_hook(state, &params, &step_ref, &step.referenced)
                    .await?;
                self.capture(&s.capture, &reply.body, &step_ref);
                outcome.response = Some(reply);
            }
        }
        let timeout = s
            .timeout
            .map(crate::scenario::Millis::duration)
            .or(self
                .loaded
                .scenario
                .timeout
                .map(crate::scenario::Millis::duration))
            .unwrap_or(self.options.default_timeout);
        let streams = s.streams.as_ref().map(|s| s.value.clone());
        self.notifications(
            &s.notifications,
            streams.as_ref(),
            Some(timeout),
            &step_ref,
            &mut outcome,
        )
        .await;
        self.steps.push(outcome);
        Ok(())
    }

    fn check_response(
        &mut self,
        spec: &ResponseSpec,
        loc: &serde_saphyr::Location,
        response: &HttpResponse,
        actor: &str,
        step: &StepRef,
    ) {
        if let Some(expected) = spec.status
            && expected != response.status
        {
            self.fail(
                step,
                Some(actor),
                loc,
                FailureKind::Status {
                    expected,
                    actual: response.status,
                    body: response.body.clone(),
                },
            );
        }
        // Header names are case-insensitive: both sides become objects keyed by lowercase
        // names (repeated headers joined with ", " as HTTP allows), so the lenient object rules
        // apply, `$absent` included, and pointers read `/content-type`.
        let expected_headers: serde_json::Map<String, Value> = spec
            .headers
            .iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
            .collect();
        let mut actual_headers = serde_json::Map::new();
        for (name, value) in &response.headers {
            match actual_headers.get_mut(name) {
                Some(Value::String(joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                _ => {
                    actual_headers.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        let header_mismatches = if expected_headers.is_empty() {
            Vec::new()
        } else {
            match_value(
                &Value::Object(expected_headers),
                &Value::Object(actual_headers),
                &self.vars,
            )
        };
        if !header_mismatches.is_empty() {
            self.fail(
                step,
                Some(actor),
                loc,
                FailureKind::Headers {
                    mismatches: header_mismatches,
                },
            );
        }
        if let Some(expected) = &spec.body {
            let mismatches = match_value(expected, &response.body, &self.vars);
            if !mismatches.is_empty() {
                self.fail(
                    step,
                    Some(actor),
                    loc,
                    FailureKind::Body {
                        mismatch_lines: self.lines_of(&mismatches, loc),
                        mismatches,
                        expected: expected.clone(),
                        patch: normalize(expected, &response.body, &self.vars).patch(),
                        actual: response.body.clone(),
                    },
                );
            }
        }
    }

    /// The scenario line of each mismatch's expectation inside the value written at `loc`.
    fn lines_of(&self, mismatches: &[Mismatch], loc: &serde_saphyr::Location) -> Vec<u64> {
        let start = (loc.line(), loc.column());
        mismatches
            .iter()
            .map(|m| locate_pointer(&self.loaded.text, start, &m.pointer).0)
            .collect()
    }

    fn mode(&self, step_streams: Option<&crate::scenario::Streams>, actor: &str) -> StreamMode {
        step_streams
            .and_then(|s| s.mode_for(actor))
            .or_else(|| {
                self.loaded
                    .scenario
                    .streams
                    .as_ref()
                    .and_then(|s| s.value.mode_for(actor))
            })
            .unwrap_or_default()
    }

    /// Collects and judges every actor's notifications for one step. With `timeout` `None`
    /// (the `given:` phase) only listed expectations are awaited and unlisted ones are kept
    /// as observations, because setup may notify in ways the scenario does not care about.
    async fn notifications(
        &mut self,
        expectations: &NotificationExpectations,
        step_streams: Option<&crate::scenario::Streams>,
        timeout: Option<Duration>,
        step: &StepRef,
        outcome: &mut StepOutcome,
    ) {
        let setup = timeout.is_none();
        let timeout = timeout.unwrap_or(self.options.default_timeout);
        let deadline = Instant::now() + timeout;
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            let expected: &[Spanned<Value>] = expectations.for_actor(&name).unwrap_or(&[]);
            let mode = if setup {
                StreamMode::Lenient
            } else {
                self.mode(step_streams, &name)
            };
            let vars = self.vars.clone();
            let ids = self.ids.clone();
            let Some(actor) = self.actors.get_mut(&name) else {
                continue;
            };
            let received = actor
                .stream
                .collect(&ids, deadline, |r| satisfied(mode, expected, r, &vars))
                .await;
            let judgement = judge(mode, expected, &received, &vars);
            outcome.notifications.insert(name.clone(), received.clone());
            for (index, actual, mismatches) in judgement.differing {
                self.fail(
                    step,
                    Some(&name),
                    &expected[index].referenced,
                    FailureKind::Notification {
                        index,
                        patch: normalize(&expected[index].value, &actual, &vars).patch(),
                        mismatch_lines: self.lines_of(&mismatches, &expected[index].referenced),
                        expected: expected[index].value.clone(),
                        actual,
                        mismatches,
                    },
                );
            }
            if let Some(&first) = judgement.unmatched.first() {
                let unmatched = judgement
                    .unmatched
                    .iter()
                    .map(|&i| expected[i].value.clone())
                    .collect();
                self.fail(
                    step,
                    Some(&name),
                    &expected[first].referenced,
                    FailureKind::Missing {
                        expected: expected.len(),
                        received: received.len(),
                        timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                        unmatched,
                        arrived: received.clone(),
                    },
                );
            }
            self.extras(mode, setup, &name, judgement.extras, step);
        }
        self.stream_events(step);
    }

    fn extras(&mut self, mode: StreamMode, setup: bool, actor: &str, extras: Vec<Value>, step: &StepRef) {
        for actual in extras {
            if mode == StreamMode::Strict && !setup {
                let loc = self
                    .loaded
                    .scenario
                    .steps
                    .get(step.number.saturating_sub(1))
                    .map(|s| s.referenced)
                    .unwrap_or(serde_saphyr::Location::UNKNOWN);
                self.fail(step, Some(actor), &loc, FailureKind::Unexpected { actual });
            } else {
                self.notes.push(Note {
                    step: step.clone(),
                    actor: Some(actor.to_owned()),
                    kind: NoteKind::Extra { actual },
                });
            }
        }
    }

    fn stream_events(&mut self, step: &StepRef) {
        for actor in self.actors.values_mut() {
            for event in actor.stream.events.drain(..) {
                if let StreamEvent::Rehandshake(window_ms, reason) = event {
                    self.notes.push(Note {
                        step: step.clone(),
                        actor: Some(actor.stream.actor.clone()),
                        kind: NoteKind::Rehandshake { window_ms, reason },
                    });
                }
            }
        }
    }

    /// Notifications that arrived after the previous step was decided belong to that step;
    /// collect them before the next request can cause new ones.
    fn drain_leftovers(&mut self) {
        let Some(previous) = self.steps.last().map(|s| s.step.clone()) else {
            return;
        };
        let ids = self.ids.clone();
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            let mode = self.mode(None, &name);
            let Some(actor) = self.actors.get_mut(&name) else {
                continue;
            };
            let late = actor.stream.take_available(&ids);
            if let Some(last) = self.steps.last_mut() {
                last.notifications
                    .entry(name.clone())
                    .or_default()
                    .extend(late.iter().cloned());
            }
            self.extras(mode, previous.number == 0, &name, late, &previous);
        }
    }

    /// After the last step, waits `settle` for late notifications; they are extras.
    async fn settle(&mut self) {
        let settle = self
            .loaded
            .scenario
            .settle
            .map(crate::scenario::Millis::duration)
            .unwrap_or(self.options.default_settle);
        let Some(last) = self.steps.last().map(|s| s.step.clone()) else {
            return;
        };
        let deadline = Instant::now() + settle;
        let ids = self.ids.clone();
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            let mode = self.mode(None, &name);
            let Some(actor) = self.actors.get_mut(&name) else {
                continue;
            };
            let late = actor.stream.collect(&ids, deadline, |_| false).await;
            if let Some(outcome) = self.steps.last_mut() {
                outcome
                    .notifications
                    .entry(name.clone())
                    .or_default()
                    .extend(late.iter().cloned());
            }
            self.extras(mode, last.number == 0, &name, late, &last);
        }
        self.stream_events(&last);
    }

    fn check_streams_alive(&self) -> Result<(), String> {
        for actor in self.actors.values() {
            if let Some(reason) = &actor.stream.dead {
                return Err(format!(
                    "{}: CometD connection lost: {reason}",
                    actor.stream.actor
                ));
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
