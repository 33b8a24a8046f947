//! The suite's format additions at run time: a scenario needing CSRF is skipped (neither
//! passed nor failed, counted apart) against a target without it and runs against one with it;
//! a state step's `response:` checks the hook's reply.

use std::sync::Arc;

use gws_contract::runner::RunOptions;
use gws_contract::scenario::{Requirement, load_file};
use gws_contract::server::ServerConfig;
use gws_contract::suite::run_inline;
use gws_contract::target::{Secret, Target};
use gws_contract::verdict::{FailureKind, NoteKind, Verdict};

use crate::support::{redact, root, run_cli, start_server, target_for};

const REQUIRES_CSRF: &str = "tests/fixtures/runner/requires-csrf.yaml";

#[tokio::test]
async fn a_scenario_requiring_csrf_is_skipped_without_it_and_runs_with_it() {
    let loaded = load_file(&root().join(REQUIRES_CSRF)).expect("fixture loads");

    let plain = start_server(ServerConfig::default()).await;
    let skipped = run_inline(&loaded, target_for(&plain), &RunOptions::default()).await;
    assert_eq!(skipped.verdict, Verdict::Skipped, "{skipped:#?}");
    assert!(
        skipped.transcript.exchanges.is_empty(),
        "nothing is sent: {:#?}",
        skipped.transcript
    );
    assert!(matches!(
        &skipped.notes[..],
        [n] if matches!(&n.kind, NoteKind::Unmet { requirements } if requirements == &[Requirement::Csrf])
    ));

    let guarded = start_server(ServerConfig {
        csrf: true,
        ..ServerConfig::default()
    })
    .await;
    let base = url::Url::parse(&guarded.url()).expect("URL");
    let mut target = Target::with_defaults(base, Secret::new("password"));
    target.csrf = true;
    let ran = run_inline(&loaded, Arc::new(target), &RunOptions::default()).await;
    assert_eq!(ran.verdict, Verdict::Passed, "{:#?}", ran.failures);
    assert_eq!(ran.transcript.exchanges.len(), 1);
}

#[tokio::test]
async fn skipped_scenarios_read_as_such_count_apart_and_do_not_fail_the_run() {
    let output = run_cli(&["verify", REQUIRES_CSRF, "scenarios/facebook/complete.yaml"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn a_state_steps_response_checks_the_hooks_reply() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = crate::support::run_file(&server, "tests/fixtures/runner/state-reply.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    let failures: Vec<(usize, Option<&str>, bool)> = outcome
        .failures
        .iter()
        .map(|f| {
            (
                f.step.number,
                f.actor.as_deref(),
                matches!(f.kind, FailureKind::Body { .. }),
            )
        })
        .collect();
    assert_eq!(failures, [(4, None, true)], "{:#?}", outcome.failures);
}
