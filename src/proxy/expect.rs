//! Inline expectations from a golden: the golden module has already written captured values
//! as `${name}`, volatile values as `$type:T` and absolute URLs as `$uri:PATH`; what remains
//! are symbolic ids, which only goldens bind (`$id:NAME-N`, `${id:NAME-N}`). In a scenario an
//! id alone becomes `$type:string`, and a string with ids inside becomes a `$regex:` that
//! accepts any id there (and any host, for a `$uri:`).

use serde_json::Value;

use crate::matching::template::{Part, parts};

/// What a single id (or any placeholder inside a regex) may be.
const ID_PATTERN: &str = "[^/?#\\s]+";

/// The expectation form of a golden value.
pub(crate) fn expectation(golden: &Value) -> Value {
    match golden {
        Value::String(text) => Value::String(expect_text(text)),
        Value::Array(items) => Value::Array(items.iter().map(expectation).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), expectation(v))).collect()),
        other => other.clone(),
    }
}

fn expect_text(text: &str) -> String {
    if text.starts_with("$id:") {
        return "$type:string".to_owned();
    }
    if text.starts_with("$$") || text.starts_with("$regex:") || !text.contains("${id:") {
        return text.to_owned();
    }
    let (mut pattern, body) = match text.strip_prefix("$uri:") {
        // `$uri:` ignores scheme and host; so does the regex.
        Some(rest) => ("(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]*)?".to_owned(), rest),
        None => (String::new(), text),
    };
    for part in parts(body) {
        match part {
            Part::Text(t) => pattern.push_str(&regex::escape(t)),
            Part::Var(_) | Part::Id(_) => pattern.push_str(ID_PATTERN),
        }
    }
    format!("$regex:{pattern}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::matching::{Vars, match_value};

    #[test]
    fn ids_become_types_or_patterns_and_everything_else_stays() {
        let golden = json!({
            "participantId": "$id:participant-1",
            "id": "${session}",
            "text": "REMOVE_PARTICIPANT_FROM_CONFERENCE${id:user-2}",
            "uri": "$uri:/api/v2/users/${id:user-1}",
            "session": "$uri:/api/v2/facebooksessions/${session}",
            "stamp": "$type:string",
            "literal": "$$money",
            "n": 3,
        });
        let expected = expectation(&golden);
        assert_eq!(
            expected,
            json!({
                "participantId": "$type:string",
                "id": "${session}",
                "text": "$regex:REMOVE_PARTICIPANT_FROM_CONFERENCE[^/?#\\s]+",
                "uri": "$regex:(?:[A-Za-z][A-Za-z0-9+.-]*://[^/]*)?/api/v2/users/[^/?#\\s]+",
                "session": "$uri:/api/v2/facebooksessions/${session}",
                "stamp": "$type:string",
                "literal": "$$money",
                "n": 3,
            })
        );
        let actual = json!({
            "participantId": "00A1", "id": "S1", "text": "REMOVE_PARTICIPANT_FROM_CONFERENCEab12",
            "uri": "http://10.0.0.1:8090/api/v2/users/ab12", "session": "http://h/api/v2/facebooksessions/S1",
            "stamp": "2015", "literal": "$money", "n": 3,
        });
        let vars = Vars::from([("session".to_owned(), json!("S1"))]);
        assert!(match_value(&expected, &actual, &vars).is_empty());
    }
}
