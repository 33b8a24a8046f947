//! Issue 13: `serve --replay golden` is a faithful target: `verify` of the whole shipped suite
//! against it passes, in parallel, with the inline contract alone and with the shipped
//! goldens; with `--csrf` it checks CSRF tokens, so the CSRF scenario (skipped without a
//! `csrf: true` profile) passes too, and only then.

use std::path::Path;

use crate::proxy_support::{listening_url, spawn_cli};
use crate::support::{redact, root, run_cli, write};

/// How many scenarios the shipped suite has, and how many of them require CSRF protection.
fn shipped_suite() -> (usize, usize) {
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read scenarios/") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                found.push(std::fs::read_to_string(&path).expect("read a scenario"));
            }
        }
    }
    let mut found = Vec::new();
    walk(&root().join("scenarios"), &mut found);
    let csrf = found.iter().filter(|s| s.contains("\nrequires: [csrf]")).count();
    (found.len(), csrf)
}

/// Runs `verify` with `args`; asserts it passed and returns its (redacted) stdout.
async fn verify_passes(args: &[&str]) -> String {
    let output = run_cli(&[&["verify", "--jobs", "8"], args].concat()).await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "verify {args:?}\n{stdout}{}",
        redact(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn replay_of_the_shipped_goldens_passes_verify_of_the_shipped_suite() {
    let (scenarios, csrf) = shipped_suite();
    assert!(scenarios >= 40 && csrf >= 1, "{scenarios} scenarios, {csrf} CSRF");
    let (replay, banner) = spawn_cli(&["serve", "--replay", "golden", "--addr", "127.0.0.1:0"]).await;
    assert!(
        banner.starts_with("gws-contract replay of golden listening on "),
        "{banner}"
    );
    let url = listening_url(&banner);
    let summary = format!(
        "{scenarios} scenario(s): {} passed, 0 failed, 0 errored, {csrf} skipped",
        scenarios - csrf
    );
    let inline = verify_passes(&["--target", &url]).await;
    assert!(inline.contains(&summary), "{inline}");
    assert!(inline.contains("checked the inline contract only"), "{inline}");
    let golden = verify_passes(&["--target", &url, "--golden", "golden", "--no-pending"]).await;
    assert!(golden.contains(&summary), "{golden}");
    assert!(
        golden.contains(&format!(
            "goldens: {} compared; drifts: 0 high, 0 medium, 0 ordering, 0 low",
            scenarios - csrf
        )),
        "{golden}"
    );
    // The control for the test below: without `--csrf` the playback hands out no token, so
    // the CSRF scenario fails against it.
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(dir.path(), "profile.yaml", "csrf: true\n");
    let output = run_cli(&[
        "verify",
        "--target",
        &url,
        "--profile",
        &profile,
        "scenarios/facebook/errors/csrf.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stdout));
    let (code, _, stderr) = replay.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
}

#[tokio::test]
async fn replay_with_csrf_passes_verify_of_the_shipped_suite_with_a_csrf_profile() {
    let (scenarios, _) = shipped_suite();
    let (replay, banner) =
        spawn_cli(&["serve", "--replay", "golden", "--csrf", "--addr", "127.0.0.1:0"]).await;
    let url = listening_url(&banner);
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(dir.path(), "profile.yaml", "csrf: true\n");
    let stdout = verify_passes(&[
        "--target",
        &url,
        "--profile",
        &profile,
        "--golden",
        "golden",
        "--no-pending",
    ])
    .await;
    assert!(
        stdout.contains(&format!(
            "{scenarios} scenario(s): {scenarios} passed, 0 failed, 0 errored\n"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "goldens: {scenarios} compared; drifts: 0 high, 0 medium, 0 ordering, 0 low"
        )),
        "{stdout}"
    );
    let (code, _, stderr) = replay.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
}

#[tokio::test]
async fn replay_of_a_directory_without_goldens_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().display().to_string();
    let output = run_cli(&["serve", "--replay", &path, "--addr", "127.0.0.1:0"]).await;
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(redact(&output.stderr).replace(&path, "[dir]"));
}

#[tokio::test]
async fn replay_does_not_take_faults() {
    let output = run_cli(&["serve", "--replay", "golden", "--fault", "wrong-state"]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = redact(&output.stderr);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}
