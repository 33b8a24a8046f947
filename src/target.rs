//! The server under test and how to talk to it: base URL, CometD endpoint and channel, CSRF,
//! state-hook URL, and each actor's credentials (DESIGN.md §5).
//!
//! Secrets are held in [`Secret`], whose `Debug` never shows the value, so a target can be
//! logged or put in an error without leaking credentials. Environment variables are resolved
//! by `cli` before a `Target` is built; nothing here reads the environment.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

/// A credential that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value, for putting on the wire only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A user name and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// User name sent in HTTP Basic auth.
    pub user: String,
    /// Password.
    pub password: Secret,
}

/// The users one actor logs in as, one per job slot: slot `k` uses the `k`-th (round-robin
/// when there are more slots than users, which then share users). Never empty.
///
/// Parallel scenarios whose actors log in as distinct users do not see each other's
/// notifications at all; sharing users works too (scenarios only consider notifications about
/// the interactions they created), at the price of every notification of a shared user
/// reaching every scenario that uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginPool(Vec<Login>);

impl LoginPool {
    /// A pool of `logins`; `None` when there are none.
    pub fn new(logins: Vec<Login>) -> Option<Self> {
        (!logins.is_empty()).then_some(LoginPool(logins))
    }

    /// The login of job slot 0.
    pub fn first(&self) -> &Login {
        &self.0[0]
    }

    /// The login of job slot `slot`.
    pub fn for_slot(&self, slot: usize) -> &Login {
        &self.0[slot % self.0.len()]
    }

    /// How many users the pool has.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a pool is never empty.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every login, slot order.
    pub fn logins(&self) -> &[Login] {
        &self.0
    }
}

impl From<Login> for LoginPool {
    fn from(login: Login) -> Self {
        LoginPool(vec![login])
    }
}

/// Default CometD endpoint path of GWS.
pub const DEFAULT_NOTIFICATIONS_PATH: &str = "/api/v2/notifications";
/// Default CometD channel of the Facebook Private Messaging API.
pub const DEFAULT_CHANNEL: &str = "/v2/me/facebooksession";
/// Default provider-state hook path.
pub const DEFAULT_STATE_HOOK: &str = "/contract/states";
/// The reference server's password for its default users.
pub const DEFAULT_PASSWORD: &str = "password";
/// How long an actor or state-hook request may take, connection to last body byte, unless the
/// profile or `--request-timeout` says otherwise. A target that stops answering must end the
/// run with an error, never hang a CI job.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the user name and password of HTTP Basic auth become bytes. RFC 7617 leaves it to the
/// server; GWS's own client encodes ISO-8859-1 (reference §4.3), and servers that decode UTF-8
/// say so (RFC 7617 `charset="UTF-8"`), so the default follows GWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialsCharset {
    /// ISO-8859-1 when every character of `user:password` fits in it, UTF-8 otherwise.
    #[default]
    Latin1WhenItFits,
    /// Always UTF-8 (profile `credentials_charset: utf-8`).
    Utf8,
}

impl CredentialsCharset {
    /// The bytes of `user:password` in this charset.
    pub fn encode(self, user: &str, password: &str) -> Vec<u8> {
        let text = format!("{user}:{password}");
        let latin1: Option<Vec<u8>> = match self {
            CredentialsCharset::Latin1WhenItFits => {
                text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
            }
            CredentialsCharset::Utf8 => None,
        };
        latin1.unwrap_or_else(|| text.into_bytes())
    }
}

/// Everything needed to run scenarios against one server: where it is, and its settings.
///
/// A `Target` derefs to its [`TargetSettings`], so `target.channel` reads the setting: the
/// settings are the one description of how to talk to a server, and a target only adds the
/// base URL that the settings may not know yet (the embedded server's address is known once
/// it runs; `--target` overrides the profile's).
#[derive(Debug, Clone)]
pub struct Target {
    /// Base URL, e.g. `http://127.0.0.1:8090`.
    pub base: Url,
    /// How to talk to it.
    pub settings: TargetSettings,
}

impl std::ops::Deref for Target {
    type Target = TargetSettings;

    fn deref(&self) -> &TargetSettings {
        &self.settings
    }
}

impl std::ops::DerefMut for Target {
    fn deref_mut(&mut self) -> &mut TargetSettings {
        &mut self.settings
    }
}

/// Everything about a target except, possibly, where it is: what a profile (`--profile`)
/// resolves to, or the reference server's defaults. The base URL is optional because the
/// embedded server's address is known only once it runs, and `--target` overrides it.
#[derive(Debug, Clone)]
pub struct TargetSettings {
    /// Base URL from the profile, if it names one.
    pub base: Option<Url>,
    /// CometD endpoint path below the base (or an absolute URL).
    pub notifications_path: String,
    /// Notification channel to subscribe.
    pub channel: String,
    /// Whether modifying requests need the CSRF header.
    pub csrf: bool,
    /// Provider-state hook path (or absolute URL).
    pub state_hook: String,
    /// Extra headers for state-hook calls.
    pub state_hook_headers: Vec<(String, Secret)>,
    /// Per-actor logins.
    pub logins: BTreeMap<String, LoginPool>,
    /// Password for actors without an explicit login.
    pub default_password: Secret,
    /// The directory of this target's goldens, if the profile names one (resolved against the
    /// profile file's directory).
    pub golden: Option<PathBuf>,
    /// Limit on each actor and state-hook request.
    pub request_timeout: Duration,
    /// How Basic-auth credentials are encoded.
    pub credentials_charset: CredentialsCharset,
    /// The longest response body read from the target (actor requests, the state hook and
    /// CometD); a longer one ends the scenario as an infrastructure error.
    pub max_body: usize,
}

impl TargetSettings {
    /// The reference server's defaults (DESIGN.md §5), with no base URL.
    pub fn defaults(default_password: Secret) -> Self {
        TargetSettings {
            base: None,
            notifications_path: DEFAULT_NOTIFICATIONS_PATH.to_owned(),
            channel: DEFAULT_CHANNEL.to_owned(),
            csrf: false,
            state_hook: DEFAULT_STATE_HOOK.to_owned(),
            state_hook_headers: Vec::new(),
            logins: BTreeMap::new(),
            default_password,
            golden: None,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            credentials_charset: CredentialsCharset::default(),
            max_body: crate::limits::DEFAULT_MAX_BODY,
        }
    }

    /// The login `actor` will use; known before the base URL is.
    pub fn login_for(&self, actor: &str) -> Login {
        login_for(&self.logins, &self.default_password, actor, 0)
    }

    /// The login used by `actor` in job slot `slot`.
    pub fn login_for_slot(&self, actor: &str, slot: usize) -> Login {
        login_for(&self.logins, &self.default_password, actor, slot)
    }

    /// How many users `actor` has (1 when the profile lists none: it logs in as itself).
    pub fn pool_size(&self, actor: &str) -> usize {
        self.logins.get(actor).map_or(1, LoginPool::len)
    }

    /// `actor`'s pool: the profile's, or the actor logging in as itself.
    pub fn pool_for(&self, actor: &str) -> LoginPool {
        pool_for(&self.logins, &self.default_password, actor)
    }

    /// The distinct logins (first one per user name) that `actors` will use, in order, every
    /// user of their pools included: what a server must accept for a run by those actors to
    /// log in.
    pub fn logins_for<'a>(&self, actors: impl IntoIterator<Item = &'a str>) -> Vec<Login> {
        let mut logins: Vec<Login> = Vec::new();
        for actor in actors {
            for login in self.pool_for(actor).logins() {
                if !logins.iter().any(|l| l.user == login.user) {
                    logins.push(login.clone());
                }
            }
        }
        logins
    }

    /// The target at `base` (which wins over the settings' own base URL).
    pub fn into_target(self, base: Url) -> Target {
        Target { base, settings: self }
    }
}

impl Target {
    /// A target with the reference server's defaults at `base`.
    pub fn with_defaults(base: Url, default_password: Secret) -> Self {
        TargetSettings::defaults(default_password).into_target(base)
    }

    /// Resolves `path` (absolute URL or path) against the base URL, keeping any base path.
    pub fn url(&self, path: &str) -> Result<Url, url::ParseError> {
        join_url(&self.base, path)
    }
}

/// `path` (an absolute URL, or a path with an optional query) below `base`, keeping any path
/// `base` has (`http://h/gws` + `/api/v2/me` is `http://h/gws/api/v2/me`).
pub fn join_url(base: &Url, path: &str) -> Result<Url, url::ParseError> {
    if path.starts_with("http://") || path.starts_with("https://") {
        return Url::parse(path);
    }
    let mut base = base.clone();
    let prefix = base.path().trim_end_matches('/').to_owned();
    let suffix = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    };
    let (p, q) = match suffix.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (suffix, None),
    };
    base.set_path(&format!("{prefix}{p}"));
    base.set_query(q.as_deref());
    Ok(base)
}

fn login_for(
    logins: &BTreeMap<String, LoginPool>,
    default_password: &Secret,
    actor: &str,
    slot: usize,
) -> Login {
    match logins.get(actor) {
        Some(pool) => pool.for_slot(slot).clone(),
        None => own_login(default_password, actor),
    }
}

fn pool_for(logins: &BTreeMap<String, LoginPool>, default_password: &Secret, actor: &str) -> LoginPool {
    logins
        .get(actor)
        .cloned()
        .unwrap_or_else(|| own_login(default_password, actor).into())
}

/// An actor not listed in the profile logs in as itself.
fn own_login(default_password: &Secret, actor: &str) -> Login {
    Login {
        user: actor.to_owned(),
        password: default_password.clone(),
    }
}

/// Credentials written into a URL (`http://user:password@host`), found in its text so that an
/// unparseable URL is caught too. Such a URL is printed wherever the target is named, which
/// would leak the password, so `cli` and `profile` refuse it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlCredentials {
    /// A user name and a password: the user name is safe to name.
    UserAndPassword(String),
    /// Only a password (`http://:pw@host`).
    Password,
    /// Only a user part (`http://TOKEN@host`), which is often a token, so it is not shown.
    UserOnly,
}

impl UrlCredentials {
    /// What `text` (a URL) carries before `@` in its authority, if anything.
    pub fn find(text: &str) -> Option<Self> {
        let (_, rest) = text.trim().split_once("://")?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        let (userinfo, _) = authority.rsplit_once('@')?;
        Some(match userinfo.split_once(':') {
            Some(("", _)) => UrlCredentials::Password,
            Some((user, _)) => UrlCredentials::UserAndPassword(user.to_owned()),
            None => UrlCredentials::UserOnly,
        })
    }
}

impl fmt::Display for UrlCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlCredentials::UserAndPassword(user) => write!(f, "user `{user}` and a password"),
            UrlCredentials::Password => f.write_str("a password"),
            UrlCredentials::UserOnly => f.write_str("a user part, not shown as it may be a token"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_debug_print() {
        let login = Login {
            user: "agent1".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{login:?}").contains("hunter2"));
    }

    #[test]
    fn targets_and_settings_do_not_debug_print_secrets() {
        let mut settings = TargetSettings::defaults(Secret::new("default-secret"));
        settings.logins.insert(
            "agent1".into(),
            Login {
                user: "alice".into(),
                password: Secret::new("alice-secret"),
            }
            .into(),
        );
        settings
            .state_hook_headers
            .push(("X-Hook-Token".into(), Secret::new("hook-secret")));
        let target = settings
            .clone()
            .into_target(Url::parse("http://127.0.0.1:1").unwrap());
        for text in [
            format!("{settings:?}"),
            format!("{target:?}"),
            format!("{target:#?}"),
        ] {
            for secret in ["default-secret", "alice-secret", "hook-secret"] {
                assert!(!text.contains(secret), "{secret} leaked: {text}");
            }
            assert!(text.contains("alice") && text.contains("X-Hook-Token"), "{text}");
        }
    }

    #[test]
    fn joins_paths_under_a_base_path() {
        let t = Target::with_defaults(Url::parse("http://h:1/gws/").unwrap(), Secret::new("p"));
        assert_eq!(
            t.url("/api/v2/me?x=1").unwrap().as_str(),
            "http://h:1/gws/api/v2/me?x=1"
        );
        let t = Target::with_defaults(Url::parse("http://h:1").unwrap(), Secret::new("p"));
        assert_eq!(t.url("api/v2/me").unwrap().as_str(), "http://h:1/api/v2/me");
    }

    #[test]
    fn finds_credentials_in_url_text_without_exposing_passwords_or_tokens() {
        let found = |t: &str| UrlCredentials::find(t).map(|c| c.to_string());
        assert_eq!(
            found("http://agent1:s3cret@127.0.0.1:1"),
            Some("user `agent1` and a password".into())
        );
        assert_eq!(found("https://:s3cret@h/x"), Some("a password".into()));
        let token = found("https://ghp_T0KEN@h").unwrap();
        assert!(!token.contains("ghp_T0KEN"), "{token}");
        // Unparseable URLs (a bad port) are caught too.
        assert_eq!(
            found("http://u:p@h:notaport/"),
            Some("user `u` and a password".into())
        );
        for clean in [
            "http://127.0.0.1:1/a@b",
            "http://h/?to=a@b",
            "http://h#x@y",
            "not a url@x",
        ] {
            assert_eq!(found(clean), None, "{clean}");
        }
    }

    #[test]
    fn settings_list_each_user_the_actors_log_in_as_once() {
        let mut settings = TargetSettings::defaults(Secret::new("pw"));
        settings.logins.insert(
            "agent1".into(),
            Login {
                user: "alice".into(),
                password: Secret::new("alice-pw"),
            }
            .into(),
        );
        settings.logins.insert(
            "boss".into(),
            Login {
                user: "alice".into(),
                password: Secret::new("other"),
            }
            .into(),
        );
        let logins: Vec<(String, String)> = settings
            .logins_for(["agent1", "agent2", "boss", "agent2"])
            .into_iter()
            .map(|l| (l.user, l.password.expose().to_owned()))
            .collect();
        assert_eq!(
            logins,
            [
                ("alice".to_owned(), "alice-pw".to_owned()),
                ("agent2".to_owned(), "pw".to_owned())
            ]
        );
    }

    #[test]
    fn credentials_are_latin1_when_they_fit_and_utf8_otherwise_or_when_asked() {
        let auto = CredentialsCharset::Latin1WhenItFits;
        assert_eq!(auto.encode("agént1", "pässwört"), b"ag\xe9nt1:p\xe4ssw\xf6rt");
        assert_eq!(auto.encode("agent1", "密码"), "agent1:密码".as_bytes());
        assert_eq!(
            CredentialsCharset::Utf8.encode("agént1", "p"),
            "agént1:p".as_bytes()
        );
        assert_eq!(auto.encode("a", "b"), b"a:b");
    }

    #[test]
    fn actors_default_to_their_own_name() {
        let t = Target::with_defaults(Url::parse("http://h").unwrap(), Secret::new("pw"));
        assert_eq!(t.login_for("agent2").user, "agent2");
        assert_eq!(t.login_for("agent2").password.expose(), "pw");
    }
}
