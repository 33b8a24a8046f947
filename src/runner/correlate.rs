//! Which interactions a notification is about, so a scenario only considers notifications
//! for the interactions it created (parallel scenarios share users and therefore streams).

use serde_json::Value;

/// Interaction ids named by a notification's `data`: the resource id of a state-change
/// message, or the last path segment of a message-log update's session URI/path.
pub fn interaction_ids(data: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    // `facebooksessions` is the key drift seen in the current Accept page (reference §6.2).
    for key in ["facebooksession", "facebooksessions"] {
        if let Some(id) = data.get(key).and_then(|s| s.get("id")).and_then(Value::as_str) {
            ids.push(id.to_owned());
        }
    }
    for key in ["facebooksessionUri", "facebooksessionPath"] {
        if let Some(text) = data.get(key).and_then(Value::as_str)
            && let Some(last) = text.trim_end_matches('/').rsplit('/').next()
            && !last.is_empty()
        {
            ids.push(last.to_owned());
        }
    }
    ids.sort();
    ids.dedup();
    ids
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_ids_in_both_message_types() {
        assert_eq!(interaction_ids(&json!({"facebooksession": {"id": "A1"}})), ["A1"]);
        assert_eq!(
            interaction_ids(
                &json!({"facebooksessionUri": "http://h/api/v2/facebooksessions/B2", "facebooksessionPath": "/facebooksessions/B2"})
            ),
            ["B2"]
        );
        assert!(interaction_ids(&json!({"other": 1})).is_empty());
    }
}
