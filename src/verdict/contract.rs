//! The inline contract: a pure function of (scenario, transcript) → failures and notes.
//! Responses, captures and each actor's notifications are judged against what the scenario
//! file says, every failure located at the line of the expectation it breaks.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use serde_saphyr::{Location, Spanned};

use super::outcome::{BindingConflict, Failure, FailureKind, Note, NoteKind};
use super::streams::judge;
use crate::matching::{Binding, Mismatch, Vars, match_value, match_with_bindings, normalize};
use crate::runner::{Action, Exchange, Field, StepRef, Stop, StreamEventKind, Transcript, mode_for};
use crate::scenario::{
    LoadedScenario, NotificationExpectations, ResponseSpec, SourcePos, Step, StepKind, StreamMode,
    locate_pointer,
};
use crate::transport::HttpResponse;

/// What the inline contract says about a run.
#[derive(Debug, Clone, Default)]
pub struct Judgement {
    /// Every failed expectation, in scenario order.
    pub failures: Vec<Failure>,
    /// Observations worth reporting that are not failures.
    pub notes: Vec<Note>,
}

/// Judges `transcript` against the expectations written in `loaded`.
pub fn judge_contract(loaded: &LoadedScenario, transcript: &Transcript) -> Judgement {
    let mut j = Judge {
        loaded,
        out: Judgement::default(),
        by_name: BTreeMap::new(),
        by_value: BTreeMap::new(),
    };
    // An interrupted run stopped its last exchange while it waited for notifications: what
    // had not arrived yet was not late, so that exchange's streams are not judged.
    let cut_short = matches!(transcript.stop, Some(Stop::Interrupted))
        .then(|| transcript.exchanges.len().checked_sub(1))
        .flatten();
    for (index, exchange) in transcript.exchanges.iter().enumerate() {
        let vars = transcript.vars_after(index);
        j.exchange(exchange, &vars, cut_short != Some(index));
    }
    match &transcript.stop {
        Some(Stop::Skipped {
            step,
            field,
            undefined,
        }) => {
            let (actor, loc) = j.field_location(step, *field);
            j.fail(
                step,
                actor.as_deref(),
                &loc,
                FailureKind::Template {
                    names: undefined.clone(),
                },
            );
            j.out.notes.push(Note {
                step: step.clone(),
                actor: None,
                kind: NoteKind::Skipped {
                    undefined: undefined.clone(),
                },
            });
        }
        Some(Stop::Unmet { requirements }) => j.out.notes.push(Note {
            step: StepRef {
                number: 0,
                label: "requires".to_owned(),
            },
            actor: None,
            kind: NoteKind::Unmet {
                requirements: requirements.clone(),
            },
        }),
        Some(Stop::Error { .. } | Stop::Interrupted) | None => {}
    }
    for teardown in &transcript.teardown {
        let reason = match &teardown.result {
            Ok(reply) if (200..300).contains(&reply.status) => continue,
            Ok(reply) => format!("HTTP {}", reply.status),
            Err(e) => e.clone(),
        };
        j.out.notes.push(Note {
            step: StepRef {
                number: 0,
                label: format!("teardown {}", teardown.state),
            },
            actor: None,
            kind: NoteKind::Teardown {
                state: teardown.state.clone(),
                reason,
            },
        });
    }
    j.out
}

struct Judge<'a> {
    loaded: &'a LoadedScenario,
    out: Judgement,
    /// Symbolic ids bound so far: name → (value, where), value → (name, where).
    by_name: BTreeMap<String, (String, String)>,
    by_value: BTreeMap<String, (String, String)>,
}

impl<'a> Judge<'a> {
    fn fail(&mut self, step: &StepRef, actor: Option<&str>, loc: &Location, kind: FailureKind) {
        self.out.failures.push(Failure {
            step: step.clone(),
            actor: actor.map(str::to_owned),
            pos: SourcePos::from_location(&self.loaded.path, loc),
            kind,
        });
    }

    fn step_of(&self, step: &StepRef) -> Option<&'a Spanned<Step>> {
        step.number
            .checked_sub(1)
            .and_then(|i| self.loaded.scenario.steps.get(i))
    }

    /// Who a step's field belongs to and where it is written.
    fn field_location(&self, step: &StepRef, field: Field) -> (Option<String>, Location) {
        if step.is_given() {
            // A given that could not be interpolated never started; find it by its label.
            let given = self
                .loaded
                .scenario
                .given
                .iter()
                .find(|g| step.label == format!("given {}", g.value.state));
            return (None, given.map_or(Location::UNKNOWN, |g| g.referenced));
        }
        let Some(spanned) = self.step_of(step) else {
            return (None, Location::UNKNOWN);
        };
        match spanned.value.kind() {
            Some(StepKind::Http { actor, request, .. }) => {
                let loc = if field == Field::Path {
                    request.path.referenced
                } else {
                    spanned.referenced
                };
                (Some(actor.to_owned()), loc)
            }
            _ => (None, spanned.referenced),
        }
    }

    fn exchange(&mut self, exchange: &Exchange, vars: &Vars, waited: bool) {
        let step = &exchange.step;
        let (captures, expectations, step_streams, step_loc, actor) = match exchange.given {
            Some(i) => {
                let Some(given) = self.loaded.scenario.given.get(i) else {
                    return;
                };
                (
                    &given.value.capture,
                    &given.value.notifications,
                    None,
                    given.referenced,
                    None,
                )
            }
            None => {
                let Some(spanned) = self.step_of(step) else {
                    return;
                };
                let s = &spanned.value;
                let actor = match &exchange.action {
                    Action::Http { actor, .. } => Some(actor.as_str()),
                    Action::Hook { .. } => None,
                };
                (
                    &s.capture,
                    &s.notifications,
                    s.streams.as_ref().map(|s| &s.value),
                    spanned.referenced,
                    actor,
                )
            }
        };
        let reply = exchange.reply();
        for capture in &exchange.captures {
            if capture.value.is_some() {
                continue;
            }
            let loc = captures
                .get(&capture.name)
                .map_or(Location::UNKNOWN, |p| p.referenced);
            self.fail(
                step,
                actor,
                &loc,
                FailureKind::Capture {
                    name: capture.name.clone(),
                    pointer: capture.pointer.clone(),
                    document: reply.map_or(Value::Null, |r| r.body.clone()),
                },
            );
        }
        // A request step's response, or a state step's hook reply (`actor` is `None` then).
        if let (Some(spanned), Some(response)) = (
            exchange.given.is_none().then(|| self.step_of(step)).flatten(),
            reply,
        ) && let Some(spec) = &spanned.value.response
        {
            self.response(&spec.value, &spec.referenced, response, actor, step, vars);
        }
        let setup = exchange.given.is_some();
        let judged = if waited {
            self.loaded.scenario.actors.as_slice()
        } else {
            &[]
        };
        for name in judged.iter().map(|a| a.value.clone()) {
            let mode = if setup {
                StreamMode::Lenient
            } else {
                mode_for(
                    step_streams,
                    self.loaded.scenario.streams.as_ref().map(|s| &s.value),
                    &name,
                )
            };
            self.stream(exchange, expectations, &name, mode, setup, &step_loc, vars);
        }
        for event in &exchange.stream_events {
            let kind = match &event.kind {
                StreamEventKind::Rehandshake { window_ms, reason } => NoteKind::Rehandshake {
                    window_ms: *window_ms,
                    reason: reason.clone(),
                },
                StreamEventKind::AdviceClamped { detail } => NoteKind::AdviceClamped {
                    detail: detail.clone(),
                },
                // A failing long-poll that recovers loses nothing (the server keeps the
                // session's queue); one that does not ends the run with an error.
                StreamEventKind::Trouble { .. }
                | StreamEventKind::Recovered
                | StreamEventKind::Lost { .. } => continue,
            };
            self.out.notes.push(Note {
                step: step.clone(),
                actor: Some(event.actor.clone()),
                kind,
            });
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one call site; a struct would only rename them"
    )]
    fn stream(
        &mut self,
        exchange: &Exchange,
        expectations: &NotificationExpectations,
        actor: &str,
        mode: StreamMode,
        setup: bool,
        step_loc: &Location,
        vars: &Vars,
    ) {
        let step = &exchange.step;
        let expected: &[Spanned<Value>] = expectations.for_actor(actor).unwrap_or(&[]);
        let all = exchange
            .notifications
            .get(actor)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let deadline = exchange.wait.deadline_ms;
        let in_time: Vec<&Value> = all
            .iter()
            .filter(|n| n.at_ms <= deadline)
            .map(|n| &n.data)
            .collect();
        let late: Vec<(Value, f64)> = all
            .iter()
            .filter(|n| n.at_ms > deadline)
            .map(|n| (n.data.clone(), n.at_ms))
            .collect();
        let judgement = judge(mode, expected, &in_time, vars);
        for (index, actual) in &judgement.matched {
            let (_, bindings) = match_with_bindings(&expected[*index].value, actual, vars);
            self.bind(bindings, step, Some(actor), &expected[*index].referenced);
        }
        for (index, actual, mismatches) in judgement.differing {
            let loc = expected[index].referenced;
            self.fail(
                step,
                Some(actor),
                &loc,
                FailureKind::Notification {
                    index,
                    patch: normalize(&expected[index].value, &actual, vars).patch(),
                    mismatch_lines: self.lines_of(&mismatches, &loc),
                    expected: expected[index].value.clone(),
                    actual,
                    mismatches,
                },
            );
        }
        let mut extras = judgement.extras;
        if let Some(&first) = judgement.unmatched.first() {
            let unmatched = judgement
                .unmatched
                .iter()
                .map(|&i| expected[i].value.clone())
                .collect();
            self.fail(
                step,
                Some(actor),
                &expected[first].referenced,
                FailureKind::Missing {
                    expected: expected.len(),
                    received: in_time.len(),
                    timeout_ms: exchange.wait.timeout_ms,
                    unmatched,
                    arrived: in_time.iter().map(|v| (*v).clone()).collect(),
                    late,
                    ignored: exchange.ignored.get(actor).copied().unwrap_or(0),
                    stream: exchange.stream_events.iter().rev().find_map(|e| match &e.kind {
                        StreamEventKind::Lost { reason } | StreamEventKind::Trouble { reason }
                            if e.actor == actor =>
                        {
                            Some(reason.clone())
                        }
                        _ => None,
                    }),
                },
            );
        } else {
            extras.extend(late.into_iter().map(|(v, _)| v));
        }
        // Unlisted notifications caused by `given:` states are neither failures nor notes:
        // setup may notify in ways a scenario does not care about.
        if setup {
            return;
        }
        for actual in extras {
            if mode == StreamMode::Strict {
                self.fail(step, Some(actor), step_loc, FailureKind::Unexpected { actual });
            } else {
                self.out.notes.push(Note {
                    step: step.clone(),
                    actor: Some(actor.to_owned()),
                    kind: NoteKind::Extra { actual },
                });
            }
        }
    }

    fn response(
        &mut self,
        spec: &ResponseSpec,
        loc: &Location,
        response: &HttpResponse,
        actor: Option<&str>,
        step: &StepRef,
        vars: &Vars,
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
        let header_mismatches = check_headers(spec, response, vars);
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
            let (mismatches, bindings) = match_with_bindings(expected, &response.body, vars);
            self.bind(bindings, step, actor, loc);
            if !mismatches.is_empty() {
                self.fail(
                    step,
                    actor,
                    loc,
                    FailureKind::Body {
                        mismatch_lines: self.lines_of(&mismatches, loc),
                        mismatches,
                        expected: expected.clone(),
                        patch: normalize(expected, &response.body, vars).patch(),
                        actual: response.body.clone(),
                    },
                );
            }
        }
    }

    /// Symbolic ids bind at their first occurrence in scenario order and must hold both ways:
    /// the same placeholder is the same value everywhere, different placeholders are
    /// different values.
    fn bind(&mut self, bindings: Vec<Binding>, step: &StepRef, actor: Option<&str>, loc: &Location) {
        for b in bindings {
            let here = format!(
                "{}, {}, {}",
                actor.unwrap_or("scenario"),
                step_name(step),
                pointer_text(&b.pointer)
            );
            let placeholder = format!("$id:{}", b.name);
            let conflict = match (self.by_name.get(&b.name), self.by_value.get(&b.value)) {
                (Some((bound, first)), _) if *bound != b.value => Some((
                    BindingConflict::OtherValue { bound: bound.clone() },
                    first.clone(),
                )),
                (None, Some((other, first))) => Some((
                    BindingConflict::OtherPlaceholder {
                        placeholder: format!("$id:{other}"),
                    },
                    first.clone(),
                )),
                (Some(_), _) => None,
                (None, None) => {
                    self.by_name
                        .insert(b.name.clone(), (b.value.clone(), here.clone()));
                    self.by_value.insert(b.value.clone(), (b.name.clone(), here));
                    None
                }
            };
            if let Some((conflict, first)) = conflict {
                self.fail(
                    step,
                    actor,
                    loc,
                    FailureKind::Binding {
                        placeholder,
                        value: b.value,
                        conflict,
                        first,
                    },
                );
            }
        }
    }

    /// The scenario line of each mismatch's expectation inside the value written at `loc`.
    fn lines_of(&self, mismatches: &[Mismatch], loc: &Location) -> Vec<u64> {
        let start = (loc.line(), loc.column());
        mismatches
            .iter()
            .map(|m| locate_pointer(&self.loaded.text, start, &m.pointer).0)
            .collect()
    }
}

/// Header names are case-insensitive: both sides become objects keyed by lowercase names
/// (repeated headers joined with ", " as HTTP allows), so the lenient object rules apply,
/// `$absent` included, and pointers read `/content-type`. Header values are text, so an
/// expectation written as a number or boolean (`content-length: 16`) means its text.
fn check_headers(spec: &ResponseSpec, response: &HttpResponse, vars: &Vars) -> Vec<Mismatch> {
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
    match_value(&Value::Object(expected), &Value::Object(actual), vars)
}

fn step_name(step: &StepRef) -> String {
    if step.is_given() {
        step.label.clone()
    } else {
        format!("step {}", step.number)
    }
}

fn pointer_text(pointer: &str) -> &str {
    if pointer.is_empty() { "(root)" } else { pointer }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::runner::WaitRecord;
    use crate::scenario::load_str;
    use crate::transport::{HttpRequest, RequestAuth};

    const SCENARIO: &str = "
actors: [agent1]
steps:
  - actor: agent1
    request: { path: /x }
    notifications:
      agent1: [ { n: 1 } ]
";

    fn transcript(stop: Option<Stop>) -> Transcript {
        let exchange = Exchange {
            step: StepRef {
                number: 1,
                label: "agent1 GET /x".to_owned(),
            },
            given: None,
            action: Action::Http {
                actor: "agent1".to_owned(),
                request: HttpRequest {
                    method: "GET".to_owned(),
                    path: "/x".to_owned(),
                    headers: Vec::new(),
                    body: None,
                    auth: RequestAuth::Actor,
                },
                response: None,
            },
            started_ms: 0.0,
            response_ms: None,
            captures: Vec::new(),
            wait: WaitRecord::default(),
            notifications: BTreeMap::from([("agent1".to_owned(), Vec::new())]),
            ignored: BTreeMap::new(),
            stream_events: Vec::new(),
        };
        Transcript {
            scenario: "t".to_owned(),
            file: "t.yaml".into(),
            target: String::new(),
            duration_ms: 0,
            vars: Vars::new(),
            captured: Vec::new(),
            exchanges: vec![exchange],
            teardown: Vec::new(),
            stop,
        }
    }

    #[test]
    fn an_interrupted_exchange_is_not_judged_for_what_had_not_arrived_yet() {
        let loaded = load_str(Path::new("t.yaml"), SCENARIO.to_owned()).expect("loads");
        let complete = judge_contract(&loaded, &transcript(None));
        assert!(
            complete
                .failures
                .iter()
                .any(|f| matches!(f.kind, FailureKind::Missing { .. })),
            "{:?}",
            complete.failures
        );
        let interrupted = judge_contract(&loaded, &transcript(Some(Stop::Interrupted)));
        assert!(
            interrupted
                .failures
                .iter()
                .all(|f| !matches!(f.kind, FailureKind::Missing { .. })),
            "{:?}",
            interrupted.failures
        );
    }
}
