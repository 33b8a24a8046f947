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

/// The prefix that makes `${id:NAME}` a symbolic id rather than a variable.
pub const ID_PREFIX: &str = "id:";

/// Names of the `${name}` variable placeholders in `text`, in order (none if `text` starts
/// with `$$`). Symbolic ids (`${id:NAME}`) are not variables and are not listed.
pub fn placeholders(text: &str) -> Vec<&str> {
    parts(text)
        .into_iter()
        .filter_map(|part| match part {
            Part::Var(name) => Some(name),
            Part::Text(_) | Part::Id(_) => None,
        })
        .collect()
}

/// A piece of a string template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part<'a> {
    /// Literal text.
    Text(&'a str),
    /// `${name}`: a variable.
    Var(&'a str),
    /// `${id:NAME}`: a symbolic id, bound where it first matches.
    Id(&'a str),
}

/// Splits `text` into literal text and placeholders (nothing if it starts with `$$`, which
/// turns interpolation off). An unclosed `${` is literal text.
pub fn parts(text: &str) -> Vec<Part<'_>> {
    if text.starts_with("$$") {
        return vec![Part::Text(&text[1..])];
    }
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        if start > 0 {
            parts.push(Part::Text(&rest[..start]));
        }
        let name = &after[..end];
        parts.push(match name.strip_prefix(ID_PREFIX) {
            Some(id) => Part::Id(id),
            None => Part::Var(name),
        });
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    parts
}

/// A template with symbolic ids, compiled: matching text against it yields each id's value.
#[derive(Debug, Clone)]
pub struct IdTemplate {
    regex: regex::Regex,
    ids: Vec<String>,
}

impl IdTemplate {
    /// Compiles `text` with `vars` substituted; `Ok(None)` when it holds no symbolic id (then
    /// it is plain text after interpolation).
    pub fn compile(text: &str, vars: &Vars) -> Result<Option<IdTemplate>, TemplateError> {
        let parts = parts(text);
        if !parts.iter().any(|p| matches!(p, Part::Id(_))) {
            return Ok(None);
        }
        let mut pattern = String::from("^");
        let mut ids = Vec::new();
        for part in parts {
            match part {
                Part::Text(t) => pattern.push_str(&regex::escape(t)),
                Part::Var(name) => {
                    let value = vars.get(name).ok_or_else(|| TemplateError {
                        name: name.to_owned(),
                    })?;
                    match value {
                        Value::String(s) => pattern.push_str(&regex::escape(s)),
                        other => pattern.push_str(&regex::escape(&other.to_string())),
                    }
                }
                Part::Id(name) => {
                    pattern.push_str("(.+?)");
                    ids.push(name.to_owned());
                }
            }
        }
        pattern.push('$');
        // Every piece is escaped, so the pattern always compiles.
        let regex = regex::Regex::new(&pattern).map_err(|_| TemplateError {
            name: text.to_owned(),
        })?;
        Ok(Some(IdTemplate { regex, ids }))
    }

    /// The value of each id if `text` matches, in template order.
    pub fn bind<'t>(&self, text: &'t str) -> Option<Vec<(&str, &'t str)>> {
        let captures = self.regex.captures(text)?;
        Some(
            self.ids
                .iter()
                .enumerate()
                .filter_map(|(i, name)| Some((name.as_str(), captures.get(i + 1)?.as_str())))
                .collect(),
        )
    }
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
        assert_eq!(placeholders("a${id:user-1}b${y}"), ["y"], "ids are not variables");
    }

    #[test]
    fn id_templates_bind_each_id() {
        let t = IdTemplate::compile("/s/${id}/u/${id:user-1}.${id:x}", &vars())
            .expect("compiles")
            .expect("has ids");
        assert_eq!(
            t.bind("/s/0002/u/ab12.c"),
            Some(vec![("user-1", "ab12"), ("x", "c")])
        );
        assert_eq!(
            t.bind("/s/0003/u/ab12.c"),
            None,
            "variables still compare exactly"
        );
        assert!(
            IdTemplate::compile("/s/${id}", &vars())
                .expect("compiles")
                .is_none()
        );
        assert!(IdTemplate::compile("${nope}/${id:a}", &vars()).is_err());
    }
}
