//! The one place an error and its chain of causes become a single line of text.
//!
//! Library errors that wrap a foreign error they cannot keep (reqwest errors are not `Clone`,
//! and the runner's results are plain data) store this line instead. The top level of a
//! reqwest error says only "error sending request for url (...)"; the reason is in its
//! sources, so they are joined with `: `. Causes whose text is already in the line (hyper and
//! std often repeat their inner error) are skipped, and each part is bounded
//! ([`crate::elide`]) because reqwest quotes whole URLs.

use std::error::Error;

use crate::elide::{MESSAGE_CHARS, elide};

/// `error` and each of its sources, joined with `: `, each part bounded.
pub fn flatten(error: &(dyn Error + 'static)) -> String {
    let mut line = elide(&error.to_string(), MESSAGE_CHARS).into_owned();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&elide(&text, MESSAGE_CHARS));
        }
        source = cause.source();
    }
    line
}

/// The innermost cause of `error` alone (what a one-line "cannot reach" wants to say).
pub fn root_cause(error: &(dyn Error + 'static)) -> String {
    let mut innermost = error;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    elide(&innermost.to_string(), MESSAGE_CHARS).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer {text}")]
    struct Outer {
        text: String,
        #[source]
        inner: Inner,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("inner: connection refused")]
    struct Inner {
        #[source]
        io: std::io::Error,
    }

    fn sample(text: &str) -> Outer {
        Outer {
            text: text.to_owned(),
            inner: Inner {
                io: std::io::Error::other("connection refused"),
            },
        }
    }

    #[test]
    fn joins_causes_and_skips_repeats() {
        assert_eq!(flatten(&sample("x")), "outer x: inner: connection refused");
        assert_eq!(root_cause(&sample("x")), "connection refused");
    }

    #[test]
    fn bounds_each_part() {
        let line = flatten(&sample(&"u".repeat(70_000)));
        assert!(line.len() < 1_000, "{}", line.len());
        assert!(line.contains("more characters)"), "{line}");
        assert!(line.ends_with(": inner: connection refused"), "{line}");
    }
}
