//! RFC 6901 JSON Pointers: building them while walking a value, and resolving captures.

use serde_json::Value;

/// Escapes one reference token (`~` → `~0`, `/` → `~1`); borrows when there is nothing to
/// escape, which is almost always (pointers are built for every key the matcher walks).
pub fn escape_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.contains(['~', '/']) {
        std::borrow::Cow::Owned(token.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

/// Resolves `pointer` in `value`. `""` is the whole value. Returns `None` when the pointer is
/// malformed (does not start with `/`) or names nothing.
pub fn resolve_pointer<'a>(value: &'a Value, pointer: &str) -> Option<&'a Value> {
    value.pointer(pointer)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn escapes_and_resolves() {
        assert_eq!(escape_token("a/b~c"), "a~1b~0c");
        let v = json!({"a/b": [1, {"c": 2}]});
        assert_eq!(resolve_pointer(&v, "/a~1b/1/c"), Some(&json!(2)));
        assert_eq!(resolve_pointer(&v, ""), Some(&v));
        assert_eq!(resolve_pointer(&v, "a"), None);
    }
}
