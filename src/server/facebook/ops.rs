//! `POST /api/v2/me/facebooksessions/{id}`: finding the session and the agent's seat,
//! checking the operation against the permitted table, and running it. The operations
//! themselves live in `lifecycle`, `chat`, `properties` and `parties`; each returns the
//! synchronous reply and the notifications it causes, per agent, in order. Delivering them
//! (and any configured fault) is the caller's business.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::capabilities::{Operation, permitted};
use super::params::Fail;
use super::session::{FbSession, Order};
use super::{chat, lifecycle, parties, properties};
use crate::server::config::ServerConfig;
use crate::server::world::{Directory, World};

/// One notification for one user.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outgoing {
    pub user: String,
    pub data: Value,
}

/// What an operation request produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// HTTP status.
    pub status: StatusCode,
    /// GWS body: `{"statusCode":0}` (plus `referenceId`) or `{statusCode, statusMessage}`.
    pub body: Value,
    /// Notifications in the order they are published.
    pub notifications: Vec<Outgoing>,
}

impl Outcome {
    /// A refusal: nothing changed, nothing is published.
    pub fn failed(fail: Fail) -> Outcome {
        Outcome {
            status: fail.status,
            body: json!({"statusCode": fail.code, "statusMessage": fail.message}),
            notifications: Vec::new(),
        }
    }

    /// Whether the request succeeded.
    pub fn succeeded(&self) -> bool {
        self.body.get("statusCode").and_then(Value::as_u64) == Some(0)
    }
}

/// How a successful operation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reply {
    /// `{"statusCode":0}`.
    Plain,
    /// `{"statusCode":0,"referenceId":N}` (Transfer, Consult, Invite).
    WithReference,
}

/// Everything an operation works with.
pub(crate) struct Ctx<'a> {
    pub dir: &'a Directory,
    pub config: &'a ServerConfig,
    pub session: &'a mut FbSession,
    /// The acting agent.
    pub user: &'a str,
    /// This operation's referenceId.
    pub reference: u64,
    /// The request body.
    pub body: &'a Value,
    /// Notifications so far.
    pub out: Vec<Outgoing>,
}

impl Ctx<'_> {
    /// Queues `data` for `user`.
    pub fn send(&mut self, user: &str, data: Value) {
        self.out.push(Outgoing {
            user: user.to_owned(),
            data,
        });
    }

    /// The resource as `user` currently sees it.
    pub fn view(&self, user: &str, order: Order) -> Value {
        self.session.current(self.dir, user, order)
    }

    /// Chatting agents other than the actor, in seating order.
    pub fn others_chatting(&self) -> Vec<String> {
        let mut users = self.session.chatting();
        users.retain(|u| u != self.user);
        users
    }
}

/// Applies `body` (the parsed request) as `user` to session `id`.
pub(crate) fn operate(world: &mut World, user: &str, id: &str, body: &Value) -> Outcome {
    match prepare(world, user, id, body) {
        Ok(op) => execute(world, user, id, body, op),
        Err(fail) => Outcome::failed(fail),
    }
}

fn prepare(world: &World, user: &str, id: &str, body: &Value) -> Result<Operation, Fail> {
    let session = world
        .sessions
        .get(id)
        .ok_or_else(|| Fail::not_found(format!("Facebook session {id} not found")))?;
    let standing = session
        .standing(user)
        .ok_or_else(|| Fail::not_found(format!("Facebook session {id} not found for this user")))?;
    let name = match body.get("operationName") {
        None | Some(Value::Null) => return Err(Fail::missing("operationName")),
        Some(Value::String(name)) => name,
        Some(_) => return Err(Fail::invalid("Parameter 'operationName' must be a string")),
    };
    let op =
        Operation::from_name(name).ok_or_else(|| Fail::invalid(format!("Unknown operationName '{name}'")))?;
    if !permitted(standing, op) {
        return Err(Fail::not_valid(format!(
            "Operation {} is not valid in the current state ({})",
            op.name(),
            standing.state.name()
        )));
    }
    Ok(op)
}

fn execute(world: &mut World, user: &str, id: &str, body: &Value, op: Operation) -> Outcome {
    let reference = world.next_reference_id();
    let World {
        dir,
        config,
        sessions,
        ..
    } = world;
    let Some(session) = sessions.get_mut(id) else {
        return Outcome::failed(Fail::not_found(format!("Facebook session {id} not found")));
    };
    // Operations validate every parameter before changing anything, so a refusal leaves the
    // session as it was (reference §4.1: "the request failed to modify the data").
    let mut ctx = Ctx {
        dir,
        config,
        session,
        user,
        reference,
        body,
        out: Vec::new(),
    };
    let result = match op {
        Operation::Accept => lifecycle::accept(&mut ctx),
        Operation::Reject => lifecycle::reject(&mut ctx),
        Operation::Leave => lifecycle::leave(&mut ctx),
        Operation::Complete => lifecycle::complete(&mut ctx),
        Operation::SetInFocus => lifecycle::set_in_focus(&mut ctx),
        Operation::SendMessage => chat::send_message(&mut ctx, false),
        Operation::SendToAgents => chat::send_message(&mut ctx, true),
        Operation::SendStartTypingNotification => chat::typing(&mut ctx, "TypingStarted", false),
        Operation::SendStopTypingNotification => chat::typing(&mut ctx, "TypingStopped", false),
        Operation::SendStartTypingToAgentsNotification => chat::typing(&mut ctx, "TypingStarted", true),
        Operation::SendStopTypingToAgentsNotification => chat::typing(&mut ctx, "TypingStopped", true),
        Operation::AddComment => properties::add_comment(&mut ctx),
        Operation::SetDisposition => properties::set_disposition(&mut ctx),
        Operation::AttachUserData => properties::put_user_data(&mut ctx, false),
        Operation::UpdateUserData => properties::put_user_data(&mut ctx, true),
        Operation::DeleteUserData => properties::delete_user_data(&mut ctx),
        Operation::Transfer => parties::transfer(&mut ctx),
        Operation::Consult => parties::invite(&mut ctx, super::session::Role::Consultant),
        Operation::Invite => parties::invite(&mut ctx, super::session::Role::Conference),
        Operation::RemoveParticipantFromConference => parties::remove(&mut ctx),
    };
    match result {
        Ok(reply) => {
            let body = match reply {
                Reply::Plain => json!({"statusCode": 0}),
                Reply::WithReference => json!({"statusCode": 0, "referenceId": reference}),
            };
            Outcome {
                status: StatusCode::OK,
                body,
                notifications: ctx.out,
            }
        }
        Err(fail) => Outcome::failed(fail),
    }
}
