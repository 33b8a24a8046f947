//! Ctrl-C during `verify`: running scenarios stop, tear their states down, the summary and the
//! reports say what ran, and the exit code is 130.

use std::process::Stdio;
use std::time::Duration;

use gws_contract::server::ServerConfig;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{redact, root, start_server};

/// Far longer than the run takes when interrupted; only a hang reaches it.
const HANG_GUARD: Duration = Duration::from_secs(60);

#[tokio::test]
async fn ctrl_c_tears_down_reports_what_ran_and_exits_130() {
    let server = start_server(ServerConfig::default()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.json");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gws-contract"))
        .args([
            "verify",
            "--jobs",
            "1",
            "--target",
            &server.url(),
            "--report-json",
            &report.to_string_lossy(),
            "tests/fixtures/interrupt/",
        ])
        .current_dir(root())
        .env("CI", "true")
        .env_remove("GWS_CONTRACT_PASSWORD")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary runs");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stdout = String::new();
    // The first scenario has passed, so the second one is waiting for its notification.
    let first = tokio::time::timeout(HANG_GUARD, async {
        while let Ok(Some(line)) = lines.next_line().await {
            stdout.push_str(&line);
            stdout.push('\n');
            if line.starts_with("PASS  a-quick") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(first, Ok(true), "{stdout}");
    let pid = child.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let status = tokio::time::timeout(HANG_GUARD, child.wait())
        .await
        .expect("exits after Ctrl-C")
        .expect("status");
    while let Ok(Some(line)) = lines.next_line().await {
        stdout.push_str(&line);
        stdout.push('\n');
    }
    assert_eq!(status.code(), Some(130), "{stdout}");
    insta::assert_snapshot!(redact(stdout.as_bytes()));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report written")).expect("JSON");
    assert_eq!(json["summary"]["run_interrupted"], true);
    assert_eq!(json["summary"]["interrupted"], 1);
    assert_eq!(json["summary"]["passed"], 1);
    // Both scenarios' sessions were torn down: agent1 is seated in none.
    let sessions: Value = reqwest::Client::new()
        .get(format!("{}/api/v2/me/facebooksessions", server.url()))
        .basic_auth("agent1", Some("password"))
        .send()
        .await
        .expect("server answers")
        .json()
        .await
        .expect("JSON");
    server.shutdown().await;
    assert_eq!(sessions["uris"], serde_json::json!([]), "{sessions}");
}
