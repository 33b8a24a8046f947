//! Helpers for the safety tests: running the built binary with environment variables set on the
//! child only, bounded so that a hang fails the test instead of stalling the suite, and temp
//! files.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use crate::support::{redact, root};

/// Longer than any run these tests make, by far; only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs the built binary with `args` in the repository root and `env` set on the child only
/// (`GWS_CONTRACT_PASSWORD` is removed unless `env` sets it). Panics if it has not finished
/// within [`HANG_GUARD`], killing it.
pub async fn run_cli_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gws-contract"));
    command
        .args(args)
        .current_dir(root())
        .env_remove("GWS_CONTRACT_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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

/// Output with ports, durations and the temp directory redacted.
pub fn clean(bytes: &[u8], dir: &Path) -> String {
    redact(bytes).replace(&dir.to_string_lossy().into_owned(), "[dir]")
}

/// stdout and stderr, cleaned, for failure messages.
pub fn both(output: &Output, dir: &Path) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        clean(&output.stdout, dir),
        clean(&output.stderr, dir)
    )
}
