//! Short renderings of JSON values and mismatches for one-line messages.

use serde_json::Value;

use crate::matching::{Mismatch, MismatchKind};

/// A JSON value on one line, cut at `limit` characters.
pub(crate) fn short(value: &Value, limit: usize) -> String {
    let text = value.to_string();
    if text.chars().count() <= limit {
        return text;
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{cut}…")
}

/// `pointer: expected X, got Y` and its variants.
pub(crate) fn mismatch_line(m: &Mismatch) -> String {
    let at = if m.pointer.is_empty() {
        "(root)"
    } else {
        m.pointer.as_str()
    };
    let expected = short(&m.expected, 120);
    let actual = m
        .actual
        .as_ref()
        .map_or_else(|| "nothing".to_owned(), |a| short(a, 120));
    match &m.kind {
        MismatchKind::NotEqual => format!("{at}: expected {expected}, got {actual}"),
        MismatchKind::Missing => format!("{at}: expected {expected}, but it is missing"),
        MismatchKind::NotAbsent => format!("{at}: expected no value, got {actual}"),
        MismatchKind::Length {
            expected: e,
            actual: a,
        } => {
            format!("{at}: expected {e} element(s), got {a}")
        }
        MismatchKind::Type { expected: t } => format!("{at}: expected a value of type {t}, got {actual}"),
        MismatchKind::Regex {
            invalid: Some(reason),
        } => format!("{at}: invalid pattern {expected}: {reason}"),
        MismatchKind::Regex { invalid: None } => {
            format!("{at}: expected a match for {expected}, got {actual}")
        }
        MismatchKind::Uri => format!("{at}: expected a URL with path {expected}, got {actual}"),
        MismatchKind::UndefinedVariable { name } => format!("{at}: undefined variable `${{{name}}}`"),
        MismatchKind::NoMatch { closest: Some(index) } => {
            format!("{at}: no element matches {expected}; closest is element {index}: {actual}")
        }
        MismatchKind::NoMatch { closest: None } => format!("{at}: no element left to match {expected}"),
        MismatchKind::Unexpected => format!("{at}: unexpected element {actual}"),
        MismatchKind::InvalidMatcher { problem } => {
            format!("{at}: invalid expectation {expected}: {problem}")
        }
    }
}

/// One line saying what a GWS notification is: its message and notification types, the
/// session state, and for message-log updates each message's type, visibility and text. The
/// full JSON is in the machine report; a terminal line must stay readable.
pub(crate) fn summarise_notification(data: &Value) -> String {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut parts = Vec::new();
    if let Some(t) = text(data, "messageType") {
        parts.push(t);
    }
    if let Some(t) = text(data, "notificationType") {
        parts.push(t);
    }
    for key in ["facebooksession", "facebooksessions"] {
        if let Some(session) = data.get(key) {
            if let Some(state) = text(session, "state") {
                parts.push(format!("state={state}"));
            }
            if let Some(caps) = session.get("capabilities").and_then(Value::as_array) {
                parts.push(format!("capabilities={}", caps.len()));
            }
        }
    }
    if let Some(reference) = data.get("referenceId") {
        parts.push(format!("referenceId={reference}"));
    }
    if let Some(messages) = data.get("messages").and_then(Value::as_array) {
        for m in messages {
            let kind = text(m, "type").unwrap_or_else(|| "?".to_owned());
            let visibility = text(m, "visibility")
                .map(|v| format!(" ({v})"))
                .unwrap_or_default();
            let body = text(m, "text")
                .map(|t| format!(" {}", short(&Value::String(t), 60)))
                .unwrap_or_default();
            parts.push(format!("[{kind}{visibility}{body}]"));
        }
    }
    if parts.is_empty() {
        short(data, 200)
    } else {
        parts.join(" ")
    }
}
