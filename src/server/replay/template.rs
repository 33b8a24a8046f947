//! Goldens read as templates, both ways: *instantiating* one gives the value the playback
//! sends (every placeholder bound to a fresh value once per replay session, the same value
//! wherever it appears), and *unifying* one with what a client sent checks the request
//! (leniently: extra object keys are allowed) and binds placeholders seen for the first time.
//!
//! Volatile values (`$type:T`) are instantiated last in their object, in the scope
//! [`super::fresh`] explains: at the top of a reply or notification they are the entry's,
//! inside an object with an `id` that resource's, inside any other object that item's.
//!
//! A golden's strings read as in `golden::diff`: `${name}` a captured variable, `$id:NAME` (or
//! `${id:NAME}` inside a string) a symbolic id, `$type:T` a volatile value, `$uri:PATH` a URL
//! of this server's with that path, `$$text` a literal; `$regex:` and `$any` are accepted in
//! hand-edited goldens.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::fresh::{Fresh, Scope};
use crate::matching::path_and_query;
use crate::matching::template::{Part, parts};

/// Placeholder → value, for one replay of one golden. Variables are keyed `var:NAME`, ids
/// `id:NAME`.
pub(crate) type Bindings = BTreeMap<String, Value>;

/// Where a request or reply differs from the golden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Difference {
    /// JSON Pointer into what was sent (`/body/operationName`, `/path`).
    pub pointer: String,
    /// What the golden says there (placeholders resolved where they are bound).
    pub expected: Value,
    /// What was sent (absent when missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
}

/// What one golden string means.
#[derive(Debug, Clone, PartialEq)]
enum Piece<'a> {
    Literal(&'a str),
    Var(&'a str),
    Id(&'a str),
    Type(&'a str),
    Uri(&'a str),
    Regex(&'a str),
    Any,
    Text(&'a str),
}

fn piece(text: &str) -> Piece<'_> {
    if let Some(rest) = text.strip_prefix('$').filter(|r| r.starts_with('$')) {
        return Piece::Literal(rest);
    }
    if let Some(id) = text.strip_prefix("$id:") {
        return Piece::Id(id);
    }
    if let Some(t) = text.strip_prefix("$type:") {
        return Piece::Type(t);
    }
    if let Some(path) = text.strip_prefix("$uri:") {
        return Piece::Uri(path);
    }
    if let Some(pattern) = text.strip_prefix("$regex:") {
        return Piece::Regex(pattern);
    }
    if text == "$any" {
        return Piece::Any;
    }
    match parts(text).as_slice() {
        [Part::Var(name)] if text.starts_with("${") && text.ends_with('}') => Piece::Var(name),
        [Part::Id(name)] if text.starts_with("${") && text.ends_with('}') => Piece::Id(name),
        _ => Piece::Text(text),
    }
}

fn var_key(name: &str) -> String {
    format!("var:{name}")
}

fn id_key(name: &str) -> String {
    format!("id:{name}")
}

/// Instantiates golden templates for one replay session.
pub(crate) struct Instantiator<'a> {
    bindings: &'a mut Bindings,
    fresh: &'a mut Fresh,
    /// How often each item (by content) appeared in the value being instantiated.
    seen: BTreeMap<String, usize>,
}

impl<'a> Instantiator<'a> {
    /// Instantiates with (and into) `bindings`, making new values with `fresh`.
    pub fn new(bindings: &'a mut Bindings, fresh: &'a mut Fresh) -> Self {
        Instantiator {
            bindings,
            fresh,
            seen: BTreeMap::new(),
        }
    }

    /// The value `template` stands for, binding what is not bound yet. `template` is a whole
    /// reply body or notification: volatile values at its top are the entry's.
    pub fn value(&mut self, template: &Value) -> Value {
        self.seen.clear();
        self.at(template, "", true)
    }

    fn at(&mut self, template: &Value, key: &str, top: bool) -> Value {
        match template {
            Value::String(text) => self.string(text, key),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.at(v, key, false)).collect()),
            Value::Object(map) => self.object(map, top),
            other => other.clone(),
        }
    }

    fn object(&mut self, map: &Map<String, Value>, top: bool) -> Value {
        let mut out = Map::new();
        let uri_like = |k: &str, v: &Value| {
            k.to_ascii_lowercase().ends_with("uri")
                && v.as_str().is_some_and(|s| matches!(piece(s), Piece::Var(_)))
        };
        for (k, v) in map {
            if !uri_like(k, v) && volatile(v).is_none() {
                out.insert(k.clone(), self.at(v, k, false));
            }
        }
        // A GWS resource's URI is its path below `/api/v2` on this server: a URI variable
        // next to a path is bound to that, so the two agree.
        for (k, v) in map {
            if !uri_like(k, v) {
                continue;
            }
            if let (Some(Piece::Var(name)), Some(path)) =
                (v.as_str().map(piece), out.get("path").and_then(Value::as_str))
                && path.starts_with('/')
            {
                let key = var_key(name);
                if !self.bindings.contains_key(&key) {
                    let uri = format!("{}/api/v2{path}", self.fresh.base_url());
                    self.bindings.insert(key, Value::String(uri));
                }
            }
            out.insert(k.clone(), self.at(v, k, false));
        }
        if map.values().any(|v| volatile(v).is_some()) {
            let scope = self.scope(&out, top);
            for (k, v) in map {
                if let Some(type_name) = volatile(v) {
                    out.insert(k.clone(), self.fresh.stamp(type_name, k, scope.clone()));
                }
            }
        }
        Value::Object(out)
    }

    /// Whose volatile values an object's are, from the rest of it (`out`, instantiated).
    fn scope(&mut self, out: &Map<String, Value>, top: bool) -> Scope {
        if top {
            return Scope::Entry;
        }
        if let Some(id) = out.get("id").and_then(Value::as_str) {
            return Scope::Resource(id.to_owned());
        }
        let content = Value::Object(out.clone()).to_string();
        let seen = self.seen.entry(content.clone()).or_insert(0);
        *seen += 1;
        Scope::Item(content, *seen)
    }

    fn bound(&mut self, key: String, make: impl FnOnce(&mut Fresh) -> String) -> Value {
        if let Some(value) = self.bindings.get(&key) {
            return value.clone();
        }
        let value = Value::String(make(self.fresh));
        self.bindings.insert(key, value.clone());
        value
    }

    fn string(&mut self, text: &str, key: &str) -> Value {
        match piece(text) {
            Piece::Literal(rest) => Value::String(rest.to_owned()),
            Piece::Var(name) => self.bound(var_key(name), |f| f.var(name, key)),
            Piece::Id(name) => self.bound(id_key(name), |f| f.id(name)),
            Piece::Type(t) => self.fresh.volatile(t, key),
            Piece::Uri(path) => {
                let path = self.text(path);
                Value::String(format!("{}{path}", self.fresh.base_url()))
            }
            Piece::Regex(pattern) => Value::String(unescape(pattern)),
            Piece::Any => Value::Null,
            Piece::Text(text) => Value::String(self.text(text)),
        }
    }

    fn text(&mut self, text: &str) -> String {
        let mut out = String::new();
        for part in parts(text) {
            let value = match part {
                Part::Text(t) => {
                    out.push_str(t);
                    continue;
                }
                Part::Var(name) => self.bound(var_key(name), |f| f.var(name, "")),
                Part::Id(name) => self.bound(id_key(name), |f| f.id(name)),
            };
            match value {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            }
        }
        out
    }
}

/// The JSON type a volatile value (`$type:T`) has, if `v` is one.
fn volatile(v: &Value) -> Option<&str> {
    match piece(v.as_str()?) {
        Piece::Type(t) => Some(t),
        _ => None,
    }
}

/// A literal written as an escaped regex (how symbolisation writes text containing `${`).
fn unescape(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Checks `actual` against `template`, binding unbound placeholders in `bindings` (only when
/// everything matches). Returns every difference, pointers prefixed with `pointer`.
pub(crate) fn unify(
    template: &Value,
    actual: &Value,
    bindings: &mut Bindings,
    pointer: &str,
) -> Vec<Difference> {
    unify_with(template, actual, bindings, pointer, false)
}

/// [`unify`] without the leniency: `actual` must not have object keys `template` lacks (for
/// telling whether two goldens recorded the same answer).
pub(crate) fn unify_exact(template: &Value, actual: &Value, bindings: &mut Bindings) -> Vec<Difference> {
    unify_with(template, actual, bindings, "", true)
}

fn unify_with(
    template: &Value,
    actual: &Value,
    bindings: &mut Bindings,
    pointer: &str,
    exact: bool,
) -> Vec<Difference> {
    let mut trial = bindings.clone();
    let mut diffs = Vec::new();
    walk(template, actual, &mut trial, pointer, exact, &mut diffs);
    if diffs.is_empty() {
        *bindings = trial;
    }
    diffs
}

fn walk(
    template: &Value,
    actual: &Value,
    bindings: &mut Bindings,
    pointer: &str,
    exact: bool,
    diffs: &mut Vec<Difference>,
) {
    let differ = |diffs: &mut Vec<Difference>, bindings: &Bindings| {
        diffs.push(Difference {
            pointer: pointer.to_owned(),
            expected: resolved(template, bindings),
            actual: Some(actual.clone()),
        });
    };
    match (template, actual) {
        (Value::String(text), _) => {
            if !string_matches(text, actual, bindings) {
                differ(diffs, bindings);
            }
        }
        (Value::Object(t), Value::Object(a)) => {
            for (key, tv) in t {
                let p = format!("{pointer}/{}", crate::matching::escape_token(key));
                match a.get(key) {
                    Some(av) => walk(tv, av, bindings, &p, exact, diffs),
                    None => diffs.push(Difference {
                        pointer: p,
                        expected: resolved(tv, bindings),
                        actual: None,
                    }),
                }
            }
            for (key, av) in a.iter().filter(|(key, _)| exact && !t.contains_key(*key)) {
                diffs.push(Difference {
                    pointer: format!("{pointer}/{}", crate::matching::escape_token(key)),
                    expected: Value::String("$absent".to_owned()),
                    actual: Some(av.clone()),
                });
            }
        }
        (Value::Array(t), Value::Array(a)) if t.len() == a.len() => {
            for (i, (tv, av)) in t.iter().zip(a).enumerate() {
                walk(tv, av, bindings, &format!("{pointer}/{i}"), exact, diffs);
            }
        }
        (Value::Number(t), Value::Number(a)) => {
            if t.as_f64() != a.as_f64() {
                differ(diffs, bindings);
            }
        }
        (t, a) => {
            if t != a {
                differ(diffs, bindings);
            }
        }
    }
}

/// Whether `actual` is what the golden string `text` stands for (binding as it goes).
fn string_matches(text: &str, actual: &Value, bindings: &mut Bindings) -> bool {
    match piece(text) {
        Piece::Literal(rest) => actual.as_str() == Some(rest),
        Piece::Var(name) => bind_whole(var_key(name), actual, bindings),
        Piece::Id(name) => bind_whole(id_key(name), actual, bindings),
        Piece::Type(t) => type_holds(t, actual),
        Piece::Uri(path) => actual
            .as_str()
            .is_some_and(|a| text_matches(path_and_query(path), path_and_query(a), bindings)),
        Piece::Regex(pattern) => actual
            .as_str()
            .is_some_and(|a| regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(a))),
        Piece::Any => true,
        Piece::Text(text) => actual.as_str().is_some_and(|a| text_matches(text, a, bindings)),
    }
}

fn bind_whole(key: String, actual: &Value, bindings: &mut Bindings) -> bool {
    match bindings.get(&key) {
        Some(bound) => bound == actual || (bound.is_number() && bound.as_f64() == actual.as_f64()),
        None => {
            bindings.insert(key, actual.clone());
            true
        }
    }
}

/// Text with embedded placeholders against actual text: bound ones must appear as bound,
/// unbound ones match any non-empty text and are bound to it.
fn text_matches(template: &str, actual: &str, bindings: &mut Bindings) -> bool {
    let pieces = parts(template);
    let mut pattern = String::from("^");
    let mut groups: Vec<String> = Vec::new();
    for part in &pieces {
        let key = match part {
            Part::Text(t) => {
                pattern.push_str(&regex::escape(t));
                continue;
            }
            Part::Var(name) => var_key(name),
            Part::Id(name) => id_key(name),
        };
        match bindings.get(&key) {
            Some(Value::String(s)) => pattern.push_str(&regex::escape(s)),
            Some(other) => pattern.push_str(&regex::escape(&other.to_string())),
            None => {
                pattern.push_str("(.+?)");
                groups.push(key);
            }
        }
    }
    pattern.push('$');
    let Ok(re) = regex::Regex::new(&pattern) else {
        return false;
    };
    let Some(captures) = re.captures(actual) else {
        return false;
    };
    for (i, key) in groups.into_iter().enumerate() {
        let Some(found) = captures.get(i + 1) else {
            return false;
        };
        let value = Value::String(found.as_str().to_owned());
        // The same new placeholder twice in one string must be the same text both times.
        if !bind_whole(key, &value, bindings) {
            return false;
        }
    }
    true
}

fn type_holds(name: &str, value: &Value) -> bool {
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

/// `template` with bound placeholders replaced by their values, for error reports.
pub(crate) fn resolved(template: &Value, bindings: &Bindings) -> Value {
    match template {
        Value::String(text) => match piece(text) {
            Piece::Var(name) => bindings
                .get(&var_key(name))
                .cloned()
                .unwrap_or_else(|| template.clone()),
            Piece::Id(name) => bindings
                .get(&id_key(name))
                .cloned()
                .unwrap_or_else(|| template.clone()),
            Piece::Text(text) => {
                let mut out = String::new();
                for part in parts(text) {
                    let (key, raw) = match part {
                        Part::Text(t) => {
                            out.push_str(t);
                            continue;
                        }
                        Part::Var(name) => (var_key(name), format!("${{{name}}}")),
                        Part::Id(name) => (id_key(name), format!("${{id:{name}}}")),
                    };
                    match bindings.get(&key) {
                        Some(Value::String(s)) => out.push_str(s),
                        Some(other) => out.push_str(&other.to_string()),
                        None => out.push_str(&raw),
                    }
                }
                Value::String(out)
            }
            _ => template.clone(),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| resolved(v, bindings)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolved(v, bindings)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fresh() -> Fresh {
        Fresh::new("http://127.0.0.1:9")
    }

    #[test]
    fn instantiating_binds_each_placeholder_once_and_everywhere() {
        let golden = json!({
            "id": "${session}",
            "uri": "$uri:/api/v2/facebooksessions/${session}",
            "agents": {"agent2": {"participantId": "$id:participant-1", "path": "/users/${id:user-2}", "uri": "${agent2_uri}"}},
            "from": {"participantId": "$id:participant-1"},
            "text": "REMOVED${id:user-2}",
            "literal": "$$5",
            "n": 3,
        });
        let mut bindings = Bindings::new();
        let mut fresh = fresh();
        let value = Instantiator::new(&mut bindings, &mut fresh).value(&golden);
        let session = value["id"].as_str().unwrap();
        assert_eq!(
            value["uri"],
            format!("http://127.0.0.1:9/api/v2/facebooksessions/{session}")
        );
        assert_eq!(
            value["agents"]["agent2"]["participantId"],
            value["from"]["participantId"]
        );
        let user = value["agents"]["agent2"]["path"]
            .as_str()
            .unwrap()
            .strip_prefix("/users/")
            .unwrap();
        assert_eq!(value["text"], format!("REMOVED{user}"));
        assert_eq!(
            value["agents"]["agent2"]["uri"],
            format!("http://127.0.0.1:9/api/v2/users/{user}"),
            "a URI variable beside a path is that path's URI"
        );
        assert_eq!(value["literal"], "$5");
        assert_eq!(value["n"], 3);
        assert_eq!(bindings["var:session"], json!(session));
    }

    #[test]
    fn unifying_checks_bound_values_binds_new_ones_and_lists_every_difference() {
        let mut bindings = Bindings::from([("var:session".to_owned(), json!("S1"))]);
        let template = json!({"method": "POST", "path": "/api/v2/me/facebooksessions/${session}",
                              "body": {"operationName": "Complete", "target": "${who}", "n": 1}});
        let ok = json!({"method": "POST", "path": "/api/v2/me/facebooksessions/S1",
                        "body": {"operationName": "Complete", "target": "U9", "n": 1.0, "extra": true}});
        assert!(unify(&template, &ok, &mut bindings, "").is_empty());
        assert_eq!(bindings["var:who"], json!("U9"), "bound on success");

        let mut bindings = Bindings::from([("var:session".to_owned(), json!("S1"))]);
        let wrong = json!({"method": "POST", "path": "/api/v2/me/facebooksessions/S2",
                           "body": {"operationName": "Leave", "target": "U9"}});
        let diffs = unify(&template, &wrong, &mut bindings, "");
        let pointers: Vec<&str> = diffs.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(pointers, ["/body/n", "/body/operationName", "/path"]);
        assert_eq!(
            diffs[2].expected,
            json!("/api/v2/me/facebooksessions/S1"),
            "bound values are shown resolved"
        );
        assert_eq!(diffs[0].actual, None);
        assert!(
            !bindings.contains_key("var:who"),
            "nothing is bound when something differs"
        );
    }

    #[test]
    fn volatile_values_repeat_where_the_server_repeats_them() {
        let mut bindings = Bindings::new();
        let mut fresh = fresh();
        let message = json!({"type": "Text", "text": "hi", "index": "$type:integer"});
        let reply = json!({
            "referenceId": "$type:integer",
            "facebooksession": {"id": "${session}", "receivedDate": "$type:string"},
            "messages": [message.clone(), {"type": "Text", "text": "other", "index": "$type:integer"}, message],
        });
        fresh.begin_entry();
        let first = Instantiator::new(&mut bindings, &mut fresh).value(&reply);
        let messages = &first["messages"];
        assert_eq!(
            [
                &messages[0]["index"],
                &messages[1]["index"],
                &messages[2]["index"]
            ],
            [&json!(1), &json!(2), &json!(3)],
            "each item its own, an equal item twice in one reply too"
        );
        let notification = json!({"referenceId": "$type:integer", "messages": [{"type": "Text", "text": "hi", "index": "$type:integer"}]});
        let same_entry = Instantiator::new(&mut bindings, &mut fresh).value(&notification);
        assert_eq!(same_entry["referenceId"], first["referenceId"], "one per entry");
        assert_eq!(same_entry["messages"][0]["index"], json!(1), "the same message");
        fresh.begin_entry();
        let later = Instantiator::new(&mut bindings, &mut fresh).value(&reply);
        assert_ne!(later["referenceId"], first["referenceId"]);
        assert_eq!(later["messages"], first["messages"]);
        assert_eq!(
            later["facebooksession"]["receivedDate"], first["facebooksession"]["receivedDate"],
            "a resource keeps its own"
        );
    }

    #[test]
    fn exact_unification_refuses_keys_the_template_lacks() {
        let template = json!({"a": 1, "n": {"b": []}});
        assert!(unify_exact(&template, &json!({"a": 1, "n": {"b": []}}), &mut Bindings::new()).is_empty());
        let diffs = unify_exact(
            &template,
            &json!({"a": 1, "n": {"b": [], "c": 2}}),
            &mut Bindings::new(),
        );
        assert_eq!(diffs.len(), 1);
        assert_eq!(diffs[0].pointer, "/n/c");
        assert!(
            unify(
                &template,
                &json!({"a": 1, "n": {"b": [], "c": 2}}),
                &mut Bindings::new(),
                ""
            )
            .is_empty()
        );
    }

    #[test]
    fn matchers_of_hand_edited_goldens_unify_too() {
        let mut bindings = Bindings::new();
        let template = json!({"t": "$type:integer", "u": "$uri:/a/${x}?q=1", "r": "$regex:[a-z]+", "any": "$any", "l": "$$x"});
        let actual = json!({"t": 5, "u": "https://h:1/a/XY?q=1", "r": "abc", "any": null, "l": "$x"});
        assert!(unify(&template, &actual, &mut bindings, "").is_empty());
        assert_eq!(bindings["var:x"], json!("XY"));
    }
}
