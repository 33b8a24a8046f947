//! The shipped suite against every fault of the reference server (a mutation test of the
//! harness, peer-tools.md §4.9): each deliberate deviation must make at least one shipped
//! scenario fail, so lenient matching is shown not to be too loose.

use std::collections::BTreeSet;
use std::time::Duration;

use gws_contract::runner::RunOptions;
use gws_contract::scenario::{discover, load_all};
use gws_contract::server::{Fault, ServerConfig};
use gws_contract::suite::run_inline_all;
use gws_contract::verdict::Verdict;

use crate::support::{root, start_server, target_for};

/// Names of the shipped scenarios that do not pass against a server with `faults`.
async fn failing_scenarios(faults: BTreeSet<Fault>) -> Vec<String> {
    let server = start_server(ServerConfig {
        faults,
        // Beyond the shortened step timeout below, so the delayed notification is missing.
        fault_delay: Duration::from_millis(3000),
        ..ServerConfig::default()
    })
    .await;
    let pattern = root().join("scenarios").to_string_lossy().into_owned();
    let files = discover(&[pattern]).expect("shipped scenarios exist");
    let scenarios = load_all(&files).expect("shipped scenarios load");
    let options = RunOptions {
        default_timeout: Duration::from_millis(1500),
        ..RunOptions::default()
    };
    let outcomes = run_inline_all(scenarios, target_for(&server), &options, 4).await;
    server.shutdown().await;
    outcomes
        .iter()
        .filter(|s| s.verdict != Verdict::Passed)
        .map(|s| s.name.clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_suite_catches_every_fault() {
    // Control: the faithful server fails nothing, so a failure below is the fault's doing.
    assert_eq!(failing_scenarios(BTreeSet::new()).await, Vec::<String>::new());
    let runs = Fault::ALL
        .iter()
        .map(|&fault| async move { (fault, failing_scenarios(BTreeSet::from([fault])).await) });
    let results = futures_join_all(runs).await;
    let uncaught: Vec<String> = results
        .iter()
        .filter(|(_, failing)| failing.is_empty())
        .map(|(fault, _)| fault.to_string())
        .collect();
    assert!(
        uncaught.is_empty(),
        "faults no shipped scenario catches: {uncaught:?}\n{results:#?}"
    );
}

/// Runs the futures concurrently on the test runtime (no extra dependency).
async fn futures_join_all<F: std::future::Future + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("fault run completes"));
    }
    out
}
