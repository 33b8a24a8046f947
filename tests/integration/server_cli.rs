//! `gws-contract serve` as a real process: one banner line with the bound URL and user names
//! (never passwords), usable at once, a clean exit (code 0) on SIGTERM or SIGINT; faults from
//! the command line; `--list-faults`; unknown fault names refused with exit code 2.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use serde_json::json;

use crate::server_wire::{Agent, hook};
use crate::support::{redact, root, run_cli};

/// A `serve` process and the URL its banner announced.
struct Served {
    child: Child,
    banner: String,
    url: String,
}

/// Starts `gws-contract serve --addr 127.0.0.1:0 ARGS` and reads its banner line.
async fn serve(args: &[&str]) -> Served {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gws-contract"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(&args)
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gws-contract starts");
        let stdout = child.stdout.as_mut().expect("piped stdout");
        let mut banner = String::new();
        // One byte at a time, so nothing after the banner is buffered away from `finish`.
        let mut byte = [0u8; 1];
        while !banner.ends_with('\n') && stdout.read(&mut byte).is_ok_and(|n| n == 1) {
            banner.push(char::from(byte[0]));
        }
        let url = regex::Regex::new(r"http://127\.0\.0\.1:\d+")
            .expect("valid regex")
            .find(&banner)
            .unwrap_or_else(|| panic!("no URL in banner {banner:?}"))
            .as_str()
            .to_owned();
        Served { child, banner, url }
    })
    .await
    .expect("spawn task")
}

/// Sends `signal` to the process and returns (exit code, everything else it printed).
async fn finish(mut served: Served, signal: &str) -> (Option<i32>, String) {
    let signal = signal.to_owned();
    tokio::task::spawn_blocking(move || {
        let pid = served.child.id().to_string();
        let status = Command::new("kill")
            .args([format!("-{signal}"), pid])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let mut rest = String::new();
        if let Some(stdout) = served.child.stdout.as_mut() {
            let _ = BufReader::new(stdout).read_to_string(&mut rest);
        }
        if let Some(stderr) = served.child.stderr.as_mut() {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                rest.push_str(&line);
                rest.push('\n');
            }
        }
        let code = served.child.wait().expect("process ends").code();
        (code, rest)
    })
    .await
    .expect("wait task")
}

#[tokio::test]
async fn server_cli_serve_prints_one_banner_serves_and_stops_on_sigterm() {
    let served = serve(&["--user", "alice:s3cret-pw", "--user", "bob:hunter2"]).await;
    let banner = served.banner.clone();
    assert!(banner.contains("alice") && banner.contains("bob"), "{banner}");
    assert!(
        !banner.contains("s3cret-pw") && !banner.contains("hunter2"),
        "{banner}"
    );
    assert_eq!(
        redact(banner.as_bytes()),
        "gws-contract reference server listening on http://127.0.0.1:[port] (users: alice, bob); Ctrl-C stops it\n"
    );

    let alice = Agent::with_password(&served.url, "alice", "s3cret-pw");
    let (status, me) = alice.get("/api/v2/me").await;
    assert_eq!((status, &me["user"]["userName"]), (200, &json!("alice")));
    let (status, _) = Agent::new(&served.url, "agent1").get("/api/v2/me").await;
    assert_eq!(status, 401, "the default users are replaced");

    let (code, rest) = finish(served, "TERM").await;
    assert_eq!(code, Some(0), "{rest}");
    assert!(rest.trim().is_empty(), "nothing after the banner: {rest}");
}

#[tokio::test]
async fn server_cli_serve_applies_faults_and_stops_on_sigint() {
    let served = serve(&["--fault", "wrong-http-status", "--csrf"]).await;
    assert!(served.banner.contains("CSRF required"), "{}", served.banner);
    let id = hook(
        &served.url,
        "facebook session chatting",
        json!({"agents": ["agent1"]}),
    )
    .await["id"]
        .clone();
    let agent = Agent::new(&served.url, "agent1");
    let response = agent
        .request(reqwest::Method::GET, "/api/v2/me")
        .send()
        .await
        .expect("reachable");
    let token = response
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let (status, body) = crate::server_wire::send(
        agent
            .request(
                reqwest::Method::POST,
                &format!("/api/v2/me/facebooksessions/{}", id.as_str().unwrap_or_default()),
            )
            .header("X-CSRF-TOKEN", token)
            .json(&json!({"operationName": "Complete"})),
    )
    .await;
    assert_eq!((status, body), (202, json!({"statusCode": 0})));
    let (code, rest) = finish(served, "INT").await;
    assert_eq!(code, Some(0), "{rest}");
}

#[tokio::test]
async fn server_cli_list_faults() {
    let output = run_cli(&["serve", "--list-faults"]).await;
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[tokio::test]
async fn server_cli_unknown_fault_is_a_usage_error() {
    let output = run_cli(&["serve", "--fault", "explode", "--addr", "127.0.0.1:0"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr));
}

#[tokio::test]
async fn server_cli_bad_user_never_echoes_the_argument() {
    let output = run_cli(&["serve", "--user", "no-colon-secret", "--addr", "127.0.0.1:0"]).await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("no-colon-secret"), "{stderr}");
    assert!(stderr.contains("NAME:PASSWORD"), "{stderr}");
}
