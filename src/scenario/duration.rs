//! Durations in scenario files: an integer number of milliseconds (`5000`) or a string with a
//! unit (`"5s"`, `"250ms"`, `"1.5s"`). Kept as milliseconds so goldens and reports are exact.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Visitor};

use super::yaml_error::HELP_SEPARATOR;

/// A duration written in a scenario, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Millis(pub u64);

impl Millis {
    /// As a std duration.
    pub fn duration(self) -> Duration {
        Duration::from_millis(self.0)
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ms", self.0)
    }
}

/// The longest duration a scenario may ask for: a day, which no notification should need.
pub const MAX_MILLIS: u64 = 86_400_000;

/// Parses `"250ms"`, `"5s"`, `"1.5s"` or a bare number of milliseconds: digits with an optional
/// fraction and an optional unit (`ms`, `s`), at most a day, in whole milliseconds. Nothing
/// else (no exponents, signs or `inf`), so the JSON Schema pattern describes it exactly.
pub fn parse_millis(text: &str) -> Option<Millis> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    let number = number.trim_end();
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let ms = value * scale;
    if !(0.0..=MAX_MILLIS as f64).contains(&ms) || ms.fract() != 0.0 {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "range and integrality checked above"
    )]
    Some(Millis(ms as u64))
}

/// A located, hinted error (see `yaml_error`): `custom` rather than `invalid_value` so that
/// serde-saphyr points at the value instead of the enclosing mapping.
fn invalid<E: de::Error>(found: impl fmt::Display) -> E {
    E::custom(format_args!(
        "invalid duration {found}{HELP_SEPARATOR}write whole milliseconds (`5000`) or a number with a \
         unit (`5s`, `1.5s`, `250ms`), at most a day"
    ))
}

impl<'de> serde::Deserialize<'de> for Millis {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MillisVisitor;
        impl Visitor<'_> for MillisVisitor {
            type Value = Millis;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration: milliseconds as an integer, or a string like \"5s\" or \"250ms\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
                if v <= MAX_MILLIS {
                    Ok(Millis(v))
                } else {
                    Err(invalid(format_args!("`{v}`")))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
                u64::try_from(v)
                    .map_err(|_| invalid(format_args!("`{v}`")))
                    .and_then(|v| self.visit_u64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Millis, E> {
                // `5000.0` is an integer to JSON Schema too; anything else is not milliseconds.
                if v.fract() == 0.0 && (0.0..=MAX_MILLIS as f64).contains(&v) {
                    #[expect(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "range and integrality checked above"
                    )]
                    Ok(Millis(v as u64))
                } else {
                    Err(invalid(format_args!("`{v}`")))
                }
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Millis, E> {
                Err(invalid(format_args!("`{v}`")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Millis, E> {
                parse_millis(v).ok_or_else(|| invalid(format_args!("`{v}`")))
            }
        }
        deserializer.deserialize_any(MillisVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_millis("250ms"), Some(Millis(250)));
        assert_eq!(parse_millis("5s"), Some(Millis(5000)));
        assert_eq!(parse_millis("1.5s"), Some(Millis(1500)));
        assert_eq!(parse_millis("40"), Some(Millis(40)));
        assert_eq!(parse_millis("-1s"), None);
        assert_eq!(parse_millis("fast"), None);
        assert_eq!(parse_millis("0.0001s"), None);
        assert_eq!(parse_millis("1e3"), None);
        assert_eq!(parse_millis("+5s"), None);
        assert_eq!(parse_millis("inf"), None);
        assert_eq!(parse_millis("5 s"), Some(Millis(5000)));
        assert_eq!(parse_millis("86400s"), Some(Millis(MAX_MILLIS)));
        assert_eq!(parse_millis("86401s"), None);
    }
}
