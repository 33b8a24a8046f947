//! `${name}` placeholders: scanning (for validation), and interpolation into request values
//! and expectations. A string starting with `$$` is a literal: its first `$` is dropped and
//! nothing inside it is interpolated.

use std::collections::BTreeMap;

use serde_json::Value;

/// Variables in scope: captures, scenario constants and built-ins such as `target`.
pub type Vars = BTreeMap<String, Value>;

/// A placeholder that names no variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("undefined variable `{name}`")]
pub struct TemplateError {
    /// The undefined name.
    pub name: String,
}

/// Names of the `${name}` placeholders in `text`, in order (none if `text` starts with `$$`).
pub fn placeholders(text: &str) -> Vec<&str> {
    if text.starts_with("$$") {
        return Vec::new();
    }
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        names.push(&after[..end]);
        rest = &after[end + 1..];
    }
    names
}

/// Interpolates one string. `"${x}"` alone becomes the variable's value with its JSON type;
/// placeholders inside longer strings are replaced by the value's text.
pub fn interpolate_str(text: &str, vars: &Vars) -> Result<Value, TemplateError> {
    if let Some(literal) = text.strip_prefix('$').filter(|t| t.starts_with('$')) {
        return Ok(Value::String(literal.to_owned()));
    }
    if let Some(name) = whole_placeholder(text) {
        return vars.get(name).cloned().ok_or_else(|| TemplateError {
            name: name.to_owned(),
        });
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let name = &after[..end];
        let value = vars.get(name).ok_or_else(|| TemplateError {
            name: name.to_owned(),
        })?;
        out.push_str(&rest[..start]);
        match value {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

/// The variable name if `text` is exactly one placeholder.
pub fn whole_placeholder(text: &str) -> Option<&str> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    (!inner.contains('}') && !inner.contains("${")).then_some(inner)
}

/// Interpolates every string (values, not keys) in `value`, collecting every undefined name.
pub fn interpolate(value: &Value, vars: &Vars) -> Result<Value, Vec<TemplateError>> {
    let mut errors = Vec::new();
    let out = walk(value, vars, &mut errors);
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn walk(value: &Value, vars: &Vars, errors: &mut Vec<TemplateError>) -> Value {
    match value {
        Value::String(s) => interpolate_str(s, vars).unwrap_or_else(|e| {
            errors.push(e);
            value.clone()
        }),
        Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, vars, errors)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), walk(v, vars, errors)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars() -> Vars {
        Vars::from([("id".to_owned(), json!("0002")), ("n".to_owned(), json!(3))])
    }

    #[test]
    fn whole_placeholder_keeps_type() {
        assert_eq!(interpolate_str("${n}", &vars()), Ok(json!(3)));
        assert_eq!(interpolate_str("${id}", &vars()), Ok(json!("0002")));
    }

    #[test]
    fn embedded_placeholders_become_text() {
        assert_eq!(
            interpolate_str("/s/${id}/m/${n}", &vars()),
            Ok(json!("/s/0002/m/3"))
        );
    }

    #[test]
    fn double_dollar_is_literal() {
        assert_eq!(interpolate_str("$${id}", &vars()), Ok(json!("${id}")));
        assert!(placeholders("$${id}").is_empty());
    }

    #[test]
    fn collects_every_undefined_name() {
        let errors = interpolate(&json!({"a": "${x}", "b": ["${y}"]}), &vars()).unwrap_err();
        let names: Vec<_> = errors.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["x", "y"]);
    }

    #[test]
    fn scans_placeholders() {
        assert_eq!(placeholders("a${x}b${y}"), ["x", "y"]);
    }
}
