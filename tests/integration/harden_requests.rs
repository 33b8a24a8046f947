//! Issue 12, item 1: a request that cannot be sent is a scenario error (exit 2) at the
//! scenario's line, never "cannot reach" (exit 3): `check` finds bad header names and values,
//! paths that form no URI or are absurdly long, and actor names Basic auth cannot carry; at run
//! time, a request that still cannot be built after `${var}` interpolation is a scenario error
//! too. Every message is bounded, however long the offending text.

use crate::safety_support::{both, clean, run_cli_env, write};

#[tokio::test]
async fn check_finds_every_request_that_cannot_be_sent() {
    let output = run_cli_env(&["check", "tests/fixtures/unsendable/requests.yaml"], &[]).await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, &dir));
    let stderr = clean(&output.stderr, &dir);
    assert!(stderr.ends_with("5 problems found in 1 file\n"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[tokio::test]
async fn check_bounds_what_it_prints_about_a_70000_character_path() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = format!("/{}", "a".repeat(70_000));
    let scenario = write(
        dir.path(),
        "long-path.yaml",
        &format!("actors: [agent1]\nsteps:\n  - actor: agent1\n    request: {{ path: {path} }}\n"),
    );
    let output = run_cli_env(&["check", &scenario], &[]).await;
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, dir.path()));
    assert!(output.stderr.len() < 1_000, "{} bytes", output.stderr.len());
    insta::assert_snapshot!(clean(&output.stderr, dir.path()));
}

/// Values that only interpolation makes unsendable pass `check`; `verify` stops the scenario
/// as a scenario error before sending anything.
#[tokio::test]
async fn verify_reports_requests_unsendable_after_interpolation_as_scenario_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let header = write(
        dir.path(),
        "header.yaml",
        "actors: [agent1]\nvars:\n  bad: \"x\\r\\nInjected: 1\"\nsteps:\n  - actor: agent1\n    request:\n      path: /api/v2/me\n      headers: { X-Value: \"${bad}\" }\n",
    );
    let path = write(
        dir.path(),
        "path.yaml",
        &format!(
            "actors: [agent1]\nvars:\n  long: {}\nsteps:\n  - actor: agent1\n    request: {{ path: \"/api/${{long}}\" }}\n",
            "b".repeat(70_000)
        ),
    );
    for scenario in [&header, &path] {
        let check = run_cli_env(&["check", scenario], &[]).await;
        assert_eq!(check.status.code(), Some(0), "{}", both(&check, dir.path()));
    }
    let output = run_cli_env(&["verify", "--jobs", "1", &header, &path], &[]).await;
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, dir.path()));
    assert!(output.stdout.len() < 4_000, "{} bytes", output.stdout.len());
    insta::assert_snapshot!(clean(&output.stdout, dir.path()));
}
