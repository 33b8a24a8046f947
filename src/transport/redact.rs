//! Header values that must never reach a report or a log: credentials, session cookies and CSRF
//! tokens (DESIGN.md §2). The transport replaces them in every response it hands out, and
//! requests (which the runner builds from scenarios) replace them whenever they are serialised
//! or debug-printed, so a JSON report or a test failure cannot carry them.

use serde::Serializer;
use serde::ser::SerializeSeq;

/// What a sensitive header value becomes.
pub const REDACTED: &str = "[redacted]";

/// Headers whose values are secrets (lowercase; names compare case-insensitively).
pub const SENSITIVE_HEADERS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-csrf-token",
];

/// Whether the value of header `name` is a secret.
pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

/// `headers` with every sensitive value replaced by [`REDACTED`]; names and order are kept, so
/// a scenario can still assert that such a header is present (`$any`) or absent.
pub fn redact_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.clone(), redacted_value(name, value).to_owned()))
        .collect()
}

fn redacted_value<'a>(name: &str, value: &'a str) -> &'a str {
    if is_sensitive_header(name) {
        REDACTED
    } else {
        value
    }
}

/// Serialises headers as `[[name, value], ...]` (the derived shape) with secrets redacted.
pub(crate) fn serialize_redacted<S: Serializer>(
    headers: &[(String, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut seq = serializer.serialize_seq(Some(headers.len()))?;
    for (name, value) in headers {
        seq.serialize_element(&(name, redacted_value(name, value)))?;
    }
    seq.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_each_sensitive_header_whatever_its_case_and_keeps_the_rest() {
        let headers: Vec<(String, String)> = [
            ("Authorization", "Basic YWdlbnQxOnBhc3N3b3Jk"),
            ("PROXY-AUTHORIZATION", "Basic eA=="),
            ("cookie", "JSESSIONID=ABC"),
            ("Set-Cookie", "JSESSIONID=ABC; Path=/"),
            ("X-CSRF-Token", "0f3c"),
            ("X-CSRF-HEADER", "X-CSRF-TOKEN"),
            ("content-type", "application/json"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        let redacted = redact_headers(&headers);
        let values: Vec<&str> = redacted.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            values,
            [
                REDACTED,
                REDACTED,
                REDACTED,
                REDACTED,
                REDACTED,
                "X-CSRF-TOKEN",
                "application/json"
            ]
        );
        assert_eq!(redacted[0].0, "Authorization", "names are kept as they were");

        let mut json = serde_json::Serializer::new(Vec::new());
        serialize_redacted(&headers, &mut json).unwrap();
        let json = String::from_utf8(json.into_inner()).unwrap();
        for secret in ["YWdlbnQx", "eA==", "JSESSIONID=ABC", "0f3c"] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        assert!(json.starts_with(r#"[["Authorization","[redacted]"],"#), "{json}");
    }
}
