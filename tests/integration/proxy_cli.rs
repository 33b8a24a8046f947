//! Issue 13: `gws-contract proxy` from the command line — it records until SIGTERM (or
//! `--duration`), renames users to agent1..N unless `--keep-users`, says what it wrote, and
//! refuses to overwrite a scenario; and a recording that did not start from the state hook
//! gets the placeholder state `check` rejects.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use gws_contract::bayeux::{BayeuxClient, BayeuxConfig, Delivery};
use gws_contract::proxy::{Endpoints, Proxy, RecordSettings, assemble, load_rules, write_recording};
use gws_contract::scenario::{STATE_TO_FILL_IN, StepKind, load_file};
use gws_contract::server::ServerConfig;
use gws_contract::target::{Secret, Target};
use gws_contract::transport::{ActorHttp, HttpRequest};
use serde_json::json;

use crate::proxy_support::{listening_url, spawn_cli};
use crate::server_wire::hook;
use crate::support::{redact, root, run_cli, start_server};

/// A temporary directory with `golden/rules.yaml` (the shipped rules).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("golden")).expect("golden dir");
    std::fs::copy(
        root().join("golden/rules.yaml"),
        dir.path().join("golden/rules.yaml"),
    )
    .expect("copy rules");
    dir
}

/// Runs `proxy` (with `extra` flags) in front of a server whose only user is `alice`, sends
/// a state-hook setup, alice's login and a Complete through it, stops it with SIGTERM, and
/// returns its output with the scenario it wrote.
async fn record_alice(extra: &[&str]) -> (String, gws_contract::scenario::LoadedScenario, tempfile::TempDir) {
    let server = start_server(ServerConfig {
        users: vec![("alice".to_owned(), "pw-alice".to_owned())],
        ..ServerConfig::default()
    })
    .await;
    let dir = workspace();
    let out = dir.path().join("scenarios/alice.yaml").display().to_string();
    let golden = dir.path().join("golden").display().to_string();
    let target = server.url();
    let mut args = vec![
        "proxy",
        "--target",
        &target,
        "--listen",
        "127.0.0.1:0",
        "--out",
        &out,
        "--golden",
        &golden,
    ];
    args.extend_from_slice(extra);
    let (proxy, banner) = spawn_cli(&args).await;
    let base = listening_url(&banner);
    let setup = hook(&base, "facebook session chatting", json!({"agents": ["alice"]})).await;
    let client = reqwest::Client::new();
    let login = client
        .get(format!("{base}/api/v2/me"))
        .basic_auth("alice", Some("pw-alice"))
        .send()
        .await
        .expect("login through the proxy");
    assert_eq!(login.status(), 200);
    // A desktop served by the same host also fetches pages and icons: not operations.
    client
        .get(format!("{base}/favicon.ico"))
        .basic_auth("alice", Some("pw-alice"))
        .send()
        .await
        .expect("a page through the proxy");
    let complete = client
        .post(format!(
            "{base}/api/v2/me/facebooksessions/{}",
            setup["id"].as_str().expect("id")
        ))
        .basic_auth("alice", Some("pw-alice"))
        .json(&json!({"operationName": "Complete"}))
        .send()
        .await
        .expect("an operation through the proxy");
    assert_eq!(complete.status(), 200);
    let (code, stdout, stderr) = proxy.terminate().await;
    assert_eq!(code, Some(0), "{stderr}");
    let loaded =
        load_file(std::path::Path::new(&out)).unwrap_or_else(|d| panic!("the recording loads: {d:#?}"));
    let printed = format!("{banner}\n{stdout}").replace(&dir.path().display().to_string(), "[dir]");
    (redact(printed.as_bytes()), loaded, dir)
}

#[tokio::test]
async fn proxy_cli_records_until_sigterm_and_renames_users_to_agents() {
    let (printed, loaded, _dir) = record_alice(&[]).await;
    insta::assert_snapshot!(printed);
    let scenario = &loaded.scenario;
    let actors: Vec<&str> = scenario.actors.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(actors, ["agent1"]);
    assert_eq!(scenario.given[0].value.params, json!({"agents": ["agent1"]}));
    let Some(StepKind::Http { actor, request, .. }) = scenario.steps[0].value.kind() else {
        panic!("a request step");
    };
    assert_eq!(
        (actor, request.path.value.as_str()),
        ("agent1", "/api/v2/me/facebooksessions/${session}")
    );
    assert_eq!(scenario.steps.len(), 1, "the login is not a step");
    let check = run_cli(&["check", &loaded.path.display().to_string()]).await;
    assert_eq!(check.status.code(), Some(0), "{}", redact(&check.stderr));
}

#[tokio::test]
async fn proxy_cli_keeps_user_names_with_keep_users() {
    let (_, loaded, _dir) = record_alice(&["--keep-users"]).await;
    let actors: Vec<&str> = loaded.scenario.actors.iter().map(|a| a.value.as_str()).collect();
    assert_eq!(actors, ["alice"]);
    assert_eq!(
        loaded.scenario.given[0].value.params,
        json!({"agents": ["alice"]})
    );
}

#[tokio::test]
async fn proxy_cli_stops_after_its_duration_and_a_recording_without_a_hook_call_must_be_filled_in() {
    let server = start_server(ServerConfig::default()).await;
    let dir = workspace();
    let out = dir.path().join("idle.yaml").display().to_string();
    let golden = dir.path().join("golden").display().to_string();
    let target = server.url();
    let (proxy, _) = spawn_cli(&[
        "proxy",
        "--target",
        &target,
        "--listen",
        "127.0.0.1:0",
        "--out",
        &out,
        "--golden",
        &golden,
        "--duration",
        "300ms",
    ])
    .await;
    let (code, stdout, stderr) = proxy.wait().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("fill in the provider state"), "{stdout}");
    assert!(!stdout.contains("no rules.yaml"), "{stdout}");
    let check = run_cli(&["check", &out]).await;
    assert_eq!(check.status.code(), Some(2));
    let stderr = redact(&check.stderr);
    assert!(
        stderr.contains("fill in the provider state this recording started from"),
        "{stderr}"
    );
}

#[tokio::test]
async fn proxy_cli_never_overwrites_a_scenario() {
    let dir = workspace();
    let out = dir.path().join("exists.yaml");
    std::fs::write(&out, "name: mine\n").expect("write a scenario");
    let out = out.display().to_string();
    let output = run_cli(&["proxy", "--target", "http://127.0.0.1:1", "--out", &out]).await;
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!(redact(&output.stderr).replace(&dir.path().display().to_string(), "[dir]"));
    assert_eq!(
        std::fs::read_to_string(&out).expect("still there"),
        "name: mine\n"
    );
    let not_yaml = dir.path().join("x.json").display().to_string();
    let output = run_cli(&["proxy", "--target", "http://127.0.0.1:1", "--out", &not_yaml]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(redact(&output.stderr).contains("must name a scenario file ending in .yaml"));
}

/// Traffic that did not start with a state-hook call: every notification on the channel is
/// kept (nothing says which interactions are the recording's), ids stay literal, and the
/// `given:` is the placeholder `check` rejects.
#[tokio::test]
async fn proxy_recording_without_a_hook_call_keeps_the_channel_and_asks_for_the_state() {
    let server = start_server(ServerConfig::default()).await;
    let setup = hook(
        &server.url(),
        "facebook session chatting",
        json!({"agents": ["agent1"]}),
    )
    .await;
    let session = setup["id"].as_str().expect("id").to_owned();
    let target = url::Url::parse(&server.url()).expect("server URL");
    let proxy = Proxy::start(SocketAddr::from(([127, 0, 0, 1], 0)), target)
        .await
        .expect("the proxy starts");
    let via_proxy = Arc::new(Target::with_defaults(
        url::Url::parse(&proxy.url()).expect("proxy URL"),
        Secret::new("password"),
    ));
    let http = ActorHttp::new("agent1", Arc::clone(&via_proxy)).expect("actor client");
    http.login().await.expect("agent1 logs in through the proxy");
    let config = BayeuxConfig {
        endpoint: via_proxy.url("/api/v2/notifications").expect("endpoint"),
        channel: via_proxy.channel.clone(),
        request_timeout: std::time::Duration::from_secs(30),
        max_body: gws_contract::limits::DEFAULT_MAX_BODY,
    };
    let (client, mut inbox) = BayeuxClient::start(http.client(), http.decorate(), config)
        .await
        .expect("CometD through the proxy");
    let request = HttpRequest {
        method: "POST".to_owned(),
        path: format!("/api/v2/me/facebooksessions/{session}"),
        headers: Vec::new(),
        body: Some(json!({"operationName": "Complete"})),
        auth: gws_contract::transport::RequestAuth::Actor,
    };
    assert_eq!(http.send(&request).await.expect("Complete").status, 200);
    let delivery = tokio::time::timeout(Duration::from_secs(20), inbox.recv())
        .await
        .expect("a delivery in time")
        .expect("the inbox is open");
    assert!(matches!(delivery, Delivery::Data { .. }), "{delivery:?}");
    client.disconnect().await;
    let traffic = proxy.stop();
    let settings = RecordSettings {
        name: "unhooked".to_owned(),
        endpoints: Endpoints::default(),
        keep_users: false,
        actor_names: std::collections::BTreeMap::new(),
    };
    let recording = assemble(&traffic, &settings);
    assert!(recording.notes.state_to_fill_in);
    let dir = workspace();
    let out = dir.path().join("unhooked.yaml");
    let rules = load_rules(&dir.path().join("golden")).expect("rules");
    write_recording(&recording, &out, &dir.path().join("golden"), &rules).expect("written");
    let text = std::fs::read_to_string(&out).expect("read the recording");
    assert!(text.contains(&format!("state: \"{STATE_TO_FILL_IN}\"")), "{text}");
    assert!(
        text.contains(&format!("path: /api/v2/me/facebooksessions/{session}")),
        "{text}"
    );
    assert!(
        text.contains("state: Completed"),
        "the notification is kept: {text}"
    );
    let check = run_cli(&["check", &out.display().to_string()]).await;
    assert_eq!(check.status.code(), Some(2));
}

#[tokio::test]
async fn proxy_cli_says_when_the_golden_directory_has_no_rules() {
    let server = start_server(ServerConfig::default()).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("r.yaml").display().to_string();
    let golden = dir.path().join("no-rules").display().to_string();
    let target = server.url();
    let (proxy, _) = spawn_cli(&[
        "proxy",
        "--target",
        &target,
        "--listen",
        "127.0.0.1:0",
        "--out",
        &out,
        "--golden",
        &golden,
        "--duration",
        "100ms",
    ])
    .await;
    let (code, stdout, stderr) = proxy.wait().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains("note: the golden directory has no rules.yaml"),
        "{stdout}"
    );
}
