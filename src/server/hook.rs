//! The provider-state hook `POST /contract/states` (DESIGN.md §5): puts the server into a
//! named state (`action: setup`) and removes it again (`action: teardown`). Test support, so
//! it needs no credentials.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::facebook::{Customer, FbSession, Role, Seat, SeatState, now_stamp};
use super::ids;
use super::world::{SharedWorld, World, lock};

/// The states this server offers.
pub(crate) const STATES: &[&str] = &[
    "facebook session offered",
    "facebook session chatting",
    "customer message",
    "customer transcript",
];

fn bad(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"error": message.into(), "states": STATES})),
    )
        .into_response()
}

/// Handles one state-hook call.
pub(crate) async fn states(State(world): State<SharedWorld>, body: Bytes) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => return bad("the body must be a JSON object {state, params, action}"),
        Err(e) => return bad(format!("the body is not valid JSON: {e}")),
    };
    let Some(state) = request.get("state").and_then(Value::as_str) else {
        return bad("missing `state` (a string)");
    };
    let params = request.get("params").cloned().unwrap_or(Value::Null);
    let params = match params {
        Value::Null => Map::new(),
        Value::Object(map) => map,
        _ => return bad("`params` must be an object"),
    };
    let action = request.get("action").and_then(Value::as_str).unwrap_or("setup");
    let mut w = lock(&world);
    let result = match (action, state) {
        ("setup", "facebook session chatting") => chatting(&mut w, &params),
        ("setup", "facebook session offered") => offered(&mut w, &params),
        ("setup", "customer message") => customer_message(&mut w, &params),
        ("setup", "customer transcript") => transcript(&w, &params),
        ("teardown", _) => {
            teardown(&mut w, &request);
            Ok(json!({}))
        }
        ("setup", other) => Err(format!("unknown state `{other}`")),
        (other, _) => Err(format!("unknown action `{other}` (expected setup or teardown)")),
    };
    match result {
        Ok(reply) => axum::Json(reply).into_response(),
        Err(message) => bad(message),
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
    if world.users.contains_key(name) {
        Ok(())
    } else {
        let known: Vec<&str> = world.users.keys().map(String::as_str).collect();
        Err(format!("unknown agent `{name}` (users: {})", known.join(", ")))
    }
}

/// A new session with the customer's first message in the log.
fn new_session(params: &Map<String, Value>) -> Result<FbSession, String> {
    let customer = string_param(params, "customer", "VitaliyOnv")?;
    let message = string_param(params, "message", "Hello my friend!")?;
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
    let (received_date, ms) = now_stamp();
    let customer = Customer {
        participant_id: ids::participant_id(),
        nickname: customer,
    };
    let customer_json = json!({
        "nickname": customer.nickname, "type": "Customer", "id": customer.participant_id,
        "visibility": "All", "participantId": customer.participant_id,
    });
    let messages = vec![
        json!({"index": 1, "type": "ParticipantJoined", "from": customer_json, "visibility": "All",
               "timestamp": received_date, "timestampSeconds": ms}),
        json!({"index": 2, "type": "Text", "from": customer_json, "text": message, "visibility": "All",
               "timestamp": received_date, "timestampSeconds": ms}),
    ];
    Ok(FbSession {
        id: ids::interaction_id(),
        customer,
        seats: Vec::new(),
        messages,
        user_data,
        comment,
        received_date,
        queue_id: "41cc5016-2d18-4a91-93ec-b43748948608".to_owned(),
    })
}

fn seat(user: &str, role: Role, state: SeatState) -> Seat {
    Seat {
        user: user.to_owned(),
        participant_id: ids::participant_id(),
        nickname: user.to_owned(),
        role,
        state,
    }
}

/// The reply shape of DESIGN.md §5.
fn reply(world: &World, session: &FbSession) -> Value {
    let agents: Map<String, Value> = session
        .seats
        .iter()
        .map(|s| {
            (
                s.user.clone(),
                json!({"participantId": s.participant_id, "uri": world.user_uri(&s.user), "path": world.user_path(&s.user)}),
            )
        })
        .collect();
    json!({
        "id": session.id,
        "uri": session.uri(world),
        "customer": {"participantId": session.customer.participant_id, "nickname": session.customer.nickname},
        "agents": agents,
    })
}

fn chatting(world: &mut World, params: &Map<String, Value>) -> Result<Value, String> {
    let agents: Vec<String> = match params.get("agents") {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or("`params.agents` must list user names")
            })
            .collect::<Result<_, _>>()?,
        _ => return Err("`params.agents` must be a non-empty list of user names".to_owned()),
    };
    for agent in &agents {
        known_user(world, agent)?;
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
    let mut session = new_session(params)?;
    for (i, agent) in agents.iter().enumerate() {
        let role = if i == 0 { Role::Primary } else { others };
        session.seats.push(seat(agent, role, SeatState::Chatting));
    }
    let reply = reply(world, &session);
    world.sessions.insert(session.id.clone(), session);
    Ok(reply)
}

fn offered(world: &mut World, params: &Map<String, Value>) -> Result<Value, String> {
    let agent = string_param(params, "agent", "")?;
    if agent.is_empty() {
        return Err("`params.agent` (a user name) is required".to_owned());
    }
    known_user(world, &agent)?;
    let mut session = new_session(params)?;
    session
        .seats
        .push(seat(&agent, Role::Primary, SeatState::Invited));
    let reply = reply(world, &session);
    let resource = session.resource(
        world,
        SeatState::Invited,
        super::facebook::capabilities_of(SeatState::Invited),
    );
    world.sessions.insert(session.id.clone(), session);
    let data = json!({
        "messageType": "FacebooksessionStateChangeMessage",
        "notificationType": "StatusChange",
        "facebooksession": resource,
    });
    world.publish(&agent, data);
    Ok(reply)
}

fn customer_message(world: &mut World, params: &Map<String, Value>) -> Result<Value, String> {
    let id = string_param(params, "session", "")?;
    let text = string_param(params, "text", "")?;
    let base = world.base_url.clone();
    let Some(session) = world.sessions.get_mut(&id) else {
        return Err(format!("unknown session `{id}`"));
    };
    let (timestamp, ms) = now_stamp();
    let message = json!({
        "index": session.messages.len() + 1,
        "type": "Text",
        "from": session.customer_json(),
        "text": text,
        "visibility": "All",
        "timestamp": timestamp,
        "timestampSeconds": ms,
    });
    session.messages.push(message.clone());
    let recipients: Vec<String> = session
        .seats
        .iter()
        .filter(|s| s.state == SeatState::Chatting)
        .map(|s| s.user.clone())
        .collect();
    let data = json!({
        "messageType": "MessageLogUpdated",
        "notificationType": "NewMessages",
        "facebooksessionUri": format!("{base}/api/v2/facebooksessions/{id}"),
        "facebooksessionPath": format!("/facebooksessions/{id}"),
        "messages": [message],
    });
    for user in recipients {
        world.publish(&user, data.clone());
    }
    Ok(json!({"index": data["messages"][0]["index"]}))
}

fn transcript(world: &World, params: &Map<String, Value>) -> Result<Value, String> {
    let id = string_param(params, "session", "")?;
    let Some(session) = world.sessions.get(&id) else {
        return Err(format!("unknown session `{id}`"));
    };
    let messages: Vec<Value> = session
        .messages
        .iter()
        .filter(|m| m.get("visibility").and_then(Value::as_str) == Some("All"))
        .cloned()
        .collect();
    Ok(json!({"messages": messages}))
}

/// Removes what a setup created, identified by the setup reply the runner sends back.
fn teardown(world: &mut World, request: &Value) {
    if let Some(id) = request.pointer("/setup/id").and_then(Value::as_str) {
        world.sessions.remove(id);
    }
}
