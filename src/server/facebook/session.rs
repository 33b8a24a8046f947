//! The facebooksession resource: one customer, the agents seated in it (each with their own
//! view of the state), the message log, userData and comment; rendering it as GWS JSON.
//!
//! Participant order is not consistent across the vendor pages: the PropertiesUpdated samples
//! (SetDisposition, AddComment) and the ParticipantsUpdated that follows an Accept list the
//! agents before the customer, while the Complete, Leave and RemoveParticipantFromConference
//! samples list the customer first. Both orders are reproduced literally ([`Order`]); the
//! notification builders pick the one the matching page shows.

use serde_json::{Map, Value, json};

use super::capabilities::{Standing, rendered};
use crate::server::world::Directory;

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

impl Seat {
    /// The visibility of what this agent says: a consultant is hidden from the customer.
    pub fn visibility(&self) -> &'static str {
        if self.role == Role::Consultant {
            "Agents"
        } else {
            "All"
        }
    }
}

/// The customer.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub participant_id: String,
    pub nickname: String,
}

/// Participant order in a rendered list (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// Customer, then agents (Complete, Leave, RemoveParticipantFromConference pages).
    CustomerFirst,
    /// Agents, then the customer (SetDisposition, AddComment, Accept pages).
    AgentsFirst,
}

/// What one rendering of the resource shows, for one agent.
#[derive(Debug, Clone)]
pub(crate) struct View {
    /// The `state` value.
    pub state: &'static str,
    /// The `capabilities` value; `None` leaves the key out (the Reject page's shape).
    pub capabilities: Option<Vec<&'static str>>,
    /// Current participants in this order; `None` renders `[]` (the first notification after
    /// Accept, the Reject notification).
    pub participants: Option<Order>,
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
    /// Where Complete (`queueName`) or a transfer to a queue placed the interaction.
    pub placed_in_queue: Option<String>,
    /// How far apart consecutive message indexes are (1, or more: GWS clients see
    /// non-contiguous indexes, reference §2.4).
    pub index_step: u64,
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

    /// Users whose seat is Chatting, in seating order.
    pub fn chatting(&self) -> Vec<String> {
        self.users_in(&[SeatState::Chatting])
    }

    /// Users whose seat is in one of `states`, in seating order.
    pub fn users_in(&self, states: &[SeatState]) -> Vec<String> {
        self.seats
            .iter()
            .filter(|s| states.contains(&s.state))
            .map(|s| s.user.clone())
            .collect()
    }

    /// Where `user` stands, for the capability tables.
    pub fn standing(&self, user: &str) -> Option<Standing> {
        let seat = self.seat(user)?;
        let others = self
            .seats
            .iter()
            .any(|s| s.user != user && s.state == SeatState::Chatting);
        Some(Standing {
            state: seat.state,
            role: seat.role,
            others,
        })
    }

    /// Keeps one agent visible to all while anyone is chatting: when the primary agent is
    /// gone, the first remaining conference participant (else consultant) takes over. The
    /// documents do not say what happens then; a session nobody may Complete is not usable.
    pub fn ensure_primary(&mut self) {
        if self
            .seats
            .iter()
            .any(|s| s.state == SeatState::Chatting && s.role == Role::Primary)
        {
            return;
        }
        let next = self
            .seats
            .iter()
            .position(|s| s.state == SeatState::Chatting && s.role == Role::Conference)
            .or_else(|| self.seats.iter().position(|s| s.state == SeatState::Chatting));
        if let Some(seat) = next.and_then(|i| self.seats.get_mut(i)) {
            seat.role = Role::Primary;
        }
    }

    /// The index the next message gets.
    pub fn next_index(&self) -> u64 {
        self.messages
            .iter()
            .filter_map(|m| m.get("index").and_then(Value::as_u64))
            .max()
            .map_or(1, |last| last + self.index_step)
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
    pub fn agent_json(dir: &Directory, seat: &Seat) -> Value {
        json!({
            "participantId": seat.participant_id,
            "type": "Agent",
            "uri": dir.user_uri(&seat.user),
            "visibility": seat.visibility(),
            "path": dir.user_path(&seat.user),
            "nickname": seat.nickname,
            "id": seat.participant_id,
        })
    }

    /// The participant list: the customer and every agent still chatting.
    pub fn participants(&self, dir: &Directory, order: Order) -> Vec<Value> {
        let agents = self
            .seats
            .iter()
            .filter(|s| s.state == SeatState::Chatting)
            .map(|s| Self::agent_json(dir, s));
        match order {
            Order::CustomerFirst => std::iter::once(self.customer_json()).chain(agents).collect(),
            Order::AgentsFirst => agents.chain(std::iter::once(self.customer_json())).collect(),
        }
    }

    /// The resource as one view shows it.
    pub fn resource(&self, dir: &Directory, view: &View) -> Value {
        let participants = view
            .participants
            .map_or_else(Vec::new, |order| self.participants(dir, order));
        let mut resource = Map::new();
        resource.insert("id".into(), json!(self.id));
        resource.insert("uri".into(), json!(dir.session_uri(&self.id)));
        resource.insert("state".into(), json!(view.state));
        if let Some(capabilities) = &view.capabilities {
            resource.insert("capabilities".into(), json!(capabilities));
        }
        resource.insert("participants".into(), Value::Array(participants));
        resource.insert("userData".into(), Value::Object(self.user_data.clone()));
        resource.insert("receivedDate".into(), json!(self.received_date));
        resource.insert("facebooksessionType".into(), json!("Inbound"));
        resource.insert(
            "suggestedQueueUris".into(),
            json!([format!("{}/api/v2/queues/{}", dir.base_url, self.queue_id)]),
        );
        // Spelled as the vendor samples spell it.
        resource.insert("revelantResponseTemplateGroups".into(), json!([]));
        if let Some(comment) = &self.comment {
            resource.insert("comment".into(), json!(comment));
        }
        Value::Object(resource)
    }

    /// The resource as `user` currently sees it: their state, the capabilities rendered for
    /// where they stand, the current participants in `order`.
    pub fn current(&self, dir: &Directory, user: &str, order: Order) -> Value {
        let view = match self.standing(user) {
            Some(standing) => View {
                state: standing.state.name(),
                capabilities: Some(rendered(standing)),
                participants: Some(order),
            },
            None => View {
                state: SeatState::Completed.name(),
                capabilities: Some(Vec::new()),
                participants: Some(order),
            },
        };
        self.resource(dir, &view)
    }
}
