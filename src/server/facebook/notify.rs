//! The two notification shapes of the `/v2/me/facebooksession` topic (reference §3) and the
//! message-log entries MessageLogUpdated carries.
//!
//! referenceId rule, from the samples: state-change messages caused by an operation carry the
//! operation's referenceId (Accept, Reject, Complete, SetDisposition, AddComment, the userData
//! operations, and every state change of the RemoveParticipantFromConference page, for both
//! agents); MessageLogUpdated never does. The documented exceptions are the ParticipantsUpdated
//! that follows an Accept and the Leave notification, which carry none.

use serde_json::{Map, Value, json};

use super::clock::now_stamp;
use crate::server::world::Directory;

/// `FacebooksessionStateChangeMessage` kinds.
pub(crate) const STATUS_CHANGE: &str = "StatusChange";
pub(crate) const PARTICIPANTS_UPDATED: &str = "ParticipantsUpdated";
pub(crate) const PROPERTIES_UPDATED: &str = "PropertiesUpdated";

/// A `FacebooksessionStateChangeMessage` notification.
pub(crate) fn state_change(notification_type: &str, reference_id: Option<u64>, resource: Value) -> Value {
    let mut data = Map::new();
    data.insert("messageType".into(), json!("FacebooksessionStateChangeMessage"));
    data.insert("notificationType".into(), json!(notification_type));
    if let Some(id) = reference_id {
        data.insert("referenceId".into(), json!(id));
    }
    data.insert("facebooksession".into(), resource);
    Value::Object(data)
}

/// A `MessageLogUpdated` / `NewMessages` notification about session `id`.
pub(crate) fn message_log(dir: &Directory, id: &str, messages: Vec<Value>) -> Value {
    json!({
        "messageType": "MessageLogUpdated",
        "notificationType": "NewMessages",
        "facebooksessionUri": dir.session_uri(id),
        "facebooksessionPath": Directory::session_path(id),
        "messages": messages,
    })
}

/// One message-log entry, stamped now. `text` is left out for entries that carry none
/// (ParticipantJoined, ParticipantLeft, typing).
pub(crate) fn entry(index: u64, kind: &str, from: Value, text: Option<&str>, visibility: &str) -> Value {
    let (timestamp, ms) = now_stamp();
    let mut message = Map::new();
    message.insert("index".into(), json!(index));
    message.insert("type".into(), json!(kind));
    message.insert("from".into(), from);
    if let Some(text) = text {
        message.insert("text".into(), json!(text));
    }
    message.insert("visibility".into(), json!(visibility));
    message.insert("timestamp".into(), json!(timestamp));
    message.insert("timestampSeconds".into(), json!(ms));
    Value::Object(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_id_only_when_given() {
        let with = state_change(STATUS_CHANGE, Some(7), json!({}));
        assert_eq!(with["referenceId"], 7);
        let without = state_change(STATUS_CHANGE, None, json!({}));
        assert!(without.get("referenceId").is_none());
        assert_eq!(without["messageType"], "FacebooksessionStateChangeMessage");
    }

    #[test]
    fn entries_leave_out_absent_text() {
        let joined = entry(3, "ParticipantJoined", json!({}), None, "All");
        assert!(joined.get("text").is_none());
        assert_eq!(joined["index"], 3);
        assert!(joined["timestampSeconds"].is_i64());
    }
}
