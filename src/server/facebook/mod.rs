//! The Facebook Private Messaging API: the facebooksession resource, its per-agent state
//! machine, and the operations of `POST /api/v2/me/facebooksessions/{id}`.

mod clock;
mod ops;
mod session;

pub(crate) use clock::now_stamp;
pub(crate) use ops::{capabilities as capabilities_of, operate};
pub(crate) use session::{Customer, FbSession, Role, Seat, SeatState};
