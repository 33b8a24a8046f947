//! The provider-state hook `POST /contract/states` (DESIGN.md §5): puts the server into a
//! named state (`action: setup`) and removes it again (`action: teardown`). Test support, so
//! it needs no credentials.
//!
//! Setup replies `{id, uri, customer: {participantId, nickname}, agents: {NAME: {participantId,
//! uri, path}}}` for the session states. Teardown receives the setup reply back as `setup`
//! (`{"state", "params", "action": "teardown", "setup": {...}}`) and deletes the session named
//! by `setup.id`. Unknown parameters are refused, so a typo in a scenario is reported instead
//! of silently ignored.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::body::read;
use super::facebook::{
    Customer, FbSession, Order, Role, STATUS_CHANGE, Seat, SeatState, entry, message_log, now_stamp,
    state_change,
};
use super::faults::Fault;
use super::variant::Variant;
use super::world::{Directory, SharedWorld, World, lock};

/// The states this server offers, with the parameters each accepts.
pub(crate) const STATES: &[(&str, &[&str])] = &[
    (
        "facebook session offered",
        &["agent", "customer", "message", "userData", "comment", "nickname"],
    ),
    (
        "facebook session chatting",
        &[
            "agents",
            "customer",
            "message",
            "userData",
            "comment",
            "mode",
            "nicknames",
        ],
    ),
    ("customer message", &["session", "text"]),
    ("customer transcript", &["session"]),
];

/// The default customer and first message (the Complete page's).
const DEFAULT_CUSTOMER: &str = "VitaliyOnv";
const DEFAULT_MESSAGE: &str = "Hello my friend!";

fn bad(message: impl Into<String>) -> Response {
    let states: Vec<&str> = STATES.iter().map(|(name, _)| *name).collect();
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": message.into(), "states": states})),
    )
        .into_response()
}

/// Handles one state-hook call.
pub(crate) async fn states(
    State(world): State<SharedWorld>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match read(body) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return bad("the body must be a JSON object {state, params, action}"),
        Err(e) => return bad(format!("the body is not valid JSON: {e}")),
    };
    let Some(state) = request.get("state").and_then(Value::as_str) else {
        return bad("missing `state` (a string)");
    };
    let params = match request.get("params").cloned().unwrap_or(Value::Null) {
        Value::Null => Map::new(),
        Value::Object(map) => map,
        _ => return bad("`params` must be an object"),
    };
    let action = match request.get("action") {
        None | Some(Value::Null) => "setup",
        Some(Value::String(action)) => action.as_str(),
        Some(_) => return bad("`action` must be `setup` or `teardown`"),
    };
    let Some((_, allowed)) = STATES.iter().find(|(name, _)| *name == state) else {
        return bad(format!("unknown state `{state}`"));
    };
    let naming = match Naming::parse(request.get("actors")) {
        Ok(naming) => naming,
        Err(message) => return bad(message),
    };
    let mut w = lock(&world);
    let result = match action {
        "setup" => check_params(state, allowed, &params).and_then(|()| {
            w.counting = Some(BTreeMap::new());
            let reply = setup(&mut w, state, &params, &naming);
            let counts = w.counting.take().unwrap_or_default();
            reply.map(|reply| with_notified(reply, &counts, &naming))
        }),
        "teardown" => {
            teardown(&mut w, state, &request);
            Ok(json!({}))
        }
        other => Err(format!("unknown action `{other}` (expected setup or teardown)")),
    };
    match result {
        Ok(reply) => axum::Json(reply).into_response(),
        Err(message) => bad(message),
    }
}

/// How the scenario's actor names map to this server's users: the runner sends
/// `"actors": {"agent1": "alice", ...}` with every hook call, so scenarios name actors in
/// `params` and stay valid against targets whose users are called differently. Names that are
/// not listed are taken as user names.
#[derive(Debug, Default)]
struct Naming {
    to_user: BTreeMap<String, String>,
}

impl Naming {
    fn parse(actors: Option<&Value>) -> Result<Self, String> {
        let map = match actors {
            None | Some(Value::Null) => return Ok(Naming::default()),
            Some(Value::Object(map)) => map,
            Some(_) => return Err("`actors` must map actor names to user names".to_owned()),
        };
        let mut to_user = BTreeMap::new();
        for (actor, user) in map {
            let Some(user) = user.as_str() else {
                return Err(format!("`actors.{actor}` must be a user name (a string)"));
            };
            if let Some((other, _)) = to_user.iter().find(|(_, u)| *u == user) {
                return Err(format!("actors `{other}` and `{actor}` both log in as `{user}`"));
            }
            to_user.insert(actor.clone(), user.to_owned());
        }
        Ok(Naming { to_user })
    }

    /// The user an actor name (or a plain user name) stands for.
    fn user<'a>(&'a self, name: &'a str) -> &'a str {
        self.to_user.get(name).map_or(name, String::as_str)
    }

    /// The name the scenario uses for `user`.
    fn name<'a>(&'a self, user: &'a str) -> &'a str {
        self.to_user
            .iter()
            .find(|(_, u)| *u == user)
            .map_or(user, |(actor, _)| actor.as_str())
    }
}

/// Adds `notified`: how many notifications the state caused, per actor (by the names the
/// request used), so the runner waits for exactly those before step 1 instead of guessing.
fn with_notified(mut reply: Value, counts: &BTreeMap<String, usize>, naming: &Naming) -> Value {
    let notified: Map<String, Value> = counts
        .iter()
        .map(|(user, n)| (naming.name(user).to_owned(), json!(n)))
        .collect();
    if let Some(map) = reply.as_object_mut() {
        map.insert("notified".to_owned(), Value::Object(notified));
    }
    reply
}

fn setup(w: &mut World, state: &str, params: &Map<String, Value>, naming: &Naming) -> Result<Value, String> {
    match state {
        "facebook session offered" => offered(w, params, naming),
        "facebook session chatting" => chatting(w, params, naming),
        "customer message" => customer_message(w, params),
        _ => transcript(w, params),
    }
}

fn check_params(state: &str, allowed: &[&str], params: &Map<String, Value>) -> Result<(), String> {
    match params.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(format!(
            "state `{state}` takes no parameter `{unknown}` (it takes: {})",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn string_param(params: &Map<String, Value>, name: &str, default: &str) -> Result<String, String> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(default.to_owned()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(format!("`params.{name}` must be a string")),
    }
}

fn known_user(world: &World, name: &str) -> Result<(), String> {
    if world.dir.users.contains_key(name) {
        Ok(())
    } else {
        let known: Vec<&str> = world.dir.users.keys().map(String::as_str).collect();
        Err(format!("unknown agent `{name}` (users: {})", known.join(", ")))
    }
}

/// A new session with the customer's ParticipantJoined and first message in the log.
fn new_session(params: &Map<String, Value>, variant: Variant) -> Result<FbSession, String> {
    let customer = string_param(params, "customer", DEFAULT_CUSTOMER)?;
    let message = string_param(params, "message", DEFAULT_MESSAGE)?;
    let comment = match params.get("comment") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`params.comment` must be a string".to_owned()),
    };
    let mut user_data = match params.get("userData") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => return Err("`params.userData` must be an object".to_owned()),
    };
    for (key, value) in [
        ("FromAddress", customer.as_str()),
        ("_facebookActorName", customer.as_str()),
        ("_facebookMessageText", message.as_str()),
        ("Subject", message.as_str()),
    ] {
        user_data
            .entry(key)
            .or_insert_with(|| Value::String(value.to_owned()));
    }
    for (key, value) in variant.extra_user_data() {
        user_data.entry(key).or_insert(value);
    }
    let (received_date, _) = now_stamp();
    let mut session = FbSession {
        id: variant.interaction_id(),
        customer: Customer {
            participant_id: variant.participant_id(),
            nickname: customer,
        },
        seats: Vec::new(),
        messages: Vec::new(),
        user_data,
        comment,
        received_date,
        queue_id: "41cc5016-2d18-4a91-93ec-b43748948608".to_owned(),
        placed_in_queue: None,
        index_step: variant.index_step(),
    };
    let from = session.customer_json();
    let joined = entry(
        session.next_index(),
        "ParticipantJoined",
        from.clone(),
        None,
        "All",
    );
    session.messages.push(joined);
    let text = entry(session.next_index(), "Text", from, Some(&message), "All");
    session.messages.push(text);
    Ok(session)
}

fn seat(variant: Variant, user: &str, nickname: Option<&str>, role: Role, state: SeatState) -> Seat {
    Seat {
        user: user.to_owned(),
        participant_id: variant.participant_id(),
        nickname: nickname.unwrap_or(user).to_owned(),
        role,
        state,
    }
}

/// The reply shape of DESIGN.md §5; `agents` is keyed by the names the request used.
fn reply(dir: &Directory, session: &FbSession, naming: &Naming) -> Value {
    let agents: Map<String, Value> = session
        .seats
        .iter()
        .map(|s| {
            (
                naming.name(&s.user).to_owned(),
                json!({"participantId": s.participant_id, "uri": dir.user_uri(&s.user), "path": dir.user_path(&s.user)}),
            )
        })
        .collect();
    json!({
        "id": session.id,
        "uri": dir.session_uri(&session.id),
        "customer": {"participantId": session.customer.participant_id, "nickname": session.customer.nickname},
        "agents": agents,
    })
}

/// `params.nicknames`: agent → nickname (default: the user name).
fn nicknames(params: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    match params.get("nicknames") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) if map.values().all(Value::is_string) => Ok(map.clone()),
        Some(_) => Err("`params.nicknames` must map agent names to nickname strings".to_owned()),
    }
}

/// Every listed agent has accepted: the first is the agent visible to all, the others joined
/// as consultants (`mode: consult`, the default) or conference members (`mode: conference`).
/// Each agent's ParticipantJoined is in the log, so the next message gets index 3 + agents.
fn chatting(world: &mut World, params: &Map<String, Value>, naming: &Naming) -> Result<Value, String> {
    let names: Vec<&str> = match params.get("agents") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().ok_or("`params.agents` must list actor or user names"))
            .collect::<Result<_, _>>()?,
        _ => return Err("`params.agents` must be a non-empty list of actor or user names".to_owned()),
    };
    let agents: Vec<String> = names.iter().map(|n| naming.user(n).to_owned()).collect();
    for (i, agent) in agents.iter().enumerate() {
        known_user(world, agent)?;
        if agents[..i].contains(agent) {
            return Err(format!("agent `{agent}` is listed twice"));
        }
    }
    let others = match string_param(params, "mode", "consult")?.as_str() {
        "consult" => Role::Consultant,
        "conference" => Role::Conference,
        other => {
            return Err(format!(
                "`params.mode` must be `consult` or `conference`, not `{other}`"
            ));
        }
    };
    let nicknames = nicknames(params)?;
    let variant = world.config.variant;
    let mut session = new_session(params, variant)?;
    for (i, agent) in agents.iter().enumerate() {
        let role = if i == 0 { Role::Primary } else { others };
        // Without a nickname an agent goes by the scenario's actor name, not the user it logs
        // in as, so what a scenario observes does not depend on how a profile maps users.
        let nickname = nicknames
            .get(naming.name(agent))
            .or_else(|| nicknames.get(agent))
            .and_then(Value::as_str)
            .or(Some(naming.name(agent)));
        let seat = seat(variant, agent, nickname, role, SeatState::Chatting);
        let index = session.next_index();
        let joined = entry(
            index,
            "ParticipantJoined",
            FbSession::agent_json(&world.dir, &seat),
            None,
            seat.visibility(),
        );
        session.messages.push(joined);
        session.seats.push(seat);
    }
    let reply = reply(&world.dir, &session, naming);
    world.sessions.insert(session.id.clone(), session);
    Ok(reply)
}

/// An inbound message is offered to `agent`, who receives a StatusChange with state Invited
/// and capabilities Accept, Reject.
fn offered(world: &mut World, params: &Map<String, Value>, naming: &Naming) -> Result<Value, String> {
    let agent = naming.user(&string_param(params, "agent", "")?).to_owned();
    if agent.is_empty() {
        return Err("`params.agent` (a user name) is required".to_owned());
    }
    known_user(world, &agent)?;
    let nickname = match params.get("nickname") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`params.nickname` must be a string".to_owned()),
    };
    let variant = world.config.variant;
    let mut session = new_session(params, variant)?;
    session.seats.push(seat(
        variant,
        &agent,
        nickname.as_deref().or(Some(naming.name(&agent))),
        Role::Primary,
        SeatState::Invited,
    ));
    let reply = reply(&world.dir, &session, naming);
    let resource = session.current(&world.dir, &agent, Order::CustomerFirst);
    world.sessions.insert(session.id.clone(), session);
    world.publish(&agent, state_change(STATUS_CHANGE, None, resource));
    Ok(reply)
}

/// The customer writes: a Text entry (visible to all) announced to every chatting agent.
fn customer_message(world: &mut World, params: &Map<String, Value>) -> Result<Value, String> {
    let id = string_param(params, "session", "")?;
    let text = string_param(params, "text", "")?;
    let departed_told = world.config.faults.contains(&Fault::NotifyDepartedAgents);
    let World { dir, sessions, .. } = &mut *world;
    let Some(session) = sessions.get_mut(&id) else {
        return Err(format!("unknown session `{id}`"));
    };
    let index = session.next_index();
    let message = entry(index, "Text", session.customer_json(), Some(&text), "All");
    session.messages.push(message.clone());
    let data = message_log(dir, &id, vec![message]);
    let recipients = if departed_told {
        session.users_in(&[SeatState::Chatting, SeatState::LeftChat, SeatState::Completed])
    } else {
        session.chatting()
    };
    for user in recipients {
        world.publish(&user, data.clone());
    }
    Ok(json!({"index": index}))
}

/// The log as the customer sees it: agents-only entries never reach the customer.
fn transcript(world: &World, params: &Map<String, Value>) -> Result<Value, String> {
    let id = string_param(params, "session", "")?;
    let Some(session) = world.sessions.get(&id) else {
        return Err(format!("unknown session `{id}`"));
    };
    let leak = world.config.faults.contains(&Fault::AgentsOnlyVisibleToCustomer);
    let messages: Vec<Value> = session
        .messages
        .iter()
        .filter(|m| leak || m.get("visibility").and_then(Value::as_str) == Some("All"))
        .cloned()
        .collect();
    let mut messages = Value::Array(messages);
    world.config.variant.dress(&mut messages);
    Ok(json!({"messages": messages}))
}

/// Removes what a session setup created, identified by the setup reply sent back. The other
/// states create nothing to remove.
fn teardown(world: &mut World, state: &str, request: &Value) {
    if !state.starts_with("facebook session") {
        return;
    }
    if let Some(id) = request.pointer("/setup/id").and_then(Value::as_str) {
        world.sessions.remove(id);
    }
}
