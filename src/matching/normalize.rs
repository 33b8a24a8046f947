//! Normalise-to-expected (snapbox's `NormalizeToExpected`, DESIGN.md §4.6): rewrites the
//! expected and the actual document into a pair whose only differences are the real ones, so a
//! textual diff of the two (`report::unified_diff`) or an RFC 6902 patch between them
//! ([`Normalized::patch`]) shows nothing else. The rules are on [`normalize()`].

use serde::Serialize;
use serde_json::{Map, Value};

use super::lenient::{ArrayMode, Ctx, array_mode, scalars_equal};
use super::matcher::ABSENT;
use super::template::Vars;

/// The expected and the actual document rewritten so that their differences are exactly the
/// mismatches (see [`normalize()`] for the rules).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Normalized {
    /// The expected side: expectations resolved, matched positions replaced by actual values.
    pub expected: Value,
    /// The actual side: only what the expectation talks about.
    pub actual: Value,
}

impl Normalized {
    /// Whether the two sides are identical, which holds exactly when the values match.
    pub fn is_match(&self) -> bool {
        self.expected == self.actual
    }

    /// The RFC 6902 patch that turns the normalised expected into the normalised actual; empty
    /// exactly when the values match. For machine-readable reports.
    pub fn patch(&self) -> json_patch::Patch {
        json_patch::diff(&self.expected, &self.actual)
    }
}

/// Normalises `actual` to `expected` (and `expected` to `actual`) for diffing.
///
/// The rewriting, position by position (it makes exactly the decisions [`match_value`] makes,
/// with the same optimal assignment for `$unordered`/`$contains`):
/// - where the expectation holds (a matcher matched, a placeholder resolved to the actual
///   value, a number equal by value), **both sides show the actual value**;
/// - where it does not, the expected side shows the expectation with placeholders resolved and
///   matchers as written (`"$regex:[0-9]+"`), and the actual side the actual value. In the rare
///   case where the actual value is the very text of the failed matcher, the expected side gets
///   ` (not matched)` appended so the two sides still differ;
/// - object keys only in the actual are dropped (they are allowed); a key only in the expected
///   stays on the expected side; a key that must be `$absent` is dropped from both sides when
///   it is absent and kept on the actual side when it is present;
/// - arrays under `$unordered`/`$contains` lose their marker and are laid out in the actual
///   array's order, each expected element next to the actual element it was assigned; under
///   `$unordered` unassigned actual elements stay (in place, actual side only); under
///   `$contains` they are dropped; expected elements without a partner come last, expected
///   side only. Ordered arrays pair by index; surplus elements appear on their side only.
///
/// Hence: `match_value(..).is_empty()` ⇔ `normalized.expected == normalized.actual` ⇔ the patch
/// is empty, and applying the patch to the normalised expected yields the normalised actual.
///
/// [`match_value`]: super::match_value
pub fn normalize(expected: &Value, actual: &Value, vars: &Vars) -> Normalized {
    let (expected, actual) = Ctx::new(vars).normalize(expected, actual);
    Normalized { expected, actual }
}

impl<'e> Ctx<'e> {
    fn normalize(&self, expected: &'e Value, actual: &Value) -> (Value, Value) {
        match (expected, actual) {
            (Value::Object(exp), Value::Object(act)) => self.normalize_object(exp, act),
            (Value::Array(exp), Value::Array(act)) => self.normalize_array(exp, act),
            (Value::Object(_) | Value::Array(_), _) => (self.render(expected), actual.clone()),
            (Value::String(text), _) => match self.eval_string(text, actual) {
                Ok(_) => (actual.clone(), actual.clone()),
                Err(failed) if failed.expected == *actual => {
                    (Value::String(format!("{text} (not matched)")), actual.clone())
                }
                Err(failed) => (failed.expected, actual.clone()),
            },
            (Value::Number(_) | Value::Bool(_) | Value::Null, _) => {
                if scalars_equal(expected, actual) {
                    (actual.clone(), actual.clone())
                } else {
                    (expected.clone(), actual.clone())
                }
            }
        }
    }

    fn normalize_object(&self, exp: &'e Map<String, Value>, act: &Map<String, Value>) -> (Value, Value) {
        let mut left = Map::new();
        let mut right = Map::new();
        for (key, exp_value) in exp {
            let absent = exp_value.as_str() == Some(ABSENT);
            match (act.get(key), absent) {
                (None, true) => {}
                (Some(found), true) => {
                    right.insert(key.clone(), found.clone());
                }
                (None, false) => {
                    left.insert(key.clone(), self.render(exp_value));
                }
                (Some(found), false) => {
                    let (l, r) = self.normalize(exp_value, found);
                    left.insert(key.clone(), l);
                    right.insert(key.clone(), r);
                }
            }
        }
        (Value::Object(left), Value::Object(right))
    }

    fn normalize_array(&self, exp: &'e [Value], act: &[Value]) -> (Value, Value) {
        let mut left = Vec::with_capacity(exp.len());
        let mut right = Vec::with_capacity(act.len());
        let (mode, items) = array_mode(exp);
        if mode == ArrayMode::Ordered {
            for (e, a) in items.iter().zip(act) {
                let (l, r) = self.normalize(e, a);
                left.push(l);
                right.push(r);
            }
            left.extend(items.iter().skip(act.len()).map(|e| self.render(e)));
            right.extend(act.iter().skip(items.len()).cloned());
            return (Value::Array(left), Value::Array(right));
        }
        let pairing = self.pair(items, act);
        for (j, partner) in pairing.partner_of_actual.iter().enumerate() {
            match partner {
                Some(i) => {
                    let (l, r) = self.normalize(&items[*i], &act[j]);
                    left.push(l);
                    right.push(r);
                }
                None if mode == ArrayMode::Unordered => right.push(act[j].clone()),
                None => {}
            }
        }
        left.extend(pairing.lone_expected.iter().map(|&i| self.render(&items[i])));
        (Value::Array(left), Value::Array(right))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::matching::match_value;

    fn vars() -> Vars {
        Vars::from([
            ("session".to_owned(), json!("0002DaAVKJ0V0095")),
            ("n".to_owned(), json!(7)),
        ])
    }

    fn norm(expected: Value, actual: Value) -> (Value, Value) {
        let n = normalize(&expected, &actual, &vars());
        assert_eq!(
            n.is_match(),
            match_value(&expected, &actual, &vars()).is_empty(),
            "normalised equality agrees with the matcher"
        );
        (n.expected, n.actual)
    }

    #[test]
    fn matched_matchers_show_the_actual_value_on_both_sides() {
        let (e, a) = norm(
            json!({"id": "${session}", "at": "$type:integer", "n": 1, "s": "$regex:[a-z]+", "u": "$uri:/x"}),
            json!({"id": "0002DaAVKJ0V0095", "at": 12, "n": 1.0, "s": "abc", "u": "http://h:1/x", "extra": 1}),
        );
        assert_eq!(e, a);
        assert_eq!(
            a,
            json!({"id": "0002DaAVKJ0V0095", "at": 12, "n": 1.0, "s": "abc", "u": "http://h:1/x"})
        );
    }

    #[test]
    fn failed_matchers_keep_their_text_and_placeholders_are_resolved() {
        let (e, a) = norm(
            json!({"id": "${session}", "at": "$type:integer", "s": "$regex:[a-z]+", "k": "${n}"}),
            json!({"id": "other", "at": "12", "s": "ABC", "k": 8}),
        );
        assert_eq!(
            e,
            json!({"id": "0002DaAVKJ0V0095", "at": "$type:integer", "s": "$regex:[a-z]+", "k": 7})
        );
        assert_eq!(a, json!({"id": "other", "at": "12", "s": "ABC", "k": 8}));
    }

    #[test]
    fn actual_equal_to_a_failed_matcher_text_still_differs() {
        let (e, a) = norm(json!("$type:number"), json!("$type:number"));
        assert_eq!(e, json!("$type:number (not matched)"));
        assert_eq!(a, json!("$type:number"));
    }

    #[test]
    fn missing_absent_and_extra_keys() {
        let (e, a) = norm(
            json!({"gone": "$any", "absent_ok": "$absent", "absent_bad": "$absent", "same": 1}),
            json!({"absent_bad": 2, "same": 1, "extra": true}),
        );
        assert_eq!(e, json!({"gone": "$any", "same": 1}));
        assert_eq!(a, json!({"absent_bad": 2, "same": 1}));
    }

    #[test]
    fn unordered_arrays_align_by_assignment_in_actual_order() {
        let (e, a) = norm(
            json!(["$unordered", {"t": "Agent", "n": "b"}, {"t": "Customer", "n": "$any"}]),
            json!([{"t": "Customer", "n": "c"}, {"t": "Agent", "n": "x"}, {"t": "Bot"}]),
        );
        assert_eq!(e, json!([{"t": "Customer", "n": "c"}, {"t": "Agent", "n": "b"}]));
        assert_eq!(
            a,
            json!([{"t": "Customer", "n": "c"}, {"t": "Agent", "n": "x"}, {"t": "Bot"}])
        );
    }

    #[test]
    fn contains_drops_unassigned_actual_elements() {
        let (e, a) = norm(json!(["$contains", 3, 1]), json!([1, 2, 3]));
        assert_eq!((&e, &a), (&json!([1, 3]), &json!([1, 3])));
        let (e, a) = norm(json!(["$contains", {"a": 1}, 9]), json!([{"a": 2, "b": 0}]));
        assert_eq!(e, json!([{"a": 1}, 9]));
        assert_eq!(a, json!([{"a": 2}]));
    }

    #[test]
    fn ordered_arrays_pair_by_index() {
        let (e, a) = norm(json!([1, "$any", 3]), json!([1, "x"]));
        assert_eq!((e, a), (json!([1, "x", 3]), json!([1, "x"])));
    }

    #[test]
    fn patch_turns_expected_into_actual() {
        let n = normalize(
            &json!({"a": [1, 2], "b": "$any"}),
            &json!({"a": [1, 3, 4], "b": 0}),
            &vars(),
        );
        let mut doc = n.expected.clone();
        json_patch::patch(&mut doc, &n.patch()).expect("the patch applies");
        assert_eq!(doc, n.actual);
        assert!(!n.patch().is_empty());
        let same = normalize(&json!({"b": "$any"}), &json!({"b": 0}), &vars());
        assert!(same.patch().is_empty());
    }
}
