//! Credentials never appear in output (DESIGN.md §2): a URL with a user or password in
//! `--target` or in a profile is a usage error (exit 2) that names the problem without echoing
//! the password, and nothing runs.

use crate::safety_support::{clean, run_cli_env};
use crate::support::{redact, verify_complete_with_profile};

const PASSWORD: &str = "s3cret-Pw";

fn assert_no_password(output: &std::process::Output) {
    for text in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(text);
        assert!(!text.contains(PASSWORD), "the password was printed: {text}");
    }
}

#[tokio::test]
async fn safety_target_with_credentials_is_a_usage_error_without_the_password() {
    let target = format!("http://agent1:{PASSWORD}@127.0.0.1:1");
    let output = run_cli_env(
        &["verify", "--target", &target, "scenarios/facebook/complete.yaml"],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", redact(&output.stderr));
    assert_no_password(&output);
    assert!(output.stdout.is_empty(), "nothing runs");
    insta::assert_snapshot!(redact(&output.stderr));

    // Also when the URL does not even parse (a parse error would echo the text).
    let target = format!("http://agent1:{PASSWORD}@127.0.0.1:port/");
    let output = run_cli_env(&["verify", "--target", &target], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert_no_password(&output);
}

#[tokio::test]
async fn safety_target_with_a_token_as_user_does_not_show_it() {
    let target = format!("https://{PASSWORD}@127.0.0.1:1");
    let output = run_cli_env(&["verify", "--target", &target], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert_no_password(&output);
    let stderr = redact(&output.stderr);
    assert!(
        stderr.starts_with("error: --target must not contain credentials (a user part"),
        "{stderr}"
    );
}

#[tokio::test]
async fn safety_profile_urls_with_credentials_are_located_usage_errors_without_the_password() {
    let (output, dir) = verify_complete_with_profile(
        &format!(
            "base_url: https://agent1:{PASSWORD}@gws.example.com\n\
             notifications: https://:{PASSWORD}@gws.example.com/cometd\n\
             state_hook:\n  url: http://hook:{PASSWORD}@127.0.0.1:1/contract/states\n"
        ),
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert_no_password(&output);
    assert!(output.stdout.is_empty(), "nothing runs");
    insta::assert_snapshot!(clean(&output.stderr, dir.path()));
}
