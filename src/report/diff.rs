//! Unified diffs of a normalised expected document against the normalised actual one
//! ([`crate::matching::normalize`]), so only real differences show. Plain text, no colour: the
//! terminal reporter may colour the `-`/`+` lines itself.
//!
//! Both sides are pretty-printed JSON (2-space indent, keys sorted, trailing newline) and
//! compared line by line with the patience algorithm, which keeps JSON's many identical
//! closing-brace lines from being paired with the wrong block. Hunks carry
//! [`DIFF_CONTEXT_LINES`] lines of context under `--- expected` / `+++ actual` headers.

use std::io::{self, Write};

use similar::{Algorithm, TextDiff};

use crate::matching::Normalized;

/// Unchanged lines shown around each change.
pub const DIFF_CONTEXT_LINES: usize = 3;

/// The unified diff of `normalized.expected` (`-`) against `normalized.actual` (`+`); empty
/// exactly when they are equal, that is when the values matched.
pub fn unified_diff(normalized: &Normalized) -> String {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = write_unified_diff(normalized, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes [`unified_diff`] to `out`; writes nothing when the sides are equal.
pub fn write_unified_diff(normalized: &Normalized, out: &mut dyn Write) -> io::Result<()> {
    if normalized.is_match() {
        return Ok(());
    }
    let expected = pretty(&normalized.expected);
    let actual = pretty(&normalized.actual);
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_lines(&expected, &actual);
    diff.unified_diff()
        .context_radius(DIFF_CONTEXT_LINES)
        .header("expected", "actual")
        .to_writer(out)
}

/// The unified diff of two texts (`-` old, `+` new) under the given headers; empty when equal.
pub fn text_diff(old: &str, new: &str, old_header: &str, new_header: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(DIFF_CONTEXT_LINES)
        .header(old_header, new_header)
        .to_string()
}

fn pretty(value: &serde_json::Value) -> String {
    format!("{value:#}\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::matching::{Vars, normalize};

    fn diff(expected: serde_json::Value, actual: serde_json::Value) -> String {
        let vars = Vars::from([("session".to_owned(), json!("0002DaAVKJ0V0095"))]);
        unified_diff(&normalize(&expected, &actual, &vars))
    }

    #[test]
    fn matching_values_give_an_empty_diff() {
        assert_eq!(
            diff(
                json!({"id": "${session}", "at": "$any"}),
                json!({"id": "0002DaAVKJ0V0095", "at": 1})
            ),
            ""
        );
    }

    #[test]
    fn shows_only_real_differences() {
        let text = diff(
            json!({
                "messageType": "FacebooksessionStateChangeMessage",
                "facebooksession": {
                    "id": "${session}", "state": "Completed", "capabilities": [],
                    "uri": "$uri:/api/v2/facebooksessions/${session}", "lastUpdate": "$type:integer",
                    "participants": ["$unordered", {"type": "Customer", "nickname": "VitaliyOnv"}, {"type": "Agent", "nickname": "agent1"}],
                },
            }),
            json!({
                "messageType": "FacebooksessionStateChangeMessage",
                "notificationType": "StatusChange",
                "facebooksession": {
                    "id": "0002DaAVKJ0V0095", "state": "LeftChat", "capabilities": [], "referenceId": 17,
                    "uri": "http://127.0.0.1:8090/api/v2/facebooksessions/0002DaAVKJ0V0095", "lastUpdate": 1445433199000_u64,
                    "participants": [{"type": "Agent", "nickname": "agent2"}, {"type": "Customer", "nickname": "VitaliyOnv", "participantId": "p1"}],
                },
            }),
        );
        insta::assert_snapshot!(text);
    }

    #[test]
    fn writes_to_any_writer() {
        let n = normalize(&json!([1, 2]), &json!([1, 3]), &Vars::new());
        let mut out = Vec::new();
        write_unified_diff(&n, &mut out).expect("writing to a Vec succeeds");
        assert_eq!(String::from_utf8(out).expect("UTF-8"), unified_diff(&n));
        assert!(unified_diff(&n).starts_with("--- expected\n+++ actual\n@@ "));
    }
}
