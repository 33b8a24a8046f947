//! The command line (DESIGN.md §2): clap definitions, and their conversion into validated
//! configuration. This is the only module that reads environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use url::Url;

use crate::error::Error;
use crate::profile::load_profile;
use crate::scenario::Millis;
use crate::server::{Fault, ServerConfig, Variant};
use crate::target::{DEFAULT_PASSWORD, Secret, TargetSettings, UrlCredentials};

/// Environment variable holding the default actors' password.
pub const PASSWORD_ENV: &str = "GWS_CONTRACT_PASSWORD";

/// gws-contract: contract tests for Genesys Web Services (HTTP + CometD notifications).
#[derive(Debug, Parser)]
#[command(name = "gws-contract", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: CommandArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum CommandArgs {
    /// Run scenarios and compare what the target does with their expectations.
    Verify(VerifyArgs),
    /// Run the reference GWS server.
    Serve(ServeArgs),
    /// Load and validate scenario files only; report every problem in every file.
    Check(CheckArgs),
    /// Print the JSON Schema of the scenario format (for editors and CI).
    Schema,
}

/// `check` arguments.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files, directories (every *.yaml below) or globs.
    #[arg(value_name = "PATH|GLOB", default_value = "scenarios/")]
    pub paths: Vec<String>,
}

/// A validated `check`.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Scenario path arguments.
    pub paths: Vec<String>,
}

/// `verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Scenario files, directories (every *.yaml below) or globs.
    #[arg(value_name = "PATH|GLOB", default_value = "scenarios/")]
    pub paths: Vec<String>,
    /// The server under test; without it the built-in reference server is started on
    /// 127.0.0.1 with an ephemeral port.
    #[arg(long, value_name = "URL")]
    pub target: Option<String>,
    /// How many scenarios run at once (default: the number of CPUs).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Also write the full outcome as JSON to FILE (written atomically).
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Target profile (YAML): endpoint, channel, CSRF, state hook, and the environment
    /// variables holding each actor's credentials. Its base_url is used when --target is absent.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Longest wait for any actor or state-hook request (`30s`, `500ms`, or milliseconds);
    /// overrides the profile's `request_timeout`. Default: 30s.
    #[arg(long, value_name = "DURATION")]
    pub request_timeout: Option<String>,
}

/// `serve` arguments.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8090", value_name = "ADDR")]
    pub addr: SocketAddr,
    /// A user who may log in, as NAME:PASSWORD (repeatable; replaces the default users
    /// agent1, agent2, agent3 with password `password`).
    #[arg(long = "user", value_name = "NAME:PASSWORD")]
    pub users: Vec<String>,
    /// Require the CSRF token on modifying requests.
    #[arg(long)]
    pub csrf: bool,
    /// Deviate from the documented behaviour on purpose (repeatable); `--list-faults` names
    /// them.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// `conforming`: differ from the reference server wherever the documented contract
    /// leaves room (ids, hosts, timestamps, extra fields, orders, timing, error statuses, the
    /// offered state's name), to show a suite does not fail a conforming server.
    #[arg(long, value_name = "NAME", default_value = "reference")]
    pub variant: String,
    /// How late the `delay-notification` fault sends its notification, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 6000)]
    pub fault_delay: u64,
    /// List the faults `--fault` accepts, and exit.
    #[arg(long)]
    pub list_faults: bool,
}

/// Where `verify` sends its requests.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// Start the reference server in-process.
    Embedded,
    /// An external server.
    External(Url),
}

/// A validated `verify`.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// Scenario path arguments.
    pub paths: Vec<String>,
    /// The target.
    pub target: TargetChoice,
    /// Concurrency.
    pub jobs: usize,
    /// Password for actors without an explicit login.
    pub default_password: Secret,
    /// Where to write the JSON report, if anywhere.
    pub report_json: Option<PathBuf>,
    /// The resolved `--profile`, if one was given (secrets already read from the environment).
    pub profile: Option<Box<TargetSettings>>,
    /// Limit on each actor and state-hook request: `--request-timeout`, else the profile's,
    /// else [`crate::target::DEFAULT_REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
}

/// A validated `serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Listen address.
    pub addr: SocketAddr,
    /// Server behaviour.
    pub server: ServerConfig,
}

/// A validated command.
#[derive(Debug, Clone)]
pub enum Command {
    /// Run scenarios.
    Verify(VerifyConfig),
    /// Run the reference server.
    Serve(ServeConfig),
    /// Validate scenario files.
    Check(CheckConfig),
    /// Print the scenario JSON Schema.
    Schema,
    /// List the reference server's faults.
    ListFaults,
}

impl Cli {
    /// Validates the arguments, reading the environment where the design says so.
    pub fn into_command(self) -> Result<Command, Error> {
        match self.command {
            CommandArgs::Verify(args) => {
                let target = match args.target {
                    None => TargetChoice::Embedded,
                    Some(text) => TargetChoice::External(parse_target(&text)?),
                };
                let jobs = match args.jobs {
                    Some(0) => return Err(Error::Usage("--jobs must be at least 1".to_owned())),
                    Some(n) => n,
                    None => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
                };
                let password = default_password()?;
                let request_timeout = args
                    .request_timeout
                    .as_deref()
                    .map(parse_request_timeout)
                    .transpose()?;
                let profile = match &args.profile {
                    Some(path) => Some(Box::new(resolve_profile(path, Secret::new(password.clone()))?)),
                    None => None,
                };
                // --target wins over the profile's base_url; either wins over the embedded server.
                let target = match (target, profile.as_ref().and_then(|p| p.base.clone())) {
                    (TargetChoice::Embedded, Some(base)) => TargetChoice::External(base),
                    (target, _) => target,
                };
                let request_timeout = request_timeout
                    .or_else(|| profile.as_ref().map(|p| p.request_timeout))
                    .unwrap_or(crate::target::DEFAULT_REQUEST_TIMEOUT);
                Ok(Command::Verify(VerifyConfig {
                    paths: args.paths,
                    target,
                    jobs,
                    default_password: Secret::new(password),
                    report_json: args.report_json,
                    profile,
                    request_timeout,
                }))
            }
            CommandArgs::Serve(args) if args.list_faults => Ok(Command::ListFaults),
            CommandArgs::Serve(args) => {
                let faults = args
                    .faults
                    .iter()
                    .map(|name| name.parse::<Fault>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| Error::Usage(e.to_string()))?;
                let variant = args
                    .variant
                    .parse::<Variant>()
                    .map_err(|e| Error::Usage(e.to_string()))?;
                let mut server = ServerConfig {
                    csrf: args.csrf,
                    faults,
                    variant,
                    fault_delay: std::time::Duration::from_millis(args.fault_delay),
                    ..ServerConfig::default()
                };
                if !args.users.is_empty() {
                    server.users = args
                        .users
                        .iter()
                        .map(|u| parse_user(u))
                        .collect::<Result<_, _>>()?;
                }
                Ok(Command::Serve(ServeConfig {
                    addr: args.addr,
                    server,
                }))
            }
            CommandArgs::Check(args) => Ok(Command::Check(CheckConfig { paths: args.paths })),
            CommandArgs::Schema => Ok(Command::Schema),
        }
    }
}

/// Loads `--profile` and reads the environment variables it names.
fn resolve_profile(path: &std::path::Path, default_password: Secret) -> Result<TargetSettings, Error> {
    let loaded = load_profile(path).map_err(Error::Profile)?;
    loaded
        .resolve(&|name| std::env::var(name).ok(), default_password)
        .map_err(Error::Profile)
}

/// `$GWS_CONTRACT_PASSWORD`, or the reference server's default when it is unset. Set but empty
/// is an error, as in profiles: CI systems pass unavailable secrets as empty strings, and
/// running with an empty password would only fail every login later.
fn default_password() -> Result<String, Error> {
    match std::env::var(PASSWORD_ENV) {
        Ok(value) if value.is_empty() => Err(Error::Usage(format!(
            "environment variable `{PASSWORD_ENV}` is empty; it should hold the actors' password \
             (unset it to use the reference server's default)"
        ))),
        Ok(value) => Ok(value),
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_PASSWORD.to_owned()),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::Usage(format!(
            "environment variable `{PASSWORD_ENV}` is not valid UTF-8"
        ))),
    }
}

/// Parses `--request-timeout` like scenario durations: `30s`, `1.5s`, `500ms` or milliseconds.
fn parse_request_timeout(text: &str) -> Result<Duration, Error> {
    use serde::Deserialize;

    let deserializer = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text);
    match Millis::deserialize(deserializer) {
        Ok(Millis(0)) => Err(Error::Usage("--request-timeout must be more than 0".to_owned())),
        Ok(millis) => Ok(millis.duration()),
        Err(_) => Err(Error::Usage(format!(
            "--request-timeout {text:?} is not a duration: write milliseconds (`30000`) or a number \
             with a unit (`30s`, `1.5s`, `500ms`), at most a day"
        ))),
    }
}

fn parse_target(text: &str) -> Result<Url, Error> {
    // Checked on the text, before parsing: a parse error would echo it, password included.
    if let Some(credentials) = UrlCredentials::find(text) {
        return Err(Error::Usage(format!(
            "--target must not contain credentials ({credentials}); use a profile (--profile) that \
             names the environment variables holding them"
        )));
    }
    let url = Url::parse(text).map_err(|e| Error::Usage(format!("--target {text:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Usage(format!(
            "--target {text:?} must be an http:// or https:// URL"
        )));
    }
    Ok(url)
}

fn parse_user(text: &str) -> Result<(String, String), Error> {
    match text.split_once(':') {
        Some((name, password)) if !name.is_empty() => Ok((name.to_owned(), password.to_owned())),
        // Never echo the argument: it may hold a password.
        _ => Err(Error::Usage("--user must look like NAME:PASSWORD".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_timeouts_read_like_scenario_durations() {
        let ok = |t: &str| parse_request_timeout(t).expect(t);
        assert_eq!(ok("30s"), Duration::from_secs(30));
        assert_eq!(ok("1.5s"), Duration::from_millis(1500));
        assert_eq!(ok("500ms"), Duration::from_millis(500));
        assert_eq!(ok("750"), Duration::from_millis(750));
        for bad in ["0", "0s", "-1s", "soon", "1e3", ""] {
            assert!(parse_request_timeout(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_with_credentials_are_refused_without_echoing_them() {
        for text in [
            "http://agent1:hunter2@127.0.0.1:1",
            "http://agent1:hunter2@127.0.0.1:x/",
        ] {
            let Err(Error::Usage(message)) = parse_target(text) else {
                panic!("{text} must be refused");
            };
            assert!(message.contains("user `agent1`"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
        assert!(parse_target("http://127.0.0.1:1/gws").is_ok());
    }
}
