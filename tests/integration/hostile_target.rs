//! Issue 12: `verify` against a hostile target (the proxy of `hostile_proxy` in front of the
//! reference server), one misbehaviour at a time. Each run has small limits in force
//! (`--request-timeout 1s`, `--max-body 1MiB`) and must end on its own (the CLI helper's hang
//! guard); each asserts the exit code and the message, never how long it took.

use std::process::Output;

use crate::hostile_proxy::{HostileTarget, Misbehaviour, Stage, start};
use crate::safety_support::{both, clean, run_cli_env};

const COMPLETE: &str = "scenarios/facebook/complete.yaml";

async fn verify(target: &HostileTarget, scenario: &str) -> Output {
    let url = target.url();
    run_cli_env(
        &[
            "verify",
            "--target",
            &url,
            "--request-timeout",
            "1s",
            "--max-body",
            "1MiB",
            scenario,
        ],
        &[],
    )
    .await
}

/// Runs Complete with `stage` misbehaving; checks the exit code; returns stdout, cleaned.
async fn run(stage: Stage, misbehaviour: Misbehaviour, skip: usize, exit: i32) -> String {
    let target = start(stage, misbehaviour, skip).await;
    let output = verify(&target, COMPLETE).await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(exit), "{}", both(&output, &dir));
    clean(&output.stdout, &dir)
}

/// The one error line of a scenario that stopped.
fn error_line(stdout: &str) -> &str {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line in:\n{stdout}"))
        .trim_start()
}

#[tokio::test]
async fn hostile_login_never_answered() {
    let out = run(Stage::Login, Misbehaviour::Hang, 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_state_hook_never_answered() {
    let out = run(Stage::Hook, Misbehaviour::Hang, 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_handshake_never_answered_fails_within_the_request_timeout() {
    let out = run(Stage::Handshake, Misbehaviour::Hang, 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_subscribe_never_answered() {
    let out = run(Stage::Subscribe, Misbehaviour::Hang, 0, 3).await;
    assert!(
        error_line(&out).contains("no reply from CometD endpoint"),
        "{out}"
    );
}

#[tokio::test]
async fn hostile_connect_never_answered_names_the_hung_long_poll() {
    let out = run(Stage::Connect, Misbehaviour::Hang, 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_step_request_never_answered() {
    let out = run(Stage::Step, Misbehaviour::Hang, 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_garbage_handshake_reply() {
    let out = run(
        Stage::Handshake,
        Misbehaviour::Garbage("<html>502 Bad Gateway</html>"),
        0,
        3,
    )
    .await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_json_that_is_not_bayeux_on_every_connect() {
    let out = run(
        Stage::Connect,
        Misbehaviour::Garbage(r#"[1, {"hello": "world"}]"#),
        0,
        3,
    )
    .await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_endless_body_on_connect_stops_at_the_limit() {
    let out = run(Stage::Connect, Misbehaviour::EndlessBody, 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_endless_body_on_a_step_stops_at_the_limit() {
    let out = run(Stage::Step, Misbehaviour::EndlessBody, 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_huge_body_from_the_state_hook_stops_at_the_limit() {
    let out = run(Stage::Hook, Misbehaviour::HugeBody(4 << 20), 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_deep_json_in_a_step_response() {
    let out = run(Stage::Step, Misbehaviour::DeepJson(100_000), 0, 3).await;
    insta::assert_snapshot!(error_line(&out));
}

#[tokio::test]
async fn hostile_deep_json_in_a_connect_reply() {
    let out = run(Stage::Connect, Misbehaviour::DeepJson(100_000), 0, 3).await;
    assert!(
        error_line(&out).contains("nests JSON more than 127 levels deep"),
        "{out}"
    );
}

#[tokio::test]
async fn hostile_connection_closed_mid_response_on_a_step() {
    let out = run(Stage::Step, Misbehaviour::CloseMidResponse, 0, 3).await;
    let line = error_line(&out);
    assert!(
        line.starts_with(
            "error: step 1 (agent1): cannot reach http://127.0.0.1:[port]/api/v2/me/facebooksessions/"
        ),
        "{out}"
    );
}

#[tokio::test]
async fn hostile_connection_closed_mid_response_on_every_connect() {
    let out = run(Stage::Connect, Misbehaviour::CloseMidResponse, 0, 3).await;
    assert!(
        error_line(&out).contains("CometD connection lost: gave up after 3 failed /meta/connect attempts"),
        "{out}"
    );
}

/// 500 copies of each notification (within the body limit): a strict stream fails on the
/// extras (exit 1) and the run ends.
#[tokio::test]
async fn hostile_notification_flood_fails_the_strict_stream() {
    let out = run(Stage::Connect, Misbehaviour::Flood(500), 0, 1).await;
    assert!(out.contains("FAIL  complete"), "{}", &out[..out.len().min(2_000)]);
}

/// The terminal report of a flood is bounded: identical notifications are summarised (×N).
#[tokio::test]
async fn hostile_notification_flood_prints_bounded_output() {
    let target = start(Stage::Connect, Misbehaviour::Flood(500), 0).await;
    let output = verify(&target, COMPLETE).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stdout.len() < 64 * 1024,
        "{} bytes of output",
        output.stdout.len()
    );
}

/// Timeouts of 2^64−1 ms are clamped, so the run goes on as usual and passes.
#[tokio::test]
async fn hostile_absurd_advice_timeout_is_clamped_and_the_run_passes() {
    let out = run(
        Stage::Connect,
        Misbehaviour::AbsurdAdvice { interval: false },
        0,
        0,
    )
    .await;
    assert!(out.contains("PASS  complete"), "{out}");
}

/// An interval of 2^63−1 ms is clamped to a minute: the step's notification comes too late
/// (exit 1), and the run still ends.
#[tokio::test]
async fn hostile_absurd_advice_interval_is_clamped_and_the_run_ends() {
    let out = run(
        Stage::Connect,
        Misbehaviour::AbsurdAdvice { interval: true },
        0,
        1,
    )
    .await;
    assert!(
        out.contains("expected 1 notification within 5000 ms, received 0"),
        "{out}"
    );
}

/// The target dies when the step's request arrives: an infrastructure error naming the URL.
#[tokio::test]
async fn hostile_target_dying_at_the_step_request() {
    let out = run(Stage::Step, Misbehaviour::Die, 0, 3).await;
    let line = error_line(&out);
    assert!(
        line.starts_with(
            "error: step 1 (agent1): cannot reach http://127.0.0.1:[port]/api/v2/me/facebooksessions/"
        ),
        "{out}"
    );
}

/// The target dies once it has delivered the step's notification, during `settle`: the strict
/// stream was never verified to the end, so the run must not pass.
#[tokio::test]
async fn hostile_target_dying_during_settle_is_not_a_pass() {
    let out = run(Stage::Connect, Misbehaviour::DieAfterNotifications(1), 0, 3).await;
    assert!(error_line(&out).contains("CometD connection lost"), "{out}");
}
