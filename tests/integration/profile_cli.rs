//! `verify --profile FILE`: renamed users whose passwords come from environment variables
//! named in the profile, CSRF on, against a reference server started with those users; a
//! missing variable and a malformed profile are usage errors (exit 2) located in the profile.
//! Environment variables are set on the child process only.

use std::process::Output;

use gws_contract::server::ServerConfig;

use crate::support::{clean, redact, run_cli_env, start_server, verify_complete_with_profile, write};

const ALICE_PASSWORD: &str = "alice-s3cret-Pw";
const BOB_PASSWORD: &str = "bob-s3cret-Pw";

/// A scenario for renamed users: it names only actors (the runner tells the state hook which
/// user each actor logs in as).
/// agent2 reads its own user (proving its login), agent1 completes a session (a POST, which
/// needs the CSRF token when the server requires it) and gets the notification.
const SCENARIO: &str = "\
name: profile-renamed-users
actors: [agent1, agent2]
given:
  - state: facebook session chatting
    params: { agents: [agent1] }
    capture: { session: /id }
steps:
  - actor: agent2
    request: { method: GET, path: /api/v2/me }
    response:
      status: 200
      body: { statusCode: 0, user: { userName: bob } }
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

fn profile(csrf: bool) -> String {
    format!(
        "\
# Credentials come from the environment; this file only names the variables.
notifications: /api/v2/notifications
channel: /v2/me/facebooksession
csrf: {csrf}
state_hook:
  url: /contract/states
actors:
  agent1: {{ user: alice, password_env: GWS_TEST_ALICE_PASSWORD }}
  agent2: {{ user: bob, password_env: GWS_TEST_BOB_PASSWORD }}
"
    )
}

fn renamed_users_server() -> ServerConfig {
    ServerConfig {
        users: vec![
            ("alice".to_owned(), ALICE_PASSWORD.to_owned()),
            ("bob".to_owned(), BOB_PASSWORD.to_owned()),
        ],
        csrf: true,
        ..ServerConfig::default()
    }
}

async fn verify_with_profile(csrf: bool) -> (Output, tempfile::TempDir) {
    let server = start_server(renamed_users_server()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = write(dir.path(), "renamed.yaml", SCENARIO);
    let profile = write(dir.path(), "profile.yaml", &profile(csrf));
    let output = run_cli_env(
        &[
            "verify",
            "--target",
            &server.url(),
            "--profile",
            &profile,
            &scenario,
        ],
        &[
            ("GWS_TEST_ALICE_PASSWORD", ALICE_PASSWORD),
            ("GWS_TEST_BOB_PASSWORD", BOB_PASSWORD),
        ],
    )
    .await;
    for text in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(text);
        assert!(
            !text.contains(ALICE_PASSWORD) && !text.contains(BOB_PASSWORD),
            "a password was printed: {text}"
        );
    }
    (output, dir)
}

#[tokio::test]
async fn profile_renamed_users_from_env_pass_with_csrf() {
    let (output, dir) = verify_with_profile(true).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        clean(&output.stdout, dir.path()),
        clean(&output.stderr, dir.path())
    );
}

#[tokio::test]
async fn profile_without_csrf_fails_against_a_csrf_server() {
    // The control for the test above: the profile's `csrf` is what makes the POST pass.
    let (output, dir) = verify_with_profile(false).await;
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        clean(&output.stdout, dir.path())
    );
    let stdout = clean(&output.stdout, dir.path());
    assert!(stdout.contains("403"), "{stdout}");
}

#[tokio::test]
async fn profile_missing_env_var_is_a_usage_error_naming_variable_and_line() {
    let (output, dir) =
        verify_complete_with_profile(&profile(true), &[("GWS_TEST_BOB_PASSWORD", BOB_PASSWORD)]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        output.stdout.is_empty(),
        "nothing runs: {}",
        redact(&output.stdout)
    );
    insta::assert_snapshot!(clean(&output.stderr, dir.path()));
}

#[tokio::test]
async fn profile_empty_env_var_is_a_usage_error() {
    let (output, dir) = verify_complete_with_profile(
        &profile(true),
        &[
            ("GWS_TEST_ALICE_PASSWORD", ""),
            ("GWS_TEST_BOB_PASSWORD", BOB_PASSWORD),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = clean(&output.stderr, dir.path());
    assert!(
        stderr.starts_with(
            "error: environment variable `GWS_TEST_ALICE_PASSWORD` is empty\n  --> [dir]/profile.yaml:8:"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(BOB_PASSWORD), "{stderr}");
}

#[tokio::test]
async fn profile_malformed_is_a_located_usage_error() {
    let (output, dir) = verify_complete_with_profile(
        "csrf: true\nstate_hook:\n  url: /contract/states\n  header:\n    X-Token: { env: GWS_HOOK_TOKEN }\n",
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(clean(&output.stderr, dir.path()));
}

#[tokio::test]
async fn profile_semantic_problems_are_all_reported() {
    let (output, dir) = verify_complete_with_profile("base_url: gws.example.com\nchannel: v2/me/facebooksession\nactors:\n  agent1: { password_env: GWS_TEST_UNSET_PASSWORD }\n", &[]).await;
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(clean(&output.stderr, dir.path()));
}

#[tokio::test]
async fn profile_missing_file_is_a_usage_error() {
    let output = run_cli_env(
        &[
            "verify",
            "--profile",
            "tests/no-such-profile.yaml",
            "scenarios/facebook/complete.yaml",
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = redact(&output.stderr);
    assert!(stderr.starts_with("error: cannot read profile: "), "{stderr}");
    assert!(stderr.contains("--> tests/no-such-profile.yaml\n"), "{stderr}");
}

#[tokio::test]
async fn profile_base_url_is_the_target_unless_target_overrides_it() {
    let server = start_server(ServerConfig::default()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = "scenarios/facebook/complete.yaml";
    let here = write(dir.path(), "here.yaml", &format!("base_url: {}\n", server.url()));
    let output = run_cli_env(&["verify", "--profile", &here, scenario], &[]).await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        clean(&output.stdout, dir.path())
    );

    let nowhere = write(dir.path(), "nowhere.yaml", "base_url: http://127.0.0.1:1\n");
    let output = run_cli_env(&["verify", "--profile", &nowhere, scenario], &[]).await;
    assert_eq!(output.status.code(), Some(3), "the profile's base_url is used");
    let output = run_cli_env(
        &[
            "verify",
            "--profile",
            &nowhere,
            "--target",
            &server.url(),
            scenario,
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "--target overrides base_url");
}

#[tokio::test]
async fn profile_runs_the_shipped_scenarios_against_renamed_users() {
    // The shipped scenarios name actors only, so a profile that maps them to other users is
    // all a differently configured target needs.
    let server = start_server(renamed_users_server()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(dir.path(), "profile.yaml", &profile(true));
    let output = run_cli_env(
        &[
            "verify",
            "--target",
            &server.url(),
            "--profile",
            &profile,
            "scenarios/",
        ],
        &[
            ("GWS_TEST_ALICE_PASSWORD", ALICE_PASSWORD),
            ("GWS_TEST_BOB_PASSWORD", BOB_PASSWORD),
        ],
    )
    .await;
    let stdout = clean(&output.stdout, dir.path());
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        clean(&output.stderr, dir.path())
    );
    assert!(!stdout.contains("FAIL"), "{stdout}");
}
