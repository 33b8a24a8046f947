//! No credential in any sink's output: against a CSRF-enabled reference server whose user has a
//! distinctive password, with every sink on (terminal at -vv, JSON, JUnit, GitHub annotations,
//! the GitLab line) and a scenario that fails on secret headers, neither the password (nor its
//! Basic form), the session cookie, the CSRF token, nor a secret a scenario sent appears
//! anywhere.

use base64::Engine as _;
use gws_contract::server::ServerConfig;

use crate::safety_redaction::SCENARIO;
use crate::safety_support::{both, run_cli_env, write};
use crate::support::start_server;

const PASSWORD: &str = "pw-Zq8-only-in-the-environment";

/// Fails on the response's secret headers, so their (redacted) values are in the failure
/// messages, annotations and JUnit text.
const FAILING: &str = "\
name: csrf-secrets-failing
actors: [agent1]
steps:
  - actor: agent1
    request:
      method: GET
      path: /api/v2/me
      headers: { X-CSRF-TOKEN: scenario-set-secret }
    response:
      status: 200
      headers: { X-CSRF-TOKEN: not-the-token, Set-Cookie: not-the-cookie }
";

#[tokio::test]
async fn safety_no_sink_shows_a_password_token_or_session_cookie() {
    let server = start_server(ServerConfig {
        csrf: true,
        users: vec![("agent1".to_owned(), PASSWORD.to_owned())],
        ..ServerConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let passing = write(dir.path(), "a-csrf.yaml", SCENARIO);
    let failing = write(dir.path(), "b-failing.yaml", FAILING);
    let profile = write(dir.path(), "profile.yaml", "csrf: true\n");
    let json = dir.path().join("report.json");
    let junit = dir.path().join("junit.xml");
    let output = run_cli_env(
        &[
            "verify",
            "-vv",
            "--color",
            "always",
            "--target",
            &server.url(),
            "--profile",
            &profile,
            "--report-json",
            &json.to_string_lossy(),
            "--junit",
            &junit.to_string_lossy(),
            &passing,
            &failing,
        ],
        &[
            ("GWS_CONTRACT_PASSWORD", PASSWORD),
            ("GITHUB_ACTIONS", "true"),
            ("GITLAB_CI", "true"),
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", both(&output, dir.path()));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let shown = [
        ("stdout", stdout.clone()),
        ("stderr", String::from_utf8_lossy(&output.stderr).into_owned()),
        ("JSON", std::fs::read_to_string(&json).expect("JSON written")),
        ("JUnit", std::fs::read_to_string(&junit).expect("JUnit written")),
    ];
    // The checks are not vacuous: every sink ran, and the secret headers are in its output.
    assert!(stdout.contains("::error file="), "annotations: {stdout}");
    assert!(stdout.contains("gitlab: JUnit report in"), "{stdout}");
    assert!(
        stdout.contains("x-csrf-token: [redacted]"),
        "-vv headers: {stdout}"
    );
    assert!(shown[3].1.contains("[redacted]"), "JUnit: {}", shown[3].1);

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("agent1:{PASSWORD}"));
    let token =
        regex::Regex::new(r"(^|[^/0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .expect("regex");
    let session_cookie = regex::Regex::new(r"JSESSIONID=[0-9A-Za-z]").expect("regex");
    for (sink, text) in &shown {
        for secret in [
            PASSWORD,
            basic.as_str(),
            "scenario-set-secret",
            "scenario-cookie-secret",
        ] {
            assert!(!text.contains(secret), "{sink} shows {secret}");
        }
        assert!(!token.is_match(text), "{sink} shows a CSRF token");
        assert!(!session_cookie.is_match(text), "{sink} shows a session cookie");
    }
}
