//! `cargo bench`: how fast the matcher and the whole runner are, measured (never asserted).
//!
//! - matcher: lenient matching + normalisation of a realistic notification (the Complete seed
//!   notification with its ~90 userData keys), and `$unordered` over 200 elements;
//! - runner: the shipped scenarios run repeatedly against the embedded reference server, with
//!   as many jobs as CPUs; scenarios per second and the median/p95 scenario duration.
//!
//! Plain `harness = false` timing loops, so no benchmark framework is needed.

use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gws_contract::matching::{Vars, match_value, normalize};
use gws_contract::runner::RunOptions;
use gws_contract::scenario::{discover, load_all};
use gws_contract::server::{ReferenceServer, ServerConfig};
use gws_contract::suite::run_inline_all;
use gws_contract::target::{Secret, Target};
use serde_json::{Value, json};

#[path = "support/documents.rs"]
mod documents;
use documents::notification;

fn main() {
    matcher();
    runner();
}

/// Runs `f` repeatedly for about `budget` and prints the mean time per call.
fn time(name: &str, budget: Duration, mut f: impl FnMut()) {
    for _ in 0..10 {
        f();
    }
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < budget {
        f();
        calls += 1;
    }
    let per_call = start.elapsed() / calls.max(1);
    println!("{name:<55} {per_call:>12.2?} per call ({calls} calls)");
}

fn matcher() {
    let vars = Vars::from([("session".to_owned(), json!("0002DaAVKJ0V0095"))]);
    let actual = notification();
    let expected = json!({
        "messageType": "FacebooksessionStateChangeMessage",
        "notificationType": "StatusChange",
        "referenceId": "$type:integer",
        "facebooksession": {
            "id": "${session}",
            "uri": "$uri:/api/v2/facebooksessions/${session}",
            "state": "Completed",
            "capabilities": [],
            "participants": ["$unordered", {"type": "Customer", "nickname": "VitaliyOnv"}],
        }
    });
    let budget = Duration::from_secs(1);
    time("match a Complete notification (passes)", budget, || {
        black_box(match_value(black_box(&expected), black_box(&actual), &vars));
    });
    let mut wrong = expected.clone();
    wrong["facebooksession"]["state"] = json!("LeftChat");
    time("match + normalise + patch (one mismatch)", budget, || {
        black_box(match_value(&wrong, &actual, &vars));
        black_box(normalize(&wrong, &actual, &vars).patch());
    });
    let items: Vec<Value> = (0..200)
        .map(|i| json!({"id": i, "name": format!("n{i}")}))
        .collect();
    let mut shuffled = items.clone();
    shuffled.reverse();
    let mut unordered = vec![json!("$unordered")];
    unordered.extend(items);
    let unordered = Value::Array(unordered);
    let shuffled = Value::Array(shuffled);
    time("$unordered over 200 objects (reversed)", budget, || {
        black_box(match_value(&unordered, &shuffled, &vars));
    });
}

fn runner() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let server = ReferenceServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), ServerConfig::default())
            .await
            .expect("reference server on 127.0.0.1:0");
        let base = url::Url::parse(&server.url()).expect("server URL");
        let target = Arc::new(Target::with_defaults(base, Secret::new("password")));
        let files = discover(&["scenarios".to_owned()]).expect("shipped scenarios");
        let scenarios = load_all(&files).expect("shipped scenarios load");
        let jobs = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let rounds = 10;
        let mut durations = Vec::new();
        let start = Instant::now();
        for _ in 0..rounds {
            let outcomes = run_inline_all(scenarios.clone(), Arc::clone(&target), &RunOptions::default(), jobs).await;
            durations.extend(outcomes.iter().map(|s| s.duration_ms));
        }
        let elapsed = start.elapsed();
        durations.sort_unstable();
        let count = durations.len();
        let p = |q: f64| {
            #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss, reason = "small indices")]
            let i = ((count as f64 - 1.0) * q).round() as usize;
            durations[i]
        };
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        let rate = count as f64 / elapsed.as_secs_f64();
        println!(
            "{:<55} {rate:>9.1} scenarios/s ({count} runs, {jobs} jobs; median {} ms, p95 {} ms; includes the 250 ms settle)",
            "shipped suite against the embedded server",
            p(0.5),
            p(0.95)
        );
        server.shutdown().await;
    });
}
