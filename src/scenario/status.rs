//! The expected HTTP status of a response: one code (`200`), a class (`4xx`), or a list of
//! them (`[200, 4xx]`), because GWS documents which `statusCode` an error carries but not which
//! HTTP status carries it (reference §4.2): a scenario accepts every reasonable answer and says
//! so, instead of pinning the reference server's choice.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use super::yaml_error::HELP_SEPARATOR;

/// One accepted status: an exact code or a whole class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPattern {
    /// Exactly this code (100–599).
    Code(u16),
    /// Any code of this class: `4` is `4xx` (400–499).
    Class(u8),
}

impl StatusPattern {
    /// Whether `status` is accepted.
    pub fn matches(self, status: u16) -> bool {
        match self {
            StatusPattern::Code(code) => code == status,
            StatusPattern::Class(class) => status / 100 == u16::from(class),
        }
    }

    /// Parses `200`, `4xx` or `4XX` (the text of a code or a class).
    fn parse(text: &str) -> Option<StatusPattern> {
        let bytes = text.as_bytes();
        if bytes.len() != 3 || !(b'1'..=b'5').contains(&bytes[0]) {
            return None;
        }
        let class = bytes[0] - b'0';
        match &text[1..] {
            "xx" | "XX" => Some(StatusPattern::Class(class)),
            digits if digits.bytes().all(|b| b.is_ascii_digit()) => {
                text.parse().ok().map(StatusPattern::Code)
            }
            _ => None,
        }
    }

    fn from_number(n: u64) -> Option<StatusPattern> {
        u16::try_from(n)
            .ok()
            .filter(|code| (100..600).contains(code))
            .map(StatusPattern::Code)
    }
}

impl fmt::Display for StatusPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusPattern::Code(code) => write!(f, "{code}"),
            StatusPattern::Class(class) => write!(f, "{class}xx"),
        }
    }
}

/// The `status:` of an expected response: accepted when any of its patterns matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSpec(Vec<StatusPattern>);

impl StatusSpec {
    /// Exactly `code`.
    pub fn code(code: u16) -> Self {
        StatusSpec(vec![StatusPattern::Code(code)])
    }

    /// Accepts any of `patterns` (at least one).
    pub fn any_of(patterns: Vec<StatusPattern>) -> Option<Self> {
        (!patterns.is_empty()).then_some(StatusSpec(patterns))
    }

    /// Whether `status` is accepted.
    pub fn matches(&self, status: u16) -> bool {
        self.0.iter().any(|p| p.matches(status))
    }

    /// The accepted patterns, as written.
    pub fn patterns(&self) -> &[StatusPattern] {
        &self.0
    }
}

/// `200`, `200 or 400`, `200, 201 or 4xx`: reads in a sentence ("expected 200 or 4xx").
impl fmt::Display for StatusSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        for (i, pattern) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(if i + 1 == count { " or " } else { ", " })?;
            }
            write!(f, "{pattern}")?;
        }
        Ok(())
    }
}

/// Serialised as written: a number, a class string, or a list of them.
impl Serialize for StatusSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn one<S: Serializer>(p: StatusPattern, s: S) -> Result<S::Ok, S::Error> {
            match p {
                StatusPattern::Code(code) => s.serialize_u16(code),
                StatusPattern::Class(_) => s.serialize_str(&p.to_string()),
            }
        }
        struct One(StatusPattern);
        impl Serialize for One {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                one(self.0, s)
            }
        }
        match self.0.as_slice() {
            [single] => one(*single, serializer),
            many => {
                let mut seq = serializer.serialize_seq(Some(many.len()))?;
                for p in many {
                    seq.serialize_element(&One(*p))?;
                }
                seq.end()
            }
        }
    }
}

/// A located, hinted error (see `yaml_error`): `custom` so serde-saphyr points at the value.
fn invalid<E: de::Error>(found: impl fmt::Display) -> E {
    E::custom(format_args!(
        "invalid status {found}{HELP_SEPARATOR}write an HTTP status code (`200`), a class (`4xx`), \
         or a list of them (`[200, 400]`, `[200, 4xx]`)"
    ))
}

/// Deserialises one list element or the whole value when it is a scalar.
struct PatternVisitor;

impl Visitor<'_> for PatternVisitor {
    type Value = StatusPattern;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an HTTP status code like 200 or a class like \"4xx\"")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusPattern, E> {
        StatusPattern::from_number(v).ok_or_else(|| invalid(format_args!("`{v}`")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusPattern, E> {
        u64::try_from(v)
            .ok()
            .and_then(StatusPattern::from_number)
            .ok_or_else(|| invalid(format_args!("`{v}`")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<StatusPattern, E> {
        // `200.0` is an integer to JSON Schema too.
        if v.fract() == 0.0 && (100.0..600.0).contains(&v) {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "range and integrality checked above"
            )]
            return Ok(StatusPattern::Code(v as u16));
        }
        Err(invalid(format_args!("`{v}`")))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<StatusPattern, E> {
        Err(invalid(format_args!("`{v}`")))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<StatusPattern, E> {
        StatusPattern::parse(v.trim()).ok_or_else(|| invalid(format_args!("`{v}`")))
    }
}

impl<'de> serde::Deserialize<'de> for StatusPattern {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(PatternVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for StatusSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl<'de> Visitor<'de> for SpecVisitor {
            type Value = StatusSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an HTTP status code, a class like \"4xx\", or a list of them")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<StatusSpec, E> {
                PatternVisitor.visit_u64(v).map(|p| StatusSpec(vec![p]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<StatusSpec, E> {
                PatternVisitor.visit_i64(v).map(|p| StatusSpec(vec![p]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<StatusSpec, E> {
                PatternVisitor.visit_f64(v).map(|p| StatusSpec(vec![p]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<StatusSpec, E> {
                PatternVisitor.visit_bool(v).map(|p| StatusSpec(vec![p]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StatusSpec, E> {
                PatternVisitor.visit_str(v).map(|p| StatusSpec(vec![p]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StatusSpec, A::Error> {
                let mut patterns = Vec::new();
                while let Some(pattern) = seq.next_element::<StatusPattern>()? {
                    patterns.push(pattern);
                }
                StatusSpec::any_of(patterns).ok_or_else(|| invalid("list `[]` (it would accept nothing)"))
            }
        }
        deserializer.deserialize_any(SpecVisitor)
    }
}

impl JsonSchema for StatusSpec {
    fn schema_name() -> Cow<'static, str> {
        "Status".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let one = json_schema!({
            "anyOf": [
                { "type": "integer", "minimum": 100, "maximum": 599 },
                { "type": "string", "pattern": "^\\s*[1-5]([0-9]{2}|xx|XX)\\s*$" }
            ]
        });
        json_schema!({
            "description": "Expected HTTP status: a code (`200`), a class (`4xx`), or a non-empty list of them (`[200, 400]`, `[200, 4xx]`); any of them is accepted.",
            "anyOf": [
                one,
                { "type": "array", "items": one, "minItems": 1 }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> Result<StatusSpec, String> {
        serde_saphyr::from_str::<StatusSpec>(yaml).map_err(|e| e.to_string())
    }

    #[test]
    fn codes_classes_and_lists() {
        assert_eq!(spec("200"), Ok(StatusSpec::code(200)));
        let class = spec("4xx").expect("class");
        assert!(class.matches(400) && class.matches(499) && !class.matches(500) && !class.matches(200));
        let list = spec("[200, 4xx]").expect("list");
        assert!(list.matches(200) && list.matches(403) && !list.matches(201) && !list.matches(503));
        assert_eq!(spec("\"5XX\"").map(|s| s.to_string()), Ok("5xx".to_owned()));
    }

    #[test]
    fn reads_as_a_sentence() {
        assert_eq!(spec("200").unwrap().to_string(), "200");
        assert_eq!(spec("[401, 403]").unwrap().to_string(), "401 or 403");
        assert_eq!(spec("[200, 201, 4xx]").unwrap().to_string(), "200, 201 or 4xx");
    }

    #[test]
    fn malformed_values_are_refused() {
        for bad in [
            "99",
            "600",
            "0",
            "-200",
            "20.5",
            "600.0",
            "true",
            "\"4x\"",
            "\"6xx\"",
            "\"ok\"",
            "[]",
            "[200, \"2x\"]",
        ] {
            assert!(spec(bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn serialises_as_written() {
        let json = |yaml: &str| serde_json::to_string(&spec(yaml).expect("parses")).expect("serialises");
        assert_eq!(json("200"), "200");
        assert_eq!(json("4xx"), "\"4xx\"");
        assert_eq!(json("[200, 4xx]"), "[200,\"4xx\"]");
    }
}
