//! Issue 12, item 4 (the parts a user types): `--max-body` and the profile's `max_body` and
//! `credentials_charset` are checked like every other option, and a 25 MB `$regex:` fails
//! `check` fast with a short message instead of compiling.

use crate::safety_support::{both, clean, run_cli_env, write};

#[tokio::test]
async fn a_bad_max_body_is_a_usage_error() {
    let output = run_cli_env(
        &["verify", "--max-body", "lots", "scenarios/facebook/complete.yaml"],
        &[],
    )
    .await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, &dir));
    assert!(output.stdout.is_empty(), "nothing runs");
    insta::assert_snapshot!(clean(&output.stderr, &dir));
}

#[tokio::test]
async fn bad_profile_limits_are_located_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(
        dir.path(),
        "profile.yaml",
        "credentials_charset: latin2\nactors:\n  agent1: { user: \"a:b\" }\n",
    );
    let output = run_cli_env(
        &[
            "verify",
            "--profile",
            &profile,
            "scenarios/facebook/complete.yaml",
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, dir.path()));
    insta::assert_snapshot!(clean(&output.stderr, dir.path()));
    let profile = write(dir.path(), "size.yaml", "max_body: 0\n");
    let output = run_cli_env(
        &[
            "verify",
            "--profile",
            &profile,
            "scenarios/facebook/complete.yaml",
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, dir.path()));
    assert!(
        clean(&output.stderr, dir.path()).contains("invalid size `0`: it must be more than 0"),
        "{}",
        both(&output, dir.path())
    );
}

#[tokio::test]
async fn a_25_mb_regex_fails_check_fast_with_a_short_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = write(
        dir.path(),
        "regex.yaml",
        &format!(
            "actors: [agent1]\nsteps:\n  - actor: agent1\n    request: {{ path: /x }}\n    response:\n      body: {{ a: '$regex:{}' }}\n",
            "a".repeat(25_000_000)
        ),
    );
    let output = run_cli_env(&["check", &scenario], &[]).await;
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, dir.path()));
    assert!(output.stderr.len() < 2_000, "{} bytes", output.stderr.len());
    insta::assert_snapshot!(clean(&output.stderr, dir.path()));
}
