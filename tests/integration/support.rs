//! Shared helpers: starting the reference server, loading scenarios, running the built binary,
//! and redacting ports and durations from output before snapshotting it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;

use gws_contract::runner::RunOptions;
use gws_contract::scenario::load_file;
use gws_contract::server::{ReferenceServer, ServerConfig};
use gws_contract::suite::run_inline;
use gws_contract::target::{Secret, Target};
use gws_contract::verdict::ScenarioOutcome;

/// The repository root (tests run with the package root as working directory, but be explicit).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Starts a reference server on an ephemeral loopback port.
pub async fn start_server(config: ServerConfig) -> ReferenceServer {
    ReferenceServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), config)
        .await
        .expect("reference server starts on 127.0.0.1:0")
}

/// A target with the reference server's defaults.
pub fn target_for(server: &ReferenceServer) -> Arc<Target> {
    let base = url::Url::parse(&server.url()).expect("server URL parses");
    Arc::new(Target::with_defaults(base, Secret::new("password")))
}

/// Loads a scenario file (relative to the repository root) and runs it against `server`.
pub async fn run_file(server: &ReferenceServer, relative: &str) -> ScenarioOutcome {
    let loaded = load_file(&root().join(relative)).unwrap_or_else(|d| panic!("{relative} loads: {d:#?}"));
    run_inline(&loaded, target_for(server), &RunOptions::default()).await
}

/// Longer than any run the tests make, by far; only a hang reaches it.
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs the built `gws-contract` binary with `args` in the repository root (off the async
/// runtime's workers, so an in-process server keeps serving meanwhile).
pub async fn run_cli(args: &[&str]) -> Output {
    run_cli_env(args, &[]).await
}

/// Like [`run_cli`], with `env` set on the child only (`GWS_CONTRACT_PASSWORD` is removed
/// unless `env` sets it); never touches the test process's environment. Panics if the binary
/// has not finished within [`HANG_GUARD`], killing it.
pub async fn run_cli_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    run_cli_opts(args, env, &[]).await
}

/// Like [`run_cli_env`], also removing the variables in `remove` from the child's environment
/// (e.g. `CI`, which `.ci/run` sets and which changes what `verify` writes).
pub async fn run_cli_opts(args: &[&str], env: &[(&str, &str)], remove: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gws-contract"));
    // As in CI: `verify` then writes no pending goldens into the repository's golden/ when a
    // test provokes drifts. Tests about that behaviour remove or set `CI` themselves.
    command
        .args(args)
        .current_dir(root())
        .env_remove("GWS_CONTRACT_PASSWORD")
        .env("CI", "true");
    for name in remove {
        command.env_remove(name);
    }
    command
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn().expect("the gws-contract binary runs");
    match tokio::time::timeout(HANG_GUARD, child.wait_with_output()).await {
        Ok(output) => output.expect("the binary's output is readable"),
        Err(_) => panic!("gws-contract {args:?} hung: no exit within {HANG_GUARD:?}"),
    }
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path.to_string_lossy().into_owned()
}

/// Writes `profile` to a temporary directory and runs `verify --profile` on the shipped
/// Complete scenario with `env` set on the child only. The directory lives as long as the
/// returned guard (its path is what [`clean`] redacts).
pub async fn verify_complete_with_profile(
    profile: &str,
    env: &[(&str, &str)],
) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "profile.yaml", profile);
    let output = run_cli_env(
        &["verify", "--profile", &path, "scenarios/facebook/complete.yaml"],
        env,
    )
    .await;
    (output, dir)
}

/// Output with ports, durations, ids and the temp directory `dir` redacted.
pub fn clean(bytes: &[u8], dir: &Path) -> String {
    redact(bytes).replace(&dir.to_string_lossy().into_owned(), "[dir]")
}

/// Output text with ports and durations replaced, so snapshots are stable.
pub fn redact(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let ports = regex::Regex::new(r"127\.0\.0\.1:\d+").expect("valid regex");
    // Only the run time on scenario lines varies; timeouts in messages are part of the contract.
    let durations = regex::Regex::new(r", \d+ ms\)").expect("valid regex");
    // Server-generated values that diffs may show as context.
    let ids = regex::Regex::new(r"\b[0-9A-Z]{16}\b").expect("valid regex");
    let user_ids = regex::Regex::new(r"\b[0-9a-f]{32}\b").expect("valid regex");
    let stamps =
        regex::Regex::new(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}").expect("valid regex");
    let epoch_ms = regex::Regex::new(r"\b1\d{12}\b").expect("valid regex");
    let latency = regex::Regex::new(r"(?m)^latency: p50 .*$").expect("valid regex");
    let text = ports.replace_all(&text, "127.0.0.1:[port]");
    let text = durations.replace_all(&text, ", [duration])");
    let text = ids.replace_all(&text, "[id]");
    let text = user_ids.replace_all(&text, "[user-id]");
    let text = stamps.replace_all(&text, "[timestamp]");
    let text = latency.replace_all(&text, "latency: [latency]");
    epoch_ms.replace_all(&text, "[epoch-ms]").into_owned()
}

/// Whether `path` exists relative to the repository root.
pub fn exists(relative: &str) -> bool {
    Path::new(&root().join(relative)).exists()
}

/// Copies the directory tree `from` into `to` (created).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create directory");
    for entry in std::fs::read_dir(from).expect("list directory") {
        let entry = entry.expect("directory entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Every file below `dir`, relative to it, sorted.
pub fn files_below(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("list directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(
                    path.strip_prefix(base)
                        .expect("below base")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
