//! Request parameters and the GWS errors bad ones produce (reference §4.1): a missing
//! parameter is statusCode 1, a parameter of the wrong type or value is 10, an operation the
//! agent's state does not permit is 2, an unknown session or target is 6.

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::server::world::Directory;

/// A refused operation: HTTP status, GWS statusCode and statusMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fail {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

impl Fail {
    /// statusCode 1.
    pub fn missing(name: &str) -> Fail {
        Fail {
            status: StatusCode::BAD_REQUEST,
            code: 1,
            message: format!("Missing required parameter '{name}'"),
        }
    }

    /// statusCode 10.
    pub fn invalid(message: impl Into<String>) -> Fail {
        Fail {
            status: StatusCode::BAD_REQUEST,
            code: 10,
            message: message.into(),
        }
    }

    /// statusCode 2.
    pub fn not_valid(message: impl Into<String>) -> Fail {
        Fail {
            status: StatusCode::BAD_REQUEST,
            code: 2,
            message: message.into(),
        }
    }

    /// statusCode 6.
    pub fn not_found(message: impl Into<String>) -> Fail {
        Fail {
            status: StatusCode::NOT_FOUND,
            code: 6,
            message: message.into(),
        }
    }
}

/// A required string parameter.
pub(crate) fn required_str<'a>(body: &'a Value, name: &str) -> Result<&'a str, Fail> {
    optional_str(body, name)?.ok_or_else(|| Fail::missing(name))
}

/// An optional string parameter (absent or null is `None`).
pub(crate) fn optional_str<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(Fail::invalid(format!(
            "Parameter '{name}' must be a string, not {}",
            kind(other)
        ))),
    }
}

/// A required userData object whose values are strings or numbers (what GWS key-value
/// lists hold).
pub(crate) fn required_user_data<'a>(body: &'a Value, name: &str) -> Result<&'a Map<String, Value>, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Err(Fail::missing(name)),
        Some(Value::Object(map)) => {
            if let Some((key, value)) = map
                .iter()
                .find(|(_, v)| !matches!(v, Value::String(_) | Value::Number(_)))
            {
                return Err(Fail::invalid(format!(
                    "Parameter '{name}': value of key '{key}' must be a string or a number, not {}",
                    kind(value)
                )));
            }
            Ok(map)
        }
        Some(other) => Err(Fail::invalid(format!(
            "Parameter '{name}' must be an object, not {}",
            kind(other)
        ))),
    }
}

/// A required array of strings.
pub(crate) fn required_strings<'a>(body: &'a Value, name: &str) -> Result<Vec<&'a str>, Fail> {
    match body.get(name) {
        None | Some(Value::Null) => Err(Fail::missing(name)),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().ok_or_else(|| {
                    Fail::invalid(format!(
                        "Parameter '{name}' must list strings, not {}",
                        kind(item)
                    ))
                })
            })
            .collect(),
        Some(other) => Err(Fail::invalid(format!(
            "Parameter '{name}' must be an array of strings, not {}",
            kind(other)
        ))),
    }
}

/// Where a Transfer, Consult, Invite or removal points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A user, by name.
    User(String),
    /// A queue, by id or name.
    Queue(String),
}

/// Resolves a target URI or path: `…/users/{id}` (a user id, or for convenience a user name)
/// or `…/queues/{id}`. Anything else — the vendor samples also show `/contacts/…` targets,
/// which are customers, not agents — is not found.
pub(crate) fn resolve_target(dir: &Directory, name: &str, text: &str) -> Result<Target, Fail> {
    let path = text.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.trim_end_matches('/').rsplit('/');
    let last = segments.next().unwrap_or_default();
    let kind = segments.next().unwrap_or_default();
    match kind {
        "users" if !last.is_empty() => dir
            .find_user(last)
            .map(|u| Target::User(u.name.clone()))
            .ok_or_else(|| Fail::not_found(format!("User '{last}' ({name}) not found"))),
        "queues" if !last.is_empty() => Ok(Target::Queue(last.to_owned())),
        _ => Err(Fail::not_found(format!(
            "Parameter '{name}' names no known user or queue: '{text}'"
        ))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;

    use super::*;
    use crate::server::world::User;

    fn dir() -> Directory {
        let mut users = BTreeMap::new();
        users.insert(
            "agent2".to_owned(),
            User {
                name: "agent2".into(),
                password: "p".into(),
                id: "c30d06daa1ea43b8be79f9b071f30d70".into(),
            },
        );
        Directory {
            base_url: "http://127.0.0.1:1".into(),
            users,
        }
    }

    #[test]
    fn strings_missing_null_and_wrong_type() {
        let body = json!({"text": "hi", "n": 3, "z": null});
        assert_eq!(required_str(&body, "text"), Ok("hi"));
        assert_eq!(required_str(&body, "absent").unwrap_err().code, 1);
        assert_eq!(required_str(&body, "z").unwrap_err().code, 1);
        let wrong = required_str(&body, "n").unwrap_err();
        assert_eq!(wrong.code, 10);
        assert!(wrong.message.contains("not a number"), "{}", wrong.message);
    }

    #[test]
    fn user_data_values_must_be_scalars() {
        assert!(required_user_data(&json!({"userData": {"a": "x", "b": 1}}), "userData").is_ok());
        assert_eq!(
            required_user_data(&json!({"userData": {"a": [1]}}), "userData")
                .unwrap_err()
                .code,
            10
        );
        assert_eq!(
            required_user_data(&json!({"userData": "x"}), "userData")
                .unwrap_err()
                .code,
            10
        );
        assert_eq!(required_user_data(&json!({}), "userData").unwrap_err().code, 1);
    }

    #[test]
    fn string_arrays() {
        assert_eq!(
            required_strings(&json!({"keys": ["a", "b"]}), "keys"),
            Ok(vec!["a", "b"])
        );
        assert_eq!(
            required_strings(&json!({"keys": [1]}), "keys").unwrap_err().code,
            10
        );
    }

    #[test]
    fn targets_by_uri_path_id_or_name() {
        let d = dir();
        let want = Ok(Target::User("agent2".into()));
        assert_eq!(
            resolve_target(
                &d,
                "targetUri",
                "http://10.10.15.212:9090/api/v2/users/c30d06daa1ea43b8be79f9b071f30d70"
            ),
            want
        );
        assert_eq!(
            resolve_target(&d, "targetPath", "/users/c30d06daa1ea43b8be79f9b071f30d70"),
            want
        );
        assert_eq!(resolve_target(&d, "targetPath", "/users/agent2"), want);
        assert_eq!(
            resolve_target(&d, "targetPath", "/queues/q1"),
            Ok(Target::Queue("q1".into()))
        );
        assert_eq!(
            resolve_target(&d, "targetUri", "/users/nobody").unwrap_err().code,
            6
        );
        assert_eq!(
            resolve_target(&d, "targetUri", "/contacts/5c7c")
                .unwrap_err()
                .code,
            6
        );
    }
}
