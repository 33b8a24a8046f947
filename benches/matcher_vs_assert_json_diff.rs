//! `cargo bench --bench matcher_vs_assert_json_diff`: our lenient matcher beside the crate
//! people use for the same job, `assert-json-diff` (`CompareMode::Inclusive`), on the same
//! documents, in one run: the seed pages' size (a notification with ~90 userData keys) and a
//! 1 MiB document with an ordered 2,000-element array, each passing and with one mismatch.
//! Both sides produce what a user sees: a verdict, and on a mismatch the message naming it.
//! It prints the time per call of each and the ratio; nothing is asserted.

use std::hint::black_box;
use std::time::{Duration, Instant};

use assert_json_diff::{CompareMode, Config, assert_json_matches_no_panic};
use gws_contract::matching::{Vars, match_value};
use serde_json::{Value, json};

#[path = "support/documents.rs"]
mod documents;
use documents::notification;

fn main() {
    let budget = Duration::from_millis(
        std::env::var("BENCH_MILLIS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1500),
    );
    println!(
        "{:<34} {:>14} {:>16} {:>8}",
        "case", "gws-contract", "assert-json-diff", "ratio"
    );
    let small = notification();
    let large = megabyte();
    for (name, expected, actual) in [
        ("seed notification, passing", small.clone(), small.clone()),
        (
            "seed notification, one mismatch",
            small.clone(),
            mismatched(&small, "/facebooksession/state"),
        ),
        ("1 MiB document, passing", large.clone(), large.clone()),
        (
            "1 MiB document, one mismatch",
            large.clone(),
            mismatched(&large, "/items/1999/state"),
        ),
    ] {
        let vars = Vars::new();
        let ours = time(budget, || {
            let mismatches = match_value(&expected, &actual, &vars);
            // What a user reads: each mismatch's pointer, expected and actual.
            let text: Vec<String> = mismatches
                .iter()
                .map(|m| format!("{}: expected {}, got {:?}", m.pointer, m.expected, m.actual))
                .collect();
            black_box(text);
        });
        let theirs = time(budget, || {
            let result =
                assert_json_matches_no_panic(&actual, &expected, Config::new(CompareMode::Inclusive));
            black_box(result).ok();
        });
        println!(
            "{name:<34} {:>14.2?} {:>16.2?} {:>7.1}×",
            ours,
            theirs,
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
}

/// Mean time per call of `f` over about `budget`.
fn time(budget: Duration, mut f: impl FnMut()) -> Duration {
    for _ in 0..5 {
        f();
    }
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed() < budget || calls < 10 {
        f();
        calls += 1;
    }
    start.elapsed() / calls
}

fn mismatched(document: &Value, pointer: &str) -> Value {
    let mut changed = document.clone();
    if let Some(v) = changed.pointer_mut(pointer) {
        *v = json!("Different");
    }
    changed
}

/// About 1 MiB of JSON: an ordered array of 2,000 objects.
fn megabyte() -> Value {
    let items: Vec<Value> = (0..2000)
        .map(|i| {
            json!({
                "index": i,
                "id": format!("{i:016X}"),
                "state": "Chatting",
                "text": format!("message {i} {}", "lorem ipsum dolor sit amet ".repeat(12)),
                "tags": ["a", "b", "c"],
                "from": {"type": "Agent", "nickname": format!("agent{}", i % 7), "visibility": "All"},
                "timestampSeconds": 1_445_424_496_000_u64 + i,
            })
        })
        .collect();
    let doc = json!({"items": items});
    debug_assert!(doc.to_string().len() > 900_000);
    doc
}
