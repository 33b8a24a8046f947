//! Executing `given` states and steps: interpolating requests, calling the state hook or the
//! actor's HTTP session, capturing from replies. Nothing here judges: a wrong status or a
//! capture that finds nothing is observed and left to `verdict`.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::Value;
use serde_saphyr::Spanned;

use super::error::RunError;
use super::exec::PendingSetup;
use super::exec::Run;
use super::transcript::{Action, Capture, Exchange, Field, StepRef, Stop, WaitRecord};
use crate::matching::{interpolate, resolve_pointer};
use crate::scenario::{AuthMode, Given, RequestSpec, SourcePos, Step, StepKind};
use crate::transport::{HttpRequest, HttpResponse, RequestAuth, TransportError};

impl Run<'_> {
    /// Runs `given:` entry `index`; an error that stops it is located at the entry.
    pub(super) async fn given(&mut self, index: usize, given: &Spanned<Given>) -> Result<(), Stop> {
        let step = StepRef {
            number: 0,
            label: format!("given {}", given.value.state),
        };
        let result = self.given_inner(index, given, step.clone()).await;
        result.map_err(|stop| self.locate(stop, &step, &given.referenced))
    }

    /// Runs step `index` (0-based); an error that stops it is located at the step.
    pub(super) async fn step(&mut self, index: usize, step: &Spanned<Step>) -> Result<(), Stop> {
        let result = self.step_inner(index, step).await;
        let step_ref = StepRef {
            number: index + 1,
            label: step_label(&step.value),
        };
        result.map_err(|stop| self.locate(stop, &step_ref, &step.referenced))
    }

    fn locate(&self, stop: Stop, step: &StepRef, loc: &serde_saphyr::Location) -> Stop {
        match stop {
            Stop::Error { error } if error.step.is_none() => Stop::Error {
                error: error.at(step, SourcePos::from_location(&self.loaded.path, loc)),
            },
            other => other,
        }
    }

    async fn given_inner(&mut self, index: usize, given: &Spanned<Given>, step: StepRef) -> Result<(), Stop> {
        let params = self.interpolate(&given.value.params, &step, Field::Params)?;
        let slot = self.begin(
            step,
            Some(index),
            Action::Hook {
                state: given.value.state.clone(),
                params: params.clone(),
                reply: None,
            },
        );
        let reply = self.call_hook(slot, &given.value.state, &params, true).await?;
        self.applied
            .push((given.value.state.clone(), params, reply.body.clone()));
        self.capture(slot, &given.value.capture, &reply.body);
        let hinted = notified_counts(&reply.body);
        if hinted.is_none() {
            self.setup_unhinted = true;
        }
        let plan = self.plan.givens.get(index).cloned().unwrap_or_default();
        self.collect(slot, &plan, hinted.as_ref()).await;
        Ok(())
    }

    async fn step_inner(&mut self, index: usize, step: &Spanned<Step>) -> Result<(), Stop> {
        let number = index + 1;
        let s = &step.value;
        let Some(kind) = s.kind() else {
            return Err(Stop::Error {
                error: RunError::scenario(format!("step {number} is neither a request nor a state change")),
            });
        };
        let label = step_label(s);
        let step_ref = StepRef { number, label };
        let slot = match kind {
            StepKind::Http { actor, request, .. } => {
                let auth = s.auth.as_ref().map(|a| a.value);
                let http_request = self.build_request(request, auth, &step_ref)?;
                let slot = self.begin(
                    step_ref,
                    None,
                    Action::Http {
                        actor: actor.to_owned(),
                        request: http_request.clone(),
                        response: None,
                    },
                );
                let http = self
                    .actors
                    .get(actor)
                    .ok_or_else(|| Stop::Error {
                        error: RunError::scenario(format!("step {number}: unknown actor `{actor}`")),
                    })?
                    .http
                    .clone();
                let result = http.send(&http_request).await;
                let response = result.map_err(|e| {
                    let message = format!("step {number} ({actor}): {e}");
                    Stop::Error {
                        error: if e.is_scenario_error() {
                            RunError::scenario(message)
                        } else {
                            RunError::target(message)
                        },
                    }
                })?;
                self.answered(slot);
                if let Action::Http { response: r, .. } = &mut self.exchanges[slot].action {
                    *r = Some(response.clone());
                }
                self.capture(slot, &s.capture, &response.body);
                slot
            }
            StepKind::State { state, params } => {
                let params = self.interpolate(params, &step_ref, Field::Params)?;
                let slot = self.begin(
                    step_ref,
                    None,
                    Action::Hook {
                        state: state.to_owned(),
                        params: params.clone(),
                        reply: None,
                    },
                );
                let reply = self.call_hook(slot, state, &params, false).await?;
                self.capture(slot, &s.capture, &reply.body);
                slot
            }
        };
        let plan = self.plan.steps.get(index).cloned().unwrap_or_default();
        self.collect(slot, &plan, None).await;
        Ok(())
    }

    /// Starts an exchange: first attributes what already arrived to the earlier ones, then
    /// opens the new one. Returns its index.
    fn begin(&mut self, step: StepRef, given: Option<usize>, action: Action) -> usize {
        self.pull_available();
        let now = Instant::now();
        self.exchanges.push(Exchange {
            step,
            given,
            action,
            started_ms: Self::ms_since(self.started, now),
            response_ms: None,
            captures: Vec::new(),
            wait: WaitRecord::default(),
            notifications: self.users.keys().map(|a| (a.clone(), Vec::new())).collect(),
            ignored: BTreeMap::new(),
            stream_events: Vec::new(),
        });
        self.origins.push(now);
        self.quiet = false;
        self.exchanges.len() - 1
    }

    /// Notes when the reply to exchange `slot` came.
    fn answered(&mut self, slot: usize) {
        self.exchanges[slot].response_ms = Some(Self::ms_since(self.origins[slot], Instant::now()));
    }

    /// Resolves placeholders in `value`. Validation has checked every name is defined before
    /// use, so a name can only be missing because its capture found nothing: that capture
    /// already failed, and this step and the rest are skipped.
    fn interpolate(&mut self, value: &Value, step: &StepRef, field: Field) -> Result<Value, Stop> {
        interpolate(value, &self.vars).map_err(|errors| Stop::Skipped {
            step: step.clone(),
            field,
            undefined: errors.into_iter().map(|e| e.name).collect(),
        })
    }

    fn interpolate_text(&mut self, text: &str, step: &StepRef, field: Field) -> Result<String, Stop> {
        Ok(
            match self.interpolate(&Value::String(text.to_owned()), step, field)? {
                Value::String(s) => s,
                other => other.to_string(),
            },
        )
    }

    fn capture(&mut self, slot: usize, captures: &BTreeMap<String, Spanned<String>>, document: &Value) {
        for (name, pointer) in captures {
            let value = resolve_pointer(document, &pointer.value).cloned();
            if let Some(value) = &value {
                if let Some(id) = value.as_str() {
                    // Captured ids may name interactions created by this scenario.
                    self.ids.insert(id.to_owned());
                }
                self.vars.insert(name.clone(), value.clone());
            }
            self.exchanges[slot].captures.push(Capture {
                name: name.clone(),
                pointer: pointer.value.clone(),
                value,
            });
        }
    }

    /// Applies a state; a reply other than 2xx stops the scenario (4xx: the target's hook
    /// refuses what the scenario asks, 5xx or no reply: the target is broken).
    ///
    /// The call runs as a task of its own, kept in `pending` while it is awaited: a run
    /// interrupted meanwhile (which drops this future) still learns what a `given:` state set
    /// up (`torn_down`), and tears it down.
    async fn call_hook(
        &mut self,
        slot: usize,
        state: &str,
        params: &Value,
        torn_down: bool,
    ) -> Result<HttpResponse, Stop> {
        let (hook, owned_state, owned_params, users) = (
            self.hook.clone(),
            state.to_owned(),
            params.clone(),
            self.users.clone(),
        );
        let call = tokio::spawn(async move { hook.setup(&owned_state, &owned_params, &users).await });
        let pending = self.pending.insert(PendingSetup {
            state: state.to_owned(),
            params: params.clone(),
            torn_down,
            call,
        });
        let result = match (&mut pending.call).await {
            Ok(result) => result,
            Err(e) => Err(TransportError::Client(format!("the state-hook call failed: {e}"))),
        };
        self.pending = None;
        self.answered(slot);
        let reply = result.map_err(|e| Stop::Error {
            error: RunError::target(format!("state hook, state `{state}`: {e}")),
        })?;
        if let Action::Hook { reply: r, .. } = &mut self.exchanges[slot].action {
            *r = Some(reply.clone());
        }
        if !(200..300).contains(&reply.status) {
            let why = reply
                .body
                .get("error")
                .and_then(Value::as_str)
                .map_or_else(|| reply.body.to_string(), str::to_owned);
            // A hook's error body can be anything a target sends: quote a bounded part.
            let why = crate::elide::elide(&why, 300);
            // The reference server (and any hook following it) lists the states it offers.
            let offered = reply
                .body
                .get("states")
                .and_then(Value::as_array)
                .map(|states| {
                    let names: Vec<&str> = states.iter().filter_map(Value::as_str).collect();
                    format!(" (states: {})", names.join(", "))
                })
                .unwrap_or_default();
            let message = format!(
                "state hook refused state `{state}` (HTTP {}): {why}{offered}",
                reply.status
            );
            return Err(Stop::Error {
                error: if (400..500).contains(&reply.status) {
                    RunError::scenario(message)
                } else {
                    RunError::target(message)
                },
            });
        }
        if let Some(id) = reply.body.get("id").and_then(Value::as_str) {
            self.ids.insert(id.to_owned());
        }
        Ok(reply)
    }

    fn build_request(
        &mut self,
        request: &RequestSpec,
        auth: Option<AuthMode>,
        step: &StepRef,
    ) -> Result<HttpRequest, Stop> {
        let path = self.interpolate_text(&request.path.value, step, Field::Path)?;
        let body = match &request.body {
            Some(b) => Some(self.interpolate(b, step, Field::Body)?),
            None => None,
        };
        let mut headers = Vec::new();
        for (name, value) in &request.headers {
            headers.push((name.clone(), self.interpolate_text(value, step, Field::Headers)?));
        }
        // A step's `auth:` makes the request deliberately wrong; the transport builds it.
        let auth = match auth {
            None => RequestAuth::Actor,
            Some(AuthMode::None) => RequestAuth::None,
            Some(AuthMode::Wrong) => RequestAuth::WrongPassword,
            Some(AuthMode::NoCsrf) => RequestAuth::NoCsrf,
        };
        Ok(HttpRequest {
            method: request.method.clone(),
            path,
            headers,
            body,
            auth,
        })
    }
}

/// The hook reply's `notified` hint: how many notifications the state caused, per actor
/// (actors not listed got none). `None` when the target's hook does not say.
fn notified_counts(reply: &Value) -> Option<BTreeMap<String, usize>> {
    let map = reply.get("notified")?.as_object()?;
    Some(
        map.iter()
            .filter_map(|(actor, n)| Some((actor.clone(), usize::try_from(n.as_u64()?).ok()?)))
            .collect(),
    )
}

/// A step's label: its `name:`, else what it does.
fn step_label(step: &Step) -> String {
    step.name.clone().unwrap_or_else(|| match step.kind() {
        Some(StepKind::Http { actor, request, .. }) => {
            format!("{actor} {} {}", request.method, request.path.value)
        }
        Some(StepKind::State { state, .. }) => format!("state {state}"),
        None => "a step of no known shape".to_owned(),
    })
}
