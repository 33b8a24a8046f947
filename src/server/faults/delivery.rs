//! Faults applied to what one operation request produces: its reply and its notifications.
//! "The first notification" means the first one the operation causes, whoever it goes to; the
//! Complete operation causes exactly one, so the shipped Complete scenario observes most of the
//! notification faults. The session itself is never falsified here: only what leaves the server.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::catalog::Fault;
use crate::server::facebook::{Outcome, Outgoing};

/// What actually leaves the server for one operation request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Delivery {
    pub status: StatusCode,
    pub body: Value,
    /// Published at once, in order.
    pub now: Vec<Outgoing>,
    /// Published after the fault delay.
    pub later: Vec<Outgoing>,
}

/// Applies `faults` to an operation's outcome. `users` are every user of the server (the
/// wrong-agent fault picks the next one after the intended recipient).
pub(crate) fn apply(faults: &BTreeSet<Fault>, outcome: Outcome, users: &[String]) -> Delivery {
    let succeeded = outcome.succeeded();
    let mut d = Delivery {
        status: outcome.status,
        body: outcome.body,
        now: outcome.notifications,
        later: Vec::new(),
    };
    if !succeeded {
        refusal(faults, &mut d);
        return d;
    }
    for fault in faults {
        match fault {
            Fault::WrongStatusCode => {
                if let Some(body) = d.body.as_object_mut() {
                    body.insert("statusCode".into(), Value::from(4));
                }
            }
            Fault::WrongHttpStatus => d.status = StatusCode::ACCEPTED,
            Fault::MissingCapability => {
                for out in &mut d.now {
                    if let Some(Value::Array(caps)) = out.data.pointer_mut("/facebooksession/capabilities")
                        && !caps.is_empty()
                    {
                        caps.remove(0);
                    }
                }
            }
            Fault::WrongState => {
                if let Some(state) = d
                    .now
                    .iter_mut()
                    .find_map(|o| o.data.pointer_mut("/facebooksession/state"))
                {
                    let wrong = match state.as_str() {
                        Some("Chatting") => "LeftChat",
                        Some("Invited") => "Chatting",
                        _ => "Chatting",
                    };
                    *state = Value::from(wrong);
                }
            }
            Fault::RenamedField => {
                if let Some(data) = d
                    .now
                    .iter_mut()
                    .filter_map(|o| o.data.as_object_mut())
                    .find(|data| data.contains_key("facebooksession"))
                    && let Some(resource) = data.remove("facebooksession")
                {
                    data.insert("facebooksessions".into(), resource);
                }
            }
            Fault::MissingReferenceId => {
                if let Some(data) = d
                    .now
                    .iter_mut()
                    .filter_map(|o| o.data.as_object_mut())
                    .find(|data| data.contains_key("referenceId"))
                {
                    data.remove("referenceId");
                }
            }
            Fault::ExtraNotification => {
                if let Some(first) = d.now.first() {
                    let mut extra = first.clone();
                    if let Some(data) = extra.data.as_object_mut() {
                        data.insert("notificationType".into(), Value::from("PropertiesUpdated"));
                    }
                    d.now.push(extra);
                }
            }
            Fault::ReorderNotifications => {
                let first_pair = (0..d.now.len()).find_map(|i| {
                    (i + 1..d.now.len())
                        .find(|&j| d.now[j].user == d.now[i].user)
                        .map(|j| (i, j))
                });
                if let Some((i, j)) = first_pair {
                    d.now.swap(i, j);
                }
            }
            Fault::WrongAgent => {
                if let Some(first) = d.now.first_mut()
                    && let Some(other) = next_user(users, &first.user)
                {
                    first.user = other;
                }
            }
            Fault::DuplicateNotification => {
                if let Some(first) = d.now.first().cloned() {
                    d.now.insert(1, first);
                }
            }
            Fault::DropNotification if !d.now.is_empty() => {
                d.now.remove(0);
            }
            Fault::DelayNotification if !d.now.is_empty() => {
                d.later.push(d.now.remove(0));
            }
            Fault::LeftChatCapabilities => {
                for out in &mut d.now {
                    let left_chat = out.data.pointer("/facebooksession/state") == Some(&json!("LeftChat"));
                    if let Some(Value::Array(caps)) = out.data.pointer_mut("/facebooksession/capabilities")
                        && left_chat
                        && !caps.is_empty()
                    {
                        caps.push(json!("SendMessage"));
                    }
                }
            }
            Fault::AgentsOnlyVisibilityAll => {
                for out in &mut d.now {
                    if let Some(Value::Array(messages)) = out.data.get_mut("messages") {
                        for visibility in messages.iter_mut().filter_map(|m| m.get_mut("visibility")) {
                            if visibility == "Agents" {
                                *visibility = json!("All");
                            }
                        }
                    }
                }
            }
            Fault::TypingNotNotified => d.now.retain(|out| !is_typing(&out.data)),
            // These act elsewhere (authentication, CometD, the operations themselves).
            _ => {}
        }
    }
    d
}

/// Faults in how a refused operation answers (the session is never touched by a refusal).
fn refusal(faults: &BTreeSet<Fault>, d: &mut Delivery) {
    let code = d.body.get("statusCode").and_then(Value::as_u64);
    for fault in faults {
        match (fault, code) {
            (Fault::MissingParameterCode, Some(1)) | (Fault::InvalidStateCode, Some(2)) => {
                d.body["statusCode"] = json!(10);
            }
            (Fault::UnknownSessionOk, Some(6)) => {
                d.status = StatusCode::OK;
                d.body = json!({"statusCode": 0});
            }
            _ => {}
        }
    }
}

/// A MessageLogUpdated whose messages are all typing notices.
fn is_typing(data: &Value) -> bool {
    data.get("messages")
        .and_then(Value::as_array)
        .is_some_and(|messages| {
            !messages.is_empty()
                && messages.iter().all(|m| {
                    matches!(
                        m.get("type").and_then(Value::as_str),
                        Some("TypingStarted" | "TypingStopped")
                    )
                })
        })
}

fn next_user(users: &[String], user: &str) -> Option<String> {
    let position = users.iter().position(|u| u == user)?;
    let next = users.get(position + 1).or_else(|| users.first())?;
    (next != user).then(|| next.clone())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn out(user: &str, data: Value) -> Outgoing {
        Outgoing {
            user: user.into(),
            data,
        }
    }

    fn complete() -> Outcome {
        Outcome {
            status: StatusCode::OK,
            body: json!({"statusCode": 0}),
            notifications: vec![
                out(
                    "agent1",
                    json!({"n": 1, "referenceId": 5, "facebooksession": {"state": "Completed", "capabilities": ["A", "B"]}}),
                ),
                out("agent1", json!({"n": 2})),
                out("agent2", json!({"n": 3})),
            ],
        }
    }

    fn with(fault: Fault) -> Delivery {
        let users = ["agent1", "agent2", "agent3"].map(String::from);
        apply(&BTreeSet::from([fault]), complete(), &users)
    }

    fn numbers(list: &[Outgoing]) -> Vec<(String, i64)> {
        list.iter()
            .map(|o| (o.user.clone(), o.data["n"].as_i64().unwrap_or(-1)))
            .collect()
    }

    #[test]
    fn no_fault_changes_nothing() {
        let d = apply(&BTreeSet::new(), complete(), &[]);
        assert_eq!(d.now, complete().notifications);
        assert!(d.later.is_empty());
    }

    #[test]
    fn notification_order_faults() {
        let a = |n| ("agent1".to_owned(), n);
        let b = |n| ("agent2".to_owned(), n);
        assert_eq!(numbers(&with(Fault::DropNotification).now), [a(2), b(3)]);
        assert_eq!(
            numbers(&with(Fault::DuplicateNotification).now),
            [a(1), a(1), a(2), b(3)]
        );
        assert_eq!(
            numbers(&with(Fault::ReorderNotifications).now),
            [a(2), a(1), b(3)]
        );
        let delayed = with(Fault::DelayNotification);
        assert_eq!(numbers(&delayed.now), [a(2), b(3)]);
        assert_eq!(numbers(&delayed.later), [a(1)]);
        assert_eq!(numbers(&with(Fault::WrongAgent).now), [b(1), a(2), b(3)]);
        assert_eq!(numbers(&with(Fault::ExtraNotification).now).len(), 4);
    }

    #[test]
    fn content_faults() {
        let d = with(Fault::WrongState);
        assert_eq!(d.now[0].data["facebooksession"]["state"], "Chatting");
        let d = with(Fault::MissingCapability);
        assert_eq!(d.now[0].data["facebooksession"]["capabilities"], json!(["B"]));
        let d = with(Fault::RenamedField);
        assert!(d.now[0].data.get("facebooksession").is_none());
        assert_eq!(d.now[0].data["facebooksessions"]["state"], "Completed");
        let d = with(Fault::MissingReferenceId);
        assert!(d.now[0].data.get("referenceId").is_none());
    }

    #[test]
    fn reply_faults_only_touch_successes() {
        assert_eq!(with(Fault::WrongStatusCode).body, json!({"statusCode": 4}));
        assert_eq!(with(Fault::WrongHttpStatus).status, StatusCode::ACCEPTED);
        let refused = Outcome {
            status: StatusCode::BAD_REQUEST,
            body: json!({"statusCode": 2, "statusMessage": "no"}),
            notifications: Vec::new(),
        };
        let d = apply(&BTreeSet::from([Fault::WrongStatusCode]), refused.clone(), &[]);
        assert_eq!(d.body["statusCode"], 2);
        let d = apply(&BTreeSet::from([Fault::InvalidStateCode]), refused, &[]);
        assert_eq!(d.body["statusCode"], 10);
    }

    #[test]
    fn refusal_faults_only_touch_their_kind_of_refusal() {
        let refused = |code: u32| Outcome {
            status: StatusCode::NOT_FOUND,
            body: json!({"statusCode": code, "statusMessage": "no"}),
            notifications: Vec::new(),
        };
        let all = BTreeSet::from([Fault::MissingParameterCode, Fault::UnknownSessionOk]);
        assert_eq!(apply(&all, refused(1), &[]).body["statusCode"], 10);
        assert_eq!(apply(&all, refused(2), &[]).body["statusCode"], 2);
        let d = apply(&all, refused(6), &[]);
        assert_eq!((d.status, d.body), (StatusCode::OK, json!({"statusCode": 0})));
    }

    #[test]
    fn message_faults() {
        let log = |kind: &str, visibility: &str| Outcome {
            status: StatusCode::OK,
            body: json!({"statusCode": 0}),
            notifications: vec![out(
                "agent1",
                json!({"messages": [{"type": kind, "visibility": visibility}]}),
            )],
        };
        let d = apply(
            &BTreeSet::from([Fault::TypingNotNotified]),
            log("TypingStarted", "All"),
            &[],
        );
        assert!(d.now.is_empty());
        let d = apply(
            &BTreeSet::from([Fault::TypingNotNotified]),
            log("Text", "All"),
            &[],
        );
        assert_eq!(d.now.len(), 1);
        let d = apply(
            &BTreeSet::from([Fault::AgentsOnlyVisibilityAll]),
            log("Text", "Agents"),
            &[],
        );
        assert_eq!(d.now[0].data["messages"][0]["visibility"], "All");
        let left = Outcome {
            status: StatusCode::OK,
            body: json!({"statusCode": 0}),
            notifications: vec![out(
                "agent1",
                json!({"facebooksession": {"state": "LeftChat", "capabilities": ["Complete"]}}),
            )],
        };
        let d = apply(&BTreeSet::from([Fault::LeftChatCapabilities]), left, &[]);
        assert_eq!(
            d.now[0].data["facebooksession"]["capabilities"],
            json!(["Complete", "SendMessage"])
        );
        assert_eq!(
            apply(&BTreeSet::from([Fault::LeftChatCapabilities]), complete(), &[]).now,
            complete().notifications,
            "other states keep their lists"
        );
    }
}
