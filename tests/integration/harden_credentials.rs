//! Issue 12, item 2: non-ASCII credentials. Basic auth is sent ISO-8859-1-encoded when the
//! user and password fit in it (as GWS's own client does), UTF-8 otherwise or when the
//! profile says `credentials_charset: utf-8`; the reference server accepts both.

use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use axum::routing::get;
use base64::Engine;
use gws_contract::target::{CredentialsCharset, Secret, Target};
use gws_contract::transport::ActorHttp;

use crate::safety_support::{both, run_cli_env, write};

#[tokio::test]
async fn a_latin1_password_from_gws_contract_password_verifies() {
    let output = run_cli_env(
        &["verify", "scenarios/facebook/complete.yaml"],
        &[("GWS_CONTRACT_PASSWORD", "pässwört")],
    )
    .await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(0), "{}", both(&output, &dir));
    assert!(!both(&output, &dir).contains("pässwört"));
}

#[tokio::test]
async fn a_password_outside_latin1_verifies() {
    let output = run_cli_env(
        &["verify", "scenarios/facebook/complete.yaml"],
        &[("GWS_CONTRACT_PASSWORD", "密码")],
    )
    .await;
    let dir = std::env::temp_dir();
    assert_eq!(output.status.code(), Some(0), "{}", both(&output, &dir));
}

#[tokio::test]
async fn an_actor_with_an_accented_name_verifies_in_either_charset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = write(
        dir.path(),
        "accented.yaml",
        "name: accented\nactors: [agént1]\ngiven:\n  - state: facebook session chatting\n    params: { agents: [agént1] }\n    capture: { session: /id }\nsteps:\n  - actor: agént1\n    request: { method: GET, path: /api/v2/me }\n    response:\n      status: 200\n      body: { user: { userName: agént1 } }\n",
    );
    let output = run_cli_env(&["verify", &scenario], &[("GWS_CONTRACT_PASSWORD", "pässwört")]).await;
    assert_eq!(output.status.code(), Some(0), "{}", both(&output, dir.path()));
    let profile = write(dir.path(), "utf8.yaml", "credentials_charset: utf-8\n");
    let output = run_cli_env(
        &["verify", "--profile", &profile, &scenario],
        &[("GWS_CONTRACT_PASSWORD", "pässwört")],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", both(&output, dir.path()));
}

/// The bytes on the wire: a stub records the decoded `Authorization` credentials.
#[tokio::test]
async fn credentials_are_latin1_on_the_wire_unless_utf8_is_asked_for() {
    let seen: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let record = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/api/v2/me",
        get(move |headers: HeaderMap| {
            let record = Arc::clone(&record);
            async move {
                let value = headers["authorization"].to_str().expect("ASCII header");
                let b64 = value.strip_prefix("Basic ").expect("Basic auth");
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .expect("base64");
                record.lock().expect("lock").push(bytes);
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = url::Url::parse(&format!("http://{}", listener.local_addr().expect("addr"))).expect("url");
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    for (charset, password) in [
        (CredentialsCharset::Latin1WhenItFits, "pässwört"),
        (CredentialsCharset::Utf8, "pässwört"),
        (CredentialsCharset::Latin1WhenItFits, "密码"),
    ] {
        let mut target = Target::with_defaults(base.clone(), Secret::new(password));
        target.credentials_charset = charset;
        let http = ActorHttp::new("agént1", Arc::new(target)).expect("client");
        http.login().await.expect("the stub accepts any login");
    }
    server.abort();
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen,
        [
            b"ag\xe9nt1:p\xe4ssw\xf6rt".to_vec(),
            "agént1:pässwört".as_bytes().to_vec(),
            "agént1:密码".as_bytes().to_vec(),
        ]
    );
}
