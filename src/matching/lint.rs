//! Load-time checks of an expectation: every malformed matcher, with the JSON Pointer of where
//! it is written in the *expected* document, so scenario validation can report it with
//! file:line before anything runs. Matching reports the same problems as
//! [`MismatchKind::InvalidMatcher`](super::MismatchKind::InvalidMatcher) at run time.

use serde::Serialize;
use serde_json::Value;

use super::lenient::compile_regex;
use super::matcher::{self, Matcher};
use super::pointer::escape_token;
use crate::elide::elide;

/// A malformed matcher in an expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatcherProblem {
    /// JSON Pointer of the offending string in the expected document.
    pub pointer: String,
    /// What is wrong.
    pub kind: MatcherProblemKind,
}

/// What is wrong with a matcher. The `Display` text is a lowercase fragment suitable after
/// "file:line: ".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MatcherProblemKind {
    /// A string starting with `$` that is no known matcher.
    #[error(
        "unknown matcher `{text}` (matchers: $any, $absent, $type:, $regex:, $uri:, $id:, ${{name}}, \
         $unordered, $contains; write `$$` for a literal leading `$`)"
    )]
    UnknownMatcher {
        /// The string as written.
        text: String,
    },
    /// `$type:` with a name outside the list.
    #[error(
        "unknown type `{name}` in `$type:` (expected one of string, number, integer, boolean, null, \
         object, array)"
    )]
    UnknownType {
        /// The name as written.
        name: String,
    },
    /// A `$regex:` pattern that does not compile.
    #[error("invalid pattern in `$regex:{pattern}`: {reason}")]
    InvalidRegex {
        /// The pattern as written (its start, if it is long).
        pattern: String,
        /// The regex compiler's explanation.
        reason: String,
    },
    /// `$unordered` or `$contains` anywhere but as the first element of an array.
    #[error("`{marker}` is only meaningful as the first element of an array")]
    MisplacedMarker {
        /// The marker.
        marker: String,
    },
    /// `$absent` anywhere but as the value of an object key.
    #[error("`$absent` is only meaningful as the value of an object key")]
    MisplacedAbsent,
    /// `$id:` with an empty or malformed name.
    #[error("invalid symbolic id `{text}` (write `$id:NAME` with letters, digits, `_`, `-` or `.`)")]
    BadId {
        /// The string as written.
        text: String,
    },
    /// `${` without a closing `}`.
    #[error("unclosed placeholder in `{text}` (write `${{name}}`)")]
    UnclosedPlaceholder {
        /// The string as written.
        text: String,
    },
}

/// Every malformed matcher in `expected`, in document order (object keys sorted).
pub fn lint(expected: &Value) -> Vec<MatcherProblem> {
    let mut out = Vec::new();
    let mut pointer = String::new();
    visit(expected, Position::Root, &mut pointer, &mut out);
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    Root,
    ObjectValue,
    FirstElement,
    LaterElement,
}

fn visit(value: &Value, position: Position, pointer: &mut String, out: &mut Vec<MatcherProblem>) {
    match value {
        Value::String(text) => {
            if let Some(kind) = problem(text, position) {
                out.push(MatcherProblem {
                    pointer: pointer.clone(),
                    kind,
                });
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&index.to_string());
                let position = if index == 0 {
                    Position::FirstElement
                } else {
                    Position::LaterElement
                };
                visit(item, position, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_token(key));
                visit(item, Position::ObjectValue, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn problem(text: &str, position: Position) -> Option<MatcherProblemKind> {
    match matcher::classify(text) {
        Err(kind) => Some(kind),
        Ok(Matcher::Marker(_)) if position == Position::FirstElement => None,
        Ok(Matcher::Marker(marker)) => Some(MatcherProblemKind::MisplacedMarker {
            marker: marker.to_owned(),
        }),
        Ok(Matcher::Absent) if position == Position::ObjectValue => None,
        Ok(Matcher::Absent) => Some(MatcherProblemKind::MisplacedAbsent),
        Ok(Matcher::Regex(pattern)) => {
            compile_regex(pattern)
                .err()
                .map(|reason| MatcherProblemKind::InvalidRegex {
                    pattern: elide(pattern, 60).into_owned(),
                    reason,
                })
        }
        Ok(
            Matcher::Literal(_)
            | Matcher::Any
            | Matcher::Type(_)
            | Matcher::Uri(_)
            | Matcher::Text(_)
            | Matcher::Id(_),
        ) => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn problems(value: Value) -> Vec<(String, String)> {
        lint(&value)
            .into_iter()
            .map(|p| (p.pointer, p.kind.to_string()))
            .collect()
    }

    #[test]
    fn valid_expectations_have_no_problems() {
        let expected = json!({
            "a": "$any", "b": "$absent", "c": "$type:integer", "d": "$regex:[0-9]+",
            "e": "$uri:/api/${id}", "f": "${id}", "g": "x ${id} y", "h": "$$literal",
            "i": ["$unordered", 1, 2], "j": ["$contains", {"k": "$absent"}], "l": [], "m": "5$",
        });
        assert_eq!(problems(expected), []);
    }

    #[test]
    fn reports_each_problem_with_its_pointer() {
        let expected = json!({
            "typo": "$anyy",
            "type": "$type:int",
            "re": "$regex:(",
            "late": [1, "$unordered"],
            "both": ["$contains", "$unordered"],
            "marker": "$contains",
            "in_array": ["$absent"],
            "unclosed": "id-${session",
            "a/b": {"deep": ["$unordered", {"x": "$what"}]},
        });
        let found = problems(expected);
        let pointers: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/a~1b/deep/1/x",
                "/both/1",
                "/in_array/0",
                "/late/1",
                "/marker",
                "/re",
                "/type",
                "/typo",
                "/unclosed"
            ]
        );
        insta::assert_snapshot!(
            found
                .iter()
                .map(|(p, m)| format!("{p}: {m}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn huge_and_explosive_patterns_fail_fast_with_a_short_message() {
        let huge = format!("$regex:{}", "a".repeat(25_000_000));
        let started = std::time::Instant::now();
        let found = problems(json!({ "a": huge }));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].1,
            format!(
                "invalid pattern in `$regex:{}… (24999940 more characters)`: the pattern is 25000000 \
                 bytes long; at most 4096 are compiled",
                "a".repeat(60)
            )
        );
        // Only a regression to compiling the pattern could take this long.
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let explosive = problems(json!({ "a": "$regex:(\\w{100}){100}" }));
        assert_eq!(explosive.len(), 1, "{explosive:?}");
        assert!(explosive[0].1.contains("size limit"), "{explosive:?}");
        assert_eq!(problems(json!({ "a": "$regex:\\w{100}" })), []);
    }

    #[test]
    fn absent_at_the_root_is_misplaced() {
        assert_eq!(
            lint(&json!("$absent")),
            [MatcherProblem {
                pointer: String::new(),
                kind: MatcherProblemKind::MisplacedAbsent
            }]
        );
    }
}
