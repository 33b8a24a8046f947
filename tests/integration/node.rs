//! Running the real Bayeux peers (npm packages pinned in `tests/interop/package.json`).
//!
//! The test command brings in what the tests need: the first test that needs Node installs
//! the pinned packages with `npm ci` (lockfile, no registry URLs in it). A file lock makes
//! this safe when test processes run in parallel (cargo-nextest), and a `OnceLock` makes it
//! run once per process. After a successful install the lockfile's content is recorded in
//! `node_modules/.gws-contract-lock`; a lockfile that differs from it (a bumped pin) triggers a
//! fresh `npm ci`, so the tests never run against stale packages.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use crate::support::root;

/// `tests/interop`.
pub fn interop_dir() -> PathBuf {
    root().join("tests").join("interop")
}

/// Where the content of the lockfile last installed is recorded, below `dir`.
const INSTALLED_LOCK: &str = "node_modules/.gws-contract-lock";

/// Whether `dir/package-lock.json` differs from what was last installed in `dir/node_modules`
/// (or nothing was).
fn needs_install(dir: &Path) -> bool {
    let wanted = std::fs::read(dir.join("package-lock.json")).ok();
    let installed = std::fs::read(dir.join(INSTALLED_LOCK)).ok();
    wanted.is_none() || installed != wanted
}

/// Records `dir/package-lock.json` as installed.
fn record_install(dir: &Path) {
    std::fs::copy(dir.join("package-lock.json"), dir.join(INSTALLED_LOCK))
        .expect("record the installed lockfile");
}

/// Installs the pinned npm packages unless exactly this lockfile is installed already. Panics
/// with npm's output if that fails, because every interop test depends on it.
pub fn ensure_npm_packages() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| install_pinned(&interop_dir()));
}

/// `tests/browser`: playwright-core (driving the system Chromium) and mermaid.
pub fn browser_dir() -> PathBuf {
    root().join("tests").join("browser")
}

/// Installs the browser tests' pinned npm packages, as [`ensure_npm_packages`] does the
/// interop peers.
pub fn ensure_browser_packages() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| install_pinned(&browser_dir()));
}

/// `npm ci` in `dir` unless its lockfile is installed already, under a file lock.
fn install_pinned(dir: &Path) {
    let lock = File::create(dir.join(".npm-install.lock")).expect("create npm install lock file");
    lock.lock().expect("lock npm install");
    if needs_install(dir) {
        let output = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(dir)
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
        record_install(dir);
    }
    lock.unlock().expect("unlock npm install");
}

#[test]
fn npm_packages_are_reinstalled_when_the_lockfile_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path();
    std::fs::write(dir.join("package-lock.json"), r#"{"lockfileVersion": 3, "v": 1}"#)
        .expect("write lockfile");
    std::fs::create_dir(dir.join("node_modules")).expect("create node_modules");
    // What npm itself leaves behind does not say which lockfile was installed.
    std::fs::write(dir.join("node_modules/.package-lock.json"), "{}").expect("write npm's marker");
    assert!(needs_install(dir), "nothing recorded yet");
    record_install(dir);
    assert!(!needs_install(dir), "this lockfile is installed");
    std::fs::write(dir.join("package-lock.json"), r#"{"lockfileVersion": 3, "v": 2}"#)
        .expect("write lockfile");
    assert!(needs_install(dir), "a changed lockfile is reinstalled");
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

/// A Node process that keeps running while the test talks to it: JSON commands go to its
/// stdin, and its stdout is read line by line as JSON events. It is killed when dropped.
pub struct NodePeer {
    script: String,
    child: tokio::process::Child,
    stdin: Option<tokio::process::ChildStdin>,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    seen: Vec<String>,
}

/// Starts `node <script>` (relative to `tests/interop`) with `env`, stdin and stdout piped and
/// stderr inherited (so a failing peer's complaints show in the test output).
pub fn spawn_node(script: &str, env: &[(&str, &str)]) -> NodePeer {
    use tokio::io::AsyncBufReadExt;

    ensure_npm_packages();
    let mut command = tokio::process::Command::new("node");
    command
        .arg(script)
        .current_dir(interop_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("node starts");
    let stdin = child.stdin.take();
    let stdout = child.stdout.take().expect("piped stdout");
    NodePeer {
        script: script.to_owned(),
        child,
        stdin,
        lines: tokio::io::BufReader::new(stdout).lines(),
        seen: Vec::new(),
    }
}

impl NodePeer {
    /// Waits (at most `limit`) for the next JSON line whose `event` is `name`, skipping others.
    pub async fn expect_event(&mut self, name: &str, limit: Duration) -> serde_json::Value {
        let wait = async {
            loop {
                let line = self.lines.next_line().await.expect("node stdout is readable");
                let line = line?;
                self.seen.push(line.clone());
                if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line)
                    && event["event"] == name
                {
                    return Some(event);
                }
            }
        };
        match tokio::time::timeout(limit, wait).await {
            Ok(Some(event)) => event,
            Ok(None) => panic!(
                "node {} exited before printing a `{name}` event; it printed {:#?}",
                self.script, self.seen
            ),
            Err(_) => panic!(
                "node {} printed no `{name}` event within {limit:?}; it printed {:#?}",
                self.script, self.seen
            ),
        }
    }

    /// Waits (at most `limit`) for the next JSON line, whatever its event.
    pub async fn next_event(&mut self, limit: Duration) -> serde_json::Value {
        let wait = async {
            loop {
                let line = self.lines.next_line().await.expect("node stdout is readable")?;
                self.seen.push(line.clone());
                if let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) {
                    return Some(event);
                }
            }
        };
        match tokio::time::timeout(limit, wait).await {
            Ok(Some(event)) => event,
            Ok(None) => panic!("node {} exited; it printed {:#?}", self.script, self.seen),
            Err(_) => panic!(
                "node {} printed nothing within {limit:?}; it printed {:#?}",
                self.script, self.seen
            ),
        }
    }

    /// Sends one JSON command line.
    pub async fn send(&mut self, command: &serde_json::Value) {
        use tokio::io::AsyncWriteExt;

        let stdin = self.stdin.as_mut().expect("stdin is open");
        let mut line = command.to_string();
        line.push('\n');
        stdin
            .write_all(line.as_bytes())
            .await
            .expect("node stdin is writable");
        stdin.flush().await.expect("node stdin flushes");
    }

    /// Kills the process and waits for it to exit.
    pub async fn kill(mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill().await;
    }
}
