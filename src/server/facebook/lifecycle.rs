//! Accept, Reject, Leave, Complete and SetInFocus: the operations that move an agent through
//! Invited → Chatting → LeftChat → Completed (reference §2.2).

use serde_json::Value;

use super::capabilities::rendered;
use super::notify::{
    PARTICIPANTS_UPDATED, PROPERTIES_UPDATED, STATUS_CHANGE, entry, message_log, state_change,
};
use super::ops::{Ctx, Reply};
use super::params::{Fail, optional_str};
use super::session::{FbSession, Order, Role, Seat, SeatState, View};
use crate::server::faults::Fault;

/// The acting agent's seat (its existence was checked before the operation ran).
pub(super) fn own_seat<'a>(ctx: &'a mut Ctx<'_>) -> Result<&'a mut Seat, Fail> {
    let user = ctx.user;
    ctx.session
        .seat_mut(user)
        .ok_or_else(|| Fail::not_found(format!("No seat for {user} in this session")))
}

/// Moves the acting agent to `state` and returns its ParticipantLeft log entry, not yet in
/// the log (Complete logs it only when the agent was still chatting).
pub(super) fn depart(ctx: &mut Ctx<'_>, state: SeatState) -> Result<Value, Fail> {
    let index = ctx.session.next_index();
    let dir = ctx.dir;
    let seat = own_seat(ctx)?;
    seat.state = state;
    let from = FbSession::agent_json(dir, seat);
    Ok(entry(index, "ParticipantLeft", from, None, seat.visibility()))
}

/// Tells each of `others` that the acting agent left: a ParticipantsUpdated (carrying
/// `reference`, if any) and the ParticipantLeft entry.
pub(super) fn announce_departure(
    ctx: &mut Ctx<'_>,
    others: Vec<String>,
    left: &Value,
    reference: Option<u64>,
) {
    for other in others {
        let view = ctx.view(&other, Order::CustomerFirst);
        ctx.send(&other, state_change(PARTICIPANTS_UPDATED, reference, view));
        let log = message_log(ctx.dir, &ctx.session.id, vec![left.clone()]);
        ctx.send(&other, log);
    }
}

/// Accept: the offer becomes a chat. The Accept page documents three notifications for the
/// accepting agent: StatusChange (referenceId, participants still `[]`), ParticipantsUpdated
/// (no referenceId, agents listed first) and the chat history up to joining. Agents already
/// chatting see the newcomer: ParticipantsUpdated and the ParticipantJoined entry.
pub(crate) fn accept(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let nickname = optional_str(ctx.body, "nickname")?.map(str::to_owned);
    let index = ctx.session.next_index();
    let dir = ctx.dir;
    let seat = own_seat(ctx)?;
    if let Some(nickname) = nickname {
        seat.nickname = nickname;
    }
    seat.state = SeatState::Chatting;
    let joined = entry(
        index,
        "ParticipantJoined",
        FbSession::agent_json(dir, seat),
        None,
        seat.visibility(),
    );
    ctx.session.messages.push(joined.clone());
    ctx.session.ensure_primary();
    let user = ctx.user;
    let standing = ctx
        .session
        .standing(user)
        .ok_or_else(|| Fail::not_found("seat vanished"))?;
    let first = ctx.session.resource(
        dir,
        &View {
            state: SeatState::Chatting.name(),
            capabilities: Some(rendered(standing)),
            participants: None,
        },
    );
    ctx.send(user, state_change(STATUS_CHANGE, Some(ctx.reference), first));
    let participants = ctx.view(user, Order::AgentsFirst);
    ctx.send(user, state_change(PARTICIPANTS_UPDATED, None, participants));
    if !ctx.config.faults.contains(&Fault::AcceptWithoutHistory) {
        let history = message_log(dir, &ctx.session.id, ctx.session.messages.clone());
        ctx.send(user, history);
    }
    for other in ctx.others_chatting() {
        let view = ctx.view(&other, Order::CustomerFirst);
        ctx.send(
            &other,
            state_change(PARTICIPANTS_UPDATED, Some(ctx.reference), view),
        );
        let log = message_log(dir, &ctx.session.id, vec![joined.clone()]);
        ctx.send(&other, log);
    }
    Ok(Reply::Plain)
}

/// Reject: the offer is declined and the interaction is Completed for this agent. The Reject
/// page's notification has no `capabilities` key and empty participants. Agents chatting in
/// the session (who consulted or invited this one) learn of it by a ParticipantsUpdated.
pub(crate) fn reject(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    own_seat(ctx)?.state = SeatState::Completed;
    let resource = ctx.session.resource(
        ctx.dir,
        &View {
            state: SeatState::Completed.name(),
            capabilities: None,
            participants: None,
        },
    );
    let user = ctx.user;
    ctx.send(user, state_change(STATUS_CHANGE, Some(ctx.reference), resource));
    for other in ctx.others_chatting() {
        let view = ctx.view(&other, Order::CustomerFirst);
        ctx.send(
            &other,
            state_change(PARTICIPANTS_UPDATED, Some(ctx.reference), view),
        );
    }
    Ok(Reply::Plain)
}

/// Leave. Alone, the agent ends the chat for the customer and stays in LeftChat to wrap up
/// (the Leave page: one StatusChange, LeftChat capabilities, no referenceId). With other agents
/// chatting, the agent leaves the conference and, as the page author's note says, is "not able
/// to do anything with this chat": LeftChat, then Completed, both with no capabilities — the
/// sequence the RemoveParticipantFromConference page shows for a removed agent. The others see
/// ParticipantsUpdated and the ParticipantLeft entry. Leave carries no referenceId anywhere,
/// as on its page.
pub(crate) fn leave(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let others = ctx.others_chatting();
    let left = depart(ctx, SeatState::LeftChat)?;
    ctx.session.messages.push(left.clone());
    let user = ctx.user;
    if others.is_empty() {
        let view = ctx.view(user, Order::CustomerFirst);
        ctx.send(user, state_change(STATUS_CHANGE, None, view));
        return Ok(Reply::Plain);
    }
    own_seat(ctx)?.state = SeatState::Completed;
    for state in [SeatState::LeftChat, SeatState::Completed] {
        let resource = bare(ctx, state);
        ctx.send(user, state_change(STATUS_CHANGE, None, resource));
    }
    ctx.session.ensure_primary();
    announce_departure(ctx, others, &left, None);
    Ok(Reply::Plain)
}

/// Complete: the agent is done (Completed, no capabilities, no longer a participant — the
/// Complete page), optionally placing the interaction in `queueName`. Completing while
/// chatting as the primary agent "ends the Facebook session for the customer", so agents still
/// chatting drop to LeftChat to wrap up; a conference member completing only ends their own
/// part, and the others see them leave.
pub(crate) fn complete(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let queue = optional_str(ctx.body, "queueName")?.map(str::to_owned);
    let seat = own_seat(ctx)?;
    let (was, role) = (seat.state, seat.role);
    let left = depart(ctx, SeatState::Completed)?;
    if queue.is_some() {
        ctx.session.placed_in_queue = queue;
    }
    let user = ctx.user;
    let view = ctx.view(user, Order::CustomerFirst);
    ctx.send(user, state_change(STATUS_CHANGE, Some(ctx.reference), view));
    if was != SeatState::Chatting {
        return Ok(Reply::Plain);
    }
    ctx.session.messages.push(left.clone());
    let others = ctx.session.chatting();
    if role == Role::Primary {
        for other in &others {
            if let Some(seat) = ctx.session.seat_mut(other) {
                seat.state = SeatState::LeftChat;
            }
        }
        for other in others {
            let view = ctx.view(&other, Order::CustomerFirst);
            ctx.send(&other, state_change(STATUS_CHANGE, Some(ctx.reference), view));
        }
    } else {
        ctx.session.ensure_primary();
        let reference = Some(ctx.reference);
        announce_departure(ctx, others, &left, reference);
    }
    Ok(Reply::Plain)
}

/// SetInFocus: no page documents it for facebooksessions. Focus is per agent, so only the
/// acting agent is told, with a PropertiesUpdated of its current view [I].
pub(crate) fn set_in_focus(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let user = ctx.user;
    let view = ctx.view(user, Order::AgentsFirst);
    ctx.send(user, state_change(PROPERTIES_UPDATED, Some(ctx.reference), view));
    Ok(Reply::Plain)
}

/// The resource in `state` with no capabilities and the current participants (customer
/// first): what an agent who can no longer act is shown.
pub(super) fn bare(ctx: &Ctx<'_>, state: SeatState) -> serde_json::Value {
    ctx.session.resource(
        ctx.dir,
        &View {
            state: state.name(),
            capabilities: Some(Vec::new()),
            participants: Some(Order::CustomerFirst),
        },
    )
}
