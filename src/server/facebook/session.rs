//! The facebooksession resource: one customer, the agents seated in it (each with their own
//! view of the state), the message log, userData and comment; rendering it as GWS JSON.

use serde_json::{Map, Value, json};

use super::super::world::World;

/// One agent's state in a session. Each agent sees its own state: a removed consultant goes
/// LeftChat → Completed while the session goes on for the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SeatState {
    /// Offered, not yet accepted.
    Invited,
    /// Taking part.
    Chatting,
    /// Left (or was removed) but may still wrap up (disposition, userData, Complete).
    LeftChat,
    /// Done.
    Completed,
}

impl SeatState {
    /// The GWS state name.
    pub fn name(self) -> &'static str {
        match self {
            SeatState::Invited => "Invited",
            SeatState::Chatting => "Chatting",
            SeatState::LeftChat => "LeftChat",
            SeatState::Completed => "Completed",
        }
    }
}

/// How an agent takes part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The agent visible to all (handles the customer).
    Primary,
    /// A consulted agent: hidden from the customer; messages visible to agents only.
    Consultant,
    /// A conference participant: visible to the customer.
    Conference,
}

/// An agent's seat in a session.
#[derive(Debug, Clone)]
pub(crate) struct Seat {
    pub user: String,
    pub participant_id: String,
    pub nickname: String,
    pub role: Role,
    pub state: SeatState,
}

/// The customer.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub participant_id: String,
    pub nickname: String,
}

/// A Facebook private-messaging session.
#[derive(Debug, Clone)]
pub(crate) struct FbSession {
    pub id: String,
    pub customer: Customer,
    pub seats: Vec<Seat>,
    /// The message log (MessageLogUpdated `messages` entries, already rendered).
    pub messages: Vec<Value>,
    pub user_data: Map<String, Value>,
    pub comment: Option<String>,
    pub received_date: String,
    /// Suggested queue id (rendered as a queue URI).
    pub queue_id: String,
}

impl FbSession {
    /// The seat of `user`, if seated.
    pub fn seat(&self, user: &str) -> Option<&Seat> {
        self.seats.iter().find(|s| s.user == user)
    }

    /// The seat of `user`, mutably.
    pub fn seat_mut(&mut self, user: &str) -> Option<&mut Seat> {
        self.seats.iter_mut().find(|s| s.user == user)
    }

    /// `/api/v2/facebooksessions/{id}` under the server's base URL.
    pub fn uri(&self, world: &World) -> String {
        format!("{}/api/v2/facebooksessions/{}", world.base_url, self.id)
    }

    /// The customer as a participant object.
    pub fn customer_json(&self) -> Value {
        json!({
            "nickname": self.customer.nickname,
            "type": "Customer",
            "id": self.customer.participant_id,
            "visibility": "All",
            "participantId": self.customer.participant_id,
        })
    }

    /// An agent as a participant object (the extended form the conference pages show).
    pub fn agent_json(&self, world: &World, seat: &Seat) -> Value {
        json!({
            "participantId": seat.participant_id,
            "type": "Agent",
            "uri": world.user_uri(&seat.user),
            "visibility": if seat.role == Role::Consultant { "Agents" } else { "All" },
            "path": world.user_path(&seat.user),
            "nickname": seat.nickname,
            "id": seat.participant_id,
        })
    }

    /// The participant list: the customer, then every agent still chatting.
    pub fn participants(&self, world: &World) -> Vec<Value> {
        let mut list = vec![self.customer_json()];
        list.extend(
            self.seats
                .iter()
                .filter(|s| s.state == SeatState::Chatting)
                .map(|s| self.agent_json(world, s)),
        );
        list
    }

    /// The resource as `viewer` sees it, with the given capabilities.
    pub fn resource(&self, world: &World, state: SeatState, capabilities: &[&str]) -> Value {
        let mut resource = json!({
            "id": self.id,
            "uri": self.uri(world),
            "state": state.name(),
            "capabilities": capabilities,
            "participants": self.participants(world),
            "userData": self.user_data,
            "receivedDate": self.received_date,
            "facebooksessionType": "Inbound",
            "suggestedQueueUris": [format!("{}/api/v2/queues/{}", world.base_url, self.queue_id)],
            "revelantResponseTemplateGroups": [],
        });
        if let (Some(comment), Some(map)) = (&self.comment, resource.as_object_mut()) {
            map.insert("comment".to_owned(), Value::String(comment.clone()));
        }
        resource
    }
}

/// A `FacebooksessionStateChangeMessage` notification.
pub(crate) fn state_change(notification_type: &str, reference_id: Option<u64>, resource: Value) -> Value {
    let mut data = json!({
        "messageType": "FacebooksessionStateChangeMessage",
        "notificationType": notification_type,
        "facebooksession": resource,
    });
    if let (Some(id), Some(map)) = (reference_id, data.as_object_mut()) {
        map.insert("referenceId".to_owned(), json!(id));
    }
    data
}
