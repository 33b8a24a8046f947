//! Bounded text for messages: anything that came from a target or a file (a URL, a pattern, a
//! body, a header) is cut to a fixed number of characters before it is put into an error, with
//! a count of what was left out, so a hostile input can never turn one line of output into
//! megabytes.
//!
//! Pure and dependency-free, so every module can use it.

use std::borrow::Cow;

/// How many characters of a value an error message quotes by default.
pub const MESSAGE_CHARS: usize = 200;

/// `text` if it has at most `max_chars` characters; otherwise its first `max_chars`
/// characters, then `… (N more characters)`.
pub fn elide(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            Cow::Owned(format!("{}… ({rest} more characters)", &text[..cut]))
        }
    }
}

/// Like [`elide`] for raw bytes (a response body): decoded lossily, and the count is of bytes,
/// since what was left out need not be text.
pub fn elide_bytes(bytes: &[u8], max_chars: usize) -> String {
    // At most four bytes per character are needed to show `max_chars` characters.
    let head = &bytes[..bytes.len().min(max_chars.saturating_mul(4))];
    let text = String::from_utf8_lossy(head);
    let (shown, shown_bytes) = match text.char_indices().nth(max_chars) {
        None => (text.as_ref(), head.len()),
        Some((cut, _)) => (&text[..cut], prefix_bytes(head, max_chars)),
    };
    let rest = bytes.len().saturating_sub(shown_bytes);
    if rest == 0 {
        shown.to_owned()
    } else {
        format!("{shown}… ({rest} more bytes)")
    }
}

/// How many bytes of `bytes` the first `chars` lossily decoded characters span.
fn prefix_bytes(bytes: &[u8], chars: usize) -> usize {
    let mut consumed = 0;
    let mut seen = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if seen == chars {
                return consumed;
            }
            seen += 1;
            consumed += c.len_utf8();
        }
        if !chunk.invalid().is_empty() {
            if seen == chars {
                return consumed;
            }
            // One replacement character stands for the whole invalid sequence.
            seen += 1;
            consumed += chunk.invalid().len();
        }
    }
    consumed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_says_how_much_was_cut() {
        assert_eq!(elide("abc", 3), "abc");
        assert_eq!(elide("abcd", 3), "abc… (1 more characters)");
        assert_eq!(elide("ääää", 2), "ää… (2 more characters)");
        assert_eq!(elide(&"x".repeat(70_000), 5), "xxxxx… (69995 more characters)");
    }

    #[test]
    fn bytes_are_cut_by_characters_and_counted_in_bytes() {
        assert_eq!(elide_bytes(b"abc", 3), "abc");
        assert_eq!(elide_bytes(b"abcdef", 3), "abc… (3 more bytes)");
        assert_eq!(elide_bytes("äbc".as_bytes(), 1), "ä… (2 more bytes)");
        assert_eq!(elide_bytes(b"\xffab", 2), "\u{fffd}a… (1 more bytes)");
        let huge = vec![b'y'; 50 * 1024 * 1024];
        assert_eq!(
            elide_bytes(&huge, 2),
            format!("yy… ({} more bytes)", huge.len() - 2)
        );
    }
}
