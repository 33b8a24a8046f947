//! Bounds on everything a target or a file can make the harness hold: response bodies (read
//! incrementally and abandoned at `--max-body`), JSON nesting, and the sizes those limits are
//! written in (`16MiB`).
//!
//! The transport, the state hook and the Bayeux client all read bodies through
//! [`read_limited`], so no target can make the harness buffer more than the limit, however it
//! sends the body (declared length, chunked, endless).

use std::fmt;

/// The default `--max-body`: far above any GWS reply, far below what hurts a CI machine.
pub const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

/// The deepest JSON nesting read from a target: what serde_json's recursion limit (128)
/// lets through, checked before parsing so the error can say so plainly.
pub const MAX_JSON_DEPTH: usize = 127;

/// A number of bytes, written as `16MiB`, `512KiB`, `1MB`, `2048` (bytes) ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub usize);

impl ByteSize {
    /// Parses a size: a whole number with an optional unit (`B`, `KiB`, `MiB`, `GiB`, `KB`,
    /// `MB`, `GB`; any case). Zero is refused: no body would fit.
    pub fn parse(text: &str) -> Option<ByteSize> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: usize = number.parse().ok()?;
        let scale: usize = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "kib" => 1 << 10,
            "mib" => 1 << 20,
            "gib" => 1 << 30,
            "kb" => 1_000,
            "mb" => 1_000_000,
            "gb" => 1_000_000_000,
            _ => return None,
        };
        number.checked_mul(scale).filter(|bytes| *bytes > 0).map(ByteSize)
    }
}

impl fmt::Display for ByteSize {
    /// Exact binary units where they fit (`16 MiB`), bytes otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
            if bytes >= size && bytes.is_multiple_of(size) {
                return write!(f, "{} {unit}", bytes / size);
            }
        }
        write!(f, "{bytes} bytes")
    }
}

impl<'de> serde::Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl serde::de::Visitor<'_> for SizeVisitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size such as `16MiB`, `512KiB` or a number of bytes")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ByteSize, E> {
                usize::try_from(v)
                    .ok()
                    .filter(|v| *v > 0)
                    .map(ByteSize)
                    .ok_or_else(|| E::custom(format_args!("invalid size `{v}`: it must be more than 0")))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ByteSize, E> {
                ByteSize::parse(v).ok_or_else(|| {
                    E::custom(format_args!(
                        "invalid size `{}`: write a number of bytes or a number with a unit \
                         (`16MiB`, `512KiB`, `1MB`)",
                        crate::elide::elide(v, 40)
                    ))
                })
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// It is longer than the limit (declared so, or found so while reading).
    TooLarge,
    /// Reading failed (the connection closed, the request timed out ...).
    Read(reqwest::Error),
}

/// The whole body of `response`, unless it is longer than `limit` bytes: then reading stops
/// at once (a `Content-Length` over the limit stops it before the first byte).
pub async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|declared| declared > limit as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Whether `bytes`, read as JSON, opens more than `max` arrays and objects inside each other.
/// A scan of brackets outside strings: cheap, and exact for valid JSON.
pub fn json_too_deep(bytes: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units_and_print_exactly() {
        assert_eq!(ByteSize::parse("16MiB"), Some(ByteSize(16 << 20)));
        assert_eq!(ByteSize::parse("512 kib"), Some(ByteSize(512 << 10)));
        assert_eq!(ByteSize::parse("1MB"), Some(ByteSize(1_000_000)));
        assert_eq!(ByteSize::parse("2048"), Some(ByteSize(2048)));
        for bad in ["0", "", "MiB", "1.5MiB", "-1", "1TiB", "99999999999999999999"] {
            assert_eq!(ByteSize::parse(bad), None, "{bad}");
        }
        assert_eq!(ByteSize(DEFAULT_MAX_BODY).to_string(), "16 MiB");
        assert_eq!(ByteSize(1536).to_string(), "1536 bytes");
        assert_eq!(ByteSize(4096).to_string(), "4 KiB");
    }

    #[test]
    fn json_depth_counts_brackets_outside_strings() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(!json_too_deep(nested(127).as_bytes(), MAX_JSON_DEPTH));
        assert!(json_too_deep(nested(128).as_bytes(), MAX_JSON_DEPTH));
        assert!(!json_too_deep(br#"{"a":"[[[[[[\"[[[["}"#, 3));
        assert!(json_too_deep(br#"{"a":{"b":[1]}}"#, 2));
        // serde_json agrees on where the limit is.
        assert!(serde_json::from_str::<serde_json::Value>(&nested(127)).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&nested(128)).is_err());
    }
}
