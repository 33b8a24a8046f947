//! Credentials, sessions and target features in scenarios: a step's `auth:` (send the request
//! with no credentials, a deliberately wrong password, or without the CSRF token), a
//! scenario's `sessions:` (its job slot's sessions, or fresh ones) and `requires:` (run only
//! when the target has a feature, such as CSRF protection, enabled).
//!
//! Credentials themselves never appear in scenario files: `auth:` only says which *kind* of
//! wrong request to make; the transport makes it up from the target's logins.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Visitor};

use super::suggest::closest;
use super::yaml_error::HELP_SEPARATOR;

/// How a request step authenticates, when not as the actor normally does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMode {
    /// No credentials and no session cookie: an anonymous request.
    None,
    /// The actor's user name with a deliberately wrong password, and no session cookie (the
    /// cookie alone would still authenticate).
    Wrong,
    /// The actor's credentials and session, but no CSRF token (targets with CSRF protection).
    NoCsrf,
}

impl AuthMode {
    /// Every mode with its spelling in scenario files.
    const ALL: [(&'static str, AuthMode); 3] = [
        ("none", AuthMode::None),
        ("wrong", AuthMode::Wrong),
        ("no-csrf", AuthMode::NoCsrf),
    ];
}

/// A target feature a scenario needs; without it the scenario is skipped, not failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, JsonSchema, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// CSRF protection (`csrf: true` in the target's profile): modifying requests need the
    /// token.
    Csrf,
}

impl Requirement {
    const ALL: [(&'static str, Requirement); 1] = [("csrf", Requirement::Csrf)];

    /// The spelling in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Requirement::Csrf => "csrf",
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a scenario runs on its job slot's actor sessions, kept from the scenarios before
/// it, or on sessions of its own (`sessions: fresh`: logged in and handshaken for it, closed
/// after it), for scenarios about what a new session sees.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SessionPolicy {
    /// The slot's sessions (the default): logins and handshakes happen once per slot.
    #[default]
    Reuse,
    /// Sessions of the scenario's own.
    Fresh,
}

impl SessionPolicy {
    const ALL: [(&'static str, SessionPolicy); 2] =
        [("reuse", SessionPolicy::Reuse), ("fresh", SessionPolicy::Fresh)];
}

impl<'de> serde::Deserialize<'de> for SessionPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PolicyVisitor;
        impl Visitor<'_> for PolicyVisitor {
            type Value = SessionPolicy;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`reuse` or `fresh`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SessionPolicy, E> {
                one_of("sessions", v, &SessionPolicy::ALL)
            }
        }
        deserializer.deserialize_str(PolicyVisitor)
    }
}

/// Parses one of `choices`, or fails with a located, hinted error naming them.
fn one_of<T: Copy, E: de::Error>(what: &str, text: &str, choices: &[(&'static str, T)]) -> Result<T, E> {
    if let Some((_, value)) = choices.iter().find(|(name, _)| *name == text) {
        return Ok(*value);
    }
    let names: Vec<String> = choices.iter().map(|(name, _)| format!("`{name}`")).collect();
    let guess = closest(text, choices.iter().map(|(name, _)| *name))
        .map_or_else(String::new, |best| format!("did you mean `{best}`? "));
    // `custom` (not `unknown_variant`) so serde-saphyr locates the error at the value.
    let choices = match names.as_slice() {
        [only] => format!("use {only}"),
        _ => format!("use one of {}", names.join(", ")),
    };
    Err(E::custom(format_args!(
        "invalid {what} `{text}`{HELP_SEPARATOR}{guess}{choices}"
    )))
}

impl<'de> serde::Deserialize<'de> for AuthMode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ModeVisitor;
        impl Visitor<'_> for ModeVisitor {
            type Value = AuthMode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`none`, `wrong` or `no-csrf`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<AuthMode, E> {
                one_of("auth", v, &AuthMode::ALL)
            }
        }
        deserializer.deserialize_str(ModeVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for Requirement {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RequirementVisitor;
        impl Visitor<'_> for RequirementVisitor {
            type Value = Requirement;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a target feature: `csrf`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Requirement, E> {
                one_of("requirement", v, &Requirement::ALL)
            }
        }
        deserializer.deserialize_str(RequirementVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        let auth = |y: &str| serde_saphyr::from_str::<AuthMode>(y).map_err(|e| e.to_string());
        assert_eq!(auth("none"), Ok(AuthMode::None));
        assert_eq!(auth("wrong"), Ok(AuthMode::Wrong));
        assert_eq!(auth("no-csrf"), Ok(AuthMode::NoCsrf));
        let err = auth("nome").unwrap_err();
        assert!(err.contains("did you mean `none`?"), "{err}");
        let req = serde_saphyr::from_str::<Vec<Requirement>>("[csrf]").expect("parses");
        assert_eq!(req, [Requirement::Csrf]);
        assert!(serde_saphyr::from_str::<Vec<Requirement>>("[crsf]").is_err());
        let sessions = |y: &str| serde_saphyr::from_str::<SessionPolicy>(y).map_err(|e| e.to_string());
        assert_eq!(sessions("fresh"), Ok(SessionPolicy::Fresh));
        assert_eq!(sessions("reuse"), Ok(SessionPolicy::Reuse));
        let err = sessions("frsh").unwrap_err();
        assert!(err.contains("did you mean `fresh`?"), "{err}");
    }
}
