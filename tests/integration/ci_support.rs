//! Helpers for the CI-gate tests (JUnit, annotations, verbosity, selection): redacting what
//! varies between runs in their output, and running `verify` with a CI-like environment.

use std::path::Path;
use std::process::Output;

use crate::support::{redact, run_cli_env};

/// Output with ports, ids and durations redacted (as [`redact`]), and also the timings of
/// `-v`/`-vv` lines, JUnit `time` attributes, HTTP `date` and `content-length` headers (bodies
/// hold ports and ids of varying length) and UUIDs (queue URIs).
pub fn redact_ci(bytes: &[u8]) -> String {
    let text = redact(bytes);
    let rules = [
        (r"\[\+\s*\d+\.\d ms\]", "[+t ms]"),
        (r" in \d+ ms", " in [t] ms"),
        (r"last at \d+ ms", "last at [t] ms"),
        (r#"time="[0-9.]+""#, r#"time="[t]""#),
        (r"date: [^\n]*", "date: [date]"),
        (r"content-length: \d+", "content-length: [n]"),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[uuid]",
        ),
    ];
    rules.iter().fold(text, |text, (pattern, with)| {
        regex::Regex::new(pattern)
            .expect("valid regex")
            .replace_all(&text, *with)
            .into_owned()
    })
}

/// Runs `verify` with `args` one scenario at a time (so the output is in a stable order and no
/// scenario sees another's deliveries), with `env` on the child only and `CI`, `GITHUB_ACTIONS`
/// and `GITLAB_CI` cleared unless `env` sets them.
pub async fn verify_ci(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut all = vec!["verify", "--jobs", "1"];
    all.extend_from_slice(args);
    let mut vars: Vec<(&str, &str)> = vec![("CI", ""), ("GITHUB_ACTIONS", ""), ("GITLAB_CI", "")];
    vars.extend_from_slice(env);
    run_cli_env(&all, &vars).await
}

/// The passing seed scenario and the failing fixture, in that order.
pub const SEEDS: [&str; 2] = [
    "scenarios/facebook/complete.yaml",
    "tests/fixtures/complete-wrong-state.yaml",
];

/// A path below `dir`, as a string argument.
pub fn arg(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}
