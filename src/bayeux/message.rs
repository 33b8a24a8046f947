//! Bayeux wire types (one JSON object per message; HTTP bodies are arrays of them).
//!
//! Fields are optional and unknown fields are ignored, because the three dialects we meet
//! (CometD Java/Node servers, the CometD JS client, Faye) each add or omit different ones.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One Bayeux message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The channel, e.g. `/meta/connect` or `/v2/me/facebooksession`.
    pub channel: String,
    /// Message id, echoed in replies to meta messages.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "id_as_string"
    )]
    pub id: Option<String>,
    /// The client id (every client message except the handshake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Set on replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful: Option<bool>,
    /// `code:args:message` on failed replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Reconnect advice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<Advice>,
    /// Event payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Subscription channel(s): a string or an array of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Value>,
    /// Protocol version (handshake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Minimum protocol version (handshake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_version: Option<String>,
    /// Connection types offered or supported (handshake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supported_connection_types: Option<Vec<String>>,
    /// The connection type used (connect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_type: Option<String>,
    /// Extension data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ext: Option<Value>,
}

/// Reconnect advice (Bayeux §5.2 / CometD).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    /// `retry`, `handshake` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconnect: Option<String>,
    /// Milliseconds to wait before the next connect.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "saturating_i64"
    )]
    pub interval: Option<i64>,
    /// Milliseconds the server may hold a connect.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "saturating_u64"
    )]
    pub timeout: Option<u64>,
    /// Milliseconds after which a silent client is expired.
    #[serde(
        default,
        rename = "maxInterval",
        skip_serializing_if = "Option::is_none",
        deserialize_with = "saturating_u64"
    )]
    pub max_interval: Option<u64>,
    /// Set when several sessions share one browser cookie.
    #[serde(default, rename = "multiple-clients", skip_serializing_if = "Option::is_none")]
    pub multiple_clients: Option<bool>,
}

/// Faye and some clients send numeric ids; we keep ids as strings.
fn id_as_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// Advice numbers as servers send them: any JSON number, saturated into the field's range
/// (`1e300`, a negative timeout, 2^64), so an absurd value is clamped by the client instead of
/// making the whole reply unreadable.
fn saturating_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(Option::<serde_json::Number>::deserialize(d)?.map(|n| {
        n.as_u64()
            .or_else(|| n.as_i64().map(|_| 0))
            // `as` saturates (NaN becomes 0), which is the point.
            .unwrap_or_else(|| n.as_f64().map_or(0, |f| f as u64))
    }))
}

/// See [`saturating_u64`].
fn saturating_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<serde_json::Number>::deserialize(d)?.map(|n| {
        n.as_i64()
            .or_else(|| n.as_u64().map(|_| i64::MAX))
            .unwrap_or_else(|| n.as_f64().map_or(0, |f| f as i64))
    }))
}

/// Whether `channel` is matched by the subscription `pattern` (`/a/*` one segment, `/a/**`
/// any depth, otherwise exact).
pub fn channel_matches(pattern: &str, channel: &str) -> bool {
    if let Some(prefix) = pattern.strip_suffix("/**") {
        return channel
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1);
    }
    if let Some(prefix) = pattern.strip_suffix("/*") {
        return channel
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|seg| !seg.is_empty() && !seg.contains('/'));
    }
    pattern == channel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(channel_matches("/v2/me/*", "/v2/me/facebooksession"));
        assert!(!channel_matches("/v2/me/*", "/v2/me/a/b"));
        assert!(channel_matches("/v2/**", "/v2/me/a/b"));
        assert!(channel_matches(
            "/v2/me/facebooksession",
            "/v2/me/facebooksession"
        ));
        assert!(!channel_matches("/v2/me/facebooksession", "/v2/me/calls"));
    }

    #[test]
    fn absurd_advice_numbers_saturate_instead_of_failing_the_reply() {
        let advice = |json: &str| serde_json::from_str::<Advice>(json).expect(json);
        assert_eq!(
            advice(r#"{"timeout":18446744073709551615}"#).timeout,
            Some(u64::MAX)
        );
        assert_eq!(advice(r#"{"timeout":1e300}"#).timeout, Some(u64::MAX));
        assert_eq!(advice(r#"{"timeout":-5}"#).timeout, Some(0));
        assert_eq!(
            advice(r#"{"interval":18446744073709551615}"#).interval,
            Some(i64::MAX)
        );
        assert_eq!(advice(r#"{"interval":-1e300}"#).interval, Some(i64::MIN));
        assert_eq!(advice(r#"{"interval":250.7}"#).interval, Some(250));
        assert_eq!(advice(r#"{"interval":null}"#).interval, None);
        assert!(serde_json::from_str::<Advice>(r#"{"timeout":"soon"}"#).is_err());
    }

    #[test]
    fn numeric_ids_become_strings() {
        let m: Message = serde_json::from_str(r#"{"channel":"/meta/connect","id":7}"#).unwrap();
        assert_eq!(m.id.as_deref(), Some("7"));
    }
}
