//! The embedded reference server (`verify` without a target) accepts exactly the logins the run
//! uses: `GWS_CONTRACT_PASSWORD`, a profile's renamed users and passwords, and its CSRF setting.
//! An empty `GWS_CONTRACT_PASSWORD` (how CI passes a missing secret) is a usage error.
//! Environment variables are set on the child process only.

use crate::safety_support::{both, clean, run_cli_env, write};

const ALICE_PASSWORD: &str = "alice-s3cret-Pw";

/// Renamed users and CSRF, and no `base_url`: the embedded server is the target.
const PROFILE: &str = "\
csrf: true
password_env: GWS_TEST_DEFAULT_PASSWORD
actors:
  agent1: { user: alice, password_env: GWS_TEST_ALICE_PASSWORD }
  agent2: { user: bob }
";

/// agent1 must be logged in as alice (or a user of the pool the embedded server makes from
/// alice, one per job slot), and the server must hand out CSRF tokens; the POST then only
/// passes with the token. agent2 (bob) and a scenario-only actor log in too.
const SCENARIO: &str = "\
name: embedded-profile
actors: [agent1, agent2, supervisor]
given:
  - state: facebook session chatting
    params: { agents: [agent1] }
    capture: { session: /id }
steps:
  - actor: agent1
    request: { method: GET, path: /api/v2/me }
    response:
      status: 200
      headers: { X-CSRF-HEADER: X-CSRF-TOKEN, X-CSRF-TOKEN: $any }
      body: { statusCode: 0, user: { userName: '$regex:^alice(-[0-9]+)?$' } }
  - actor: supervisor
    request: { method: GET, path: /api/v2/me }
    response:
      status: 200
      body: { statusCode: 0, user: { userName: '$regex:^supervisor(-[0-9]+)?$' } }
  - actor: agent1
    request:
      method: POST
      path: /api/v2/me/facebooksessions/${session}
      body: { operationName: Complete, queueName: PostProcessingQueue }
    response:
      status: 200
      body: { statusCode: 0 }
    notifications:
      agent1:
        - notificationType: StatusChange
          facebooksession: { id: '${session}', state: Completed }
";

#[tokio::test]
async fn safety_embedded_server_accepts_gws_contract_password() {
    let output = run_cli_env(
        &["verify", "scenarios/"],
        &[("GWS_CONTRACT_PASSWORD", "something-else")],
    )
    .await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(0), "{}", both(&output, &dir));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("something-else"), "{stdout}");
}

#[tokio::test]
async fn safety_embedded_server_follows_a_profile_without_base_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(dir.path(), "profile.yaml", PROFILE);
    let scenario = write(dir.path(), "embedded.yaml", SCENARIO);
    let output = run_cli_env(
        &["verify", "--profile", &profile, &scenario, "scenarios/"],
        &[
            ("GWS_TEST_ALICE_PASSWORD", ALICE_PASSWORD),
            ("GWS_TEST_DEFAULT_PASSWORD", "default-s3cret-Pw"),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", both(&output, dir.path()));
    let shown = both(&output, dir.path());
    assert!(
        !shown.contains(ALICE_PASSWORD) && !shown.contains("default-s3cret-Pw"),
        "{shown}"
    );
}

#[tokio::test]
async fn safety_empty_gws_contract_password_is_a_usage_error() {
    let output = run_cli_env(
        &["verify", "scenarios/facebook/complete.yaml"],
        &[("GWS_CONTRACT_PASSWORD", "")],
    )
    .await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(2), "{}", both(&output, &dir));
    assert!(output.stdout.is_empty(), "nothing runs");
    insta::assert_snapshot!(clean(&output.stderr, &dir));
}
