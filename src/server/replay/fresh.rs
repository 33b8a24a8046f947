//! Fresh values for a replay session: a golden keeps only what stays the same from run to run,
//! so the values it abstracted away are made up again, in plausible shapes. Ids take GWS's
//! shapes by the name the rules gave them (`participant`: 16 hex digits, `user`: 32 lowercase
//! hex digits, sessions and the rest: 16 upper-case alphanumerics); volatile values take the
//! reference server's shapes by the key they sit under (timestamps and dates: the current time,
//! as ISO-8601 text or epoch milliseconds; other integers: a counter per key, so `referenceId`s
//! and message `index`es increase as they do on a server).
//!
//! A golden records a volatile value as its type only, which loses when two of them were the
//! same value; a server repeats them in two ways, and [`Scope`] says which one applies. A value
//! at the top of a reply or a notification describes the operation (its `referenceId` is in the
//! response and in every notification it caused), so it is the same throughout one entry. A value
//! inside a resource (an object with an `id`) is that resource's (a session's `receivedDate`).
//! A value inside any other object is that item's (a message's `index` and `timestamp` are the
//! same in every transcript and notification that shows the message), so it is the same
//! wherever an equal item appears again.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::super::facebook::now_stamp;
use super::super::ids;

/// Whose volatile value it is (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scope {
    /// The entry being produced: the same throughout it.
    Entry,
    /// The resource with this id.
    Resource(String),
    /// The item with this content (volatile values left out), and which occurrence of equal
    /// items in one reply or notification it is.
    Item(String, usize),
}

/// Makes fresh values for one replay session.
#[derive(Debug, Clone)]
pub(crate) struct Fresh {
    base_url: String,
    counters: BTreeMap<String, i64>,
    /// Entries produced so far (the current one's number).
    entry: u64,
    /// Volatile values made so far, by (type and key, scope, entry number for
    /// [`Scope::Entry`]).
    made: BTreeMap<(String, Scope, u64), Value>,
}

impl Fresh {
    /// A generator for a server at `base_url` (`http://IP:PORT`, for URIs).
    pub fn new(base_url: &str) -> Self {
        Fresh {
            base_url: base_url.trim_end_matches('/').to_owned(),
            counters: BTreeMap::new(),
            entry: 0,
            made: BTreeMap::new(),
        }
    }

    /// Starts producing the next entry (values of [`Scope::Entry`] are new again).
    pub fn begin_entry(&mut self) {
        self.entry += 1;
    }

    /// The volatile value of type `type_name` under `key` in `scope`: made once, then the same.
    pub fn stamp(&mut self, type_name: &str, key: &str, scope: Scope) -> Value {
        let entry = if scope == Scope::Entry { self.entry } else { 0 };
        let slot = (format!("{type_name} {key}"), scope, entry);
        if let Some(value) = self.made.get(&slot) {
            return value.clone();
        }
        let value = self.volatile(type_name, key);
        self.made.insert(slot, value.clone());
        value
    }

    /// This server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A value for the captured variable `name` found under `key`.
    pub fn var(&mut self, name: &str, key: &str) -> String {
        let name = name.to_ascii_lowercase();
        let key = key.to_ascii_lowercase();
        if name.ends_with("uri") || key.ends_with("uri") {
            format!("{}/api/v2/resources/{}", self.base_url, ids::interaction_id())
        } else if name.ends_with("path") || key.ends_with("path") {
            format!("/resources/{}", ids::interaction_id())
        } else {
            shaped(&name)
        }
    }

    /// A value for the symbolic id `NAME-N`.
    pub fn id(&mut self, placeholder: &str) -> String {
        let name = placeholder.rsplit_once('-').map_or(placeholder, |(name, _)| name);
        shaped(&name.to_ascii_lowercase())
    }

    /// A new value of JSON type `type_name` for a volatile value under `key`.
    pub fn volatile(&mut self, type_name: &str, key: &str) -> Value {
        let lower = key.to_ascii_lowercase();
        let timely = ["time", "date", "stamp"].iter().any(|w| lower.contains(w));
        match type_name {
            "string" if timely => json!(now_stamp().0),
            "string" => json!(ids::interaction_id()),
            "integer" | "number" if timely => json!(now_stamp().1),
            "integer" | "number" => {
                let counter = self.counters.entry(key.to_owned()).or_insert(0);
                *counter += 1;
                json!(*counter)
            }
            "boolean" => json!(true),
            "object" => json!({}),
            "array" => json!([]),
            _ => Value::Null,
        }
    }
}

/// An id shaped after what `name` says it is.
fn shaped(name: &str) -> String {
    if name.contains("user") {
        ids::hex(32)
    } else if ["participant", "customer", "agent"]
        .iter()
        .any(|w| name.contains(w))
    {
        ids::participant_id()
    } else {
        ids::interaction_id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_shapes_their_names_and_keys_suggest() {
        let mut fresh = Fresh::new("http://127.0.0.1:9/");
        let user = fresh.id("user-2");
        assert!(
            user.len() == 32
                && user
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        let participant = fresh.id("participant-1");
        assert!(participant.len() == 16 && participant.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(fresh.var("session", "id").len(), 16);
        assert!(
            fresh
                .var("agent2_uri", "uri")
                .starts_with("http://127.0.0.1:9/api/v2/")
        );
        assert!(
            fresh
                .volatile("string", "timestamp")
                .as_str()
                .unwrap()
                .contains('T')
        );
        assert!(fresh.volatile("integer", "timestampSeconds").as_i64().unwrap() > 1_500_000_000_000);
        assert_eq!(fresh.volatile("integer", "referenceId"), json!(1));
        assert_eq!(
            fresh.volatile("integer", "referenceId"),
            json!(2),
            "counters increase"
        );
        assert_eq!(
            fresh.volatile("integer", "index"),
            json!(1),
            "one counter per key"
        );
    }

    #[test]
    fn stamps_are_made_once_per_entry_resource_or_item() {
        let mut fresh = Fresh::new("http://127.0.0.1:9");
        fresh.begin_entry();
        let reference = fresh.stamp("integer", "referenceId", Scope::Entry);
        assert_eq!(fresh.stamp("integer", "referenceId", Scope::Entry), reference);
        fresh.begin_entry();
        assert_ne!(fresh.stamp("integer", "referenceId", Scope::Entry), reference);
        let hello = Scope::Item("{\"text\":\"hello\"}".to_owned(), 1);
        let index = fresh.stamp("integer", "index", hello.clone());
        assert_eq!(
            fresh.stamp("integer", "index", hello),
            index,
            "an item shown again keeps its values"
        );
        assert_ne!(
            fresh.stamp(
                "integer",
                "index",
                Scope::Item("{\"text\":\"hello\"}".to_owned(), 2)
            ),
            index,
            "an equal item twice in one reply is two items"
        );
    }
}
