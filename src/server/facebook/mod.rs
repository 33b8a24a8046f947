//! The Facebook Private Messaging API: the facebooksession resource, its per-agent state
//! machine and capability tables, and the operations of `POST /api/v2/me/facebooksessions/{id}`
//! with the notifications each one sends to each agent.

mod capabilities;
mod chat;
mod clock;
mod lifecycle;
mod notify;
mod ops;
mod params;
mod parties;
mod properties;
mod session;

pub(crate) use clock::now_stamp;
pub(crate) use notify::{PROPERTIES_UPDATED, STATUS_CHANGE, entry, message_log, state_change};
pub(crate) use ops::{Outcome, Outgoing, operate};
pub(crate) use session::{Customer, FbSession, Order, Role, Seat, SeatState};
