//! The mutation score of the shipped suite (peer-tools.md §4.9): the whole of `scenarios/` runs
//! against the reference server once per fault, and every deliberate deviation must make at
//! least one scenario fail — so lenient matching is shown not to be too loose — while the
//! faithful server fails none.
//!
//! The server and the target enable CSRF protection, so the scenarios that `require` it run too
//! and every scenario counts. Each run is in-process with many jobs and a short step timeout
//! (the delay fault's delay is beyond it); several fault runs share the runtime at once.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gws_contract::runner::RunOptions;
use gws_contract::scenario::{discover, load_all};
use gws_contract::server::{Fault, ReferenceServer, ServerConfig};
use gws_contract::suite::run_inline_all;
use gws_contract::target::{Secret, Target};
use gws_contract::verdict::Verdict;
use tokio::sync::Semaphore;

use crate::support::{root, start_server};

/// How many fault runs share the runtime at once (a new one starts as soon as one ends); each
/// runs its scenarios [`JOBS`] at a time.
const PARALLEL_RUNS: usize = 6;
const JOBS: usize = 8;

/// How long a run with a fault waits for a step's notifications; the delay fault's delay is
/// beyond it, so its notification counts as missing.
const FAULT_STEP_TIMEOUT: Duration = Duration::from_millis(1200);

/// A CSRF-enabled target for `server`, like a profile with `csrf: true`.
fn csrf_target(server: &ReferenceServer) -> Arc<Target> {
    let base = url::Url::parse(&server.url()).expect("server URL parses");
    let mut target = Target::with_defaults(base, Secret::new("password"));
    target.csrf = true;
    Arc::new(target)
}

/// The names of the shipped scenarios that do not pass against a CSRF-enabled server with
/// `faults`, and how many ran. Runs with faults wait [`FAULT_STEP_TIMEOUT`] for a step's
/// notifications, the control run the runner's default (a busy CI machine must not make the
/// faithful server look faulty).
async fn failing_scenarios(faults: BTreeSet<Fault>) -> (Vec<String>, usize) {
    let faults_given = !faults.is_empty();
    let server = start_server(ServerConfig {
        faults,
        csrf: true,
        fault_delay: FAULT_STEP_TIMEOUT * 2,
        ..ServerConfig::default()
    })
    .await;
    let pattern = root().join("scenarios").to_string_lossy().into_owned();
    let files = discover(&[pattern]).expect("shipped scenarios exist");
    let scenarios = load_all(&files).expect("shipped scenarios load");
    let options = if faults_given {
        RunOptions {
            default_timeout: FAULT_STEP_TIMEOUT,
            ..RunOptions::default()
        }
    } else {
        RunOptions::default()
    };
    let outcomes = run_inline_all(scenarios, csrf_target(&server), &options, JOBS).await;
    server.shutdown().await;
    let ran = outcomes.iter().filter(|s| s.verdict != Verdict::Skipped).count();
    let failing = outcomes
        .iter()
        .filter(|s| s.verdict != Verdict::Passed)
        .map(|s| s.name.clone())
        .collect();
    (failing, ran)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_suite_catches_every_fault() {
    let started = Instant::now();
    // Control: the faithful server fails nothing, so a failure below is the fault's doing.
    let (failing, ran) = failing_scenarios(BTreeSet::new()).await;
    assert_eq!(
        failing,
        Vec::<String>::new(),
        "the faithful server must pass the whole suite"
    );
    let total = discover(&[root().join("scenarios").to_string_lossy().into_owned()])
        .expect("shipped scenarios exist")
        .len();
    assert_eq!(ran, total, "with CSRF enabled no scenario is skipped");

    let permits = Arc::new(Semaphore::new(PARALLEL_RUNS));
    let handles: Vec<_> = Fault::ALL
        .iter()
        .map(|&fault| {
            let permits = Arc::clone(&permits);
            tokio::spawn(async move {
                // Never closed, so acquiring cannot fail.
                let _permit = permits.acquire_owned().await;
                (fault, failing_scenarios(BTreeSet::from([fault])).await.0)
            })
        })
        .collect();
    let mut results = Vec::new();
    for handle in handles {
        results.push(handle.await.expect("fault run completes"));
    }
    let detected = results.iter().filter(|(_, failing)| !failing.is_empty()).count();
    println!(
        "mutation score: {detected}/{} faults detected by {total} scenarios ({:.1} s)",
        Fault::ALL.len(),
        started.elapsed().as_secs_f64()
    );
    for (fault, failing) in &results {
        println!(
            "  {fault:<32} caught by {}: {}",
            failing.len(),
            failing.join(", ")
        );
    }
    let uncaught: Vec<String> = results
        .iter()
        .filter(|(_, failing)| failing.is_empty())
        .map(|(fault, _)| fault.to_string())
        .collect();
    assert!(
        uncaught.is_empty(),
        "faults no shipped scenario catches: {uncaught:?}"
    );
}
