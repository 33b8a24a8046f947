//! Operations of `POST /api/v2/me/facebooksessions/{id}`: validation (GWS statusCodes),
//! the state machine, and the notifications each operation sends to each agent.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::session::{FbSession, SeatState, state_change};
use crate::server::world::World;

/// The synchronous reply: HTTP status and GWS body.
pub(crate) type Reply = (StatusCode, Value);

fn error(status: StatusCode, code: u32, message: impl Into<String>) -> Reply {
    (
        status,
        json!({"statusCode": code, "statusMessage": message.into()}),
    )
}

fn ok() -> Reply {
    (StatusCode::OK, json!({"statusCode": 0}))
}

/// Capabilities as documented per state (reference §2.2). `InFocus` is the documented
/// spelling in capability lists even though the operation is `SetInFocus` (quirk §6.6).
pub(crate) fn capabilities(state: SeatState) -> &'static [&'static str] {
    match state {
        SeatState::Invited => &["Accept", "Reject"],
        SeatState::Chatting => &[
            "Transfer",
            "Complete",
            "Leave",
            "InFocus",
            "SendMessage",
            "SendStartTypingNotification",
            "SendStopTypingNotification",
        ],
        SeatState::LeftChat => &[
            "SetInFocus",
            "Complete",
            "SetDisposition",
            "AttachUserData",
            "DeleteUserData",
            "UpdateUserData",
        ],
        SeatState::Completed => &[],
    }
}

/// Applies `body` (the parsed request) as `user` to session `id`.
pub(crate) fn operate(world: &mut World, user: &str, id: &str, body: &Value) -> Reply {
    let Some(session) = world.sessions.get(id) else {
        return error(
            StatusCode::NOT_FOUND,
            6,
            format!("Facebook session {id} not found"),
        );
    };
    let Some(seat) = session.seat(user) else {
        return error(
            StatusCode::NOT_FOUND,
            6,
            format!("Facebook session {id} not found for this user"),
        );
    };
    let state = seat.state;
    let Some(operation) = body.get("operationName") else {
        return error(
            StatusCode::BAD_REQUEST,
            1,
            "Missing required parameter 'operationName'",
        );
    };
    let Some(operation) = operation.as_str() else {
        return error(
            StatusCode::BAD_REQUEST,
            10,
            "Parameter 'operationName' must be a string",
        );
    };
    match operation {
        "Complete" => complete(world, user, id, state, body),
        "Leave" => leave(world, user, id, state),
        other => error(
            StatusCode::BAD_REQUEST,
            10,
            format!("Unknown operationName '{other}'"),
        ),
    }
}

fn optional_string<'a>(body: &'a Value, name: &str) -> Result<Option<&'a str>, Reply> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(error(
            StatusCode::BAD_REQUEST,
            10,
            format!("Parameter '{name}' must be a string"),
        )),
    }
}

fn not_valid(operation: &str, state: SeatState) -> Reply {
    error(
        StatusCode::BAD_REQUEST,
        2,
        format!(
            "Operation {operation} is not valid in the current state ({})",
            state.name()
        ),
    )
}

/// Complete: the agent's interaction ends (state Completed, no capabilities); the agent no
/// longer appears among the participants. With `queueName` the interaction is placed in that
/// queue. Documented for Chatting and LeftChat.
fn complete(world: &mut World, user: &str, id: &str, state: SeatState, body: &Value) -> Reply {
    if !matches!(state, SeatState::Chatting | SeatState::LeftChat) {
        return not_valid("Complete", state);
    }
    if let Err(reply) = optional_string(body, "queueName") {
        return reply;
    }
    let reference = world.next_reference_id();
    let Some(session) = world.sessions.get_mut(id) else {
        return error(
            StatusCode::NOT_FOUND,
            6,
            format!("Facebook session {id} not found"),
        );
    };
    if let Some(seat) = session.seat_mut(user) {
        seat.state = SeatState::Completed;
    }
    let snapshot: FbSession = session.clone();
    let resource = snapshot.resource(world, SeatState::Completed, capabilities(SeatState::Completed));
    world.publish(user, state_change("StatusChange", Some(reference), resource));
    ok()
}

/// Leave: the agent leaves the chat (LeftChat) but can still wrap up: set a disposition,
/// edit userData, Complete (the documented LeftChat capabilities).
fn leave(world: &mut World, user: &str, id: &str, state: SeatState) -> Reply {
    if state != SeatState::Chatting {
        return not_valid("Leave", state);
    }
    let Some(session) = world.sessions.get_mut(id) else {
        return error(
            StatusCode::NOT_FOUND,
            6,
            format!("Facebook session {id} not found"),
        );
    };
    if let Some(seat) = session.seat_mut(user) {
        seat.state = SeatState::LeftChat;
    }
    let snapshot: FbSession = session.clone();
    let resource = snapshot.resource(world, SeatState::LeftChat, capabilities(SeatState::LeftChat));
    world.publish(user, state_change("StatusChange", None, resource));
    ok()
}
