//! Target profiles (`verify --profile FILE`): a YAML file describing how to talk to one
//! server: its base URL, CometD endpoint and channel, CSRF, the state hook and its headers, the
//! golden directory, and which user each actor logs in as.
//!
//! A profile holds no secrets, only the *names* of environment variables that hold them
//! (`password_env: GWS_AGENT1_PASSWORD`, a header `{ env: GWS_HOOK_TOKEN }`). This module
//! parses the file (every problem located at `file:line:column`, like scenarios) and resolves
//! it through a lookup function it is given; `cli` passes the real environment, tests pass a
//! map. Nothing here reads the environment or prints a resolved value.
//!
//! URLs must not carry credentials (`https://user:pw@host`): they would be printed wherever the
//! target is named. Such a problem is reported without the offending source line.
//!
//! ```yaml
//! base_url: https://gws.example.com         # optional; --target overrides it
//! notifications: /api/v2/notifications      # CometD endpoint (default shown)
//! channel: /v2/me/facebooksession           # default shown
//! csrf: true                                # send X-CSRF-TOKEN on modifying requests
//! state_hook:
//!   url: /contract/states                   # path below base_url, or an absolute URL
//!   headers:
//!     Authorization: { env: GWS_HOOK_TOKEN } # from the environment
//!     X-Tenant: acme                        # a literal (not secret) value
//! golden: golden/vendor                     # relative to this file's directory
//! request_timeout: 30s                      # per actor/hook request (default shown)
//! max_body: 16MiB                          # longest response body read (default shown)
//! credentials_charset: auto                 # Basic auth: ISO-8859-1 when it fits (auto) or utf-8
//! password_env: GWS_CONTRACT_PASSWORD       # password of actors not listed below
//! actors:
//!   agent1: { user: alice, password_env: GWS_AGENT1_PASSWORD }
//!   agent2: { user: bob }                   # bob, with the default password
//!   agent3:                                 # a pool: job slot k logs in as the k-th user
//!     users: [carol, carol2, carol3]
//!     password_env: GWS_AGENT3_PASSWORD     # shared by the pool
//! ```
//!
//! With pools, parallel scenarios use distinct users, so no scenario receives another's
//! notifications; `--jobs` defaults to the smallest pool among the actors a run uses.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use url::Url;

use crate::limits::ByteSize;
use crate::scenario::{Diagnostic, Millis, SourcePos, read_source};
use crate::target::{CredentialsCharset, Login, LoginPool, Secret, TargetSettings, UrlCredentials};

/// A parsed profile: what the file says, with environment variable names, not values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The server's base URL; `--target` overrides it.
    pub base_url: Option<Spanned<String>>,
    /// CometD endpoint path (or absolute URL).
    pub notifications: Option<Spanned<String>>,
    /// Notification channel.
    pub channel: Option<Spanned<String>>,
    /// Whether modifying requests carry the CSRF header.
    #[serde(default)]
    pub csrf: bool,
    /// The provider-state hook.
    pub state_hook: Option<StateHookSpec>,
    /// Golden directory, relative to the profile file's directory.
    pub golden: Option<String>,
    /// Limit on each actor and state-hook request (`30s`, `500ms`, or milliseconds).
    pub request_timeout: Option<Spanned<Millis>>,
    /// Longest response body read from the target (`16MiB`, `512KiB`, or bytes).
    pub max_body: Option<ByteSize>,
    /// How Basic-auth credentials are encoded: `auto` (ISO-8859-1 when they fit, as GWS's
    /// client does, else UTF-8) or `utf-8`.
    pub credentials_charset: Option<Spanned<String>>,
    /// Environment variable with the password of actors that name none.
    pub password_env: Option<Spanned<String>>,
    /// Per-actor logins.
    #[serde(default)]
    pub actors: BTreeMap<String, Spanned<ActorSpec>>,
}

/// The `state_hook` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateHookSpec {
    /// Path below the base URL, or an absolute URL.
    pub url: Option<Spanned<String>>,
    /// Headers sent with every hook call.
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<ValueSpec>>,
}

/// One actor's login, or its pool of users.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    /// User name (default: the actor's name).
    pub user: Option<String>,
    /// A pool of users instead of one: job slot `k` logs the actor in as the `k`-th, so
    /// parallel scenarios use distinct users (see [`crate::target::LoginPool`]). They share
    /// the password.
    pub users: Option<Vec<String>>,
    /// Environment variable holding the password (default: the profile's `password_env`).
    pub password_env: Option<Spanned<String>>,
}

impl ActorSpec {
    /// The user names the entry lists (`user:` or `users:`), in order.
    pub fn listed_users(&self) -> impl Iterator<Item = &String> {
        self.user.iter().chain(self.users.iter().flatten())
    }
}

/// A value given literally or taken from an environment variable (`{ env: NAME }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueSpec {
    /// The value itself.
    Literal(String),
    /// The name of the variable holding it.
    Env(String),
}

/// A profile file and its text (kept for source lines in diagnostics).
#[derive(Debug, Clone)]
pub struct LoadedProfile {
    /// The file as given on the command line.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// What it says.
    pub profile: Profile,
}

/// Reads and parses a profile file.
pub fn load_profile(path: &Path) -> Result<LoadedProfile, Vec<Diagnostic>> {
    let text = read_source(path, "profile").map_err(|d| vec![d])?;
    parse_profile(path, text)
}

/// Parses profile `text` that came from `path`.
pub fn parse_profile(path: &Path, text: String) -> Result<LoadedProfile, Vec<Diagnostic>> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
    };
    let profile: Profile = if text.trim().is_empty() {
        serde_saphyr::from_str_with_options("{}", options)
    } else {
        serde_saphyr::from_str_with_options(&text, options)
    }
    .map_err(|e| vec![yaml_diagnostic(path, &text, &e)])?;
    Ok(LoadedProfile {
        path: path.to_path_buf(),
        text,
        profile,
    })
}

impl LoadedProfile {
    /// Resolves the profile into target settings: environment variable names become
    /// [`Secret`]s through `lookup`, and `default_password` serves actors for which neither
    /// they nor the profile name a variable. Reports every problem, never a value.
    pub fn resolve(
        &self,
        lookup: &dyn Fn(&str) -> Option<String>,
        default_password: Secret,
    ) -> Result<TargetSettings, Vec<Diagnostic>> {
        let mut r = Resolver {
            loaded: self,
            lookup,
            problems: Vec::new(),
        };
        let p = &self.profile;
        let mut settings = TargetSettings::defaults(default_password);
        if let Some(base) = &p.base_url {
            settings.base = r.url(base, "base_url");
        }
        if let Some(path) = &p.notifications {
            settings.notifications_path = r.path_or_url(path, "notifications");
        }
        if let Some(channel) = &p.channel {
            settings.channel = r.channel(channel);
        }
        settings.csrf = p.csrf;
        if let Some(timeout) = &p.request_timeout {
            if timeout.value.0 == 0 {
                r.problem(
                    &timeout.referenced,
                    "`request_timeout` must be more than 0".to_owned(),
                    None,
                );
            }
            settings.request_timeout = timeout.value.duration();
        }
        if let Some(size) = p.max_body {
            settings.max_body = size.0;
        }
        if let Some(charset) = &p.credentials_charset {
            match charset.value.to_ascii_lowercase().as_str() {
                "auto" => settings.credentials_charset = CredentialsCharset::Latin1WhenItFits,
                "utf-8" | "utf8" => settings.credentials_charset = CredentialsCharset::Utf8,
                _ => r.problem(
                    &charset.referenced,
                    format!(
                        "`credentials_charset` must be `auto` or `utf-8`, not `{}`",
                        charset.value
                    ),
                    Some(
                        "`auto` sends ISO-8859-1 when the user and password fit in it (as GWS's own \
                         client does) and UTF-8 otherwise"
                            .to_owned(),
                    ),
                ),
            }
        }
        if let Some(hook) = &p.state_hook {
            if let Some(url) = &hook.url {
                settings.state_hook = r.path_or_url(url, "state_hook.url");
            }
            for (name, value) in &hook.headers {
                if let Some(v) = r.header(name, value) {
                    settings.state_hook_headers.push((name.clone(), v));
                }
            }
        }
        settings.golden = p.golden.as_ref().map(|g| {
            let dir = self.path.parent().unwrap_or_else(|| Path::new(""));
            dir.join(g)
        });
        if let Some(var) = &p.password_env
            && let Some(password) = r.secret(var, "the default password")
        {
            settings.default_password = password;
        }
        for (actor, spec) in &p.actors {
            let users = r.users(actor, spec);
            let password = match &spec.value.password_env {
                Some(var) => r.secret(var, &format!("{actor}'s password")),
                None => Some(settings.default_password.clone()),
            };
            let Some(password) = password else {
                continue;
            };
            let logins = users
                .into_iter()
                .map(|user| Login {
                    user,
                    password: password.clone(),
                })
                .collect();
            if let Some(pool) = LoginPool::new(logins) {
                settings.logins.insert(actor.clone(), pool);
            }
        }
        if r.problems.is_empty() {
            Ok(settings)
        } else {
            r.problems.sort_by_key(|d| (d.pos.line, d.pos.column));
            Err(r.problems)
        }
    }
}

struct Resolver<'a> {
    loaded: &'a LoadedProfile,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<Diagnostic>,
}

impl Resolver<'_> {
    /// The users `actor` logs in as: its `users:` pool, its `user:`, or its own name. Every
    /// problem with them is reported.
    fn users(&mut self, actor: &str, spec: &Spanned<ActorSpec>) -> Vec<String> {
        let users = match (&spec.value.user, &spec.value.users) {
            (Some(_), Some(_)) => {
                self.problem(
                    &spec.referenced,
                    format!("actor `{actor}` has both `user:` and `users:`"),
                    Some("`user:` names one user; `users:` a pool of them, one per job slot".to_owned()),
                );
                return Vec::new();
            }
            (_, Some(pool)) if pool.is_empty() => {
                self.problem(
                    &spec.referenced,
                    format!("actor `{actor}` has an empty `users:` pool"),
                    None,
                );
                return Vec::new();
            }
            (_, Some(pool)) => pool.clone(),
            (Some(user), None) => vec![user.clone()],
            (None, None) => vec![actor.to_owned()],
        };
        for (i, user) in users.iter().enumerate() {
            if users[..i].contains(user) {
                self.problem(
                    &spec.referenced,
                    format!("actor `{actor}` lists user `{user}` twice"),
                    None,
                );
            }
            if let Err(problem) = crate::sendable::check_user(user) {
                self.problem(
                    &spec.referenced,
                    format!("actor `{actor}` cannot log in: {problem}"),
                    None,
                );
            }
        }
        users
    }

    fn problem(&mut self, at: &Location, message: String, help: Option<String>) {
        let mut d = Diagnostic::new(
            SourcePos::from_location(&self.loaded.path, at),
            message,
            Some(&self.loaded.text),
        );
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.problems.push(d);
    }

    fn url(&mut self, text: &Spanned<String>, key: &str) -> Option<Url> {
        if let Some(credentials) = UrlCredentials::find(&text.value) {
            // No source line: it would print the password this diagnostic is about.
            self.problems.push(
                Diagnostic::new(
                    SourcePos::from_location(&self.loaded.path, &text.referenced),
                    format!("`{key}` must not contain credentials ({credentials})"),
                    None,
                )
                .with_help(
                    "name the environment variables holding passwords under `password_env:` and \
                     `actors:`, and hook tokens under `state_hook.headers`",
                ),
            );
            return None;
        }
        match Url::parse(&text.value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Some(url),
            Ok(_) => {
                self.problem(
                    &text.referenced,
                    format!("`{key}` must be an http:// or https:// URL"),
                    None,
                );
                None
            }
            Err(e) => {
                self.problem(&text.referenced, format!("`{key}` is not a URL: {e}"), None);
                None
            }
        }
    }

    fn path_or_url(&mut self, text: &Spanned<String>, key: &str) -> String {
        let value = text.value.trim();
        if value.contains("://") {
            self.url(text, key);
        } else if !value.starts_with('/') {
            self.problem(
                &text.referenced,
                format!("`{key}` must be a path starting with `/` or an absolute URL"),
                None,
            );
        }
        value.to_owned()
    }

    fn channel(&mut self, text: &Spanned<String>) -> String {
        let value = &text.value;
        if !value.starts_with('/') || value.starts_with("/meta/") || value.len() < 2 {
            self.problem(
                &text.referenced,
                format!("`channel` must be a Bayeux channel like `/v2/me/facebooksession`, not `{value}`"),
                None,
            );
        }
        value.clone()
    }

    fn header(&mut self, name: &str, value: &Spanned<ValueSpec>) -> Option<Secret> {
        if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
            self.problem(
                &value.referenced,
                format!("`{name}` is not a valid HTTP header name"),
                None,
            );
            return None;
        }
        match &value.value {
            ValueSpec::Literal(text) => Some(Secret::new(text.clone())),
            ValueSpec::Env(var) => {
                let spanned = Spanned::new(var.clone(), value.referenced, value.defined);
                self.secret(&spanned, &format!("the state hook's `{name}` header"))
            }
        }
    }

    /// Looks up the variable named by `var`, which holds `what`.
    fn secret(&mut self, var: &Spanned<String>, what: &str) -> Option<Secret> {
        let name = var.value.trim();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            // Not echoed: a value that is not a variable name may be the secret itself.
            self.problem(
                &var.referenced,
                "expected the name of an environment variable (letters, digits and `_`)".to_owned(),
                Some(format!(
                    "profiles name the variable that holds {what}, never the value itself"
                )),
            );
            return None;
        }
        match (self.lookup)(name) {
            Some(value) if !value.is_empty() => Some(Secret::new(value)),
            Some(_) => {
                self.problem(
                    &var.referenced,
                    format!("environment variable `{name}` is empty"),
                    Some(format!(
                        "it should hold {what}; CI systems pass unavailable secrets as empty strings"
                    )),
                );
                None
            }
            None => {
                self.problem(
                    &var.referenced,
                    format!("environment variable `{name}` is not set"),
                    Some(format!("it should hold {what}")),
                );
                None
            }
        }
    }
}

impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueSpecVisitor)
    }
}

struct ValueSpecVisitor;

impl<'de> Visitor<'de> for ValueSpecVisitor {
    type Value = ValueSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, or `{ env: VARIABLE }` to take the value from the environment")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ValueSpec, E> {
        Ok(ValueSpec::Literal(v.to_owned()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ValueSpec, A::Error> {
        let mut env = None;
        while let Some(key) = map.next_key::<String>()? {
            if key != "env" || env.is_some() {
                return Err(de::Error::unknown_field(&key, &["env"]));
            }
            env = Some(map.next_value::<String>()?);
        }
        env.map(ValueSpec::Env)
            .ok_or_else(|| de::Error::missing_field("env"))
    }
}

fn pos(path: &Path, line: u64, column: u64) -> SourcePos {
    SourcePos {
        file: path.to_path_buf(),
        line,
        column,
    }
}

fn yaml_diagnostic(path: &Path, text: &str, error: &serde_saphyr::Error) -> Diagnostic {
    let (line, column) = error.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
    let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
    let rendered = error.render_with_options(options);
    // serde-saphyr appends " at line N column M"; the diagnostic carries the position itself.
    let first = rendered.lines().next().unwrap_or(&rendered);
    let message = first.rfind(" at line ").map_or(first, |i| &first[..i]);
    Diagnostic::new(
        pos(path, line, column),
        format!("invalid profile: {message}"),
        Some(text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "\
base_url: https://gws.example.com/gws
notifications: /api/v2/notifications
channel: /v2/me/facebooksession
csrf: true
state_hook:
  url: https://hooks.example.com/states
  headers:
    Authorization: { env: HOOK_TOKEN }
    X-Tenant: acme
golden: golden/vendor
password_env: DEFAULT_PW
actors:
  agent1: { user: alice, password_env: ALICE_PW }
  agent2: { user: bob }
  agent3: {}
";

    fn env(name: &str) -> Option<String> {
        match name {
            "HOOK_TOKEN" => Some("Bearer t0ken".into()),
            "DEFAULT_PW" => Some("default-pw".into()),
            "ALICE_PW" => Some("alice-pw".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn load(text: &str) -> LoadedProfile {
        parse_profile(Path::new("profiles/vendor.yaml"), text.to_owned()).expect("profile parses")
    }

    fn problems(text: &str) -> Vec<String> {
        let err = load(text)
            .resolve(&env, Secret::new("fallback"))
            .expect_err("must fail");
        err.iter()
            .map(|d| format!("{}:{}: {}", d.pos.line, d.pos.column, d.message))
            .collect()
    }

    #[test]
    fn an_actor_may_list_a_pool_of_users_sharing_its_password() {
        let s = load("actors:\n  agent1: { users: [a1, a1b, a1c], password_env: ALICE_PW }\n")
            .resolve(&env, Secret::new("fallback"))
            .unwrap();
        let pool = &s.logins["agent1"];
        let users: Vec<&str> = pool.logins().iter().map(|l| l.user.as_str()).collect();
        assert_eq!(users, ["a1", "a1b", "a1c"]);
        assert!(pool.logins().iter().all(|l| l.password.expose() == "alice-pw"));
        assert_eq!(
            pool.for_slot(4).user,
            "a1b",
            "slots beyond the pool share its users"
        );
        let problems =
            problems("actors:\n  a: { user: x, users: [y] }\n  b: { users: [] }\n  c: { users: [z, z] }\n");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("both `user:` and `users:`"), "{problems:?}");
        assert!(problems[1].contains("empty `users:` pool"), "{problems:?}");
        assert!(problems[2].contains("lists user `z` twice"), "{problems:?}");
    }

    #[test]
    fn resolves_every_field() {
        let s = load(FULL).resolve(&env, Secret::new("fallback")).unwrap();
        assert_eq!(
            s.base.as_ref().map(Url::as_str),
            Some("https://gws.example.com/gws")
        );
        assert_eq!(s.notifications_path, "/api/v2/notifications");
        assert_eq!(s.channel, "/v2/me/facebooksession");
        assert!(s.csrf);
        assert_eq!(s.state_hook, "https://hooks.example.com/states");
        let headers: Vec<(&str, &str)> = s
            .state_hook_headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.expose()))
            .collect();
        assert_eq!(headers, [("Authorization", "Bearer t0ken"), ("X-Tenant", "acme")]);
        assert_eq!(s.golden, Some(PathBuf::from("profiles/golden/vendor")));
        assert_eq!(s.default_password.expose(), "default-pw");
        let login = |a: &str| {
            let l = s.logins[a].first();
            (l.user.clone(), l.password.expose().to_owned())
        };
        assert_eq!(login("agent1"), ("alice".into(), "alice-pw".into()));
        assert_eq!(login("agent2"), ("bob".into(), "default-pw".into()));
        assert_eq!(login("agent3"), ("agent3".into(), "default-pw".into()));
    }

    #[test]
    fn an_empty_profile_means_the_reference_server_defaults() {
        let s = load("").resolve(&env, Secret::new("fallback")).unwrap();
        assert_eq!(s.base, None);
        assert_eq!(s.notifications_path, crate::target::DEFAULT_NOTIFICATIONS_PATH);
        assert_eq!(s.channel, crate::target::DEFAULT_CHANNEL);
        assert_eq!(s.state_hook, crate::target::DEFAULT_STATE_HOOK);
        assert!(!s.csrf);
        assert!(s.logins.is_empty());
        assert_eq!(s.default_password.expose(), "fallback");
    }

    #[test]
    fn missing_and_empty_variables_are_located_and_all_reported() {
        let text = "actors:\n  agent1: { password_env: NOPE }\n  agent2: { password_env: EMPTY }\nstate_hook:\n  headers:\n    X-Token: { env: ALSO_NOPE }\n";
        assert_eq!(
            problems(text),
            [
                "2:27: environment variable `NOPE` is not set",
                "3:27: environment variable `EMPTY` is empty",
                "6:14: environment variable `ALSO_NOPE` is not set",
            ]
        );
    }

    #[test]
    fn semantic_errors_are_located_and_messages_never_echo_a_pasted_secret() {
        let text = "base_url: ftp://x\nchannel: /meta/connect\nnotifications: api\npassword_env: hunter2!\n";
        let found = problems(text);
        assert_eq!(found.len(), 4, "{found:#?}");
        assert_eq!(found[0], "1:11: `base_url` must be an http:// or https:// URL");
        assert!(found[1].starts_with("2:10: `channel` must be a Bayeux channel"));
        assert!(found[2].starts_with("3:16: `notifications` must be a path"));
        assert_eq!(
            found[3],
            "4:15: expected the name of an environment variable (letters, digits and `_`)"
        );
    }

    #[test]
    fn urls_with_credentials_are_refused_without_showing_the_password_or_its_line() {
        let text = "base_url: http://agent1:s3cret@gws.example.com\nnotifications: https://:s3cret@h/cometd\nstate_hook:\n  url: http://hooktoken@h/states\n";
        let err = load(text)
            .resolve(&env, Secret::new("fallback"))
            .expect_err("must fail");
        let found: Vec<String> = err
            .iter()
            .map(|d| format!("{}:{}: {}", d.pos.line, d.pos.column, d.message))
            .collect();
        assert_eq!(
            found,
            [
                "1:11: `base_url` must not contain credentials (user `agent1` and a password)",
                "2:16: `notifications` must not contain credentials (a password)",
                "4:8: `state_hook.url` must not contain credentials (a user part, not shown as it may be a token)",
            ]
        );
        for d in &err {
            assert_eq!(d.source_line, None, "{d:#?}");
            let all = format!("{d:?}");
            assert!(!all.contains("s3cret") && !all.contains("hooktoken"), "{all}");
        }
    }

    #[test]
    fn max_body_takes_a_size() {
        let size = |text: &str| load(text).resolve(&env, Secret::new("f")).map(|s| s.max_body);
        assert_eq!(size("").unwrap(), crate::limits::DEFAULT_MAX_BODY);
        assert_eq!(size("max_body: 1MiB").unwrap(), 1 << 20);
        assert_eq!(size("max_body: 300").unwrap(), 300);
        let err = parse_profile(Path::new("p.yaml"), "max_body: huge\n".into()).unwrap_err();
        assert_eq!((err[0].pos.line, err[0].pos.column), (1, 11), "{err:#?}");
        assert!(err[0].message.contains("invalid size `huge`"), "{err:#?}");
    }

    #[test]
    fn credentials_charset_is_auto_or_utf8() {
        let charset = |text: &str| {
            load(text)
                .resolve(&env, Secret::new("fallback"))
                .map(|s| s.credentials_charset)
        };
        assert_eq!(charset("").unwrap(), CredentialsCharset::Latin1WhenItFits);
        assert_eq!(
            charset("credentials_charset: auto").unwrap(),
            CredentialsCharset::Latin1WhenItFits
        );
        assert_eq!(
            charset("credentials_charset: UTF-8").unwrap(),
            CredentialsCharset::Utf8
        );
        assert_eq!(
            problems("credentials_charset: latin2\n"),
            ["1:22: `credentials_charset` must be `auto` or `utf-8`, not `latin2`"]
        );
    }

    #[test]
    fn users_basic_auth_cannot_carry_are_refused() {
        assert_eq!(
            problems("actors:\n  agent1: { user: \"a:b\" }\n"),
            [
                "2:11: actor `agent1` cannot log in: user name \"a:b\" cannot be sent in HTTP Basic auth: \
                 `:` separates the user from the password"
            ]
        );
    }

    #[test]
    fn request_timeout_takes_units_or_milliseconds_and_must_be_positive() {
        let timeout = |text: &str| {
            load(text)
                .resolve(&env, Secret::new("fallback"))
                .map(|s| s.request_timeout)
        };
        assert_eq!(timeout("").unwrap(), crate::target::DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(
            timeout("request_timeout: 1.5s").unwrap(),
            std::time::Duration::from_millis(1500)
        );
        assert_eq!(
            timeout("request_timeout: 250").unwrap(),
            std::time::Duration::from_millis(250)
        );
        assert_eq!(
            problems("request_timeout: 0ms\n"),
            ["1:18: `request_timeout` must be more than 0"]
        );
        let err = parse_profile(Path::new("p.yaml"), "request_timeout: soon\n".into()).unwrap_err();
        assert_eq!((err[0].pos.line, err[0].pos.column), (1, 18), "{err:#?}");
        assert!(err[0].message.contains("invalid duration"), "{err:#?}");
    }

    #[test]
    fn syntax_and_shape_errors_are_located() {
        let err =
            parse_profile(Path::new("p.yaml"), "csrf: true\nactor:\n  agent1: {}\n".into()).unwrap_err();
        assert_eq!(err[0].pos.line, 2, "{err:#?}");
        assert!(
            err[0]
                .message
                .starts_with("invalid profile: unknown field `actor`"),
            "{err:#?}"
        );
        let err = parse_profile(
            Path::new("p.yaml"),
            "state_hook:\n  headers:\n    X: { vaule: 1 }\n".into(),
        )
        .unwrap_err();
        assert_eq!(err[0].pos.line, 3, "{err:#?}");
        assert!(err[0].message.contains("unknown field `vaule`"), "{err:#?}");
        let err = parse_profile(Path::new("p.yaml"), "csrf: yes\n".into()).unwrap_err();
        assert_eq!((err[0].pos.line, err[0].pos.column), (1, 7), "{err:#?}");
    }
}
