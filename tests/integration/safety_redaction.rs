//! Secrets in reports: against a CSRF-enabled reference server the responses carry the session
//! cookie and the CSRF token, and a scenario may set such headers itself; the JSON report (and
//! the terminal output) must hold none of their values, only `[redacted]`, while a scenario
//! asserting the token's presence still passes.

use gws_contract::server::ServerConfig;
use serde_json::Value;

use crate::safety_support::{both, run_cli_env, write};
use crate::support::start_server;

/// Completes a session (a POST, which only works if the runner kept the real CSRF token
/// although the report does not show it), then reads its own user sending secret-looking
/// headers of its own; its `Cookie` replaces the session cookie, so the response opens a new
/// session with `Set-Cookie` and a new CSRF token.
pub const SCENARIO: &str = "\
name: csrf-secrets
actors: [agent1]
given:
  - state: facebook session chatting
    params: { agents: [agent1] }
    capture: { session: /id }
steps:
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
  - actor: agent1
    request:
      method: GET
      path: /api/v2/me
      headers:
        X-CSRF-TOKEN: scenario-set-secret
        Cookie: tracking=scenario-cookie-secret
        Proxy-Authorization: scenario-proxy-secret
    response:
      status: 200
      headers: { X-CSRF-HEADER: X-CSRF-TOKEN, X-CSRF-TOKEN: $any, Set-Cookie: $any }
      body: { statusCode: 0 }
";

/// Every `[name, value]` header pair anywhere in `report`.
fn header_pairs(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(headers)) = map.get("headers") {
                for pair in headers {
                    if let (Some(name), Some(value)) = (pair[0].as_str(), pair[1].as_str()) {
                        out.push((name.to_ascii_lowercase(), value.to_owned()));
                    }
                }
            }
            map.values().for_each(|v| header_pairs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| header_pairs(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn safety_json_report_against_a_csrf_server_holds_no_token_or_session_cookie() {
    let server = start_server(ServerConfig {
        csrf: true,
        ..ServerConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let scenario = write(dir.path(), "csrf.yaml", SCENARIO);
    let profile = write(dir.path(), "profile.yaml", "csrf: true\n");
    let report_path = dir.path().join("report.json");
    let output = run_cli_env(
        &[
            "verify",
            "--target",
            &server.url(),
            "--profile",
            &profile,
            "--report-json",
            &report_path.to_string_lossy(),
            &scenario,
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", both(&output, dir.path()));
    let text = std::fs::read_to_string(&report_path).expect("report written");
    let report: Value = serde_json::from_str(&text).expect("report is JSON");

    let mut pairs = Vec::new();
    header_pairs(&report, &mut pairs);
    let value_of = |name: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    // The headers are there (so the check below is not vacuous), their values are not.
    assert_eq!(value_of("set-cookie"), ["[redacted]"], "{pairs:#?}");
    assert_eq!(
        value_of("x-csrf-token"),
        ["[redacted]"; 2],
        "request and response: {pairs:#?}"
    );
    assert_eq!(value_of("cookie"), ["[redacted]"], "{pairs:#?}");
    assert_eq!(value_of("proxy-authorization"), ["[redacted]"], "{pairs:#?}");
    assert_eq!(value_of("x-csrf-header"), ["X-CSRF-TOKEN"], "{pairs:#?}");

    // CSRF tokens are UUIDs, sent as whole header values; queue URIs contain UUIDs too.
    let token =
        regex::Regex::new(r"(^|[^/0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            .expect("regex");
    let session_cookie = regex::Regex::new(r"JSESSIONID=[0-9A-Za-z]").expect("regex");
    let mut strings = Vec::new();
    all_strings(&report, &mut strings);
    for value in &strings {
        assert!(!token.is_match(value), "a CSRF token leaked: {value}");
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!token.is_match(&stdout), "a CSRF token leaked: {stdout}");
    for shown in [text.as_str(), &stdout] {
        assert!(
            !session_cookie.is_match(shown),
            "a session cookie leaked: {shown}"
        );
        for secret in [
            "scenario-set-secret",
            "scenario-cookie-secret",
            "scenario-proxy-secret",
        ] {
            assert!(!shown.contains(secret), "{secret} leaked: {shown}");
        }
    }
}

/// Every string anywhere in `value`.
fn all_strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| all_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| all_strings(v, out)),
        _ => {}
    }
}
