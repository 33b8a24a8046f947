//! Which fields of a response or notification are contract and which were only observed.
//!
//! The scenario's inline expectation is the contract; the golden is everything one target
//! did. Walking both together gives one row per field (a JSON Pointer into the recorded
//! value): what the contract asks there, if anything, and what was recorded. Arrays compared
//! as sets (`$unordered`, `$contains`) pair each expected element with the recorded element
//! it fits best (the recorded run passed, so one fits), so the rows of an element say which of
//! its fields the contract looks at.

use serde_json::Value;

use super::readable::{Contract, compact, describe, readable};
use crate::matching::escape_token;

/// One field of a recorded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    /// JSON Pointer into the recorded value (`/facebooksession/state`).
    pub pointer: String,
    /// What the contract asks there; `None` when it is only observed.
    pub contract: Option<Contract>,
    /// What was recorded there (readable); `None` when nothing was.
    pub recorded: Option<String>,
}

/// The rows of `recorded` (a golden value) against `expected` (the inline expectation, if
/// the scenario writes one), in pointer order.
pub fn field_rows(expected: Option<&Value>, recorded: Option<&Value>) -> Vec<FieldRow> {
    let mut rows = Vec::new();
    walk(expected, recorded, String::new(), &mut rows);
    rows
}

fn walk(expected: Option<&Value>, recorded: Option<&Value>, pointer: String, rows: &mut Vec<FieldRow>) {
    match (expected, recorded) {
        (None, None) => {}
        (Some(Value::Object(exp)), Some(Value::Object(rec))) => {
            let mut keys: Vec<&String> = exp.keys().chain(rec.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                walk(exp.get(key), rec.get(key), child(&pointer, key), rows);
            }
        }
        (Some(Value::Object(exp)), None) if !exp.is_empty() => {
            for (key, value) in exp {
                walk(Some(value), None, child(&pointer, key), rows);
            }
        }
        (Some(Value::Array(exp)), None) if !is_scalar_array(exp) => array(exp, &[], &pointer, rows),
        (None, Some(Value::Object(rec))) if !rec.is_empty() => {
            for (key, value) in rec {
                walk(None, Some(value), child(&pointer, key), rows);
            }
        }
        (Some(Value::Array(exp)), Some(Value::Array(rec)))
            if !is_scalar_array(exp) || !is_scalar_array(rec) =>
        {
            array(exp, rec, &pointer, rows);
        }
        (None, Some(Value::Array(rec))) if !is_scalar_array(rec) => {
            for (i, value) in rec.iter().enumerate() {
                walk(None, Some(value), child(&pointer, &i.to_string()), rows);
            }
        }
        (expected, recorded) => rows.push(FieldRow {
            pointer: if pointer.is_empty() {
                "/".to_owned()
            } else {
                pointer
            },
            contract: expected.map(describe),
            recorded: recorded.map(|r| compact(&readable(r))),
        }),
    }
}

/// Arrays of objects or arrays: element by element, in order or paired as sets.
fn array(expected: &[Value], recorded: &[Value], pointer: &str, rows: &mut Vec<FieldRow>) {
    let (marker, elements) = match expected.first().and_then(Value::as_str) {
        Some(m @ ("$unordered" | "$contains")) => (Some(m), &expected[1..]),
        _ => (None, expected),
    };
    let how = match marker {
        Some("$unordered") => "in any order",
        Some(_) => "at least these, in any order",
        None => "in this order",
    };
    rows.push(FieldRow {
        pointer: pointer.to_owned(),
        contract: Some(Contract {
            before: format!(
                "{} element{}, {how}",
                elements.len(),
                if elements.len() == 1 { "" } else { "s" }
            ),
            code: None,
            after: String::new(),
        }),
        recorded: Some(format!(
            "{} element{}",
            recorded.len(),
            if recorded.len() == 1 { "" } else { "s" }
        )),
    });
    let pairs: Vec<Option<usize>> = match marker {
        Some(_) => pair_as_set(elements, recorded),
        None => (0..elements.len())
            .map(|i| (i < recorded.len()).then_some(i))
            .collect(),
    };
    for (i, value) in recorded.iter().enumerate() {
        let paired = pairs.iter().position(|p| *p == Some(i)).map(|e| &elements[e]);
        walk(paired, Some(value), child(pointer, &i.to_string()), rows);
    }
    for (e, pair) in pairs.iter().enumerate() {
        if pair.is_none() {
            // With nothing recorded, the expectation's own positions name its elements.
            let index = if recorded.is_empty() {
                e.to_string()
            } else {
                "-".to_owned()
            };
            walk(Some(&elements[e]), None, child(pointer, &index), rows);
        }
    }
}

/// For each expected element, the recorded element it fits best among those not taken yet
/// (ties to the first). Documentation only: the judge's optimal assignment decided the
/// verdict when the golden was recorded.
fn pair_as_set(expected: &[Value], recorded: &[Value]) -> Vec<Option<usize>> {
    let mut taken = vec![false; recorded.len()];
    expected
        .iter()
        .map(|e| {
            let best = recorded
                .iter()
                .enumerate()
                .filter(|(i, _)| !taken[*i])
                .map(|(i, r)| (fit(e, r), i))
                .max_by(|(a, i), (b, j)| a.cmp(b).then(j.cmp(i)))?;
            taken[best.1] = true;
            Some(best.1)
        })
        .collect()
}

/// How well a recorded value fits an expectation: +1 per leaf that agrees, -1 per leaf that
/// does not or is missing. Matchers agree with anything present.
fn fit(expected: &Value, recorded: &Value) -> i64 {
    match (expected, recorded) {
        (Value::Object(exp), Value::Object(rec)) => exp
            .iter()
            .map(|(k, v)| rec.get(k).map_or(-1, |r| fit(v, r)))
            .sum(),
        (Value::Array(exp), Value::Array(rec)) => {
            exp.iter().zip(rec).map(|(e, r)| fit(e, r)).sum::<i64>()
                - i64::try_from(exp.len().abs_diff(rec.len())).unwrap_or(i64::MAX)
        }
        (Value::String(e), _) if is_matcher(e) => 1,
        (e, r) if e == r => 1,
        _ => -1,
    }
}

/// Whether an expectation string matches more than its own text (a matcher or a placeholder,
/// whose recorded form is symbolic too).
fn is_matcher(text: &str) -> bool {
    text.starts_with('$') && !text.starts_with("$$")
}

fn is_scalar_array(items: &[Value]) -> bool {
    items.iter().all(|v| !v.is_object() && !v.is_array())
}

fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", escape_token(key))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A row as text, for comparing.
    fn row(
        pointer: &str,
        contract: Option<&str>,
        recorded: Option<&str>,
    ) -> (String, Option<String>, Option<String>) {
        (
            pointer.to_owned(),
            contract.map(str::to_owned),
            recorded.map(str::to_owned),
        )
    }

    fn rows(expected: &Value, recorded: &Value) -> Vec<(String, Option<String>, Option<String>)> {
        field_rows(Some(expected), Some(recorded))
            .into_iter()
            .map(|r| (r.pointer, r.contract.map(|c| c.to_string()), r.recorded))
            .collect()
    }

    #[test]
    fn fields_the_expectation_names_are_contract_the_rest_observed() {
        let expected = json!({"state": "Completed", "referenceId": "$type:integer", "gone": "$absent"});
        let recorded = json!({"state": "Completed", "referenceId": "$type:integer", "extra": {"a": 1}});
        assert_eq!(
            rows(&expected, &recorded),
            [
                row("/extra/a", None, Some("1")),
                row("/gone", Some("absent"), None),
                row(
                    "/referenceId",
                    Some("an integer, any value"),
                    Some("\"<integer>\"")
                ),
                row("/state", Some("\"Completed\""), Some("\"Completed\"")),
            ]
        );
    }

    #[test]
    fn set_elements_pair_with_the_recorded_element_they_fit() {
        let expected = json!({"participants": ["$unordered",
            {"type": "Agent", "participantId": "${agent}"},
            {"type": "Customer"}]});
        let recorded = json!({"participants": [
            {"type": "Customer", "nickname": "FirstL"},
            {"type": "Agent", "participantId": "${agent}"}]});
        assert_eq!(
            rows(&expected, &recorded),
            [
                row(
                    "/participants",
                    Some("2 elements, in any order"),
                    Some("2 elements")
                ),
                row("/participants/0/nickname", None, Some("\"FirstL\"")),
                row("/participants/0/type", Some("\"Customer\""), Some("\"Customer\"")),
                row(
                    "/participants/1/participantId",
                    Some("\"{agent}\""),
                    Some("\"{agent}\"")
                ),
                row("/participants/1/type", Some("\"Agent\""), Some("\"Agent\"")),
            ]
        );
    }

    #[test]
    fn scalar_arrays_are_one_row() {
        let expected = json!({"capabilities": ["$unordered", "Leave", "Complete"]});
        let recorded = json!({"capabilities": ["Complete", "Leave"]});
        assert_eq!(
            rows(&expected, &recorded),
            [row(
                "/capabilities",
                Some("in any order: [\"Leave\",\"Complete\"]"),
                Some("[\"Complete\",\"Leave\"]")
            )]
        );
    }
}
