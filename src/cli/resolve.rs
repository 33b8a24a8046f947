//! Turning parsed arguments into validated configuration: flag values, the profile, and the
//! environment variables (the only place in the program that reads them).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::error::{Error, UsageError};
use crate::golden::RiskClass;
use crate::profile::load_profile;
use crate::proxy::{ProfileDefaults, RecordSettings};
use crate::report::Verbosity;
use crate::report::docs::DocsFormat;
use crate::scenario::Millis;
use crate::server::{Fault, ServerConfig, Variant};
use crate::suite::{Selection, Shard, UnreferencedPolicy};
use crate::target::{DEFAULT_PASSWORD, Secret, TargetSettings, UrlCredentials};

use super::args::*;
use super::config::*;

impl Cli {
    /// Validates the arguments and decides on colour, reading the environment where the design
    /// says so.
    pub fn into_invocation(self) -> Result<Invocation, Error> {
        let color = resolve_color(self.color, &env_var, std::io::stdout().is_terminal());
        Ok(Invocation {
            command: self.into_command()?,
            color,
        })
    }

    /// Validates the arguments, reading the environment where the design says so.
    pub fn into_command(self) -> Result<Command, Error> {
        match self.command {
            CommandArgs::Verify(args) => {
                let fail_on = args
                    .fail_on
                    .parse::<RiskClass>()
                    .map_err(|reason| UsageError::Invalid {
                        flag: "--fail-on",
                        reason,
                    })?;
                let unreferenced = match args.unreferenced.as_str() {
                    "ignore" => UnreferencedPolicy::Ignore,
                    "warn" => UnreferencedPolicy::Warn,
                    "fail" => UnreferencedPolicy::Fail,
                    other => {
                        return Err(UsageError::NotA {
                            flag: "--unreferenced",
                            value: crate::elide::elide(other, 40).into_owned(),
                            expected: "a policy: use ignore, warn or fail",
                        }
                        .into());
                    }
                };
                let shard = args
                    .shard
                    .as_deref()
                    .map(str::parse::<Shard>)
                    .transpose()
                    .map_err(UsageError::from)?;
                let selection = Selection::new(&args.filter, &args.tag, shard).map_err(UsageError::from)?;
                let last_run = (!in_ci()).then(|| PathBuf::from(LAST_RUN_PATH));
                let last_failed = args.last_failed.then(|| {
                    args.report_json
                        .clone()
                        .unwrap_or_else(|| PathBuf::from(LAST_RUN_PATH))
                });
                let verbosity = match (args.quiet, args.verbose) {
                    (true, _) => Verbosity::Quiet,
                    (false, 0) => Verbosity::Normal,
                    (false, 1) => Verbosity::Steps,
                    (false, _) => Verbosity::Wire,
                };
                let output = OutputConfig {
                    verbosity,
                    progress: std::io::stderr().is_terminal(),
                    github: env_var("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
                    gitlab: env_var("GITLAB_CI").is_some_and(|v| !v.is_empty()),
                };
                Ok(Command::Verify(VerifyConfig {
                    run: resolve_run(args.run)?,
                    report_json: args.report_json,
                    report_html: args.report_html,
                    fail_on,
                    write_pending: !args.no_pending && !in_ci(),
                    unreferenced,
                    coverage: args.coverage,
                    junit: args.junit,
                    selection,
                    last_failed,
                    last_run,
                    list: args.list,
                    fail_fast: args.fail_fast,
                    output,
                }))
            }
            CommandArgs::Record(args) => {
                if args.runs == 0 {
                    return Err(UsageError::OutOfRange {
                        flag: "--runs",
                        requirement: "at least 1",
                    }
                    .into());
                }
                Ok(Command::Record(RecordConfig {
                    run: resolve_run(args.run)?,
                    runs: args.runs,
                    accept_rules: args.accept_rules,
                }))
            }
            CommandArgs::Accept(args) => Ok(Command::Accept(AcceptConfig {
                paths: args.paths,
                golden: args.golden,
            })),
            CommandArgs::Compare(args) => Ok(Command::Compare(CompareConfig {
                a: args.a,
                b: args.b,
                report_json: args.report_json,
            })),
            CommandArgs::Serve(args) if args.list_faults => Ok(Command::ListFaults),
            CommandArgs::Serve(ServeArgs {
                addr,
                replay: Some(dir),
                csrf,
                ..
            }) => Ok(Command::Replay(ReplayConfig { addr, dir, csrf })),
            CommandArgs::Serve(args) => {
                let faults = args
                    .faults
                    .iter()
                    .map(|name| name.parse::<Fault>())
                    .collect::<Result<_, _>>()
                    .map_err(UsageError::from)?;
                let variant = args.variant.parse::<Variant>().map_err(UsageError::from)?;
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
            CommandArgs::Proxy(args) => resolve_proxy(args).map(Command::Proxy),
            CommandArgs::Check(args) => Ok(Command::Check(CheckConfig { paths: args.paths })),
            CommandArgs::Schema => Ok(Command::Schema),
            CommandArgs::Docs(args) => Ok(Command::Docs(DocsConfig {
                paths: args.paths,
                check: args.check.is_some(),
                dir: args
                    .check
                    .or(args.out)
                    .unwrap_or_else(|| PathBuf::from(DEFAULT_DOCS_DIR)),
                golden: args.golden,
                format: match args.format {
                    DocsFormatArg::Md => DocsFormat::Markdown,
                    DocsFormatArg::Html => DocsFormat::Html,
                },
            })),
        }
    }
}

/// Whether the process runs in CI (`CI` set to anything but empty, `0` or `false`): then
/// nothing is written that was not asked for.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// An environment variable, if it is set and valid UTF-8.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Whether standard output gets colour: `--color always|never` decide; `auto` follows the
/// conventions (no-color.org, bixense.com/clicolors) the way anstream does — `NO_COLOR` (set,
/// not empty) turns it off, then `CLICOLOR_FORCE` (not empty or `0`) on, then `CLICOLOR=0`
/// off, and otherwise it is on exactly on a terminal.
fn resolve_color(when: ColorWhen, env: &dyn Fn(&str) -> Option<String>, terminal: bool) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto if set("NO_COLOR") => false,
        ColorWhen::Auto if set("CLICOLOR_FORCE") && env("CLICOLOR_FORCE").as_deref() != Some("0") => true,
        ColorWhen::Auto if env("CLICOLOR").as_deref() == Some("0") => false,
        ColorWhen::Auto => terminal,
    }
}

/// Resolves what `verify` and `record` share, in one place: `--target` over the profile's
/// `base_url` over the embedded server; `--request-timeout` over the profile over the default;
/// `--golden` over the profile's `golden` over the shipped `golden/` (embedded target only).
fn resolve_run(args: RunArgs) -> Result<RunConfig, Error> {
    let target = match args.target {
        None => TargetChoice::Embedded,
        Some(text) => TargetChoice::External(parse_target(&text)?),
    };
    let jobs = match args.jobs {
        Some(0) => {
            return Err(UsageError::OutOfRange {
                flag: "--jobs",
                requirement: "at least 1",
            }
            .into());
        }
        jobs => jobs,
    };
    let password = Secret::new(default_password()?);
    let request_timeout = args
        .request_timeout
        .as_deref()
        .map(parse_request_timeout)
        .transpose()?;
    let mut settings = match &args.profile {
        Some(path) => resolve_profile(path, password)?,
        None => TargetSettings::defaults(password),
    };
    let target = match (target, settings.base.clone()) {
        (TargetChoice::Embedded, Some(base)) => TargetChoice::External(base),
        (target, _) => target,
    };
    if let Some(timeout) = request_timeout {
        settings.request_timeout = timeout;
    }
    if let Some(text) = args.max_body.as_deref() {
        settings.max_body = parse_max_body(text)?;
    }
    let golden = match (args.golden, settings.golden.clone(), &target) {
        (Some(dir), _, _) | (None, Some(dir), _) => GoldenDir::Given(dir),
        (None, None, TargetChoice::Embedded) => GoldenDir::Reference(PathBuf::from(REFERENCE_GOLDEN_DIR)),
        (None, None, TargetChoice::External(_)) => GoldenDir::None,
    };
    Ok(RunConfig {
        paths: args.paths,
        target,
        settings,
        jobs,
        golden,
    })
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
        Ok(value) if value.is_empty() => Err(UsageError::Environment {
            variable: PASSWORD_ENV,
            problem: "is empty; it should hold the actors' password (unset it to use the reference \
                      server's default)",
        }
        .into()),
        Ok(value) => Ok(value),
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_PASSWORD.to_owned()),
        Err(std::env::VarError::NotUnicode(_)) => Err(UsageError::Environment {
            variable: PASSWORD_ENV,
            problem: "is not valid UTF-8",
        }
        .into()),
    }
}

/// Parses `--request-timeout` like scenario durations: `30s`, `1.5s`, `500ms` or milliseconds.
fn parse_request_timeout(text: &str) -> Result<Duration, Error> {
    use serde::Deserialize;

    let deserializer = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text);
    match Millis::deserialize(deserializer) {
        Ok(Millis(0)) => Err(UsageError::OutOfRange {
            flag: "--request-timeout",
            requirement: "more than 0",
        }
        .into()),
        Ok(millis) => Ok(millis.duration()),
        Err(_) => Err(UsageError::NotA {
            flag: "--request-timeout",
            value: crate::elide::elide(text, 40).into_owned(),
            expected: "a duration: write milliseconds (`30000`) or a number with a unit (`30s`, \
                       `1.5s`, `500ms`), at most a day",
        }
        .into()),
    }
}

/// Parses `--max-body`: `16MiB`, `512KiB`, `1MB` or bytes.
fn parse_max_body(text: &str) -> Result<usize, Error> {
    crate::limits::ByteSize::parse(text)
        .map(|size| size.0)
        .ok_or_else(|| {
            UsageError::NotA {
                flag: "--max-body",
                value: crate::elide::elide(text, 40).into_owned(),
                expected: "a size: write bytes (`1048576`) or a number with a unit (`16MiB`, \
                           `512KiB`, `1MB`), more than 0",
            }
            .into()
        })
}

/// Resolves `proxy`: flags over the profile over the defaults (DESIGN.md §5 paths).
fn resolve_proxy(args: ProxyArgs) -> Result<ProxyConfig, Error> {
    let target = parse_target(&args.target)?;
    let is_yaml = args.out.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let name = args.out.file_stem().map(|s| s.to_string_lossy().into_owned());
    let Some(name) = name.filter(|_| is_yaml) else {
        return Err(UsageError::FlagPath {
            flag: "--out",
            path: args.out.clone(),
            problem: "must name a scenario file ending in .yaml",
        }
        .into());
    };
    if args.out.exists() {
        return Err(UsageError::FlagPath {
            flag: "--out",
            path: args.out.clone(),
            problem: "already exists; a recording never overwrites a scenario (choose another file or \
                      delete it)",
        }
        .into());
    }
    let duration = args
        .duration
        .as_deref()
        .map(parse_recording_duration)
        .transpose()?;
    let defaults = match &args.profile {
        Some(path) => {
            ProfileDefaults::from_profile(path, &load_profile(path).map_err(Error::Profile)?.profile)
        }
        None => ProfileDefaults::default(),
    };
    Ok(ProxyConfig {
        listen: args.listen,
        target,
        out: args.out,
        duration,
        golden: args
            .golden
            .or(defaults.golden)
            .unwrap_or_else(|| PathBuf::from(REFERENCE_GOLDEN_DIR)),
        record: RecordSettings {
            name,
            endpoints: defaults.endpoints,
            keep_users: args.keep_users,
            actor_names: defaults.actor_names,
        },
    })
}

/// `--duration`: scenario-style durations (`90s`, `500ms`, milliseconds) or minutes and hours
/// (`10m`, `1h`).
fn parse_recording_duration(text: &str) -> Result<Duration, Error> {
    let bad = || {
        Error::from(UsageError::NotA {
            flag: "--duration",
            value: crate::elide::elide(text, 40).into_owned(),
            expected: "a duration: write `90s`, `10m`, `1h`, `500ms` or milliseconds",
        })
    };
    let trimmed = text.trim();
    let scaled = |number: &str, unit: u64| -> Result<Duration, Error> {
        let n: u64 = number.parse().map_err(|_| bad())?;
        Ok(Duration::from_secs(n.checked_mul(unit).ok_or_else(bad)?))
    };
    let duration = if let Some(hours) = trimmed.strip_suffix('h') {
        scaled(hours, 3600)?
    } else if let Some(minutes) = trimmed.strip_suffix('m') {
        scaled(minutes, 60)?
    } else {
        use serde::Deserialize;
        let deserializer = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(trimmed);
        Millis::deserialize(deserializer).map_err(|_| bad())?.duration()
    };
    if duration.is_zero() {
        return Err(UsageError::OutOfRange {
            flag: "--duration",
            requirement: "more than 0",
        }
        .into());
    }
    Ok(duration)
}

fn parse_target(text: &str) -> Result<Url, Error> {
    // Checked on the text, before parsing: a parse error would echo it, password included.
    if let Some(credentials) = UrlCredentials::find(text) {
        return Err(UsageError::CredentialsInUrl {
            flag: "--target",
            credentials,
        }
        .into());
    }
    let bad = |problem: String| UsageError::BadUrl {
        flag: "--target",
        value: crate::elide::elide(text, 200).into_owned(),
        problem,
    };
    let url = Url::parse(text).map_err(|e| bad(format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must be an http:// or https:// URL".to_owned()).into());
    }
    Ok(url)
}

fn parse_user(text: &str) -> Result<(String, String), Error> {
    match text.split_once(':') {
        Some((name, password)) if !name.is_empty() => Ok((name.to_owned(), password.to_owned())),
        // Never echo the argument: it may hold a password.
        _ => Err(UsageError::Shape {
            flag: "--user",
            shape: "NAME:PASSWORD",
        }
        .into()),
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
    fn max_body_reads_sizes() {
        assert_eq!(parse_max_body("16MiB").ok(), Some(16 << 20));
        assert_eq!(parse_max_body("4096").ok(), Some(4096));
        let Err(error @ Error::Usage(_)) = parse_max_body("lots") else {
            panic!("`lots` is no size");
        };
        let message = error.to_string();
        assert!(
            message.starts_with("--max-body \"lots\" is not a size"),
            "{message}"
        );
    }

    #[test]
    fn proxy_flags_win_over_the_profile() {
        let dir = tempfile::tempdir().expect("temp dir");
        let profile = dir.path().join("vendor.yaml");
        std::fs::write(
            &profile,
            "golden: golden/vendor\nactors:\n  agent1: { user: alice }\n",
        )
        .expect("write");
        let args = |golden: Option<&str>| ProxyArgs {
            target: "http://127.0.0.1:1".to_owned(),
            listen: "127.0.0.1:0".parse().expect("address"),
            out: dir.path().join("rec.yaml"),
            duration: None,
            keep_users: false,
            golden: golden.map(PathBuf::from),
            profile: Some(profile.clone()),
        };
        let config = resolve_proxy(args(None)).expect("valid");
        assert_eq!(config.record.name, "rec");
        assert_eq!(config.golden, dir.path().join("golden/vendor"));
        assert_eq!(
            config.record.actor_names.get("alice").map(String::as_str),
            Some("agent1")
        );
        assert_eq!(
            resolve_proxy(args(Some("g"))).expect("valid").golden,
            PathBuf::from("g")
        );
    }

    #[test]
    fn colour_follows_the_flag_then_no_color_then_clicolor_force_then_the_terminal() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let none = env(&[]);
        assert!(resolve_color(ColorWhen::Auto, &none, true));
        assert!(!resolve_color(ColorWhen::Auto, &none, false));
        assert!(resolve_color(
            ColorWhen::Always,
            &env(&[("NO_COLOR", "1")]),
            false
        ));
        assert!(!resolve_color(
            ColorWhen::Never,
            &env(&[("CLICOLOR_FORCE", "1")]),
            true
        ));
        assert!(!resolve_color(ColorWhen::Auto, &env(&[("NO_COLOR", "1")]), true));
        assert!(
            resolve_color(ColorWhen::Auto, &env(&[("NO_COLOR", "")]), true),
            "empty means unset"
        );
        assert!(resolve_color(
            ColorWhen::Auto,
            &env(&[("CLICOLOR_FORCE", "1")]),
            false
        ));
        assert!(!resolve_color(
            ColorWhen::Auto,
            &env(&[("CLICOLOR_FORCE", "0")]),
            false
        ));
        assert!(!resolve_color(
            ColorWhen::Auto,
            &env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]),
            true
        ));
        assert!(!resolve_color(ColorWhen::Auto, &env(&[("CLICOLOR", "0")]), true));
    }

    #[test]
    fn recording_durations_take_minutes_and_hours_too() {
        let ok = |t: &str| parse_recording_duration(t).expect(t);
        assert_eq!(ok("90s"), Duration::from_secs(90));
        assert_eq!(ok("10m"), Duration::from_secs(600));
        assert_eq!(ok("1h"), Duration::from_secs(3600));
        assert_eq!(ok("250ms"), Duration::from_millis(250));
        for bad in ["0", "0m", "soon", "-1m", "1.5m", ""] {
            assert!(parse_recording_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_with_credentials_are_refused_without_echoing_them() {
        for text in [
            "http://agent1:hunter2@127.0.0.1:1",
            "http://agent1:hunter2@127.0.0.1:x/",
        ] {
            let Err(error @ Error::Usage(_)) = parse_target(text) else {
                panic!("{text} must be refused");
            };
            let message = error.to_string();
            assert!(message.contains("user `agent1`"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
        assert!(parse_target("http://127.0.0.1:1/gws").is_ok());
    }
}
