//! Symbolisation: turning a raw golden document into one that replays anywhere.
//!
//! In canonical document order (`given` then `steps`, each in order; keys sorted, so actors by
//! name — never arrival order):
//! 1. a value equal to a captured variable becomes `${name}`;
//! 2. a value at a path an `id` rule names becomes `$id:NAME-N`, numbered by first occurrence,
//!    the same value always the same placeholder (across actors and steps);
//! 3. a value at a path a `volatile` rule names becomes `$type:TYPE`;
//! 4. an absolute URL becomes `$uri:PATH?QUERY` (scheme, host and port are the server's own
//!    address, whatever name the client used);
//! 5. inside the remaining strings, occurrences of captured values and ids (4 characters or
//!    more, so short values never replace parts of words) become `${name}` / `${id:NAME-N}`.
//!
//! A literal string that would read as a matcher is escaped, so nothing recorded is ever
//! reinterpreted.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::rules::{CompiledRule, RuleKind, Rules};
use crate::matching::{Vars, escape_token};

/// Ids and captured values shorter than this are only replaced as whole values.
const MIN_EMBEDDED: usize = 4;

/// The symbolised form of `document`, given the captured variables and the rules.
pub fn symbolize(document: &Value, captured: &Vars, rules: &Rules) -> Value {
    let compiled = rules.compiled();
    let mut ids = IdTable::default();
    let mut pointer = Vec::new();
    collect_ids(document, &mut pointer, &compiled, captured, &mut ids);
    let by_value = captured_by_value(captured);
    let embedded = Embedded::new(&by_value, &ids);
    let mut pointer = Vec::new();
    rewrite(document, &mut pointer, &compiled, &by_value, &ids, &embedded)
}

/// Captured string values → variable name (the first name in order when two share a value).
fn captured_by_value(captured: &Vars) -> BTreeMap<String, String> {
    let mut by_value = BTreeMap::new();
    for (name, value) in captured {
        if let Value::String(s) = value
            && !s.is_empty()
        {
            by_value.entry(s.clone()).or_insert_with(|| name.clone());
        }
    }
    by_value
}

/// Id values found so far → placeholder, numbered per name in order of first occurrence.
#[derive(Debug, Default)]
pub(crate) struct IdTable {
    pub placeholders: BTreeMap<String, String>,
    counters: BTreeMap<String, usize>,
}

impl IdTable {
    fn register(&mut self, value: &str, name: &str) {
        if value.is_empty() || self.placeholders.contains_key(value) {
            return;
        }
        let n = self.counters.entry(name.to_owned()).or_insert(0);
        *n += 1;
        self.placeholders.insert(value.to_owned(), format!("{name}-{n}"));
    }
}

/// The rule of `kind` that applies at `pointer`, if any.
fn rule_at<'r>(rules: &'r [CompiledRule], pointer: &[String], kind: RuleKind) -> Option<&'r CompiledRule> {
    rules.iter().find(|r| r.rule.kind == kind && r.matches(pointer))
}

fn collect_ids(
    value: &Value,
    pointer: &mut Vec<String>,
    rules: &[CompiledRule],
    captured: &Vars,
    ids: &mut IdTable,
) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                pointer.push(key.clone());
                collect_ids(v, pointer, rules, captured, ids);
                pointer.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointer.push(i.to_string());
                collect_ids(v, pointer, rules, captured, ids);
                pointer.pop();
            }
        }
        Value::String(text) => {
            let Some(rule) = rule_at(rules, pointer, RuleKind::Id) else {
                return;
            };
            let found: Vec<&str> = match &rule.within {
                Some(re) => re
                    .captures_iter(text)
                    .filter_map(|c| c.get(1).map(|m| m.as_str()))
                    .collect(),
                None => vec![text.as_str()],
            };
            for id in found {
                let is_captured = captured.values().any(|v| v.as_str() == Some(id));
                if !is_captured {
                    ids.register(id, &rule.id_name());
                }
            }
        }
        _ => {}
    }
}

/// Values replaced inside longer strings, longest first so a value never loses to a prefix.
struct Embedded {
    pattern: Option<regex::Regex>,
    replacement: BTreeMap<String, String>,
}

impl Embedded {
    fn new(captured: &BTreeMap<String, String>, ids: &IdTable) -> Self {
        let mut replacement = BTreeMap::new();
        for (value, name) in captured {
            if value.len() >= MIN_EMBEDDED {
                replacement.insert(value.clone(), format!("${{{name}}}"));
            }
        }
        for (value, placeholder) in &ids.placeholders {
            if value.len() >= MIN_EMBEDDED {
                replacement
                    .entry(value.clone())
                    .or_insert_with(|| format!("${{id:{placeholder}}}"));
            }
        }
        let mut values: Vec<&String> = replacement.keys().collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let alternation: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
        let pattern = (!alternation.is_empty())
            .then(|| regex::Regex::new(&alternation.join("|")).ok())
            .flatten();
        Embedded { pattern, replacement }
    }

    fn replace(&self, text: &str) -> String {
        match &self.pattern {
            Some(re) => re
                .replace_all(text, |c: &regex::Captures<'_>| {
                    self.replacement
                        .get(&c[0])
                        .cloned()
                        .unwrap_or_else(|| c[0].to_owned())
                })
                .into_owned(),
            None => text.to_owned(),
        }
    }
}

fn rewrite(
    value: &Value,
    pointer: &mut Vec<String>,
    rules: &[CompiledRule],
    captured: &BTreeMap<String, String>,
    ids: &IdTable,
    embedded: &Embedded,
) -> Value {
    // Structure is kept; only leaves change.
    if let Value::Object(map) = value {
        let mut out = Map::new();
        for (key, v) in map {
            pointer.push(key.clone());
            out.insert(key.clone(), rewrite(v, pointer, rules, captured, ids, embedded));
            pointer.pop();
        }
        return Value::Object(out);
    }
    if let Value::Array(items) = value {
        let mut out = Vec::with_capacity(items.len());
        for (i, v) in items.iter().enumerate() {
            pointer.push(i.to_string());
            out.push(rewrite(v, pointer, rules, captured, ids, embedded));
            pointer.pop();
        }
        return Value::Array(out);
    }
    if let Value::String(text) = value {
        if let Some(name) = captured.get(text) {
            return Value::String(format!("${{{name}}}"));
        }
        if let Some(placeholder) = ids.placeholders.get(text) {
            return Value::String(format!("$id:{placeholder}"));
        }
    }
    if rule_at(rules, pointer, RuleKind::Volatile).is_some() {
        return Value::String(format!("$type:{}", type_name(value)));
    }
    match value {
        Value::String(text) => Value::String(symbolize_text(text, embedded)),
        other => other.clone(),
    }
}

fn symbolize_text(text: &str, embedded: &Embedded) -> String {
    if let Some(rest) = absolute_url_path(text)
        && !rest.contains("${")
    {
        return format!("$uri:{}", embedded.replace(rest));
    }
    if text.starts_with('$') {
        // `$$` turns matchers and placeholders off: the rest is literal.
        return format!("${text}");
    }
    if text.contains("${") {
        // Literal text with `${` inside would read as a placeholder; a regex says it exactly.
        return format!("$regex:{}", regex::escape(text));
    }
    embedded.replace(text)
}

/// The path and query of an absolute http(s) URL.
fn absolute_url_path(text: &str) -> Option<&str> {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"))?;
    if rest.contains(char::is_whitespace) {
        return None;
    }
    let without_fragment = rest.split('#').next().unwrap_or(rest);
    Some(match without_fragment.find(['/', '?']) {
        Some(i) if without_fragment[i..].starts_with('?') => &without_fragment[i..],
        Some(i) => &without_fragment[i..],
        None => "/",
    })
}

/// The `$type:` name of a value (`integer` for numbers without a fraction).
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A JSON Pointer from unescaped segments.
pub(crate) fn pointer_of(segments: &[String]) -> String {
    segments.iter().map(|s| format!("/{}", escape_token(s))).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::golden::rules::Rule;

    fn rules() -> Rules {
        let rule = |path: &str, kind, name: Option<&str>, within: Option<&str>| Rule {
            path: path.to_owned(),
            kind,
            name: name.map(str::to_owned),
            within: within.map(str::to_owned),
            reason: "test".to_owned(),
            scenarios: vec![],
        };
        Rules {
            rules: vec![
                rule("**/participantId", RuleKind::Id, Some("participant"), None),
                rule("**/path", RuleKind::Id, Some("user"), Some("^/users/([^/]+)$")),
                rule("**/timestamp", RuleKind::Volatile, None, None),
            ],
        }
    }

    #[test]
    fn captured_values_ids_volatile_values_and_hosts_become_symbols() {
        let doc = json!({
            "given": [{"reply": {"body": {"id": "SESSION0001", "agents": {"a": {"participantId": "P-AAAA", "path": "/users/u123456"}}}}}],
            "steps": [{"notifications": {
                "a": [{"participants": [{"participantId": "P-BBBB"}, {"participantId": "P-AAAA"}],
                       "uri": "http://127.0.0.1:4000/api/v2/facebooksessions/SESSION0001?x=1",
                       "text": "REMOVED u123456", "timestamp": 17, "literal": "$not-a-matcher"}],
                "b": [{"from": {"participantId": "P-BBBB"}, "sub": "http://h/api/v2/users/u123456"}]
            }}]
        });
        let captured = Vars::from([("session".to_owned(), json!("SESSION0001"))]);
        let out = symbolize(&doc, &captured, &rules());
        assert_eq!(out["given"][0]["reply"]["body"]["id"], "${session}");
        assert_eq!(
            out["given"][0]["reply"]["body"]["agents"]["a"]["participantId"],
            "$id:participant-1"
        );
        assert_eq!(
            out["given"][0]["reply"]["body"]["agents"]["a"]["path"],
            "/users/${id:user-1}"
        );
        let a = &out["steps"][0]["notifications"]["a"][0];
        assert_eq!(a["participants"][0]["participantId"], "$id:participant-2");
        assert_eq!(a["participants"][1]["participantId"], "$id:participant-1");
        assert_eq!(a["uri"], "$uri:/api/v2/facebooksessions/${session}?x=1");
        assert_eq!(a["text"], "REMOVED ${id:user-1}");
        assert_eq!(a["timestamp"], "$type:integer");
        assert_eq!(a["literal"], "$$not-a-matcher");
        let b = &out["steps"][0]["notifications"]["b"][0];
        assert_eq!(
            b["from"]["participantId"], "$id:participant-2",
            "same value, same placeholder"
        );
        assert_eq!(b["sub"], "$uri:/api/v2/users/${id:user-1}");
    }

    #[test]
    fn symbolising_is_deterministic_and_ignores_arrival_values() {
        let doc =
            |p: &str, q: &str| json!({"steps": [{"x": {"participantId": p}, "y": {"participantId": q}}]});
        let one = symbolize(&doc("AAAA1", "BBBB2"), &Vars::new(), &rules());
        let two = symbolize(&doc("ZZZZ9", "CCCC3"), &Vars::new(), &rules());
        assert_eq!(one, two, "placeholders follow document order, not the values");
    }
}
