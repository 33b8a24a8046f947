//! The lenient matcher on arbitrary JSON pairs: the input is an expected document and an
//! actual one separated by a NUL byte. Matching, normalising, patching and linting must never
//! panic, and the normalised sides are equal exactly when there is no mismatch (rule 6 of
//! `src/matching/mod.rs`).
#![no_main]

use gws_contract::matching::{Vars, lint, match_value, normalize};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (Ok(expected), Ok(actual)) = (
        serde_json::from_slice::<Value>(&data[..split]),
        serde_json::from_slice::<Value>(&data[split + 1..]),
    ) else {
        return;
    };
    let vars = Vars::from([
        ("session".to_owned(), json!("0001ABCD")),
        ("n".to_owned(), json!(3)),
    ]);
    let _ = lint(&expected);
    let mismatches = match_value(&expected, &actual, &vars);
    let normalized = normalize(&expected, &actual, &vars);
    let _ = normalized.patch();
    assert_eq!(
        mismatches.is_empty(),
        normalized.expected == normalized.actual,
        "normalised sides disagree with the mismatches: {mismatches:?}"
    );
});
