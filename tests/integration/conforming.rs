//! No crying wolf: `serve --variant conforming` differs from the reference server wherever the
//! documented contract leaves room, and the whole shipped suite passes against it, run by the
//! binary as an external `--target` (inline contract only; CSRF on, so every scenario runs).
//! A second test shows the variant really differs, so the first is not vacuous.

use std::process::Stdio;
use std::time::Duration;

use gws_contract::server::{ServerConfig, Variant};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::server_wire::{Agent, CHANNEL, hook};
use crate::support::{redact, root, run_cli, start_server, write};

/// Starts `gws-contract serve ARGS --addr 127.0.0.1:0` and returns the child (killed when
/// dropped) and the URL from its banner.
async fn serve(args: &[&str]) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gws-contract"))
        .arg("serve")
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the gws-contract binary runs");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut banner = String::new();
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut banner),
    )
    .await
    .expect("serve prints its banner")
    .expect("the banner is readable");
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in the banner: {banner}"))
        .to_owned();
    (child, url)
}

#[tokio::test]
async fn the_shipped_suite_passes_against_the_conforming_variant() {
    let (_server, url) = serve(&["--variant", "conforming", "--csrf"]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let profile = write(dir.path(), "profile.yaml", "csrf: true\n");
    let output = run_cli(&[
        "verify",
        "--target",
        &url,
        "--profile",
        &profile,
        "--jobs",
        "8",
        "scenarios/",
    ])
    .await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        redact(&output.stderr)
    );
    let scenarios = gws_contract::scenario::discover(&[root().join("scenarios").display().to_string()])
        .expect("shipped scenarios")
        .len();
    let summary = format!("{scenarios} scenario(s): {scenarios} passed, 0 failed, 0 errored\n");
    // A note on goldens (none for this target) follows the summary line.
    assert!(stdout.contains(&summary), "{stdout}");
}

#[tokio::test]
async fn the_conforming_variant_differs_where_the_contract_leaves_room() {
    let server = start_server(ServerConfig {
        variant: Variant::Conforming,
        ..ServerConfig::default()
    })
    .await;
    let base = server.url();
    let mut agent1 = Agent::listening(&base, "agent1").await;

    let (_, me) = agent1.get("/api/v2/me").await;
    let user = &me["user"];
    assert!(user["id"].as_str().is_some_and(|id| id.contains('-')), "{me}");
    assert!(
        user["uri"]
            .as_str()
            .is_some_and(|u| !u.starts_with(&base) && u.contains("/api/v2/users/")),
        "{me}"
    );
    assert!(
        me["vendorTrace"].is_object() && user["vendorTrace"].is_object(),
        "{me}"
    );

    let offer = hook(&base, "facebook session offered", json!({"agent": "agent1"})).await;
    let id = offer["id"].as_str().expect("an id").to_owned();
    assert!(id.starts_with("fbpm-"), "{offer}");
    // Published one at a time after a pause: wait for it rather than drain at once.
    let offered = loop {
        let reply = agent1.connect(Some(0)).await;
        if let Some(delivery) = reply
            .as_array()
            .and_then(|r| r.iter().find(|m| m["channel"] == CHANNEL))
        {
            assert_eq!(
                reply[0]["channel"], "/meta/connect",
                "the connect reply comes first: {reply}"
            );
            assert!(
                delivery["id"].is_string() && delivery["ext"].is_object(),
                "{delivery}"
            );
            break delivery["data"].clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(offered["facebooksession"]["state"], "Offered");
    assert_eq!(
        offered["facebooksession"]["capabilities"],
        json!(["Reject", "Accept"])
    );

    let (status, body) = agent1.op(&id, json!({"operationName": "Complete"})).await;
    assert_eq!((status, &body["statusCode"]), (409, &json!(2)), "{body}");
    let (status, body) = agent1
        .op("fbpm-nosuchsession", json!({"operationName": "Complete"}))
        .await;
    assert_eq!((status, &body["statusCode"]), (200, &json!(6)), "{body}");
    let (status, _) = Agent::with_password(&base, "agent1", "not-it")
        .get("/api/v2/me")
        .await;
    assert_eq!(status, 403);

    let chat = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await;
    let transcript = hook(&base, "customer transcript", json!({"session": chat["id"]})).await;
    let indexes: Vec<u64> = transcript["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["index"].as_u64())
        .collect();
    assert_eq!(indexes, [1, 4, 7], "non-contiguous: {transcript}");
    let stamp = transcript["messages"][0]["timestamp"]
        .as_str()
        .expect("a timestamp");
    assert!(!stamp.contains('T'), "another format: {stamp}");
    let chat_id = chat["id"].as_str().expect("an id");
    let (_, view) = agent1.get(&format!("/api/v2/facebooksessions/{chat_id}")).await;
    let keys = view["facebooksession"]["userData"]
        .as_object()
        .map_or(0, serde_json::Map::len);
    assert!(keys > 40, "many userData keys: {keys}");
    server.shutdown().await;
}
