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
