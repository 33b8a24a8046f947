//! Readable forms of what goldens and scenarios write symbolically, for reference pages.
//!
//! A golden says `${session}`, `$id:participant-1`, `${id:user-1}` inside a string,
//! `$type:integer` and `$uri:/api/v2/...`; a reader wants to see *a* session id, *a*
//! participant id, *an* integer, a URL on the server's host. So:
//!
//! | golden                    | shown as                     |
//! |---------------------------|------------------------------|
//! | `${session}` (captured)   | `{session}`                  |
//! | `$id:participant-1`       | `{participant-1}`            |
//! | `…${id:user-1}…`          | `…{user-1}…`                 |
//! | `$type:integer`           | `<integer>`                  |
//! | `$uri:/api/v2/x`          | `http://{host}/api/v2/x`     |
//! | `$$text`                  | `$text`                      |
//!
//! The same name is the same value throughout a page, as on replay. Expectations written in
//! a scenario are described in words instead ([`describe`]): `any integer`, `matches …`.

use serde_json::{Map, Value};

use crate::matching::template::{Part, parts};

/// Where a URL's scheme, host and port stand in readable samples.
pub const HOST: &str = "http://{host}";

/// `value` with every symbolic string replaced by its readable placeholder (see the module
/// docs); structure and other values are kept.
pub fn readable(value: &Value) -> Value {
    match value {
        Value::String(text) => Value::String(readable_text(text)),
        Value::Array(items) => Value::Array(items.iter().map(readable).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), readable(v)))
                .collect::<Map<String, Value>>(),
        ),
        other => other.clone(),
    }
}

/// One string of a golden or a request, readable.
pub fn readable_text(text: &str) -> String {
    if let Some(literal) = text.strip_prefix("$$") {
        return format!("${literal}");
    }
    if let Some(kind) = text.strip_prefix("$type:") {
        return format!("<{kind}>");
    }
    if let Some(id) = text.strip_prefix("$id:") {
        return format!("{{{id}}}");
    }
    if let Some(path) = text.strip_prefix("$uri:") {
        let path = template_text(path);
        return if path.starts_with("http://") || path.starts_with("https://") {
            path
        } else {
            format!("{HOST}{path}")
        };
    }
    if let Some(pattern) = text.strip_prefix("$regex:") {
        return format!("<text matching {pattern}>");
    }
    match text {
        "$any" => "<any>".to_owned(),
        "$absent" => "<absent>".to_owned(),
        _ => template_text(text),
    }
}

/// `${name}` and `${id:NAME}` inside text as `{name}` and `{NAME}`.
fn template_text(text: &str) -> String {
    parts(text)
        .into_iter()
        .map(|part| match part {
            Part::Text(t) => t.to_owned(),
            Part::Var(name) | Part::Id(name) => format!("{{{name}}}"),
        })
        .collect()
}

/// What an expectation asks for, in words around at most one literal (`text matching
/// {A.+}`), so renderers can set the literal as code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// Words before the literal.
    pub before: String,
    /// The literal (a JSON value, a pattern, a path), if any.
    pub code: Option<String>,
    /// Words after it.
    pub after: String,
}

impl Contract {
    fn literal(code: String) -> Self {
        Contract {
            before: String::new(),
            code: Some(code),
            after: String::new(),
        }
    }

    fn words(before: &str, code: Option<String>, after: &str) -> Self {
        Contract {
            before: before.to_owned(),
            code,
            after: after.to_owned(),
        }
    }
}

impl std::fmt::Display for Contract {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.before,
            self.code.as_deref().unwrap_or(""),
            self.after
        )
    }
}

/// What an expectation written in a scenario asks for: `an integer, any value`,
/// `"{session}"`, `text matching A.+`, `"Completed"`.
pub fn describe(expected: &Value) -> Contract {
    match expected {
        Value::String(text) => describe_text(text),
        Value::Array(items) => {
            let (marker, rest) = match items.first().and_then(Value::as_str) {
                Some("$unordered") => ("in any order: ", &items[1..]),
                Some("$contains") => ("at least, in any order: ", &items[1..]),
                _ => ("", &items[..]),
            };
            let inner = compact(&Value::Array(rest.iter().map(contract_sample).collect()));
            Contract::words(marker, Some(inner), "")
        }
        Value::Object(_) => Contract::literal(compact(&contract_sample(expected))),
        other => Contract::literal(compact(other)),
    }
}

fn describe_text(text: &str) -> Contract {
    if let Some(literal) = text.strip_prefix("$$") {
        return Contract::literal(compact(&Value::String(format!("${literal}"))));
    }
    if let Some(kind) = text.strip_prefix("$type:") {
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Contract::words(&format!("{article} {kind}, any value"), None, "");
    }
    if let Some(pattern) = text.strip_prefix("$regex:") {
        return Contract::words("text matching ", Some(pattern.to_owned()), "");
    }
    if let Some(path) = text.strip_prefix("$uri:") {
        return Contract::words("a URL with path ", Some(template_text(path)), " (any host)");
    }
    match text {
        "$any" => Contract::words("any value", None, ""),
        "$absent" => Contract::words("absent", None, ""),
        _ => Contract::literal(compact(&Value::String(template_text(text)))),
    }
}

/// An expectation as a sample value: matchers as readable placeholders, `$unordered` and
/// `$contains` markers left out (the table says how the array is compared).
pub fn contract_sample(expected: &Value) -> Value {
    match expected {
        Value::String(text) => Value::String(readable_text(text)),
        Value::Array(items) => {
            let rest = match items.first().and_then(Value::as_str) {
                Some("$unordered" | "$contains") => &items[1..],
                _ => &items[..],
            };
            Value::Array(rest.iter().map(contract_sample).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                // A key that must be absent has no sample value.
                .filter(|(_, v)| v.as_str() != Some("$absent"))
                .map(|(k, v)| (k.clone(), contract_sample(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A value on one line (JSON, strings quoted).
pub fn compact(value: &Value) -> String {
    value.to_string()
}

/// A value as indented JSON (2 spaces, keys sorted), as the samples show it.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn golden_symbols_read_as_placeholders() {
        let golden = json!({
            "id": "${session}",
            "participantId": "$id:participant-1",
            "path": "/users/${id:user-1}",
            "referenceId": "$type:integer",
            "uri": "$uri:/api/v2/facebooksessions/${session}",
            "price": "$$5",
            "count": 3
        });
        assert_eq!(
            readable(&golden),
            json!({
                "id": "{session}",
                "participantId": "{participant-1}",
                "path": "/users/{user-1}",
                "referenceId": "<integer>",
                "uri": "http://{host}/api/v2/facebooksessions/{session}",
                "price": "$5",
                "count": 3
            })
        );
    }

    #[test]
    fn expectations_are_described_in_words() {
        let describe = |v: &Value| super::describe(v).to_string();
        assert_eq!(describe(&json!("$type:integer")), "an integer, any value");
        assert_eq!(describe(&json!("$type:string")), "a string, any value");
        assert_eq!(describe(&json!("$any")), "any value");
        assert_eq!(describe(&json!("${session}")), "\"{session}\"");
        assert_eq!(describe(&json!("$regex:A.+")), "text matching A.+");
        assert_eq!(
            describe(&json!("$uri:/api/v2/x/${session}")),
            "a URL with path /api/v2/x/{session} (any host)"
        );
        assert_eq!(
            describe(&json!(["$unordered", "A", "B"])),
            "in any order: [\"A\",\"B\"]"
        );
        assert_eq!(describe(&json!([])), "[]");
        assert_eq!(describe(&json!(0)), "0");
        assert_eq!(describe(&json!("$$x")), "\"$x\"");
    }
}
