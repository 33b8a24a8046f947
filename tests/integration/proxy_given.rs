//! Issue 13: a recording that did not start from a state-hook call never runs silently against
//! a target in the wrong state: its placeholder `given:` is a located `check` error.

use crate::support::{redact, run_cli};

#[tokio::test]
async fn check_rejects_the_placeholder_state_of_a_recording_with_a_located_error() {
    let output = run_cli(&["check", "tests/fixtures/proxy/unfilled-given.yaml"]).await;
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(redact(&output.stderr));
}

#[tokio::test]
async fn verify_refuses_to_run_a_recording_whose_state_is_not_filled_in() {
    let output = run_cli(&["verify", "tests/fixtures/proxy/unfilled-given.yaml"]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = redact(&output.stderr);
    assert!(
        stderr.contains("fill in the provider state this recording started from"),
        "{stderr}"
    );
}
