//! What one HTTP request can carry, checked before anything is sent: header names and values,
//! the request target, and Basic-auth user names.
//!
//! A request that breaks these rules is the scenario's fault, not the target's: `check` finds
//! them in scenario files (with placeholders standing in for their values), and the transport
//! checks each request again after interpolation, so one that still cannot be built is a
//! scenario error (exit 2), never "cannot reach" (exit 3). The checks are exactly what the
//! HTTP stack would refuse (`http` header and URI rules), plus a length bound on paths and
//! header values well below what any server accepts.
//!
//! Every message quotes the offending text escaped and bounded ([`crate::elide`]): a header
//! name may hold a newline and a path may be 70,000 characters long.

use url::Url;

use crate::elide::{MESSAGE_CHARS, elide};

/// The longest request target (path and query) sent, in characters. Tomcat, nginx and Apache
/// refuse request lines over 8 KiB by default, so a longer one can only be a mistake.
pub const MAX_PATH_CHARS: usize = 8192;

/// The longest header value sent, in bytes (the same 8 KiB servers allow per header line).
pub const MAX_HEADER_VALUE_BYTES: usize = 8192;

/// Why a request cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsendable {
    /// A header name outside HTTP's token characters.
    #[error("header name \"{name}\" is not a valid HTTP header name: {why}")]
    HeaderName {
        /// The name, escaped and bounded.
        name: String,
        /// What is wrong with it.
        why: String,
    },
    /// A header value with control characters (a line break would end the header) or too long.
    #[error("the value of header \"{name}\" cannot be sent: {why}")]
    HeaderValue {
        /// The header's name, escaped and bounded.
        name: String,
        /// What is wrong with the value (never the value itself: it may be a secret).
        why: String,
    },
    /// A path longer than [`MAX_PATH_CHARS`].
    #[error("the path is {chars} characters long; at most {max} are sent (\"{start}\")")]
    PathTooLong {
        /// Its length in characters.
        chars: usize,
        /// The limit.
        max: usize,
        /// How it starts, escaped and bounded.
        start: String,
    },
    /// A path that cannot become a request URI.
    #[error("the path \"{path}\" cannot form a request URI: {why}")]
    Path {
        /// The path, escaped and bounded.
        path: String,
        /// Why.
        why: String,
    },
    /// A user name HTTP Basic auth cannot carry.
    #[error("user name \"{user}\" cannot be sent in HTTP Basic auth: {why}")]
    User {
        /// The user name, escaped and bounded.
        user: String,
        /// Why.
        why: String,
    },
}

/// Checks a header name.
pub fn check_header_name(name: &str) -> Result<(), Unsendable> {
    if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok() {
        return Ok(());
    }
    let why = match name.chars().find(|c| !is_token_char(*c)) {
        None => "it is empty".to_owned(),
        Some(c) => format!(
            "{} is not allowed (names are letters, digits and !#$%&'*+-.^_`|~)",
            describe_char(c)
        ),
    };
    Err(Unsendable::HeaderName {
        name: shown(name),
        why,
    })
}

/// Checks a header value (`name` is only for the message).
pub fn check_header_value(name: &str, value: &str) -> Result<(), Unsendable> {
    let why = if value.len() > MAX_HEADER_VALUE_BYTES {
        Some(format!(
            "it is {} bytes long; at most {MAX_HEADER_VALUE_BYTES} are sent",
            value.len()
        ))
    } else {
        value
            .chars()
            .find(|c| c.is_ascii_control() && *c != '\t')
            .map(|c| format!("it contains {}, which would break the header", describe_char(c)))
    };
    match why {
        None => Ok(()),
        Some(why) => Err(Unsendable::HeaderValue {
            name: shown(name),
            why,
        }),
    }
}

/// Checks a path (or absolute URL) as a scenario writes it, before interpolation: each
/// `${name}` placeholder stands for a short value.
pub fn check_path_template(path: &str) -> Result<(), Unsendable> {
    let mut text = String::with_capacity(path.len().min(MAX_PATH_CHARS + 1));
    let mut rest = path;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        text.push_str(&rest[..start]);
        text.push('x');
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    check_path(&text)
}

/// Checks a path (or absolute URL) after interpolation: its length, then whether it joins a
/// base URL into a request URI.
pub fn check_path(path: &str) -> Result<(), Unsendable> {
    let chars = path.chars().count();
    if chars > MAX_PATH_CHARS {
        return Err(Unsendable::PathTooLong {
            chars,
            max: MAX_PATH_CHARS,
            start: shown_n(path, 40),
        });
    }
    // Any base will do: only the path's own characters can make the URI invalid.
    let base = Url::parse("http://target.invalid/").map_err(|e| path_error(path, &e.to_string()))?;
    let url = crate::target::join_url(&base, path).map_err(|e| path_error(path, &e.to_string()))?;
    check_url(&url).map_err(|_| path_error(path, "it is not a valid URI"))
}

/// Checks a whole URL the way the HTTP stack will convert it.
pub fn check_url(url: &Url) -> Result<(), Unsendable> {
    if url.as_str().chars().count() > MAX_PATH_CHARS {
        return Err(Unsendable::PathTooLong {
            chars: url.as_str().chars().count(),
            max: MAX_PATH_CHARS,
            start: shown_n(url.as_str(), 40),
        });
    }
    url.as_str()
        .parse::<http::Uri>()
        .map(drop)
        .map_err(|e| path_error(url.as_str(), &e.to_string()))
}

/// Checks a Basic-auth user name: RFC 7617 forbids `:` (it separates the password) and
/// control characters.
pub fn check_user(user: &str) -> Result<(), Unsendable> {
    let why = if user.is_empty() {
        Some("it is empty".to_owned())
    } else if user.contains(':') {
        Some("`:` separates the user from the password".to_owned())
    } else {
        user.chars()
            .find(|c| c.is_control())
            .map(|c| format!("it contains {}", describe_char(c)))
    };
    match why {
        None => Ok(()),
        Some(why) => Err(Unsendable::User {
            user: shown(user),
            why,
        }),
    }
}

fn path_error(path: &str, why: &str) -> Unsendable {
    Unsendable::Path {
        path: shown(path),
        why: why.to_owned(),
    }
}

/// `text` with control characters escaped (so a message stays one line), bounded.
fn shown(text: &str) -> String {
    shown_n(text, MESSAGE_CHARS)
}

fn shown_n(text: &str, max: usize) -> String {
    let cut = elide(text, max);
    cut.chars().flat_map(char::escape_debug).collect()
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn describe_char(c: char) -> String {
    match c {
        '\n' => "a line feed (\\n)".to_owned(),
        '\r' => "a carriage return (\\r)".to_owned(),
        '\t' => "a tab".to_owned(),
        ' ' => "a space".to_owned(),
        c if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
        c => format!("`{c}`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_must_be_tokens() {
        assert_eq!(check_header_name("X-Tenant"), Ok(()));
        let err = check_header_name("X-A\nB").unwrap_err().to_string();
        assert_eq!(
            err,
            "header name \"X-A\\nB\" is not a valid HTTP header name: a line feed (\\n) is not \
             allowed (names are letters, digits and !#$%&'*+-.^_`|~)"
        );
        assert!(check_header_name("").is_err());
        assert!(
            check_header_name("X Y")
                .unwrap_err()
                .to_string()
                .contains("a space")
        );
    }

    #[test]
    fn header_values_must_not_break_the_line_and_never_echo_the_value() {
        assert_eq!(check_header_value("X", "tab\tand ümlaut"), Ok(()));
        let err = check_header_value("X-C", "secret\r\nInjected: 1")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the value of header \"X-C\" cannot be sent: it contains a carriage return (\\r), which \
             would break the header"
        );
        assert!(!err.contains("secret"));
        let long = "v".repeat(MAX_HEADER_VALUE_BYTES + 1);
        assert!(
            check_header_value("X", &long)
                .unwrap_err()
                .to_string()
                .contains("8193 bytes")
        );
    }

    #[test]
    fn paths_must_form_a_bounded_uri() {
        assert_eq!(check_path("/api/v2/me?x=1"), Ok(()));
        assert_eq!(check_path("http://h:1/x"), Ok(()));
        assert_eq!(check_path_template("/s/${session}/x"), Ok(()));
        let long = format!("/{}", "a".repeat(70_000));
        let err = check_path(&long).unwrap_err().to_string();
        assert!(
            err.starts_with("the path is 70001 characters long; at most 8192 are sent"),
            "{err}"
        );
        assert!(err.len() < 200, "{err}");
        assert!(check_path("http://[::1").is_err());
    }

    #[test]
    fn basic_auth_users_have_no_colon_or_control_characters() {
        assert_eq!(check_user("agént1"), Ok(()));
        assert_eq!(
            check_user("agent:1").unwrap_err().to_string(),
            "user name \"agent:1\" cannot be sent in HTTP Basic auth: `:` separates the user from the \
             password"
        );
        assert!(check_user("a\u{7}b").unwrap_err().to_string().contains("U+0007"));
        assert!(check_user("").is_err());
    }
}
