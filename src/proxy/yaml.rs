//! A small YAML writer for scenario files: block style, keys in the order given, scalars
//! plain where YAML reads them back as the same string and JSON-quoted otherwise (a JSON
//! string is a valid YAML double-quoted scalar), short lists of scalars in flow style, and
//! comments where the writer puts them. Hand-written rather than serialised so the file reads
//! like the shipped scenarios and can carry comments.

use serde_json::Value;

/// Longest flow-style list (`[a, b]`) written on the key's line.
const FLOW_WIDTH: usize = 72;

/// An ordered YAML node: maps keep the order they are built in (a `serde_json::Map` sorts
/// its keys), and entries and list items may carry a comment written above them.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A JSON value, written with sorted keys.
    Value(Value),
    /// Entries in order, each with an optional comment.
    Map(Vec<(Option<String>, String, Node)>),
    /// Items in order, each with an optional comment.
    List(Vec<(Option<String>, Node)>),
}

impl Node {
    /// An empty map.
    pub fn map() -> Self {
        Node::Map(Vec::new())
    }

    /// Adds `key: node` (to a map).
    pub fn with(mut self, key: &str, node: Node) -> Self {
        self.push(None, key, node);
        self
    }

    /// Adds `key: value` (to a map).
    pub fn with_value(self, key: &str, value: Value) -> Self {
        self.with(key, Node::Value(value))
    }

    /// Adds `key: node` with a comment above it (to a map).
    pub fn push(&mut self, comment: Option<String>, key: &str, node: Node) {
        if let Node::Map(entries) = self {
            entries.push((comment, key.to_owned(), node));
        }
    }
}

/// Writes `root` (a map) as a YAML document.
pub(crate) fn write(root: &Node) -> String {
    let mut out = String::new();
    if let Node::Map(entries) = root {
        for (comment, key, node) in entries {
            if let Some(comment) = comment {
                write_comment(&mut out, 0, comment);
            }
            write_entry(&mut out, 0, key, node);
        }
    }
    out
}

/// Comment lines; an empty comment is an empty line.
fn write_comment(out: &mut String, indent: usize, text: &str) {
    if text.is_empty() {
        out.push('\n');
        return;
    }
    for line in text.lines() {
        out.push_str(&" ".repeat(indent));
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            out.push_str("# ");
            out.push_str(line);
            out.push('\n');
        }
    }
}

/// `key: value` at `indent`, the value nested below when it is a non-empty collection.
fn write_entry(out: &mut String, indent: usize, key: &str, node: &Node) {
    out.push_str(&" ".repeat(indent));
    out.push_str(&scalar_text(key));
    out.push(':');
    match node_inline(node) {
        Some(text) => {
            out.push(' ');
            out.push_str(&text);
            out.push('\n');
        }
        None => {
            out.push('\n');
            write_nested(out, indent + 2, node);
        }
    }
}

fn node_inline(node: &Node) -> Option<String> {
    match node {
        Node::Value(value) => inline(value),
        Node::Map(entries) if entries.is_empty() => Some("{}".to_owned()),
        Node::List(items) if items.is_empty() => Some("[]".to_owned()),
        _ => None,
    }
}

fn write_nested(out: &mut String, indent: usize, node: &Node) {
    match node {
        Node::Value(Value::Object(map)) => {
            for (k, v) in map {
                write_entry(out, indent, k, &Node::Value(v.clone()));
            }
        }
        Node::Value(Value::Array(items)) => {
            for item in items {
                write_item(out, indent, &Node::Value(item.clone()));
            }
        }
        Node::Value(other) => {
            out.push_str(&" ".repeat(indent));
            out.push_str(&scalar(other));
            out.push('\n');
        }
        Node::Map(entries) => {
            for (comment, key, node) in entries {
                if let Some(comment) = comment {
                    write_comment(out, indent, comment);
                }
                write_entry(out, indent, key, node);
            }
        }
        Node::List(items) => {
            for (comment, node) in items {
                if let Some(comment) = comment {
                    write_comment(out, indent, comment);
                }
                write_item(out, indent, node);
            }
        }
    }
}

/// `- item` at `indent`; a map's first entry goes on the dash's line and the others line up
/// under it.
fn write_item(out: &mut String, indent: usize, node: &Node) {
    if let Some(text) = node_inline(node) {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        out.push_str(&text);
        out.push('\n');
        return;
    }
    let is_map = matches!(node, Node::Map(_) | Node::Value(Value::Object(_)));
    if is_map {
        let start = out.len();
        write_nested(out, indent + 2, node);
        // The entries were written at indent + 2; the first line's indentation becomes the dash.
        let first_line_has_comment = out[start..].trim_start().starts_with('#');
        if !first_line_has_comment {
            out.replace_range(start..start + indent + 2, &format!("{}- ", " ".repeat(indent)));
            return;
        }
        let text = out.split_off(start);
        out.push_str(&" ".repeat(indent));
        out.push_str("-\n");
        out.push_str(&text);
        return;
    }
    out.push_str(&" ".repeat(indent));
    out.push_str("-\n");
    write_nested(out, indent + 2, node);
}

/// The one-line form of `value`, if it has one: scalars, empty collections, short lists of
/// scalars.
fn inline(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) if map.is_empty() => Some("{}".to_owned()),
        Value::Object(_) => None,
        Value::Array(items) if items.is_empty() => Some("[]".to_owned()),
        Value::Array(items) => {
            if items.iter().any(|i| i.is_array() || i.is_object()) {
                return None;
            }
            let parts: Vec<String> = items.iter().map(flow_scalar).collect();
            let text = format!("[{}]", parts.join(", "));
            (text.len() <= FLOW_WIDTH).then_some(text)
        }
        other => Some(scalar(other)),
    }
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => scalar_text(s),
        other => other.to_string(),
    }
}

/// A scalar inside `[...]`, where `,[]{}` end a plain scalar.
fn flow_scalar(value: &Value) -> String {
    match value {
        Value::String(s) if plain(s) && !s.contains([',', '[', ']', '{', '}']) => s.clone(),
        Value::String(s) => Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}

/// A string as a YAML scalar: plain when that reads back as the same string, JSON-quoted
/// otherwise.
fn scalar_text(text: &str) -> String {
    if plain(text) {
        text.to_owned()
    } else {
        Value::String(text.to_owned()).to_string()
    }
}

/// Whether `text` can be written as a plain block scalar and read back as this string.
fn plain(text: &str) -> bool {
    const INDICATORS: &[char] = &[
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '<',
        '=', '~', ' ',
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    if INDICATORS.contains(&first)
        || first.is_ascii_digit()
        || matches!(first, '+' | '.')
        || text.ends_with([' ', ':'])
        || text.contains(": ")
        || text.contains(" #")
        || text.chars().any(char::is_control)
    {
        return false;
    }
    // Words YAML (1.1 or 1.2) reads as booleans or null.
    !matches!(
        text.to_ascii_lowercase().as_str(),
        "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ordered_maps_lists_and_comments() {
        let mut step = Node::map().with_value("actor", json!("agent1")).with(
            "request",
            Node::map()
                .with_value("method", json!("POST"))
                .with_value("path", json!("/x")),
        );
        step.push(
            Some("why".to_owned()),
            "notifications",
            Node::Value(json!({"agent1": [{"b": 1, "a": 2}]})),
        );
        let root = Node::map().with("steps", Node::List(vec![(Some("step 1".to_owned()), step)]));
        let text = write(&root);
        assert_eq!(
            text,
            "steps:\n  # step 1\n  - actor: agent1\n    request:\n      method: POST\n      path: /x\n    # why\n    \
             notifications:\n      agent1:\n        - a: 2\n          b: 1\n"
        );
        assert!(serde_saphyr::from_str::<Value>(&text).is_ok());
    }

    #[test]
    fn strings_are_plain_only_where_they_read_back_the_same() {
        for text in [
            "agent1",
            "$type:string",
            "${session}",
            "/api/v2/me",
            "$uri:/a?b=1",
            "a b",
            "x:y",
        ] {
            assert!(plain(text), "{text}");
        }
        for text in [
            "",
            "123",
            "1.5",
            "true",
            "No",
            "null",
            "- x",
            "a: b",
            "a #b",
            "#c",
            "<fill in>",
            " x",
            "x:",
            "\ttab",
            "+1",
        ] {
            assert!(!plain(text), "{text}");
        }
    }

    #[test]
    fn values_round_trip_through_the_yaml_reader() {
        let value = json!({
            "params": {"agents": ["agent1", "agent2"], "mode": "consult", "n": 3, "f": 1.5, "t": true, "z": null},
            "body": {"operationName": "Complete", "text": "a: b # not a comment", "empty": {}, "none": [],
                     "odd": ["123", "yes", "${x}", "a,b"], "list": [{"type": "Agent", "nested": {"k": [1, 2]}}, [1, 2], "s"]},
            "quoted key: here": "v",
            "multi": "line one\nline two",
        });
        let mut root = Node::map();
        for (k, v) in value.as_object().unwrap() {
            root = root.with_value(k, v.clone());
        }
        let text = write(&root);
        let back: Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, value, "{text}");
    }
}
