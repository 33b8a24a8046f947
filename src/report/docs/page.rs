//! The content of one reference page, gathered from a scenario and its golden before any
//! rendering: the same model becomes Markdown, Mermaid and HTML.
//!
//! Samples (requests, responses, notifications) come from the golden, which recorded what the
//! reference target really did; the contract comes from the scenario's inline expectations.
//! A scenario without a golden still gets its page, with the expectations as samples.

use std::path::PathBuf;

use serde_json::Value;

use super::fields::{FieldRow, field_rows};
use super::readable::{Contract, contract_sample, readable, readable_text};
use crate::scenario::{AuthMode, LoadedScenario, NotificationExpectations, StepKind};

/// One scenario's reference page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The scenario's name.
    pub name: String,
    /// The page title (the name in words).
    pub title: String,
    /// The scenario's summary.
    pub summary: Option<String>,
    /// Where the behaviour is documented.
    pub source: Option<String>,
    /// The scenario's tags.
    pub tags: Vec<String>,
    /// The actors, in the scenario's order.
    pub actors: Vec<String>,
    /// The scenario file.
    pub scenario_file: PathBuf,
    /// The golden file (it may not exist).
    pub golden_file: PathBuf,
    /// Whether the samples come from a golden (else from the expectations).
    pub recorded: bool,
    /// The provider states applied first.
    pub givens: Vec<GivenPage>,
    /// The steps.
    pub steps: Vec<StepPage>,
}

/// A `given:` state.
#[derive(Debug, Clone)]
pub struct GivenPage {
    /// The state's name.
    pub state: String,
    /// Its parameters (readable).
    pub params: Value,
    /// Variables captured from the hook's reply: name and JSON Pointer.
    pub captures: Vec<(String, String)>,
    /// What each actor received meanwhile.
    pub streams: Vec<Stream>,
}

/// One step.
#[derive(Debug, Clone)]
pub struct StepPage {
    /// 1-based.
    pub number: usize,
    /// The step's `name:`.
    pub label: Option<String>,
    /// What was done.
    pub action: Action,
    /// Variables captured from the reply: name and JSON Pointer.
    pub captures: Vec<(String, String)>,
    /// The response (or the hook's reply), if one is recorded or expected.
    pub reply: Option<Reply>,
    /// Each actor's notifications, in the scenario's actor order (actors with none included).
    pub streams: Vec<Stream>,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// An HTTP request.
    Http {
        /// Who sends it.
        actor: String,
        /// The method.
        method: String,
        /// The request path, readable (`/api/v2/me/facebooksessions/{session}`).
        url: String,
        /// The body's `operationName`, when it has one.
        operation: Option<String>,
        /// The body's top-level fields: name and readable value.
        parameters: Vec<(String, String)>,
        /// How the request deviates from the actor's normal credentials, in words.
        auth: Option<&'static str>,
        /// Extra request headers: name and readable value.
        headers: Vec<(String, String)>,
        /// The sample body (readable).
        body: Option<Value>,
    },
    /// A state-hook call.
    State {
        /// The state.
        state: String,
        /// Its parameters (readable).
        params: Value,
    },
}

impl StepPage {
    /// The step's title: its `name:`, else who did what (`agent1: Complete`, `state hook: …`).
    pub fn title(&self) -> String {
        if let Some(label) = &self.label {
            return label.clone();
        }
        match &self.action {
            Action::Http {
                actor,
                method,
                url,
                operation,
                ..
            } => format!(
                "{actor}: {}",
                operation.clone().unwrap_or_else(|| format!("{method} {url}"))
            ),
            Action::State { state, .. } => format!("state hook: {state}"),
        }
    }
}

impl Action {
    /// What the index groups the step under: the operation name, `METHOD /path`, or the
    /// state.
    pub fn operation_key(&self) -> String {
        match self {
            Action::Http {
                operation: Some(op), ..
            } => op.clone(),
            Action::Http { method, url, .. } => format!("{method} {url}"),
            Action::State { state, .. } => format!("state: {state}"),
        }
    }
}

/// A response or a hook reply.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The recorded status, or the expected one.
    pub status: String,
    /// The sample body (readable).
    pub body: Option<Value>,
    /// Contract and observed fields, the status first.
    pub fields: Vec<FieldRow>,
}

/// One actor's notifications in one step, in arrival order.
#[derive(Debug, Clone)]
pub struct Stream {
    /// The actor.
    pub actor: String,
    /// The notifications.
    pub notifications: Vec<NotificationPage>,
}

/// One notification.
#[derive(Debug, Clone)]
pub struct NotificationPage {
    /// One line saying what it is (`StatusChange: Completed`).
    pub title: String,
    /// The sample (readable).
    pub sample: Value,
    /// Contract and observed fields.
    pub fields: Vec<FieldRow>,
    /// Whether the scenario expects it (else only observed, in a lenient stream).
    pub expected: bool,
}

/// The page of `loaded`, with samples from `golden` when there is one.
pub fn build_page(loaded: &LoadedScenario, golden: Option<&Value>, golden_file: PathBuf) -> Page {
    let scenario = &loaded.scenario;
    let actors: Vec<String> = scenario.actors.iter().map(|a| a.value.clone()).collect();
    let recorded_entry = |section: &str, i: usize| golden.and_then(|g| g.get(section)?.get(i));
    let givens = scenario
        .given
        .iter()
        .enumerate()
        .map(|(i, given)| {
            let given = &given.value;
            let rec = recorded_entry("given", i);
            GivenPage {
                state: given.state.clone(),
                params: readable(rec.and_then(|r| r.get("params")).unwrap_or(&given.params)),
                captures: captures(&given.capture),
                streams: streams(&actors, &given.notifications, rec),
            }
        })
        .collect();
    let steps = scenario
        .steps
        .iter()
        .enumerate()
        .filter_map(|(i, step)| {
            let step = &step.value;
            let rec = recorded_entry("steps", i);
            let (action, expected_reply) = match step.kind()? {
                StepKind::Http {
                    actor,
                    request,
                    response,
                } => {
                    let recorded_request = rec.and_then(|r| r.get("request"));
                    let body = recorded_request
                        .and_then(|r| r.get("body"))
                        .map(readable)
                        .or_else(|| request.body.as_ref().map(readable));
                    let action = Action::Http {
                        actor: actor.to_owned(),
                        method: request.method.to_ascii_uppercase(),
                        url: readable_text(&request.path.value),
                        operation: request
                            .body
                            .as_ref()
                            .and_then(|b| b.get("operationName"))
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        parameters: parameters(request.body.as_ref()),
                        auth: step.auth.as_ref().map(|a| auth_words(a.value)),
                        headers: request
                            .headers
                            .iter()
                            .map(|(k, v)| (k.clone(), readable_text(v)))
                            .collect(),
                        body,
                    };
                    (
                        action,
                        response.map(|r| (r.status.as_ref().map(ToString::to_string), r.body.as_ref())),
                    )
                }
                StepKind::State { state, params } => {
                    let params = rec.and_then(|r| r.get("params")).unwrap_or(params);
                    let action = Action::State {
                        state: state.to_owned(),
                        params: readable(params),
                    };
                    let expected = step.response.as_ref().map(|r| {
                        (
                            r.value.status.as_ref().map(ToString::to_string),
                            r.value.body.as_ref(),
                        )
                    });
                    (action, expected)
                }
            };
            let recorded_reply = rec.and_then(|r| r.get("response").or_else(|| r.get("reply")));
            Some(StepPage {
                number: i + 1,
                label: step.name.clone(),
                action,
                captures: captures(&step.capture),
                reply: reply(expected_reply, recorded_reply),
                streams: streams(&actors, &step.notifications, rec),
            })
        })
        .collect();
    Page {
        name: loaded.name.clone(),
        title: title(&loaded.name),
        summary: scenario.summary.clone(),
        source: scenario.source.clone(),
        tags: scenario.tags.clone(),
        actors,
        scenario_file: loaded.path.clone(),
        golden_file,
        recorded: golden.is_some(),
        givens,
        steps,
    }
}

/// `remove-participant-from-conference` → `Remove participant from conference`.
fn title(name: &str) -> String {
    let words = name.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn captures(
    capture: &std::collections::BTreeMap<String, serde_saphyr::Spanned<String>>,
) -> Vec<(String, String)> {
    capture
        .iter()
        .map(|(name, pointer)| (name.clone(), pointer.value.clone()))
        .collect()
}

fn auth_words(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::None => "sent without credentials",
        AuthMode::Wrong => "sent with a wrong password",
        AuthMode::NoCsrf => "sent without the CSRF token",
    }
}

/// The body's top-level fields as the parameter table shows them (strings unquoted).
fn parameters(body: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Object(map)) = body else {
        return Vec::new();
    };
    map.iter()
        .map(|(key, value)| {
            let shown = match readable(value) {
                Value::String(text) => text,
                other => other.to_string(),
            };
            (key.clone(), shown)
        })
        .collect()
}

fn reply(expected: Option<(Option<String>, Option<&Value>)>, recorded: Option<&Value>) -> Option<Reply> {
    if expected.is_none() && recorded.is_none() {
        return None;
    }
    let (expected_status, expected_body) = expected.unwrap_or((None, None));
    let recorded_status = recorded.and_then(|r| r.get("status")).map(|s| s.to_string());
    let recorded_body = recorded.and_then(|r| r.get("body"));
    let status = recorded_status
        .clone()
        .or_else(|| expected_status.clone())
        .unwrap_or_else(|| "any".to_owned());
    let mut fields = vec![FieldRow {
        pointer: "HTTP status".to_owned(),
        contract: expected_status.map(|s| Contract {
            before: String::new(),
            code: Some(s),
            after: String::new(),
        }),
        recorded: recorded_status,
    }];
    if expected_body.is_some() || recorded_body.is_some() {
        fields.extend(field_rows(expected_body, recorded_body));
    }
    let body = match recorded {
        Some(_) => recorded_body.map(readable),
        None => expected_body.map(contract_sample),
    };
    Some(Reply { status, body, fields })
}

/// Every actor's notifications, from the golden when recorded (else the expectations).
fn streams(actors: &[String], expected: &NotificationExpectations, recorded: Option<&Value>) -> Vec<Stream> {
    actors
        .iter()
        .map(|actor| {
            let expected: Vec<&Value> = expected
                .for_actor(actor)
                .map(|list| list.iter().map(|s| &s.value).collect())
                .unwrap_or_default();
            let notifications = match recorded {
                Some(entry) => {
                    let observed: Vec<&Value> = entry
                        .get("notifications")
                        .and_then(|n| n.get(actor))
                        .and_then(Value::as_array)
                        .map(|list| list.iter().collect())
                        .unwrap_or_default();
                    let pairs = pair_in_order(&expected, &observed);
                    observed
                        .iter()
                        .enumerate()
                        .map(|(i, data)| {
                            let exp = pairs.iter().position(|p| *p == Some(i)).map(|e| expected[e]);
                            NotificationPage {
                                title: notification_title(data),
                                sample: readable(data),
                                fields: field_rows(exp, Some(data)),
                                expected: exp.is_some(),
                            }
                        })
                        .collect()
                }
                None => expected
                    .iter()
                    .map(|exp| {
                        let sample = contract_sample(exp);
                        NotificationPage {
                            title: notification_title(&sample),
                            fields: field_rows(Some(exp), None),
                            sample,
                            expected: true,
                        }
                    })
                    .collect(),
            };
            Stream {
                actor: actor.clone(),
                notifications,
            }
        })
        .collect()
}

/// Which recorded notification each expectation describes: position by position when the
/// counts agree (a strict stream), else each expectation takes the next recorded one of its
/// message and notification type (a lenient stream has extras in between).
fn pair_in_order(expected: &[&Value], recorded: &[&Value]) -> Vec<Option<usize>> {
    if expected.len() == recorded.len() {
        return (0..expected.len()).map(Some).collect();
    }
    let kind = |v: &Value| (v.get("messageType").cloned(), v.get("notificationType").cloned());
    let mut next = 0;
    expected
        .iter()
        .map(|e| {
            let found = (next..recorded.len()).find(|&i| kind(recorded[i]) == kind(e))?;
            next = found + 1;
            Some(found)
        })
        .collect()
}

/// `StatusChange: Completed`, `NewMessages: Notice`, or the message type.
pub fn notification_title(data: &Value) -> String {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut title = text(data, "notificationType")
        .or_else(|| text(data, "messageType"))
        .unwrap_or_else(|| "notification".to_owned());
    let mut details = Vec::new();
    if let Some(state) = data.get("facebooksession").and_then(|s| text(s, "state")) {
        details.push(state);
    }
    if let Some(messages) = data.get("messages").and_then(Value::as_array) {
        details.extend(messages.iter().filter_map(|m| text(m, "type")));
    }
    if !details.is_empty() {
        title.push_str(": ");
        title.push_str(&details.join(", "));
    }
    title
}
