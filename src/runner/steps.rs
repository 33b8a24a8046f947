//! Executing `given` states and steps: interpolating requests, calling the state hook or the
//! actor's HTTP session, capturing from replies, and checking responses.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value};
use serde_saphyr::Spanned;

use super::error::RunError;
use super::exec::{Run, Stop};
use super::notify::Phase;
use super::outcome::{FailureKind, StepOutcome, StepRef};
use crate::matching::{Mismatch, match_value, normalize};
use crate::scenario::{AuthMode, Given, Millis, RequestSpec, ResponseSpec, Step, StepKind, locate_pointer};
use crate::transport::{HttpRequest, HttpResponse, RequestAuth};

impl Run<'_> {
    /// The notification timeout of a step: its own, else the scenario's, else the default.
    pub(super) fn timeout_for(&self, step: Option<&Step>) -> Duration {
        step.and_then(|s| s.timeout)
            .or(self.loaded.scenario.timeout)
            .map_or(self.options.default_timeout, Millis::duration)
    }

    pub(super) async fn given(&mut self, given: &Spanned<Given>) -> Result<(), Stop> {
        let step = StepRef {
            number: 0,
            label: format!("given {}", given.value.state),
        };
        let params = self.interpolate(&given.value.params, &step, None, &given.referenced)?;
        let reply = self.call_hook(&given.value.state, &params).await?;
        self.applied
            .push((given.value.state.clone(), params, reply.body.clone()));
        self.capture(&given.value.capture, &reply.body, &step, None);
        let hinted = notified_counts(&reply.body);
        if hinted.is_none() {
            self.setup_unhinted = true;
        }
        let mut outcome = StepOutcome {
            step: step.clone(),
            actor: None,
            request: None,
            response: Some(reply),
            notifications: BTreeMap::new(),
        };
        let timeout = self.timeout_for(None);
        let phase = Phase::Setup {
            caused: hinted.unwrap_or_default(),
        };
        self.notifications(
            &given.value.notifications,
            None,
            timeout,
            &step,
            &mut outcome,
            &phase,
        )
        .await;
        self.steps.push(outcome);
        Ok(())
    }

    /// Applies a state; a reply other than 2xx stops the scenario (4xx: the target's hook
    /// refuses what the scenario asks, 5xx or no reply: the target is broken).
    async fn call_hook(&mut self, state: &str, params: &Value) -> Result<HttpResponse, RunError> {
        let reply = self
            .hook
            .setup(state, params, &self.users)
            .await
            .map_err(|e| RunError::target(format!("state hook, state `{state}`: {e}")))?;
        if !(200..300).contains(&reply.status) {
            let why = reply
                .body
                .get("error")
                .and_then(Value::as_str)
                .map_or_else(|| reply.body.to_string(), str::to_owned);
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
            return Err(if (400..500).contains(&reply.status) {
                RunError::scenario(message)
            } else {
                RunError::target(message)
            });
        }
        if let Some(id) = reply.body.get("id").and_then(Value::as_str) {
            self.ids.insert(id.to_owned());
        }
        Ok(reply)
    }

    pub(super) async fn step(&mut self, number: usize, step: &Spanned<Step>) -> Result<(), Stop> {
        let s = &step.value;
        let Some(kind) = s.kind() else {
            return Err(
                RunError::scenario(format!("step {number} is neither a request nor a state change")).into(),
            );
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
                let http_request = self.build_request(request, actor, &step_ref, step)?;
                let http = &self
                    .actors
                    .get(actor)
                    .ok_or_else(|| RunError::scenario(format!("step {number}: unknown actor `{actor}`")))?
                    .http;
                let response = http.send(&http_request).await.map_err(|e| {
                    let message = format!("step {number} ({actor}): {e}");
                    if matches!(e, crate::transport::TransportError::Method(_)) {
                        RunError::scenario(message)
                    } else {
                        RunError::target(message)
                    }
                })?;
                self.capture(&s.capture, &response.body, &step_ref, Some(actor));
                if let Some(spec) = &s.response {
                    self.check_response(&spec.value, &spec.referenced, &response, Some(actor), &step_ref);
                }
                outcome.actor = Some(actor.to_owned());
                outcome.request = Some(http_request);
                outcome.response = Some(response);
            }
            StepKind::State { state, params } => {
                let params = self.interpolate(params, &step_ref, None, &step.referenced)?;
                let reply = self.call_hook(state, &params).await?;
                self.capture(&s.capture, &reply.body, &step_ref, None);
                if let Some(spec) = &s.response {
                    self.check_response(&spec.value, &spec.referenced, &reply, None, &step_ref);
                }
                outcome.response = Some(reply);
            }
        }
        let timeout = self.timeout_for(Some(s));
        let streams = s.streams.as_ref().map(|s| s.value.clone());
        self.notifications(
            &s.notifications,
            streams.as_ref(),
            timeout,
            &step_ref,
            &mut outcome,
            &Phase::Step,
        )
        .await;
        self.steps.push(outcome);
        Ok(())
    }

    fn build_request(
        &mut self,
        request: &RequestSpec,
        actor: &str,
        step_ref: &StepRef,
        step: &Spanned<Step>,
    ) -> Result<HttpRequest, Stop> {
        let path = Value::String(request.path.value.clone());
        let path = match self.interpolate(&path, step_ref, Some(actor), &request.path.referenced)? {
            Value::String(p) => p,
            other => other.to_string(),
        };
        let body = match &request.body {
            Some(b) => Some(self.interpolate(b, step_ref, Some(actor), &step.referenced)?),
            None => None,
        };
        let mut headers = Vec::new();
        for (name, value) in &request.headers {
            let value = Value::String(value.clone());
            let value = match self.interpolate(&value, step_ref, Some(actor), &step.referenced)? {
                Value::String(v) => v,
                other => other.to_string(),
            };
            headers.push((name.clone(), value));
        }
        let auth = match step.value.auth.as_ref().map(|a| a.value) {
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

    fn check_response(
        &mut self,
        spec: &ResponseSpec,
        loc: &serde_saphyr::Location,
        response: &HttpResponse,
        actor: Option<&str>,
        step: &StepRef,
    ) {
        if let Some(expected) = &spec.status
            && !expected.matches(response.status)
        {
            self.fail(
                step,
                actor,
                loc,
                FailureKind::Status {
                    expected: expected.clone(),
                    actual: response.status,
                    body: response.body.clone(),
                },
            );
        }
        let header_mismatches = self.check_headers(spec, response);
        if !header_mismatches.is_empty() {
            self.fail(
                step,
                actor,
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
                    actor,
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

    /// Header names are case-insensitive: both sides become objects keyed by lowercase names
    /// (repeated headers joined with ", " as HTTP allows), so the lenient object rules apply,
    /// `$absent` included, and pointers read `/content-type`. Header values are text, so an
    /// expectation written as a number or boolean (`content-length: 16`) means its text.
    fn check_headers(&self, spec: &ResponseSpec, response: &HttpResponse) -> Vec<Mismatch> {
        if spec.headers.is_empty() {
            return Vec::new();
        }
        let expected: Map<String, Value> = spec
            .headers
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Value::Number(_) | Value::Bool(_) => Value::String(value.to_string()),
                    other => other.clone(),
                };
                (name.to_ascii_lowercase(), value)
            })
            .collect();
        let mut actual = Map::new();
        for (name, value) in &response.headers {
            match actual.get_mut(name) {
                Some(Value::String(joined)) => {
                    joined.push_str(", ");
                    joined.push_str(value);
                }
                _ => {
                    actual.insert(name.clone(), Value::String(value.clone()));
                }
            }
        }
        match_value(&Value::Object(expected), &Value::Object(actual), &self.vars)
    }

    /// The scenario line of each mismatch's expectation inside the value written at `loc`.
    pub(super) fn lines_of(&self, mismatches: &[Mismatch], loc: &serde_saphyr::Location) -> Vec<u64> {
        let start = (loc.line(), loc.column());
        mismatches
            .iter()
            .map(|m| locate_pointer(&self.loaded.text, start, &m.pointer).0)
            .collect()
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
