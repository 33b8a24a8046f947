//! Comparing a golden with what a run observed (or with another target's golden): exact on
//! keys and on each actor's whole stream, volatile values by type, ids by binding. Every
//! difference is a [`Drift`] with its risk class; the comparison never stops at the first.
//!
//! Strings in a golden are read as in scenarios: `${name}` is a variable of the run, `$id:NAME`
//! (or `${id:NAME}` inside a string) a symbolic id, `$type:T` a volatile value, `$uri:PATH` a
//! URL compared by path and query, `$$text` a literal. A symbolic id binds at its first
//! occurrence in document order and must hold both ways: the same placeholder is the same
//! value everywhere, different placeholders are different values.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::drift::{Drift, DriftKind, RiskClass};
use super::rules::segments;
use super::symbols::type_name;
use crate::matching::template::IdTemplate;
use crate::matching::{Vars, interpolate_str};

/// How to read the observed side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// Raw values from a run (verify).
    Run,
    /// Another golden, itself symbolised (compare): matchers on either side apply to the other.
    Golden,
}

/// Every drift of `actual` from `golden`. `vars` are the run's variables (captures included).
pub fn diff(golden: &Value, actual: &Value, vars: &Vars, observed: Observed) -> Vec<Drift> {
    let mut d = Differ {
        vars,
        observed,
        by_name: BTreeMap::new(),
        by_value: BTreeMap::new(),
        templates: BTreeMap::new(),
    };
    let mut out = Vec::new();
    for section in ["given", "steps"] {
        let empty = Vec::new();
        let g = golden.get(section).and_then(Value::as_array).unwrap_or(&empty);
        let a = actual.get(section).and_then(Value::as_array).unwrap_or(&empty);
        for (i, entry) in g.iter().enumerate() {
            let pointer = format!("/{section}/{i}");
            match a.get(i) {
                Some(observed) => d.exchange(entry, observed, &pointer, &mut out),
                None => out.push(d.drift(DriftKind::StepMissing, &pointer, Some(entry.clone()), None)),
            }
        }
        for (i, entry) in a.iter().enumerate().skip(g.len()) {
            out.push(d.drift(
                DriftKind::StepAdded,
                &format!("/{section}/{i}"),
                None,
                Some(entry.clone()),
            ));
        }
    }
    // The step a drift belongs to names its actor for requests and responses.
    for drift in &mut out {
        if drift.actor.is_none() {
            drift.actor =
                exchange_actor(golden, &drift.pointer).or_else(|| exchange_actor(actual, &drift.pointer));
        }
    }
    out
}

fn exchange_actor(document: &Value, pointer: &str) -> Option<String> {
    let s = segments(pointer);
    let entry = document.get(s.first()?)?.get(s.get(1)?.parse::<usize>().ok()?)?;
    entry.get("actor").and_then(Value::as_str).map(str::to_owned)
}

struct Differ<'a> {
    vars: &'a Vars,
    observed: Observed,
    /// Placeholder → (value, where it was bound).
    by_name: BTreeMap<String, (String, String)>,
    /// Value → (placeholder, where it was bound).
    by_value: BTreeMap<String, (String, String)>,
    templates: BTreeMap<String, Option<IdTemplate>>,
}

/// What a string comparison found.
enum StringResult {
    Equal,
    Differ { type_changed: bool },
}

impl Differ<'_> {
    fn drift(&self, kind: DriftKind, pointer: &str, expected: Option<Value>, actual: Option<Value>) -> Drift {
        let s = segments(pointer);
        let step = match (
            s.first().map(String::as_str),
            s.get(1).and_then(|i| i.parse::<usize>().ok()),
        ) {
            (Some("given"), Some(i)) => Some(format!("given {}", i + 1)),
            (Some("steps"), Some(i)) => Some(format!("step {}", i + 1)),
            _ => None,
        };
        let actor = (s.get(2).map(String::as_str) == Some("notifications"))
            .then(|| s.get(3).cloned())
            .flatten();
        Drift {
            class: kind.class(),
            kind,
            pointer: pointer.to_owned(),
            step,
            actor,
            expected,
            actual,
        }
    }

    fn exchange(&mut self, golden: &Value, actual: &Value, pointer: &str, out: &mut Vec<Drift>) {
        let (Value::Object(g), Value::Object(a)) = (golden, actual) else {
            self.walk(golden, actual, pointer, true, out);
            return;
        };
        for (key, gv) in g {
            let p = format!("{pointer}/{}", crate::matching::escape_token(key));
            match (key.as_str(), a.get(key)) {
                ("notifications", Some(Value::Object(streams))) if gv.is_object() => {
                    self.streams(gv.as_object().unwrap_or(&Map::new()), streams, &p, out);
                }
                (_, Some(av)) => self.walk(gv, av, &p, true, out),
                (_, None) => out.push(self.drift(DriftKind::FieldRemoved, &p, Some(gv.clone()), None)),
            }
        }
        for (key, av) in a {
            if !g.contains_key(key) {
                let p = format!("{pointer}/{}", crate::matching::escape_token(key));
                out.push(self.drift(DriftKind::FieldAdded, &p, None, Some(av.clone())));
            }
        }
    }

    fn streams(
        &mut self,
        golden: &Map<String, Value>,
        actual: &Map<String, Value>,
        pointer: &str,
        out: &mut Vec<Drift>,
    ) {
        let empty = Vec::new();
        let mut actors: Vec<&String> = golden.keys().chain(actual.keys()).collect();
        actors.sort();
        actors.dedup();
        for actor in actors {
            let g = golden.get(actor).and_then(Value::as_array).unwrap_or(&empty);
            let a = actual.get(actor).and_then(Value::as_array).unwrap_or(&empty);
            let p = format!("{pointer}/{}", crate::matching::escape_token(actor));
            self.stream(g, a, &p, out);
        }
    }

    /// Aligns two streams: the longest common subsequence of equivalent notifications first;
    /// of the rest, the equivalent ones moved (ordering), then the others paired in order
    /// (value drifts); what is left is missing or added.
    fn stream(&mut self, golden: &[Value], actual: &[Value], pointer: &str, out: &mut Vec<Drift>) {
        let eq: Vec<Vec<bool>> = golden
            .iter()
            .map(|g| actual.iter().map(|a| self.equivalent(g, a)).collect())
            .collect();
        let mut pairs = lcs(&eq);
        let mut rest_g: Vec<usize> = (0..golden.len())
            .filter(|i| !pairs.iter().any(|p| p.0 == *i))
            .collect();
        let mut rest_a: Vec<usize> = (0..actual.len())
            .filter(|j| !pairs.iter().any(|p| p.1 == *j))
            .collect();
        let mut moved = Vec::new();
        rest_g.retain(|&i| match rest_a.iter().position(|&j| eq[i][j]) {
            Some(k) => {
                moved.push((i, rest_a.remove(k)));
                false
            }
            None => true,
        });
        for &(i, j) in &moved {
            out.push(self.drift(
                DriftKind::Reordered {
                    golden_index: i,
                    actual_index: j,
                },
                &format!("{pointer}/{i}"),
                None,
                Some(actual[j].clone()),
            ));
        }
        pairs.extend(moved);
        let paired = rest_g.len().min(rest_a.len());
        pairs.extend(rest_g.iter().zip(&rest_a).map(|(&i, &j)| (i, j)));
        pairs.sort_unstable();
        for (i, j) in pairs {
            self.walk(&golden[i], &actual[j], &format!("{pointer}/{i}"), true, out);
        }
        for &i in &rest_g[paired..] {
            out.push(self.drift(
                DriftKind::NotificationMissing,
                &format!("{pointer}/{i}"),
                Some(golden[i].clone()),
                None,
            ));
        }
        for &j in &rest_a[paired..] {
            out.push(self.drift(
                DriftKind::NotificationAdded,
                &format!("{pointer}/{j}"),
                None,
                Some(actual[j].clone()),
            ));
        }
    }

    /// Whether two notifications are the same one: nothing differs above `low` (added fields
    /// do not make another notification), ids not bound.
    fn equivalent(&mut self, golden: &Value, actual: &Value) -> bool {
        let mut drifts = Vec::new();
        self.walk(golden, actual, "", false, &mut drifts);
        drifts.iter().all(|d| d.class == RiskClass::Low)
    }

    fn walk(&mut self, golden: &Value, actual: &Value, pointer: &str, bind: bool, out: &mut Vec<Drift>) {
        match (golden, actual) {
            (Value::Object(g), Value::Object(a)) => {
                for (key, gv) in g {
                    let p = format!("{pointer}/{}", crate::matching::escape_token(key));
                    match a.get(key) {
                        Some(av) => self.walk(gv, av, &p, bind, out),
                        None => out.push(self.drift(DriftKind::FieldRemoved, &p, Some(gv.clone()), None)),
                    }
                }
                for (key, av) in a {
                    if !g.contains_key(key) {
                        let p = format!("{pointer}/{}", crate::matching::escape_token(key));
                        out.push(self.drift(DriftKind::FieldAdded, &p, None, Some(av.clone())));
                    }
                }
            }
            (Value::Array(g), Value::Array(a)) => {
                for (i, (gv, av)) in g.iter().zip(a).enumerate() {
                    self.walk(gv, av, &format!("{pointer}/{i}"), bind, out);
                }
                for (i, gv) in g.iter().enumerate().skip(a.len()) {
                    out.push(self.drift(
                        DriftKind::ElementRemoved,
                        &format!("{pointer}/{i}"),
                        Some(gv.clone()),
                        None,
                    ));
                }
                for (i, av) in a.iter().enumerate().skip(g.len()) {
                    out.push(self.drift(
                        DriftKind::ElementAdded,
                        &format!("{pointer}/{i}"),
                        None,
                        Some(av.clone()),
                    ));
                }
            }
            (Value::String(text), _) => match self.string(text, actual, pointer, bind, out) {
                StringResult::Equal => {}
                StringResult::Differ { type_changed } => {
                    let kind = if type_changed {
                        DriftKind::TypeChanged
                    } else {
                        self.value_kind(pointer)
                    };
                    out.push(self.drift(kind, pointer, Some(golden.clone()), Some(actual.clone())));
                }
            },
            (_, Value::String(text)) if self.observed == Observed::Golden && is_matcher(text) => {
                // Compare mode: the other golden says this value is volatile or symbolic.
                if let StringResult::Differ { type_changed } = self.string(text, golden, pointer, false, out)
                {
                    let kind = if type_changed {
                        DriftKind::TypeChanged
                    } else {
                        self.value_kind(pointer)
                    };
                    out.push(self.drift(kind, pointer, Some(golden.clone()), Some(actual.clone())));
                }
            }
            (g, a) if type_name(g) != type_name(a) && !(g.is_number() && a.is_number()) => {
                out.push(self.drift(DriftKind::TypeChanged, pointer, Some(g.clone()), Some(a.clone())));
            }
            (g, a) => {
                if !scalars_equal(g, a) {
                    out.push(self.drift(
                        self.value_kind(pointer),
                        pointer,
                        Some(g.clone()),
                        Some(a.clone()),
                    ));
                }
            }
        }
    }

    /// A changed status (HTTP status of a response or hook reply, or a GWS `statusCode`) is
    /// high risk; any other changed value medium.
    fn value_kind(&self, pointer: &str) -> DriftKind {
        let s = segments(pointer);
        let last = s.last().map(String::as_str);
        let parent = s.len().checked_sub(2).and_then(|i| s.get(i)).map(String::as_str);
        let status = last == Some("statusCode")
            || (last == Some("status") && matches!(parent, Some("response" | "reply")) && s.len() == 4);
        if status {
            DriftKind::StatusChanged
        } else {
            DriftKind::ValueChanged
        }
    }

    fn string(
        &mut self,
        text: &str,
        actual: &Value,
        pointer: &str,
        bind: bool,
        out: &mut Vec<Drift>,
    ) -> StringResult {
        let differ = |type_changed| StringResult::Differ { type_changed };
        if self.observed == Observed::Golden && actual.as_str() == Some(text) {
            // Two goldens agree literally; their ids still have to correspond one to one.
            if let Some(name) = text.strip_prefix("$id:") {
                self.bind(name, text, pointer, bind, out);
            }
            return StringResult::Equal;
        }
        if let Some(literal) = text.strip_prefix('$').filter(|t| t.starts_with('$')) {
            return match actual.as_str() {
                Some(a) if a == literal => StringResult::Equal,
                Some(_) => differ(false),
                None => differ(true),
            };
        }
        if text == "$any" {
            return StringResult::Equal;
        }
        if let Some(ty) = text.strip_prefix("$type:") {
            let holds = match ty {
                "integer" => actual.as_f64().is_some_and(|f| f.fract() == 0.0),
                "number" => actual.is_number(),
                other => type_name(actual) == other,
            };
            return if holds { StringResult::Equal } else { differ(true) };
        }
        let Some(actual_text) = actual.as_str() else {
            // `${name}` may stand for a non-string value.
            if let Ok(value) = interpolate_str(text, self.vars)
                && !value.is_string()
            {
                return if scalars_equal(&value, actual) || value == *actual {
                    StringResult::Equal
                } else {
                    differ(type_name(&value) != type_name(actual))
                };
            }
            return differ(true);
        };
        if let Some(name) = text.strip_prefix("$id:") {
            self.bind(name, actual_text, pointer, bind, out);
            return StringResult::Equal;
        }
        if let Some(pattern) = text.strip_prefix("$regex:") {
            return match regex::Regex::new(&format!("^(?:{pattern})$")) {
                Ok(re) if re.is_match(actual_text) => StringResult::Equal,
                _ => differ(false),
            };
        }
        let (template, observed) = match text.strip_prefix("$uri:") {
            Some(path) => (path, crate::matching::path_and_query(actual_text)),
            None => (text, actual_text),
        };
        let compiled = self
            .templates
            .entry(template.to_owned())
            .or_insert_with(|| IdTemplate::compile(template, self.vars).ok().flatten())
            .clone();
        if let Some(t) = compiled {
            return match t.bind(observed) {
                Some(ids) => {
                    for (name, value) in ids {
                        self.bind(name, value, pointer, bind, out);
                    }
                    StringResult::Equal
                }
                None => differ(false),
            };
        }
        let wanted = match interpolate_str(template, self.vars) {
            Ok(Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => return differ(false),
        };
        let wanted = if text.starts_with("$uri:") {
            crate::matching::path_and_query(&wanted).to_owned()
        } else {
            wanted
        };
        if wanted == observed {
            StringResult::Equal
        } else {
            differ(false)
        }
    }

    /// Binds placeholder `name` to `value`, or reports the binding it breaks.
    fn bind(&mut self, name: &str, value: &str, pointer: &str, bind: bool, out: &mut Vec<Drift>) {
        if !bind {
            return;
        }
        let placeholder = format!("$id:{name}");
        if let Some((bound, first)) = self.by_name.get(name) {
            if bound != value {
                let drift = self.drift(
                    DriftKind::BindingViolated {
                        placeholder: placeholder.clone(),
                        first: first.clone(),
                    },
                    pointer,
                    Some(Value::String(bound.clone())),
                    Some(Value::String(value.to_owned())),
                );
                out.push(drift);
            }
            return;
        }
        if let Some((other, first)) = self.by_value.get(value) {
            let drift = self.drift(
                DriftKind::BindingViolated {
                    placeholder,
                    first: first.clone(),
                },
                pointer,
                Some(Value::String(format!("a value other than $id:{other}'s"))),
                Some(Value::String(value.to_owned())),
            );
            out.push(drift);
            return;
        }
        self.by_name
            .insert(name.to_owned(), (value.to_owned(), pointer.to_owned()));
        self.by_value
            .insert(value.to_owned(), (name.to_owned(), pointer.to_owned()));
    }
}

/// Whether a string in a golden is a matcher or placeholder rather than literal text.
fn is_matcher(text: &str) -> bool {
    text.starts_with('$') && !text.starts_with("$$") || text.contains("${")
}

/// Numbers by value; everything else exactly.
fn scalars_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

/// The longest common subsequence of `eq` (golden × actual) as index pairs, in order.
fn lcs(eq: &[Vec<bool>]) -> Vec<(usize, usize)> {
    let n = eq.len();
    let m = eq.first().map_or(0, Vec::len);
    let mut table = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if eq[i][j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < n && j < m {
        if eq[i][j] && table[i][j] == table[i + 1][j + 1] + 1 {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn golden() -> Value {
        json!({
            "given": [{"state": "s", "reply": {"status": 200, "body": {"id": "${session}"}}, "notifications": {"a": []}}],
            "steps": [{
                "actor": "a",
                "response": {"status": 200, "body": {"statusCode": 0}},
                "notifications": {"a": [
                    {"n": 1, "who": "$id:p-1", "at": "$type:integer", "uri": "$uri:/s/${session}/u/${id:u-1}"},
                    {"n": 2, "who": "$id:p-2"},
                    {"n": 3, "who": "$id:p-1"}
                ]}
            }]
        })
    }

    fn observed() -> Value {
        json!({
            "given": [{"state": "s", "reply": {"status": 200, "body": {"id": "S1"}}, "notifications": {"a": []}}],
            "steps": [{
                "actor": "a",
                "response": {"status": 200, "body": {"statusCode": 0}},
                "notifications": {"a": [
                    {"n": 1, "who": "P1", "at": 17, "uri": "http://localhost:9/s/S1/u/U1"},
                    {"n": 2, "who": "P2"},
                    {"n": 3, "who": "P1"}
                ]}
            }]
        })
    }

    fn vars() -> Vars {
        Vars::from([("session".to_owned(), json!("S1"))])
    }

    fn drifts(change: impl FnOnce(&mut Value)) -> Vec<(RiskClass, String, String)> {
        let mut actual = observed();
        change(&mut actual);
        diff(&golden(), &actual, &vars(), Observed::Run)
            .into_iter()
            .map(|d| {
                let kind = serde_json::to_value(&d.kind).expect("serialises")["kind"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                (d.class, kind, d.pointer)
            })
            .collect()
    }

    #[test]
    fn the_same_behaviour_on_another_host_has_no_drift() {
        assert_eq!(drifts(|_| {}), []);
    }

    #[test]
    fn each_risk_class_is_detected_and_named() {
        let stream = "/steps/0/notifications/a";
        assert_eq!(
            drifts(|a| a["steps"][0]["response"]["status"] = json!(202)),
            [(
                RiskClass::High,
                "status_changed".into(),
                "/steps/0/response/status".into()
            )]
        );
        assert_eq!(
            drifts(|a| a["steps"][0]["response"]["body"]["statusCode"] = json!(2)),
            [(
                RiskClass::High,
                "status_changed".into(),
                "/steps/0/response/body/statusCode".into()
            )]
        );
        assert_eq!(
            drifts(|a| a["steps"][0]["notifications"]["a"][0]["at"] = json!("17")),
            [(RiskClass::High, "type_changed".into(), format!("{stream}/0/at"))]
        );
        assert_eq!(
            drifts(|a| {
                a["steps"][0]["notifications"]["a"][1]
                    .as_object_mut()
                    .expect("object")
                    .remove("n");
            }),
            [(RiskClass::High, "field_removed".into(), format!("{stream}/1/n"))]
        );
        assert_eq!(
            drifts(|a| {
                a["steps"][0]["notifications"]["a"]
                    .as_array_mut()
                    .expect("array")
                    .remove(1);
            }),
            [(
                RiskClass::High,
                "notification_missing".into(),
                format!("{stream}/1")
            )]
        );
        assert_eq!(
            drifts(|a| a["steps"][0]["notifications"]["a"][1]["n"] = json!(5)),
            [(RiskClass::Medium, "value_changed".into(), format!("{stream}/1/n"))]
        );
        assert_eq!(
            drifts(|a| a["steps"][0]["notifications"]["a"]
                .as_array_mut()
                .expect("array")
                .push(json!({"n": 4}))),
            [(
                RiskClass::Medium,
                "notification_added".into(),
                format!("{stream}/3")
            )]
        );
        assert_eq!(
            drifts(|a| a["steps"][0]["notifications"]["a"]
                .as_array_mut()
                .expect("array")
                .swap(0, 1)),
            [(RiskClass::Ordering, "reordered".into(), format!("{stream}/0"))]
        );
        assert_eq!(
            drifts(|a| a["steps"][0]["notifications"]["a"][1]["extra"] = json!(true)),
            [(RiskClass::Low, "field_added".into(), format!("{stream}/1/extra"))]
        );
    }

    #[test]
    fn a_binding_violated_in_either_direction_is_a_drift_naming_both_places() {
        // The same placeholder, another value.
        let same_name = diff(
            &golden(),
            &{
                let mut a = observed();
                a["steps"][0]["notifications"]["a"][2]["who"] = json!("P9");
                a
            },
            &vars(),
            Observed::Run,
        );
        assert_eq!(same_name.len(), 1, "{same_name:#?}");
        assert_eq!(
            same_name[0].kind,
            DriftKind::BindingViolated {
                placeholder: "$id:p-1".into(),
                first: "/steps/0/notifications/a/0/who".into()
            }
        );
        assert_eq!(same_name[0].pointer, "/steps/0/notifications/a/2/who");
        // Another placeholder, the same value.
        let same_value = diff(
            &golden(),
            &{
                let mut a = observed();
                a["steps"][0]["notifications"]["a"][1]["who"] = json!("P1");
                a
            },
            &vars(),
            Observed::Run,
        );
        assert_eq!(same_value.len(), 1, "{same_value:#?}");
        assert_eq!(
            same_value[0].kind,
            DriftKind::BindingViolated {
                placeholder: "$id:p-2".into(),
                first: "/steps/0/notifications/a/0/who".into()
            }
        );
        // Ids inside strings bind too.
        let inside = diff(
            &golden(),
            &{
                let mut a = observed();
                a["steps"][0]["notifications"]["a"][1]["who"] = json!("U1");
                a
            },
            &vars(),
            Observed::Run,
        );
        assert_eq!(inside.len(), 1, "{inside:#?}");
    }

    #[test]
    fn two_goldens_compare_symmetrically() {
        let mut other = golden();
        other["steps"][0]["notifications"]["a"][0]["at"] = json!(5);
        assert_eq!(diff(&golden(), &other, &Vars::new(), Observed::Golden), []);
        assert_eq!(diff(&other, &golden(), &Vars::new(), Observed::Golden), []);
        other["steps"][0]["notifications"]["a"][1]["n"] = json!(7);
        let drifts = diff(&golden(), &other, &Vars::new(), Observed::Golden);
        assert_eq!(drifts.len(), 1, "{drifts:#?}");
        assert_eq!(drifts[0].pointer, "/steps/0/notifications/a/1/n");
        assert_eq!(
            (drifts[0].expected.clone(), drifts[0].actual.clone()),
            (Some(json!(2)), Some(json!(7)))
        );
    }
}
