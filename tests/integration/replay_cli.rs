//! Issue 13: `serve --replay golden` is a faithful target: `verify` of the shipped suite
//! against it passes, with the inline contract alone and with the shipped goldens.

use crate::proxy_support::{listening_url, spawn_cli};
use crate::support::{redact, run_cli};

#[tokio::test]
async fn replay_of_the_shipped_goldens_passes_verify_of_the_shipped_suite() {
    let (replay, banner) = spawn_cli(&["serve", "--replay", "golden", "--addr", "127.0.0.1:0"]).await;
    assert!(
        banner.starts_with("gws-contract replay of golden listening on "),
        "{banner}"
    );
    let url = listening_url(&banner);
    let inline = run_cli(&["verify", "--target", &url]).await;
    let stdout = redact(&inline.stdout);
    assert_eq!(
        inline.status.code(),
        Some(0),
        "{stdout}{}",
        redact(&inline.stderr)
    );
    assert!(stdout.contains("checked the inline contract only"), "{stdout}");
    let golden = run_cli(&["verify", "--target", &url, "--golden", "golden", "--no-pending"]).await;
    let stdout = redact(&golden.stdout);
    assert_eq!(
        golden.status.code(),
        Some(0),
        "{stdout}{}",
        redact(&golden.stderr)
    );
    assert!(
        stdout.contains("drifts: 0 high, 0 medium, 0 ordering, 0 low"),
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
