//! Durations in scenario files: an integer number of milliseconds (`5000`) or a string with a
//! unit (`"5s"`, `"250ms"`, `"1.5s"`). Kept as milliseconds so goldens and reports are exact.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Visitor};

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

/// Parses `"250ms"`, `"5s"`, `"1.5s"` or a bare number of milliseconds.
pub fn parse_millis(text: &str) -> Option<Millis> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number.trim().parse().ok()?;
    let ms = value * scale;
    if !ms.is_finite() || !(0.0..=86_400_000.0).contains(&ms) || ms.fract() != 0.0 {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "range and integrality checked above"
    )]
    Some(Millis(ms as u64))
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
                Ok(Millis(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
                u64::try_from(v)
                    .map(Millis)
                    .map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Millis, E> {
                parse_millis(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
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
    }
}
