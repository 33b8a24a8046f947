//! Issue 4: the laws of the lenient matcher, as property tests over generated documents.
//!
//! Expectations are *derived* from a generated actual document by the moves a scenario author
//! makes (replace a value by a matcher, drop keys, forbid a key with `$absent`, turn an array
//! into `$unordered`/`$contains`, write `1.0` for `1`, escape a leading `$`), optionally with
//! mutations that must break the match. Each law then holds for every pair.

use gws_contract::matching::{Mismatch, MismatchKind, Vars, lint, match_value, normalize};
use gws_contract::report::unified_diff;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Small deterministic random source, so one generated seed drives a whole derivation.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

fn rng(seed: u64) -> Rng {
    Rng(seed | 1)
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3_i64..4).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-4.0_f64..4.0).prop_map(|f| json!(f)),
        "[a-c]{0,3}".prop_map(Value::String),
        r"\$[a-c{}$]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-d]", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

const TYPES: [&str; 7] = [
    "string", "number", "integer", "boolean", "null", "object", "array",
];

fn type_holds(name: &str, value: &Value) -> bool {
    match name {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "object" => value.is_object(),
        _ => value.is_array(),
    }
}

/// The literal expectation for a string: a leading `$` is escaped with `$$`.
fn literal(text: &str) -> Value {
    if text.starts_with('$') {
        Value::String(format!("${text}"))
    } else {
        Value::String(text.to_owned())
    }
}

/// An expectation for `actual`; without `mutate` it always matches.
fn derive(actual: &Value, rng: &mut Rng, mutate: bool) -> Value {
    if mutate && rng.one_in(8) {
        return mutation(actual, rng);
    }
    match rng.below(10) {
        0 => return json!("$any"),
        1 => {
            let holding: Vec<&str> = TYPES.iter().copied().filter(|t| type_holds(t, actual)).collect();
            return json!(format!(
                "$type:{}",
                holding[rng.below(holding.len() as u64) as usize]
            ));
        }
        _ => {}
    }
    match actual {
        Value::String(text) if rng.one_in(3) => json!(format!("$regex:{}", regex::escape(text))),
        Value::String(text) => literal(text),
        Value::Number(n) if n.is_i64() && rng.one_in(2) => json!(n.as_f64()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                if !rng.one_in(5) {
                    out.insert(key.clone(), derive(value, rng, mutate));
                }
            }
            if rng.one_in(4) {
                out.insert("zz_absent".to_owned(), json!("$absent"));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut derived: Vec<Value> = items.iter().map(|v| derive(v, rng, mutate)).collect();
            match rng.below(3) {
                0 => Value::Array(derived),
                mode => {
                    rng.shuffle(&mut derived);
                    let marker = if mode == 1 { "$unordered" } else { "$contains" };
                    if mode == 2 {
                        derived.retain(|_| !rng.one_in(3));
                    }
                    Value::Array(std::iter::once(json!(marker)).chain(derived).collect())
                }
            }
        }
        other => other.clone(),
    }
}

/// An expectation that `actual` cannot satisfy.
fn mutation(actual: &Value, rng: &mut Rng) -> Value {
    match actual {
        Value::Object(map) if rng.one_in(2) => {
            let mut out: Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), derive(v, rng, false)))
                .collect();
            match map.keys().next() {
                Some(key) if rng.one_in(2) => out.insert(key.clone(), json!("$absent")),
                _ => out.insert("zz_missing".to_owned(), json!(1)),
            };
            Value::Object(out)
        }
        Value::Array(items) if rng.one_in(2) => {
            let mut derived: Vec<Value> = items.iter().map(|v| derive(v, rng, false)).collect();
            if derived.pop().is_none() {
                derived.push(json!("zz_mutated"));
            }
            Value::Array(derived)
        }
        _ if rng.one_in(2) => {
            let failing: Vec<&str> = TYPES.iter().copied().filter(|t| !type_holds(t, actual)).collect();
            json!(format!(
                "$type:{}",
                failing[rng.below(failing.len() as u64) as usize]
            ))
        }
        _ => json!("zz_mutated"),
    }
}

/// Adds a key no expectation names to every object.
fn with_extra_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out: Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), with_extra_keys(v))).collect();
            out.insert("zz_extra".to_owned(), json!({"x": [1, "$any"]}));
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(with_extra_keys).collect()),
        other => other.clone(),
    }
}

/// Escapes every leading `$`, giving an expectation that means exactly `value`.
fn escaped(value: &Value) -> Value {
    match value {
        Value::String(text) => literal(text),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), escaped(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(escaped).collect()),
        other => other.clone(),
    }
}

fn has_dollar_strings(value: &Value) -> bool {
    match value {
        Value::String(text) => text.starts_with('$'),
        Value::Object(map) => map.values().any(has_dollar_strings),
        Value::Array(items) => items.iter().any(has_dollar_strings),
        _ => false,
    }
}

fn shape(mismatches: &[Mismatch]) -> Vec<(String, MismatchKind)> {
    mismatches
        .iter()
        .map(|m| (m.pointer.clone(), m.kind.clone()))
        .collect()
}

fn parent(pointer: &str) -> &str {
    pointer.rsplit_once('/').map_or("", |(parent, _)| parent)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn matching_derived_expectations_hold(actual in arb_json(), seed in any::<u64>()) {
        let expected = derive(&actual, &mut rng(seed), false);
        let mismatches = match_value(&expected, &actual, &Vars::new());
        prop_assert!(mismatches.is_empty(), "{expected} vs {actual}: {mismatches:#?}");
        prop_assert!(lint(&expected).is_empty(), "derived expectations are well-formed: {expected}");
    }

    #[test]
    fn verdict_normalised_diff_and_patch_agree(actual in arb_json(), seed in any::<u64>()) {
        let expected = derive(&actual, &mut rng(seed), true);
        let vars = Vars::new();
        let mismatches = match_value(&expected, &actual, &vars);
        let normalized = normalize(&expected, &actual, &vars);
        let patch = normalized.patch();
        let diff = unified_diff(&normalized);
        let clean = mismatches.is_empty();
        prop_assert_eq!(clean, normalized.expected == normalized.actual, "{} vs {}: {:#?}", expected, actual, normalized);
        prop_assert_eq!(clean, patch.is_empty());
        prop_assert_eq!(clean, diff.is_empty());
        let mut patched = normalized.expected.clone();
        json_patch::patch(&mut patched, &patch).expect("the patch applies to the normalised expected");
        prop_assert_eq!(patched, normalized.actual);
    }

    #[test]
    fn every_pointer_resolves_in_the_actual(actual in arb_json(), seed in any::<u64>()) {
        let expected = derive(&actual, &mut rng(seed), true);
        for m in match_value(&expected, &actual, &Vars::new()) {
            if m.kind == MismatchKind::Missing {
                prop_assert!(actual.pointer(&m.pointer).is_none(), "{m:?}");
                prop_assert!(actual.pointer(parent(&m.pointer)).is_some_and(Value::is_object), "{m:?}");
            } else {
                prop_assert!(actual.pointer(&m.pointer).is_some(), "{m:?} in {actual}");
            }
        }
    }

    #[test]
    fn extra_actual_keys_never_create_mismatches(actual in arb_json(), seed in any::<u64>()) {
        let expected = derive(&actual, &mut rng(seed), true);
        let vars = Vars::new();
        prop_assert_eq!(
            shape(&match_value(&expected, &actual, &vars)),
            shape(&match_value(&expected, &with_extra_keys(&actual), &vars))
        );
    }

    #[test]
    fn permuting_an_unordered_actual_keeps_the_verdict(
        items in prop::collection::vec(arb_json(), 0..7),
        seed in any::<u64>(),
        mutate in any::<bool>(),
    ) {
        let mut rng = rng(seed);
        let expected: Value = std::iter::once(json!("$unordered"))
            .chain(items.iter().map(|v| derive(v, &mut rng, mutate)))
            .collect();
        let mut permuted = items.clone();
        rng.shuffle(&mut permuted);
        let vars = Vars::new();
        let original = match_value(&expected, &Value::Array(items), &vars);
        let shuffled = match_value(&expected, &Value::Array(permuted), &vars);
        prop_assert_eq!(original.is_empty(), shuffled.is_empty(), "{:#?} / {:#?}", original, shuffled);
    }

    #[test]
    fn any_matches_anything_present(value in arb_json()) {
        let any_key = json!({"k": "$any"});
        let present = json!({"k": value.clone(), "z": 1});
        let missing = json!({"z": value.clone()});
        prop_assert!(match_value(&json!("$any"), &value, &Vars::new()).is_empty());
        prop_assert!(match_value(&any_key, &present, &Vars::new()).is_empty());
        prop_assert_eq!(match_value(&any_key, &missing, &Vars::new()).len(), 1);
    }

    #[test]
    fn a_value_matches_itself(value in arb_json()) {
        prop_assert!(match_value(&escaped(&value), &value, &Vars::new()).is_empty());
        if !has_dollar_strings(&value) {
            prop_assert!(match_value(&value, &value, &Vars::new()).is_empty());
        }
    }

    #[test]
    fn integers_match_their_float(n in any::<i64>()) {
        let (int, float) = (json!(n), json!(n as f64));
        prop_assert!(match_value(&int, &float, &Vars::new()).is_empty());
        prop_assert!(match_value(&float, &int, &Vars::new()).is_empty());
        prop_assert!(match_value(&json!("$type:integer"), &float, &Vars::new()).is_empty());
    }
}
