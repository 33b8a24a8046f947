//! The lenient matcher: walks expected and actual together and collects every mismatch.

use serde_json::{Map, Value};

use super::mismatch::{Mismatch, MismatchKind};
use super::pointer::escape_token;
use super::template::{Vars, interpolate_str};

/// Compares `expected` (with matchers and placeholders) against `actual`.
/// Returns every mismatch; an empty vector means the values match.
pub fn match_value(expected: &Value, actual: &Value, vars: &Vars) -> Vec<Mismatch> {
    let mut out = Vec::new();
    walk(expected, actual, "", vars, &mut out);
    out
}

fn walk(expected: &Value, actual: &Value, pointer: &str, vars: &Vars, out: &mut Vec<Mismatch>) {
    match expected {
        Value::Object(exp) => match actual {
            Value::Object(act) => objects(exp, act, pointer, vars, out),
            _ => out.push(type_mismatch(pointer, expected, actual, "object")),
        },
        Value::Array(exp) => match actual {
            Value::Array(act) => arrays(exp, act, pointer, vars, out),
            _ => out.push(type_mismatch(pointer, expected, actual, "array")),
        },
        Value::String(text) => string(text, actual, pointer, vars, out),
        Value::Number(_) => {
            if !numbers_equal(expected, actual) {
                out.push(not_equal(pointer, expected.clone(), actual));
            }
        }
        Value::Bool(_) | Value::Null => {
            if expected != actual {
                out.push(not_equal(pointer, expected.clone(), actual));
            }
        }
    }
}

fn objects(
    exp: &Map<String, Value>,
    act: &Map<String, Value>,
    pointer: &str,
    vars: &Vars,
    out: &mut Vec<Mismatch>,
) {
    for (key, exp_value) in exp {
        let child = format!("{pointer}/{}", escape_token(key));
        let absent = exp_value.as_str() == Some("$absent");
        match (act.get(key), absent) {
            (None, true) => {}
            (Some(found), true) => out.push(Mismatch {
                pointer: child,
                expected: exp_value.clone(),
                actual: Some(found.clone()),
                kind: MismatchKind::NotAbsent,
            }),
            (None, false) => out.push(Mismatch {
                pointer: child,
                expected: resolved(exp_value, vars),
                actual: None,
                kind: MismatchKind::Missing,
            }),
            (Some(found), false) => walk(exp_value, found, &child, vars, out),
        }
    }
}

fn arrays(exp: &[Value], act: &[Value], pointer: &str, vars: &Vars, out: &mut Vec<Mismatch>) {
    if exp.len() != act.len() {
        out.push(Mismatch {
            pointer: pointer.to_owned(),
            expected: Value::Array(exp.iter().map(|v| resolved(v, vars)).collect()),
            actual: Some(Value::Array(act.to_vec())),
            kind: MismatchKind::Length {
                expected: exp.len(),
                actual: act.len(),
            },
        });
    }
    for (index, (e, a)) in exp.iter().zip(act).enumerate() {
        walk(e, a, &format!("{pointer}/{index}"), vars, out);
    }
}

fn string(text: &str, actual: &Value, pointer: &str, vars: &Vars, out: &mut Vec<Mismatch>) {
    let expected = Value::String(text.to_owned());
    if text.starts_with("$$") {
        let literal = Value::String(text[1..].to_owned());
        if &literal != actual {
            out.push(not_equal(pointer, literal, actual));
        }
        return;
    }
    if text == "$any" {
        return;
    }
    if text == "$absent" {
        // Reached only for array elements or the root, where "absent" cannot hold.
        out.push(Mismatch {
            pointer: pointer.to_owned(),
            expected,
            actual: Some(actual.clone()),
            kind: MismatchKind::NotAbsent,
        });
        return;
    }
    if let Some(name) = text.strip_prefix("$type:") {
        if !has_type(actual, name) {
            out.push(type_mismatch(pointer, &expected, actual, name));
        }
        return;
    }
    if let Some(pattern) = text.strip_prefix("$regex:") {
        regex(pattern, &expected, actual, pointer, out);
        return;
    }
    if let Some(path) = text.strip_prefix("$uri:") {
        let wanted = match interpolate_str(path, vars) {
            Ok(Value::String(p)) => p,
            Ok(other) => other.to_string(),
            Err(e) => return out.push(undefined(pointer, &expected, actual, e.name)),
        };
        let ok = actual.as_str().is_some_and(|a| uri_path_and_query(a) == wanted);
        if !ok {
            out.push(Mismatch {
                pointer: pointer.to_owned(),
                expected: Value::String(format!("$uri:{wanted}")),
                actual: Some(actual.clone()),
                kind: MismatchKind::Uri,
            });
        }
        return;
    }
    match interpolate_str(text, vars) {
        Ok(Value::String(s)) => {
            if actual.as_str() != Some(s.as_str()) {
                out.push(not_equal(pointer, Value::String(s), actual));
            }
        }
        // A whole placeholder holding a non-string: compare structurally (exact, not lenient,
        // because captured values are concrete observations, not expectations).
        Ok(value) => {
            if !json_equal(&value, actual) {
                out.push(not_equal(pointer, value, actual));
            }
        }
        Err(e) => out.push(undefined(pointer, &expected, actual, e.name)),
    }
}

fn regex(pattern: &str, expected: &Value, actual: &Value, pointer: &str, out: &mut Vec<Mismatch>) {
    let anchored = format!("^(?:{pattern})$");
    match regex::Regex::new(&anchored) {
        Ok(re) => {
            if !actual.as_str().is_some_and(|a| re.is_match(a)) {
                out.push(Mismatch {
                    pointer: pointer.to_owned(),
                    expected: expected.clone(),
                    actual: Some(actual.clone()),
                    kind: MismatchKind::Regex { invalid: None },
                });
            }
        }
        Err(e) => out.push(Mismatch {
            pointer: pointer.to_owned(),
            expected: expected.clone(),
            actual: Some(actual.clone()),
            kind: MismatchKind::Regex {
                invalid: Some(e.to_string()),
            },
        }),
    }
}

/// The path and query of an absolute URL (or the text itself if it is already a path).
/// Vendors' documentation mangles URLs (`"http: //host: 8090/..."`), so only what follows the
/// authority is compared.
fn uri_path_and_query(text: &str) -> String {
    let Some(scheme_end) = text.find("//") else {
        return text.to_owned();
    };
    let after = &text[scheme_end + 2..];
    match after.find('/') {
        Some(slash) => {
            let rest = &after[slash..];
            rest.split('#').next().unwrap_or(rest).to_owned()
        }
        None => "/".to_owned(),
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        _ => false,
    }
}

/// Structural equality with numbers compared by value.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => numbers_equal(a, b),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

fn numbers_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            if let (Some(x), Some(y)) = (e.as_i64(), a.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (e.as_u64(), a.as_u64()) {
                x == y
            } else {
                e.as_f64() == a.as_f64()
            }
        }
        _ => false,
    }
}

fn resolved(value: &Value, vars: &Vars) -> Value {
    match value {
        Value::String(s) if s.starts_with("${") => interpolate_str(s, vars).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}

fn not_equal(pointer: &str, expected: Value, actual: &Value) -> Mismatch {
    Mismatch {
        pointer: pointer.to_owned(),
        expected,
        actual: Some(actual.clone()),
        kind: MismatchKind::NotEqual,
    }
}

fn type_mismatch(pointer: &str, expected: &Value, actual: &Value, name: &str) -> Mismatch {
    Mismatch {
        pointer: pointer.to_owned(),
        expected: expected.clone(),
        actual: Some(actual.clone()),
        kind: MismatchKind::Type {
            expected: name.to_owned(),
        },
    }
}

fn undefined(pointer: &str, expected: &Value, actual: &Value, name: String) -> Mismatch {
    Mismatch {
        pointer: pointer.to_owned(),
        expected: expected.clone(),
        actual: Some(actual.clone()),
        kind: MismatchKind::UndefinedVariable { name },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(expected: Value, actual: Value) -> Vec<Mismatch> {
        let vars = Vars::from([("session".to_owned(), json!("0002DaAVKJ0V0095"))]);
        match_value(&expected, &actual, &vars)
    }

    #[test]
    fn object_subset_matches() {
        assert!(check(json!({"a": 1}), json!({"a": 1, "b": 2})).is_empty());
    }

    #[test]
    fn reports_every_mismatch_with_pointer() {
        let m = check(
            json!({"facebooksession": {"state": "LeftChat", "id": "${session}"}, "x": 1}),
            json!({"facebooksession": {"state": "Completed", "id": "other"}}),
        );
        let pointers: Vec<_> = m.iter().map(|m| m.pointer.as_str()).collect();
        assert_eq!(pointers, ["/facebooksession/id", "/facebooksession/state", "/x"]);
        assert_eq!(m[0].expected, json!("0002DaAVKJ0V0095"));
        assert_eq!(m[1].kind, MismatchKind::NotEqual);
        assert_eq!(m[2].kind, MismatchKind::Missing);
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(check(json!(1), json!(1.0)).is_empty());
        assert_eq!(check(json!(1), json!(2)).len(), 1);
    }

    #[test]
    fn arrays_compare_by_index_and_length() {
        let m = check(json!([1, 2]), json!([1, 3, 4]));
        assert_eq!(m.len(), 2);
        assert!(matches!(
            m[0].kind,
            MismatchKind::Length {
                expected: 2,
                actual: 3
            }
        ));
        assert_eq!(m[1].pointer, "/1");
    }

    #[test]
    fn string_matchers() {
        assert!(check(json!({"a": "$any"}), json!({"a": null})).is_empty());
        assert_eq!(check(json!({"a": "$any"}), json!({})).len(), 1);
        assert!(check(json!({"a": "$absent"}), json!({})).is_empty());
        assert_eq!(
            check(json!({"a": "$absent"}), json!({"a": 1}))[0].kind,
            MismatchKind::NotAbsent
        );
        assert!(check(json!("$type:integer"), json!(3)).is_empty());
        assert_eq!(check(json!("$type:string"), json!(3)).len(), 1);
        assert!(check(json!("$regex:[0-9A-Z]{16}"), json!("0002DaAVKJ0V0095")).len() == 1);
        assert!(check(json!("$regex:[0-9A-Za-z]{16}"), json!("0002DaAVKJ0V0095")).is_empty());
        assert!(check(json!("$$any"), json!("$any")).is_empty());
        assert_eq!(check(json!("$$any"), json!("x")).len(), 1);
    }

    #[test]
    fn uri_ignores_scheme_host_and_port() {
        let exp = json!("$uri:/api/v2/facebooksessions/${session}");
        assert!(
            check(
                exp.clone(),
                json!("http://192.168.83.25:8090/api/v2/facebooksessions/0002DaAVKJ0V0095")
            )
            .is_empty()
        );
        assert!(
            check(
                exp.clone(),
                json!("https://gws.example/api/v2/facebooksessions/0002DaAVKJ0V0095")
            )
            .is_empty()
        );
        assert_eq!(
            check(exp, json!("http://h/api/v2/facebooksessions/other")).len(),
            1
        );
    }

    #[test]
    fn undefined_variable_is_a_mismatch() {
        let m = check(json!({"a": "${nope}"}), json!({"a": 1}));
        assert_eq!(
            m[0].kind,
            MismatchKind::UndefinedVariable {
                name: "nope".to_owned()
            }
        );
    }
}
