//! The string matchers of the expectation language: recognising a string as a matcher (or
//! rejecting it as a malformed one), the `$type:` names, and the path-and-query view of URLs
//! that `$uri:` compares. Deciding whether a matcher holds lives in `lenient.rs`.

use serde_json::Value;

use super::lint::MatcherProblemKind;

/// Marks an expected array as a multiset (first element only).
pub(crate) const UNORDERED: &str = "$unordered";
/// Marks an expected array as "contains at least these" (first element only).
pub(crate) const CONTAINS: &str = "$contains";
/// As an object value: the key must be missing.
pub(crate) const ABSENT: &str = "$absent";
/// Any value, as long as it is present.
pub(crate) const ANY: &str = "$any";

/// What one expected string means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Matcher<'e> {
    /// `$$text`: the literal `$text` (no matcher, no interpolation).
    Literal(&'e str),
    /// `$any`.
    Any,
    /// `$absent` (meaningful only as an object value).
    Absent,
    /// `$unordered` or `$contains` (meaningful only as the first element of an array).
    Marker(&'e str),
    /// `$type:NAME`.
    Type(JsonType),
    /// `$regex:PATTERN` (the pattern, unanchored as written).
    Regex(&'e str),
    /// `$uri:PATH` (the path, placeholders not yet interpolated).
    Uri(&'e str),
    /// `$id:NAME`: a symbolic id, bound at its first occurrence.
    Id(&'e str),
    /// Plain text, possibly with `${name}` placeholders (whole or embedded).
    Text(&'e str),
}

/// Classifies an expected string. A string that starts with `$` and is none of the known
/// matchers is an error rather than a literal, so a typo such as `$anyy` can never silently
/// become an exact comparison; `$$` writes a literal leading `$`.
pub(crate) fn classify(text: &str) -> Result<Matcher<'_>, MatcherProblemKind> {
    if let Some(literal) = text.strip_prefix('$').filter(|rest| rest.starts_with('$')) {
        return Ok(Matcher::Literal(literal));
    }
    if let Some(name) = text.strip_prefix("$type:") {
        return JsonType::parse(name)
            .map(Matcher::Type)
            .ok_or_else(|| MatcherProblemKind::UnknownType {
                name: name.to_owned(),
            });
    }
    if let Some(pattern) = text.strip_prefix("$regex:") {
        return Ok(Matcher::Regex(pattern));
    }
    if let Some(name) = text.strip_prefix("$id:") {
        return if is_id_name(name) {
            Ok(Matcher::Id(name))
        } else {
            Err(MatcherProblemKind::BadId {
                text: text.to_owned(),
            })
        };
    }
    if let Some(path) = text.strip_prefix("$uri:") {
        check_placeholders(text)?;
        return Ok(Matcher::Uri(path));
    }
    match text {
        ANY => return Ok(Matcher::Any),
        ABSENT => return Ok(Matcher::Absent),
        UNORDERED | CONTAINS => return Ok(Matcher::Marker(text)),
        _ => {}
    }
    if text.starts_with('$') && !text.starts_with("${") {
        return Err(MatcherProblemKind::UnknownMatcher {
            text: text.to_owned(),
        });
    }
    check_placeholders(text)?;
    Ok(Matcher::Text(text))
}

/// A symbolic id's name: letters, digits, `_`, `-` and `.`, not empty.
pub(crate) fn is_id_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Every `${` must be closed: an unclosed one is almost certainly a typo, and silently
/// comparing it as literal text would hide that.
fn check_placeholders(text: &str) -> Result<(), MatcherProblemKind> {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(MatcherProblemKind::UnclosedPlaceholder {
                text: text.to_owned(),
            });
        };
        rest = &after[end + 1..];
    }
    Ok(())
}

/// The type names `$type:` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Null,
    Object,
    Array,
}

impl JsonType {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Self::String,
            "number" => Self::Number,
            "integer" => Self::Integer,
            "boolean" => Self::Boolean,
            "null" => Self::Null,
            "object" => Self::Object,
            "array" => Self::Array,
            _ => return None,
        })
    }

    /// The name as written after `$type:`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
            Self::Integer => "integer",
            Self::Boolean => "boolean",
            Self::Null => "null",
            Self::Object => "object",
            Self::Array => "array",
        }
    }

    /// Whether `value` has this type. `integer` accepts any number without a fractional part
    /// (`3.0` included), in line with numbers comparing by value.
    pub(crate) fn holds(self, value: &Value) -> bool {
        match self {
            Self::String => value.is_string(),
            Self::Number => value.is_number(),
            Self::Integer => {
                value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
            }
            Self::Boolean => value.is_boolean(),
            Self::Null => value.is_null(),
            Self::Object => value.is_object(),
            Self::Array => value.is_array(),
        }
    }
}

/// The path and query of a URL, which is what `$uri:` compares. Text that starts with a single
/// `/` is already a path. Otherwise everything up to the first `/` after the `//` of the
/// authority is dropped, without parsing the scheme or authority: vendor documentation mangles
/// them (`"http: //192.168.83.25: 8090/api/..."`) and those samples must still compare by path.
/// A fragment is never part of the comparison.
pub(crate) fn path_and_query(text: &str) -> &str {
    let without_fragment = text.split('#').next().unwrap_or(text);
    if without_fragment.starts_with('/') && !without_fragment.starts_with("//") {
        return without_fragment;
    }
    let Some(authority_start) = without_fragment.find("//") else {
        return without_fragment;
    };
    let after = &without_fragment[authority_start + 2..];
    match after.find('/') {
        Some(slash) => &after[slash..],
        None => "/",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn classifies_every_matcher() {
        assert_eq!(classify("$$any"), Ok(Matcher::Literal("$any")));
        assert_eq!(classify("$any"), Ok(Matcher::Any));
        assert_eq!(classify("$absent"), Ok(Matcher::Absent));
        assert_eq!(classify("$unordered"), Ok(Matcher::Marker(UNORDERED)));
        assert_eq!(classify("$contains"), Ok(Matcher::Marker(CONTAINS)));
        assert_eq!(classify("$type:integer"), Ok(Matcher::Type(JsonType::Integer)));
        assert_eq!(classify("$regex:a+"), Ok(Matcher::Regex("a+")));
        assert_eq!(classify("$uri:/x/${id}"), Ok(Matcher::Uri("/x/${id}")));
        assert_eq!(classify("${id}"), Ok(Matcher::Text("${id}")));
        assert_eq!(classify("a ${id} b"), Ok(Matcher::Text("a ${id} b")));
        assert_eq!(classify("costs 5$"), Ok(Matcher::Text("costs 5$")));
        assert_eq!(classify(""), Ok(Matcher::Text("")));
    }

    #[test]
    fn rejects_unknown_and_malformed_matchers() {
        assert_eq!(
            classify("$anyy"),
            Err(MatcherProblemKind::UnknownMatcher { text: "$anyy".into() })
        );
        assert_eq!(
            classify("$"),
            Err(MatcherProblemKind::UnknownMatcher { text: "$".into() })
        );
        assert_eq!(
            classify("$type:int"),
            Err(MatcherProblemKind::UnknownType { name: "int".into() })
        );
        assert_eq!(
            classify("id ${session"),
            Err(MatcherProblemKind::UnclosedPlaceholder {
                text: "id ${session".into()
            })
        );
        assert_eq!(
            classify("$uri:/x/${id"),
            Err(MatcherProblemKind::UnclosedPlaceholder {
                text: "$uri:/x/${id".into()
            })
        );
    }

    #[test]
    fn type_names() {
        let samples = [
            json!("s"),
            json!(1),
            json!(1.5),
            json!(true),
            json!(null),
            json!({}),
            json!([]),
        ];
        let table = [
            ("string", [true, false, false, false, false, false, false]),
            ("number", [false, true, true, false, false, false, false]),
            ("integer", [false, true, false, false, false, false, false]),
            ("boolean", [false, false, false, true, false, false, false]),
            ("null", [false, false, false, false, true, false, false]),
            ("object", [false, false, false, false, false, true, false]),
            ("array", [false, false, false, false, false, false, true]),
        ];
        for (name, expected) in table {
            let ty = JsonType::parse(name).expect("known type name");
            assert_eq!(ty.name(), name);
            let got: Vec<bool> = samples.iter().map(|v| ty.holds(v)).collect();
            assert_eq!(got, expected, "$type:{name}");
        }
        assert!(JsonType::Integer.holds(&json!(3.0)));
        assert!(JsonType::Integer.holds(&json!(u64::MAX)));
    }

    #[test]
    fn path_and_query_ignores_scheme_host_port_and_fragment() {
        assert_eq!(path_and_query("http://h:8090/api/v2?x=1#frag"), "/api/v2?x=1");
        assert_eq!(path_and_query("https://gws.example/api"), "/api");
        assert_eq!(
            path_and_query("http: //192.168.83.25: 8090/api/v2/me/facebooksessions/1"),
            "/api/v2/me/facebooksessions/1"
        );
        assert_eq!(path_and_query("//host/p"), "/p");
        assert_eq!(path_and_query("http://host"), "/");
        assert_eq!(path_and_query("/api//double"), "/api//double");
        assert_eq!(path_and_query("relative/path"), "relative/path");
    }
}
