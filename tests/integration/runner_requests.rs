//! Requests and responses in scenarios: request headers and bodies with variables (scenario
//! `vars`, captures, the built-in `${target}`), response status, headers (case-insensitive,
//! `$absent` allowed) and body expectations.

use gws_contract::matching::MismatchKind;
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
                expected: 201,
                actual: 200,
                ..
            }
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
