//! Server variants (`serve --variant NAME`). `conforming` differs from the reference server only
//! where the documented contract leaves room, so running the shipped suite against it shows the
//! suite does not cry wolf: it must pass exactly as against the reference.
//!
//! What the conforming variant does differently, and why each is allowed:
//! - ids in other shapes: hyphenated user ids, prefixed interaction and participant ids (ids are
//!   opaque; scenarios capture them);
//! - another scheme, host and port in absolute URIs (vendors report their own host; `$uri:`);
//! - another timestamp format, with a UTC offset (three formats are documented, §2.4);
//! - extra fields in every object it sends, and many more userData keys (lenient objects);
//! - capability lists in reverse order (they are sets);
//! - message indexes that skip (non-contiguous indexes are documented, §2.4, §6.15);
//! - another referenceId sequence (only its link to the request is documented);
//! - notifications published one at a time with a pause between them (delivery timing is
//!   never contract, only order per agent);
//! - a Bayeux dialect of its own: data messages after the connect reply, ids on data messages,
//!   an `ext` on every message, other advice intervals (§5);
//! - other HTTP statuses for error answers (no mapping is documented, §4.2) and 403 for missing
//!   credentials (documented next to 401);
//! - `Offered` as the name of the offered state (undocumented, §7).

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::ids;

/// How the server renders what the contract leaves open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Variant {
    /// The reference server: the documentation's own samples wherever they fix a choice.
    #[default]
    Reference,
    /// Every choice the contract leaves open made differently (see the module docs).
    Conforming,
}

impl Variant {
    /// Every variant, in `--variant` help order.
    pub const ALL: &'static [Variant] = &[Variant::Reference, Variant::Conforming];

    /// The name `--variant` takes.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Reference => "reference",
            Variant::Conforming => "conforming",
        }
    }

    /// Whether this is the conforming variant.
    pub(crate) fn conforming(self) -> bool {
        self == Variant::Conforming
    }

    /// The base of absolute URIs in resources: the server's own address, or another host.
    pub(crate) fn public_base(self, bound: &str) -> String {
        match self {
            Variant::Reference => bound.to_owned(),
            Variant::Conforming => "https://gws-variant.example.net:9443".to_owned(),
        }
    }

    /// A user id: 32 hex digits, or a hyphenated UUID.
    pub(crate) fn user_id(self) -> String {
        match self {
            Variant::Reference => ids::hex(32),
            Variant::Conforming => ids::uuid_like(),
        }
    }

    /// An interaction id: 16 upper-case alphanumerics, or a prefixed lower-case one.
    pub(crate) fn interaction_id(self) -> String {
        match self {
            Variant::Reference => ids::interaction_id(),
            Variant::Conforming => format!("fbpm-{}", ids::interaction_id().to_lowercase()),
        }
    }

    /// A participant id: 16 upper-case hex digits, or a prefixed lower-case one.
    pub(crate) fn participant_id(self) -> String {
        match self {
            Variant::Reference => ids::participant_id(),
            Variant::Conforming => format!("part_{}", ids::hex(20)),
        }
    }

    /// How far apart consecutive message indexes are.
    pub(crate) fn index_step(self) -> u64 {
        match self {
            Variant::Reference => 1,
            Variant::Conforming => 3,
        }
    }

    /// The first referenceId and the step between two.
    pub(crate) fn reference_ids(self) -> (u64, u64) {
        match self {
            Variant::Reference => (1, 1),
            Variant::Conforming => (70_001, 17),
        }
    }

    /// The pause between two published notifications (none: published at once).
    pub(crate) fn notification_gap(self) -> Option<Duration> {
        match self {
            Variant::Reference => None,
            Variant::Conforming => Some(Duration::from_millis(15)),
        }
    }

    /// The Bayeux `advice.interval` (milliseconds to wait before the next connect).
    pub(crate) fn advice_interval(self) -> i64 {
        match self {
            Variant::Reference => 0,
            Variant::Conforming => 10,
        }
    }

    /// The HTTP status of a GWS error answer with `code` that would otherwise have `status`.
    pub(crate) fn error_status(self, code: u64, status: StatusCode) -> StatusCode {
        match (self, code) {
            (Variant::Reference, _) => status,
            (Variant::Conforming, 1 | 10) => StatusCode::UNPROCESSABLE_ENTITY,
            (Variant::Conforming, 2) => StatusCode::CONFLICT,
            (Variant::Conforming, 6) => StatusCode::OK,
            (Variant::Conforming, 20) => StatusCode::FORBIDDEN,
            (Variant::Conforming, _) => status,
        }
    }

    /// userData keys a real deployment attaches on its own (the Facebook media server's), added
    /// to every new session.
    pub(crate) fn extra_user_data(self) -> Map<String, Value> {
        let mut data = Map::new();
        if self.conforming() {
            for (key, value) in [
                ("_facebookSex", json!("female")),
                ("_facebookLocale", json!("en_GB")),
                ("_facebookItxType", json!("10")),
                ("_facebookDriverVersion", json!("8.5.101.04")),
                ("_facebookSourceNickName", json!("CloudAppCommunity")),
                ("_facebookTimezone", json!(1)),
                ("ChatServerAppName", json!("es_chat")),
                ("ChatServerPort", json!("7160")),
                ("desktop_sentiment", json!("Neutral")),
                ("RTargetObjSelDBID", json!(318)),
            ] {
                data.insert(key.to_owned(), value);
            }
            for n in 1..=40 {
                data.insert(format!("VariantKey{n:02}"), json!(format!("value {n}")));
            }
        }
        data
    }

    /// Rewrites a JSON document the server sends, as the variant renders it (the reference
    /// renders it as it is).
    pub(crate) fn dress(self, value: &mut Value) {
        if self.conforming() {
            dress(value, None);
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--variant` name that names no variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown variant `{0}` (variants: reference, conforming)")]
pub struct UnknownVariant(pub String);

impl FromStr for Variant {
    type Err = UnknownVariant;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Variant::ALL
            .iter()
            .copied()
            .find(|v| v.name() == s)
            .ok_or_else(|| UnknownVariant(s.to_owned()))
    }
}

/// The conforming rendering: an extra field in every object, capability lists reversed,
/// timestamps in another format, the offered state renamed. `key` is the key `value` is
/// stored under.
fn dress(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                dress(v, Some(k));
            }
            map.insert("vendorTrace".to_owned(), json!({"node": "gws-b", "hop": 2}));
        }
        Value::Array(items) => {
            if key == Some("capabilities") {
                items.reverse();
            }
            for item in items {
                dress(item, None);
            }
        }
        Value::String(text) => match key {
            Some("state") if text == "Invited" => *text = "Offered".to_owned(),
            Some("timestamp" | "receivedDate") => {
                if let Some(other) = offset_stamp(text) {
                    *text = other;
                }
            }
            _ => {}
        },
        _ => {}
    }
}

/// `2015-10-21T13:13:19.000+0000` as `2015-10-21 15:13:19.000+0200`: the same instant in the
/// SendMessage page's style, two hours east.
fn offset_stamp(canonical: &str) -> Option<String> {
    let (date, rest) = canonical.split_once('T')?;
    let (time, zone) = rest.split_at_checked(12)?;
    if zone != "+0000" {
        return None;
    }
    let hours: u32 = time.get(0..2)?.parse().ok()?;
    if hours >= 22 {
        // Crossing midnight would change the date; keep UTC rather than do calendar sums.
        return Some(format!("{date} {time}+0000"));
    }
    Some(format!("{date} {:02}{}+0200", hours + 2, time.get(2..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &v in Variant::ALL {
            assert_eq!(v.name().parse::<Variant>(), Ok(v));
        }
        assert!("other".parse::<Variant>().is_err());
    }

    #[test]
    fn the_reference_renders_as_it_is() {
        let original = json!({"state": "Invited", "capabilities": ["Accept", "Reject"]});
        let mut value = original.clone();
        Variant::Reference.dress(&mut value);
        assert_eq!(value, original);
    }

    #[test]
    fn the_conforming_variant_dresses_every_level() {
        let mut value = json!({
            "facebooksession": {
                "state": "Invited",
                "capabilities": ["Accept", "Reject"],
                "participants": [{"type": "Customer"}],
            },
            "messages": [{"timestamp": "2015-10-21T13:13:19.000+0000", "index": 4}],
        });
        Variant::Conforming.dress(&mut value);
        assert_eq!(value["facebooksession"]["state"], "Offered");
        assert_eq!(
            value["facebooksession"]["capabilities"],
            json!(["Reject", "Accept"])
        );
        assert!(value["facebooksession"]["participants"][0]["vendorTrace"].is_object());
        assert!(value["vendorTrace"].is_object());
        assert_eq!(value["messages"][0]["timestamp"], "2015-10-21 15:13:19.000+0200");
        assert_eq!(value["messages"][0]["index"], 4);
    }

    #[test]
    fn error_statuses_differ_only_in_the_conforming_variant() {
        let bad = StatusCode::BAD_REQUEST;
        assert_eq!(Variant::Reference.error_status(2, bad), bad);
        assert_eq!(Variant::Conforming.error_status(2, bad), StatusCode::CONFLICT);
        assert_eq!(
            Variant::Conforming.error_status(6, StatusCode::NOT_FOUND),
            StatusCode::OK
        );
        assert_eq!(
            Variant::Conforming.error_status(20, StatusCode::UNAUTHORIZED),
            StatusCode::FORBIDDEN
        );
    }
}
