//! Running the real Bayeux peers (npm packages pinned in `tests/interop/package.json`).
//!
//! The test command brings in what the tests need: the first test that needs Node installs
//! the pinned packages with `npm ci` (lockfile, no registry URLs in it). A file lock makes
//! this safe when test processes run in parallel (cargo-nextest), and a `OnceLock` makes it
//! run once per process.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::support::root;

/// `tests/interop`.
pub fn interop_dir() -> PathBuf {
    root().join("tests").join("interop")
}

/// Installs the pinned npm packages if they are not installed yet. Panics with npm's output
/// if that fails, because every interop test depends on it.
pub fn ensure_npm_packages() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let dir = interop_dir();
        let lock = File::create(dir.join(".npm-install.lock")).expect("create npm install lock file");
        lock.lock().expect("lock npm install");
        let marker = dir.join("node_modules").join(".package-lock.json");
        if !marker.exists() {
            let output = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                .current_dir(&dir)
                .stdin(Stdio::null())
                .output()
                .expect("npm runs (Node.js and npm must be installed)");
            assert!(
                output.status.success(),
                "npm ci failed in {}:\n{}{}",
                dir.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        lock.unlock().expect("unlock npm install");
    });
}

/// Runs `node <script>` (relative to `tests/interop`) with `env`, killing it after `limit`.
/// Runs off the async runtime so an in-process server keeps serving.
pub async fn run_node(script: &str, env: &[(&str, &str)], limit: Duration) -> Output {
    ensure_npm_packages();
    let mut command = tokio::process::Command::new("node");
    command
        .arg(script)
        .current_dir(interop_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.spawn().expect("node starts");
    match tokio::time::timeout(limit, child.wait_with_output()).await {
        Ok(output) => output.expect("node output is readable"),
        Err(_) => panic!("node {script} did not finish within {limit:?}"),
    }
}
