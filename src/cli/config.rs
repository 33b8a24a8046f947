//! The validated configuration each subcommand runs with: what the rest of the program
//! receives from the command line, the profile and the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::golden::RiskClass;
use crate::proxy::RecordSettings;
use crate::report::Verbosity;
use crate::report::docs::DocsFormat;
use crate::server::ServerConfig;
use crate::suite::{Selection, UnreferencedPolicy};
use crate::target::TargetSettings;

/// Where `docs` writes its pages by default: generated pages apart from the hand-written ones
/// in `docs/`, so `--check` and the removal of stale pages never concern those.
pub const DEFAULT_DOCS_DIR: &str = "docs/reference";

/// A validated `docs`.
#[derive(Debug, Clone)]
pub struct DocsConfig {
    /// Scenario path arguments.
    pub paths: Vec<String>,
    /// The pages' directory.
    pub dir: PathBuf,
    /// Compare with `dir` instead of writing it.
    pub check: bool,
    /// The golden directory.
    pub golden: PathBuf,
    /// Markdown or HTML.
    pub format: DocsFormat,
}

/// A validated `check`.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Scenario path arguments.
    pub paths: Vec<String>,
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
    /// `--jobs`; without it the run decides once it knows its actors (`suite::decide_jobs`).
    pub jobs: Option<usize>,
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
    /// The directory of the HTML report, if any.
    pub report_html: Option<PathBuf>,
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
    /// Write or check reference pages.
    Docs(DocsConfig),
    /// List the reference server's faults.
    ListFaults,
}

/// The reference server's goldens, shipped with the scenarios.
pub const REFERENCE_GOLDEN_DIR: &str = "golden";
