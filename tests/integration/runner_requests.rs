//! Requests and responses in scenarios: request headers and bodies with variables (scenario
//! `vars`, captures, the built-in `${target}`), response status, headers (case-insensitive,
//! `$absent` allowed) and body expectations.

use gws_contract::matching::MismatchKind;
use gws_contract::report::render_failure_details;
use gws_contract::scenario::StatusSpec;
use gws_contract::server::ServerConfig;
use gws_contract::verdict::{FailureKind, Verdict};

use crate::support::{run_file, start_server};

#[tokio::test]
async fn headers_target_and_vars_resolve() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/headers-and-target.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Passed, "{:#?}", outcome.failures);
    let gws_contract::runner::Action::Http {
        request: complete, ..
    } = &outcome.transcript.exchanges[2].action
    else {
        panic!("step 2 sent a request")
    };
    assert_eq!(
        complete.body.as_ref().expect("body")["queueName"],
        "PostProcessingQueue"
    );
    assert_eq!(
        complete.headers,
        [("X-Queue-Note".to_owned(), "queue PostProcessingQueue".to_owned())]
    );
    assert_eq!(outcome.transcript.vars["target"], server.url());
}

#[tokio::test]
async fn wrong_status_and_headers_are_each_reported() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/headers-wrong.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    let kinds: Vec<&FailureKind> = outcome.failures.iter().map(|f| &f.kind).collect();
    assert!(
        matches!(
            kinds[0],
            FailureKind::Status {
                expected,
                actual: 200,
                ..
            } if *expected == StatusSpec::code(201)
        ),
        "{kinds:#?}"
    );
    let FailureKind::Headers { mismatches } = kinds[1] else {
        panic!("{kinds:#?}")
    };
    let found: Vec<(&str, &MismatchKind)> =
        mismatches.iter().map(|m| (m.pointer.as_str(), &m.kind)).collect();
    assert_eq!(
        found,
        [
            ("/content-length", &MismatchKind::NotAbsent),
            ("/content-type", &MismatchKind::NotEqual),
            ("/x-count", &MismatchKind::Missing),
            ("/x-request-id", &MismatchKind::Missing),
        ]
    );
    // Header values are text: `X-Count: 5` in YAML expects the string "5".
    assert_eq!(mismatches[2].expected, serde_json::json!("5"));
}

#[tokio::test]
async fn status_lists_and_classes_accept_any_member_and_read_well_when_none_holds() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/runner/status-matchers.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    assert_eq!(outcome.failures.len(), 1, "{:#?}", outcome.failures);
    assert_eq!(outcome.failures[0].step.number, 3);
    let mut text = Vec::new();
    render_failure_details(&mut text, &outcome).expect("renders");
    let text = String::from_utf8(text).expect("UTF-8");
    // The renderer styles its output; terminals without colour see it stripped.
    let text = anstream::adapter::strip_str(&text).to_string();
    assert!(
        text.contains("agent1, step 3: response status: expected 401 or 403, got 200"),
        "{text}"
    );
}
