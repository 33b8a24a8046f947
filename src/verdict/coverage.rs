//! Suite coverage (`verify --coverage`): which facebooksession operations a run exercised in
//! which states of the acting agent (and what the target answered), and which notification
//! types the scenarios assert — with the gaps, so a suite's blind spots are visible. A pure
//! function of the scenarios and their transcripts.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::runner::{Action, Transcript};
use crate::scenario::LoadedScenario;

/// The agent-side operations of the Facebook Private Messaging API (reference §1).
pub const OPERATIONS: [&str; 20] = [
    "Accept",
    "Reject",
    "SendMessage",
    "SendToAgents",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
    "SendStartTypingToAgentsNotification",
    "SendStopTypingToAgentsNotification",
    "AddComment",
    "SetDisposition",
    "AttachUserData",
    "UpdateUserData",
    "DeleteUserData",
    "Transfer",
    "Consult",
    "Invite",
    "RemoveParticipantFromConference",
    "Leave",
    "Complete",
    "SetInFocus",
];

/// The states an agent's facebooksession can be in (reference §2.2); `Invited` is the offer.
pub const STATES: [&str; 4] = ["Invited", "Chatting", "LeftChat", "Completed"];

/// The notification types of the API (reference §3): (messageType, notificationType).
pub const NOTIFICATION_TYPES: [(&str, &str); 5] = [
    ("FacebooksessionStateChangeMessage", "StatusChange"),
    ("FacebooksessionStateChangeMessage", "ParticipantsUpdated"),
    ("FacebooksessionStateChangeMessage", "PropertiesUpdated"),
    ("FacebooksessionStateChangeMessage", "Error"),
    ("MessageLogUpdated", "NewMessages"),
];

/// What a run did with one operation in one state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Exercised {
    /// `statusCode` answers seen (0 performed, 2 not valid in the state, ...), with counts.
    pub status_codes: BTreeMap<i64, usize>,
    /// Scenarios that did it.
    pub scenarios: BTreeSet<String>,
}

/// The coverage of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Operation → state of the acting agent (`none` when it was not in the session) → what
    /// happened. Every operation of [`OPERATIONS`] is listed, exercised or not.
    pub operations: BTreeMap<String, BTreeMap<String, Exercised>>,
    /// (messageType, notificationType) asserted by some scenario's expectations.
    pub asserted: BTreeSet<(String, String)>,
    /// (messageType, notificationType) received in the run.
    pub observed: BTreeSet<(String, String)>,
    /// Message types inside `MessageLogUpdated` notifications asserted (Text, Notice, ...).
    pub asserted_messages: BTreeSet<String>,
    /// Operations never exercised.
    pub never_exercised: Vec<String>,
    /// Operations exercised but never where they are not valid (no non-zero `statusCode`).
    pub never_refused: Vec<String>,
    /// Known notification types no scenario asserts.
    pub never_asserted: Vec<(String, String)>,
}

/// The coverage of `runs` (each scenario with its transcript).
pub fn coverage(runs: &[(&LoadedScenario, &Transcript)]) -> Coverage {
    let mut cov = Coverage {
        operations: OPERATIONS
            .iter()
            .map(|op| ((*op).to_owned(), BTreeMap::new()))
            .collect(),
        ..Coverage::default()
    };
    for (loaded, transcript) in runs {
        for step in &loaded.scenario.steps {
            for (_, expected) in &step.value.notifications.0 {
                for e in expected {
                    collect_types(&e.value, &mut cov.asserted, &mut cov.asserted_messages);
                }
            }
        }
        for given in &loaded.scenario.given {
            for (_, expected) in &given.value.notifications.0 {
                for e in expected {
                    collect_types(&e.value, &mut cov.asserted, &mut cov.asserted_messages);
                }
            }
        }
        walk_transcript(&loaded.name, transcript, &mut cov);
    }
    cov.never_exercised = OPERATIONS
        .iter()
        .filter(|op| cov.operations.get(**op).is_none_or(BTreeMap::is_empty))
        .map(|op| (*op).to_owned())
        .collect();
    cov.never_refused = OPERATIONS
        .iter()
        .filter(|op| {
            cov.operations.get(**op).is_some_and(|states| {
                !states.is_empty()
                    && states
                        .values()
                        .all(|e| e.status_codes.keys().all(|code| *code == 0))
            })
        })
        .map(|op| (*op).to_owned())
        .collect();
    cov.never_asserted = NOTIFICATION_TYPES
        .iter()
        .map(|(m, n)| ((*m).to_owned(), (*n).to_owned()))
        .filter(|t| !cov.asserted.contains(t))
        .collect();
    cov
}

fn collect_types(expected: &Value, types: &mut BTreeSet<(String, String)>, messages: &mut BTreeSet<String>) {
    let text = |key: &str| {
        expected
            .get(key)
            .and_then(Value::as_str)
            .filter(|t| !t.starts_with('$'))
    };
    if let (Some(m), Some(n)) = (text("messageType"), text("notificationType")) {
        types.insert((m.to_owned(), n.to_owned()));
    } else if let Some(n) = text("notificationType") {
        // The message type follows from the notification type.
        let m = if n == "NewMessages" {
            "MessageLogUpdated"
        } else {
            "FacebooksessionStateChangeMessage"
        };
        types.insert((m.to_owned(), n.to_owned()));
    }
    if let Some(list) = expected.get("messages").and_then(Value::as_array) {
        for m in list {
            if let Some(t) = m
                .get("type")
                .and_then(Value::as_str)
                .filter(|t| !t.starts_with('$'))
            {
                messages.insert(t.to_owned());
            }
        }
    }
}

/// Follows each actor's state through the run: from the `given:` states, then from the
/// `facebooksession.state` of every notification it receives.
fn walk_transcript(scenario: &str, transcript: &Transcript, cov: &mut Coverage) {
    let mut states: BTreeMap<String, String> = BTreeMap::new();
    for exchange in &transcript.exchanges {
        match &exchange.action {
            Action::Hook { state, params, .. } if exchange.step.is_given() => {
                given_states(state, params, &mut states);
            }
            Action::Http {
                actor,
                request,
                response,
            } => {
                let operation = request
                    .body
                    .as_ref()
                    .and_then(|b| b.get("operationName"))
                    .and_then(Value::as_str);
                if let (Some(operation), true) = (operation, request.path.contains("facebooksessions")) {
                    let state = states.get(actor).cloned().unwrap_or_else(|| "none".to_owned());
                    let code = response
                        .as_ref()
                        .and_then(|r| r.body.get("statusCode"))
                        .and_then(Value::as_i64)
                        .unwrap_or(-1);
                    let cell = cov
                        .operations
                        .entry(operation.to_owned())
                        .or_default()
                        .entry(state)
                        .or_default();
                    *cell.status_codes.entry(code).or_default() += 1;
                    cell.scenarios.insert(scenario.to_owned());
                }
            }
            Action::Hook { .. } => {}
        }
        for (actor, received) in &exchange.notifications {
            for n in received {
                let m = n.data.get("messageType").and_then(Value::as_str);
                let t = n.data.get("notificationType").and_then(Value::as_str);
                if let (Some(m), Some(t)) = (m, t) {
                    cov.observed.insert((m.to_owned(), t.to_owned()));
                }
                let state = ["facebooksession", "facebooksessions"]
                    .iter()
                    .find_map(|k| n.data.get(*k)?.get("state")?.as_str());
                if let Some(state) = state {
                    states.insert(actor.clone(), state.to_owned());
                }
            }
        }
    }
}

/// The states the provider states of DESIGN §5 put their agents in.
fn given_states(state: &str, params: &Value, states: &mut BTreeMap<String, String>) {
    match state {
        "facebook session offered" => {
            if let Some(agent) = params.get("agent").and_then(Value::as_str) {
                states.insert(agent.to_owned(), "Invited".to_owned());
            }
        }
        "facebook session chatting" => {
            for agent in params
                .get("agents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                states.insert(agent.to_owned(), "Chatting".to_owned());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::runner::{Exchange, Observed, StepRef, WaitRecord};
    use crate::scenario::load_str;
    use crate::transport::{HttpRequest, HttpResponse, RequestAuth};

    fn exchange(number: usize, action: Action, notifications: Vec<(&str, Value)>) -> Exchange {
        let mut per_actor: BTreeMap<String, Vec<Observed>> = BTreeMap::new();
        for (actor, data) in notifications {
            per_actor.entry(actor.to_owned()).or_default().push(Observed {
                channel: "/v2/me/facebooksession".to_owned(),
                data,
                at_ms: 1.0,
            });
        }
        Exchange {
            step: StepRef {
                number,
                label: String::new(),
            },
            given: (number == 0).then_some(0),
            action,
            started_ms: 0.0,
            response_ms: None,
            captures: Vec::new(),
            wait: WaitRecord::default(),
            notifications: per_actor,
            ignored: BTreeMap::new(),
            stream_events: Vec::new(),
        }
    }

    fn op(actor: &str, name: &str, status: i64) -> Action {
        Action::Http {
            actor: actor.to_owned(),
            request: HttpRequest {
                method: "POST".to_owned(),
                path: "/api/v2/me/facebooksessions/S".to_owned(),
                headers: Vec::new(),
                body: Some(json!({"operationName": name})),
                auth: RequestAuth::Actor,
            },
            response: Some(HttpResponse {
                status: 200,
                headers: Vec::new(),
                body: json!({"statusCode": status}),
            }),
        }
    }

    #[test]
    fn operations_are_placed_in_the_acting_agents_state_and_gaps_are_listed() {
        let loaded = load_str(
            Path::new("s.yaml"),
            "actors: [agent1]\nsteps:\n  - actor: agent1\n    request: { path: /x }\n    notifications:\n      agent1:\n        - notificationType: StatusChange\n        - messageType: MessageLogUpdated\n          notificationType: NewMessages\n          messages: [ { type: Text } ]\n"
                .to_owned(),
        )
        .expect("loads");
        let mut transcript = crate::runner::Transcript::not_run(&loaded, "x");
        transcript.stop = None;
        transcript.exchanges = vec![
            exchange(
                0,
                Action::Hook {
                    state: "facebook session offered".to_owned(),
                    params: json!({"agent": "agent1"}),
                    reply: None,
                },
                vec![],
            ),
            exchange(
                1,
                op("agent1", "Accept", 0),
                vec![(
                    "agent1",
                    json!({"messageType": "FacebooksessionStateChangeMessage", "notificationType": "StatusChange", "facebooksession": {"state": "Chatting"}}),
                )],
            ),
            exchange(2, op("agent1", "Accept", 2), vec![]),
            exchange(3, op("agent1", "Leave", 0), vec![]),
        ];
        let transcript = Arc::new(transcript);
        let cov = coverage(&[(&loaded, &transcript)]);
        assert_eq!(
            cov.operations["Accept"]["Invited"].status_codes,
            BTreeMap::from([(0, 1)])
        );
        assert_eq!(
            cov.operations["Accept"]["Chatting"].status_codes,
            BTreeMap::from([(2, 1)])
        );
        assert_eq!(cov.never_exercised.len(), 18, "{:?}", cov.never_exercised);
        assert_eq!(cov.never_refused, ["Leave"]);
        assert!(
            cov.asserted
                .contains(&("MessageLogUpdated".to_owned(), "NewMessages".to_owned()))
        );
        assert!(cov.asserted.contains(&(
            "FacebooksessionStateChangeMessage".to_owned(),
            "StatusChange".to_owned()
        )));
        assert_eq!(cov.asserted_messages, BTreeSet::from(["Text".to_owned()]));
        assert!(
            cov.never_asserted
                .contains(&("FacebooksessionStateChangeMessage".to_owned(), "Error".to_owned()))
        );
    }
}
