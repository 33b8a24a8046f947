//! Documents the benches share: `#[path]`-included by each bench that needs them.

use serde_json::{Value, json};

/// A notification the size of the seed pages': the Complete page's with ~90 userData keys.
pub fn notification() -> Value {
    let user_data: serde_json::Map<String, Value> = (0..90)
        .map(|i| (format!("Key{i}"), json!(format!("value {i}"))))
        .collect();
    json!({
        "messageType": "FacebooksessionStateChangeMessage",
        "notificationType": "StatusChange",
        "referenceId": 23,
        "facebooksession": {
            "id": "0002DaAVKJ0V0095",
            "uri": "http://192.168.83.25:8090/api/v2/facebooksessions/0002DaAVKJ0V0095",
            "state": "Completed",
            "capabilities": [],
            "comment": "Iamcrazyaboutmytest",
            "userData": user_data,
            "participants": [{"type": "Customer", "nickname": "VitaliyOnv", "id": "007355E6EDFA0107",
                              "participantId": "007355E6EDFA0107", "visibility": "All"}],
        }
    })
}
