//! Deliberate deviations (`serve --fault NAME`), so the harness can prove it catches each one.
//!
//! Each fault is exactly one kind of deviation, applied to what an operation request
//! (`POST /api/v2/me/facebooksessions/{id}`) produces — its reply or its notifications —
//! and never to the state hook's notifications, which are test support. "The first
//! notification" means the first one the operation causes, whoever it goes to; the Complete
//! operation causes exactly one, so the shipped Complete scenario observes most faults. The
//! internal state is never falsified: only what leaves the server is.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use axum::http::StatusCode;
use serde_json::Value;

use super::facebook::{Outcome, Outgoing};

/// One deliberate deviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// The first notification is not sent.
    DropNotification,
    /// The first notification is sent twice.
    DuplicateNotification,
    /// The first two notifications to one agent are swapped.
    ReorderNotifications,
    /// The first notification is sent after `ServerConfig::fault_delay`.
    DelayNotification,
    /// The first state-change notification reports another state.
    WrongState,
    /// Successful operations answer statusCode 4.
    WrongStatusCode,
    /// Successful operations answer HTTP 202.
    WrongHttpStatus,
    /// `facebooksession` is renamed `facebooksessions` in the first state change.
    RenamedField,
    /// The first notification goes to another user.
    WrongAgent,
    /// One notification too many: an extra PropertiesUpdated.
    ExtraNotification,
    /// Capability lists lose their first entry.
    MissingCapability,
    /// The first notification carrying a referenceId loses it.
    MissingReferenceId,
}

impl Fault {
    /// Every fault, in `--list-faults` order.
    pub const ALL: &'static [Fault] = &[
        Fault::DropNotification,
        Fault::DuplicateNotification,
        Fault::ReorderNotifications,
        Fault::DelayNotification,
        Fault::WrongState,
        Fault::WrongStatusCode,
        Fault::WrongHttpStatus,
        Fault::RenamedField,
        Fault::WrongAgent,
        Fault::ExtraNotification,
        Fault::MissingCapability,
        Fault::MissingReferenceId,
    ];

    /// The stable kebab-case name `--fault` takes.
    pub fn name(self) -> &'static str {
        match self {
            Fault::DropNotification => "drop-notification",
            Fault::DuplicateNotification => "duplicate-notification",
            Fault::ReorderNotifications => "reorder-notifications",
            Fault::DelayNotification => "delay-notification",
            Fault::WrongState => "wrong-state",
            Fault::WrongStatusCode => "wrong-status-code",
            Fault::WrongHttpStatus => "wrong-http-status",
            Fault::RenamedField => "renamed-field",
            Fault::WrongAgent => "wrong-agent",
            Fault::ExtraNotification => "extra-notification",
            Fault::MissingCapability => "missing-capability",
            Fault::MissingReferenceId => "missing-reference-id",
        }
    }

    /// One line saying what the server then does wrong.
    pub fn description(self) -> &'static str {
        match self {
            Fault::DropNotification => "the first notification each operation causes is never sent",
            Fault::DuplicateNotification => "the first notification each operation causes is sent twice",
            Fault::ReorderNotifications => {
                "the first two notifications an operation sends to one agent arrive swapped"
            }
            Fault::DelayNotification => {
                "the first notification each operation causes is sent late (--fault-delay, default 6000 ms)"
            }
            Fault::WrongState => {
                "the first state-change notification of each operation reports a wrong state"
            }
            Fault::WrongStatusCode => "successful operations answer statusCode 4 instead of 0",
            Fault::WrongHttpStatus => "successful operations answer HTTP 202 instead of 200",
            Fault::RenamedField => {
                "the first state change of each operation says `facebooksessions` instead of `facebooksession`"
            }
            Fault::WrongAgent => "the first notification each operation causes goes to another user",
            Fault::ExtraNotification => {
                "each operation sends one notification too many (a PropertiesUpdated to its first recipient)"
            }
            Fault::MissingCapability => "capability lists in notifications lack their first entry",
            Fault::MissingReferenceId => "the first notification carrying a referenceId lacks it",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--fault` name that names no fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{0}` (`gws-contract serve --list-faults` lists them)")]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFault(s.to_owned()))
    }
}

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
            Fault::DropNotification => {
                if !d.now.is_empty() {
                    d.now.remove(0);
                }
            }
            Fault::DelayNotification => {
                if !d.now.is_empty() {
                    d.later.push(d.now.remove(0));
                }
            }
        }
    }
    d
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
    fn names_are_unique_kebab_case_and_parse_back() {
        let names: BTreeSet<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), Fault::ALL.len());
        assert!(Fault::ALL.len() >= 10);
        for &fault in Fault::ALL {
            assert!(fault.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
            assert!(!fault.description().is_empty());
        }
        assert_eq!("nope".parse::<Fault>(), Err(UnknownFault("nope".to_owned())));
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
        let d = apply(&BTreeSet::from([Fault::WrongStatusCode]), refused, &[]);
        assert_eq!(d.body["statusCode"], 2);
    }
}
