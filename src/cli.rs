//! The command line (DESIGN.md §2): clap definitions, and their conversion into validated
//! configuration. This is the only module that reads environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use std::io::IsTerminal;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use url::Url;

use crate::error::Error;
use crate::golden::RiskClass;
use crate::profile::load_profile;
use crate::proxy::{ProfileDefaults, RecordSettings};
use crate::report::Verbosity;
use crate::scenario::Millis;
use crate::server::{Fault, ServerConfig, Variant};
use crate::suite::{Selection, Shard, UnreferencedPolicy};
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
    /// Colour on standard output: auto (on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE
    /// forces it), always or never.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal, following NO_COLOR and CLICOLOR_FORCE.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum CommandArgs {
    /// Run scenarios and compare what the target does with their expectations and goldens.
    Verify(VerifyArgs),
    /// Run scenarios and write what the target did as goldens.
    Record(RecordArgs),
    /// Promote pending `<golden>.new` files (and `rules.yaml.new`) after review.
    Accept(AcceptArgs),
    /// Show where two targets' goldens differ.
    Compare(CompareArgs),
    /// Run the reference GWS server.
    Serve(ServeArgs),
    /// Record live client traffic to a GWS server as a scenario and its golden.
    Proxy(ProxyArgs),
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

/// What `verify` and `record` share: which scenarios, which target, how.
#[derive(Debug, Args)]
pub struct RunArgs {
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
    /// Target profile (YAML): endpoint, channel, CSRF, state hook, golden directory, and the
    /// environment variables holding each actor's credentials. Its base_url is used when
    /// --target is absent.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Longest wait for any actor or state-hook request (`30s`, `500ms`, or milliseconds);
    /// overrides the profile's `request_timeout`. Default: 30s.
    #[arg(long, value_name = "DURATION")]
    pub request_timeout: Option<String>,
    /// Longest response body read from the target (`16MiB`, `512KiB`, or bytes); a longer
    /// one is an infrastructure error. Overrides the profile's `max_body`. Default: 16MiB.
    #[arg(long, value_name = "SIZE")]
    pub max_body: Option<String>,
    /// The target's golden directory (default: the profile's `golden`, else `golden/` for the
    /// embedded reference server only).
    #[arg(long, value_name = "DIR")]
    pub golden: Option<PathBuf>,
}

/// `verify` arguments.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Scenarios, target and goldens.
    #[command(flatten)]
    pub run: RunArgs,
    /// Also write the full outcome as JSON to FILE (written atomically).
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
    /// Fail on golden drifts of this class and above: high, medium, ordering or low.
    #[arg(long, value_name = "CLASS", default_value = "low")]
    pub fail_on: String,
    /// Do not write `<golden>.new` files for drifted scenarios (never written when `CI` is set).
    #[arg(long)]
    pub no_pending: bool,
    /// Goldens without scenarios and scenarios without goldens: ignore, warn (list them) or
    /// fail (list them and exit 1).
    #[arg(long, value_name = "POLICY", default_value = "warn")]
    pub unreferenced: String,
    /// Also print which operations ran in which states and which notification types the
    /// scenarios assert, with the gaps (the JSON report carries the same table).
    #[arg(long)]
    pub coverage: bool,
    /// Also write a JUnit XML report to FILE (a testsuite per scenario file; written
    /// atomically).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Only scenarios whose name matches GLOB (repeatable: any of them).
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    /// Only scenarios tagged TAG (repeatable: any of them); `!TAG` leaves out those tagged TAG.
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Only shard K of N (1-based): a partition by scenario name, the same on every machine and
    /// stable when scenarios are added.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Start no more scenarios after one fails or errors; the rest are reported as not run.
    #[arg(long)]
    pub fail_fast: bool,
    /// Only the scenarios that failed or errored in the previous run, as recorded in the
    /// --report-json FILE, else in target/gws-contract/last-run.json (written outside CI).
    #[arg(long)]
    pub last_failed: bool,
    /// Print the scenarios that would run, after --filter, --tag, --shard and --last-failed,
    /// and exit.
    #[arg(long)]
    pub list: bool,
    /// Print only the summary.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More detail: -v one line per step with its timing and notification counts; -vv also
    /// every HTTP exchange and notification per actor, with timestamps.
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
}

/// `record` arguments.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// Scenarios, target and goldens.
    #[command(flatten)]
    pub run: RunArgs,
    /// Record this many times (against a fresh embedded server each time) and propose rules
    /// for values that differ between runs.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub runs: usize,
    /// Write proposed rules into `rules.yaml` directly instead of `rules.yaml.new`.
    #[arg(long)]
    pub accept_rules: bool,
}

/// `accept` arguments.
#[derive(Debug, Args)]
pub struct AcceptArgs {
    /// Scenario files, directories or globs whose pending goldens to accept.
    #[arg(value_name = "PATH|GLOB", default_value = "scenarios/")]
    pub paths: Vec<String>,
    /// The golden directory (default: `golden/`).
    #[arg(long, value_name = "DIR", default_value = "golden")]
    pub golden: PathBuf,
}

/// `compare` arguments.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The first target's golden directory.
    pub a: PathBuf,
    /// The second target's golden directory.
    pub b: PathBuf,
    /// Also write the comparison as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub report_json: Option<PathBuf>,
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
    /// Require the CSRF token on modifying requests (with `--replay` too: logins hand one
    /// out and requests without it get the refusal a golden recorded).
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
    /// Play the goldens below DIR back instead of simulating GWS: a state-hook call picks
    /// the recording, requests must follow it, any user may log in.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["users", "faults", "list_faults"])]
    pub replay: Option<PathBuf>,
}

/// `proxy` arguments.
#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// The GWS server to forward to (http:// or https://, without credentials).
    #[arg(long, value_name = "URL")]
    pub target: String,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8091")]
    pub listen: SocketAddr,
    /// The scenario file to write (`.yaml`; it must not exist yet). Its golden is written
    /// below the golden directory, where `verify --golden DIR` looks for it.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Stop recording after this long (`90s`, `10m`, `1h`, or milliseconds); without it,
    /// recording stops on Ctrl-C or SIGTERM.
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// Keep user names as actor names instead of renaming them agent1..N.
    #[arg(long)]
    pub keep_users: bool,
    /// The golden directory whose rules.yaml marks ids and volatile fields, and where the
    /// golden is written (default: the profile's `golden`, else `golden/`).
    #[arg(long, value_name = "DIR")]
    pub golden: Option<PathBuf>,
    /// Target profile: its state-hook path, CometD endpoint, channel, golden directory and
    /// actor names (the actor whose `user:` a recorded user is). Its secrets are not read.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// A validated `proxy`.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// Where to forward.
    pub target: Url,
    /// The scenario file to write.
    pub out: PathBuf,
    /// How long to record, if not until a signal.
    pub duration: Option<Duration>,
    /// The golden directory (rules in, golden out).
    pub golden: PathBuf,
    /// How the traffic becomes a scenario.
    pub record: RecordSettings,
}

/// Where `verify` and `record` send their requests.
#[derive(Debug, Clone)]
pub enum TargetChoice {
    /// Start the reference server in-process.
    Embedded,
    /// An external server.
    External(Url),
}

/// Where a run's goldens are, decided with the rest of its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoldenDir {
    /// `--golden DIR` or the profile's `golden`.
    Given(PathBuf),
    /// The shipped `golden/`, the reference server's: only for the embedded target.
    Reference(PathBuf),
    /// None applies: an external target without `--golden` or a profile `golden`.
    None,
}

/// What `verify` and `record` share, resolved: flags over the profile over defaults.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Scenario path arguments.
    pub paths: Vec<String>,
    /// The target.
    pub target: TargetChoice,
    /// How to talk to it (profile or defaults; the request timeout already resolved).
    pub settings: TargetSettings,
    /// Concurrency.
    pub jobs: usize,
    /// Its goldens.
    pub golden: GoldenDir,
}

/// A validated `verify`.
#[derive(Debug, Clone)]
pub struct VerifyConfig {
    /// Scenarios, target, goldens.
    pub run: RunConfig,
    /// Where to write the JSON report, if anywhere.
    pub report_json: Option<PathBuf>,
    /// Drifts of this class and above fail.
    pub fail_on: RiskClass,
    /// Whether to write `<golden>.new` files (not in CI, not with `--no-pending`).
    pub write_pending: bool,
    /// What to do with unreferenced goldens and scenarios.
    pub unreferenced: UnreferencedPolicy,
    /// `--coverage`.
    pub coverage: bool,
    /// Where to write the JUnit report, if anywhere.
    pub junit: Option<PathBuf>,
    /// Which scenarios run (`--filter`, `--tag`, `--shard`).
    pub selection: Selection,
    /// `--last-failed`: the previous run's JSON report, whose failures are the ones to run.
    pub last_failed: Option<PathBuf>,
    /// Where to record this run for a later `--last-failed` (outside CI only).
    pub last_run: Option<PathBuf>,
    /// Print the selection and exit.
    pub list: bool,
    /// Stop starting scenarios after the first failure or error.
    pub fail_fast: bool,
    /// How the run shows itself on the terminal and to CI systems.
    pub output: OutputConfig,
}

/// How a run shows itself: detail on stdout, a progress bar on stderr, CI annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputConfig {
    /// How much the terminal report says.
    pub verbosity: Verbosity,
    /// Show a progress bar on stderr (it is a terminal).
    pub progress: bool,
    /// Print GitHub Actions workflow commands (`GITHUB_ACTIONS=true`).
    pub github: bool,
    /// Say how to publish the JUnit report in GitLab CI (`GITLAB_CI` is set).
    pub gitlab: bool,
}

/// Where `verify` records every run outside CI, for `--last-failed`.
pub const LAST_RUN_PATH: &str = "target/gws-contract/last-run.json";

/// A validated command and how its output looks.
#[derive(Debug, Clone)]
pub struct Invocation {
    /// The command.
    pub command: Command,
    /// Whether standard output gets colour.
    pub color: bool,
}

/// A validated `record`.
#[derive(Debug, Clone)]
pub struct RecordConfig {
    /// Scenarios, target, goldens.
    pub run: RunConfig,
    /// Recordings to compare.
    pub runs: usize,
    /// Write proposals into `rules.yaml` directly.
    pub accept_rules: bool,
}

/// A validated `accept`.
#[derive(Debug, Clone)]
pub struct AcceptConfig {
    /// Scenario path arguments.
    pub paths: Vec<String>,
    /// The golden directory.
    pub golden: PathBuf,
}

/// A validated `compare`.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// First directory.
    pub a: PathBuf,
    /// Second directory.
    pub b: PathBuf,
    /// JSON output.
    pub report_json: Option<PathBuf>,
}

/// A validated `serve`.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Listen address.
    pub addr: SocketAddr,
    /// Server behaviour.
    pub server: ServerConfig,
}

/// A validated `serve --replay`.
#[derive(Debug, Clone)]
pub struct ReplayConfig {
    /// Listen address.
    pub addr: SocketAddr,
    /// The golden directory to play back.
    pub dir: PathBuf,
    /// Check CSRF tokens.
    pub csrf: bool,
}

/// A validated command.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "one command is made per process; boxing would buy nothing"
)]
pub enum Command {
    /// Run scenarios.
    Verify(VerifyConfig),
    /// Record goldens.
    Record(RecordConfig),
    /// Accept pending goldens.
    Accept(AcceptConfig),
    /// Compare golden directories.
    Compare(CompareConfig),
    /// Run the reference server.
    Serve(ServeConfig),
    /// Record live traffic.
    Proxy(ProxyConfig),
    /// Play goldens back.
    Replay(ReplayConfig),
    /// Validate scenario files.
    Check(CheckConfig),
    /// Print the scenario JSON Schema.
    Schema,
    /// List the reference server's faults.
    ListFaults,
}

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
                    .map_err(|e| Error::Usage(format!("--fail-on: {e}")))?;
                let unreferenced = match args.unreferenced.as_str() {
                    "ignore" => UnreferencedPolicy::Ignore,
                    "warn" => UnreferencedPolicy::Warn,
                    "fail" => UnreferencedPolicy::Fail,
                    other => {
                        return Err(Error::Usage(format!(
                            "--unreferenced {other:?}: use ignore, warn or fail"
                        )));
                    }
                };
                let shard = args
                    .shard
                    .as_deref()
                    .map(str::parse::<Shard>)
                    .transpose()
                    .map_err(|e| Error::Usage(e.to_string()))?;
                let selection = Selection::new(&args.filter, &args.tag, shard)
                    .map_err(|e| Error::Usage(e.to_string()))?;
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
                    return Err(Error::Usage("--runs must be at least 1".to_owned()));
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
            CommandArgs::Proxy(args) => resolve_proxy(args).map(Command::Proxy),
            CommandArgs::Check(args) => Ok(Command::Check(CheckConfig { paths: args.paths })),
            CommandArgs::Schema => Ok(Command::Schema),
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
        Some(0) => return Err(Error::Usage("--jobs must be at least 1".to_owned())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
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

/// The reference server's goldens, shipped with the scenarios.
pub const REFERENCE_GOLDEN_DIR: &str = "golden";

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

/// Parses `--max-body`: `16MiB`, `512KiB`, `1MB` or bytes.
fn parse_max_body(text: &str) -> Result<usize, Error> {
    crate::limits::ByteSize::parse(text)
        .map(|size| size.0)
        .ok_or_else(|| {
            Error::Usage(format!(
                "--max-body {:?} is not a size: write bytes (`1048576`) or a number with a unit \
             (`16MiB`, `512KiB`, `1MB`), more than 0",
                crate::elide::elide(text, 40)
            ))
        })
}

/// Resolves `proxy`: flags over the profile over the defaults (DESIGN.md §5 paths).
fn resolve_proxy(args: ProxyArgs) -> Result<ProxyConfig, Error> {
    let target = parse_target(&args.target)?;
    let is_yaml = args.out.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let name = args.out.file_stem().map(|s| s.to_string_lossy().into_owned());
    let Some(name) = name.filter(|_| is_yaml) else {
        return Err(Error::Usage(format!(
            "--out {} must name a scenario file ending in .yaml",
            args.out.display()
        )));
    };
    if args.out.exists() {
        return Err(Error::Usage(format!(
            "--out {} already exists; a recording never overwrites a scenario (choose another file or \
             delete it)",
            args.out.display()
        )));
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
        Error::Usage(format!(
            "--duration {text:?} is not a duration: write `90s`, `10m`, `1h`, `500ms` or milliseconds"
        ))
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
        return Err(Error::Usage("--duration must be more than 0".to_owned()));
    }
    Ok(duration)
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
    fn max_body_reads_sizes() {
        assert_eq!(parse_max_body("16MiB").ok(), Some(16 << 20));
        assert_eq!(parse_max_body("4096").ok(), Some(4096));
        let Err(Error::Usage(message)) = parse_max_body("lots") else {
            panic!("`lots` is no size");
        };
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
            let Err(Error::Usage(message)) = parse_target(text) else {
                panic!("{text} must be refused");
            };
            assert!(message.contains("user `agent1`"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
        assert!(parse_target("http://127.0.0.1:1/gws").is_ok());
    }
}
