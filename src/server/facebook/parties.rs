//! Transfer, Consult, Invite and RemoveParticipantFromConference: the operations that bring
//! another agent in or take one out. Transfer, Consult and Invite answer with the referenceId
//! (their pages' samples do).
//!
//! A consulted or invited agent receives the session as an offer (Invited, Accept/Reject) and
//! joins on Accept — no page shows this, but it is the only flow the documented capabilities
//! allow [I]. The requester's first notification is ParticipantsUpdated (Consult page); the
//! other agents already chatting get one too, since the conference is about to grow. Consult and Invite through a queue need the InternalConferenceInvite interaction
//! subtype, which this server does not configure, so they answer statusCode 2.

use super::lifecycle::{announce_departure, bare, depart, own_seat};
use super::notify::{PARTICIPANTS_UPDATED, STATUS_CHANGE, entry, message_log, state_change};
use super::ops::{Ctx, Reply};
use super::params::{Fail, Target, optional_str, resolve_target};
use super::session::{FbSession, Order, Role, Seat, SeatState};
use crate::server::faults::Fault;

/// Consult (`role` Consultant) or Invite (`role` Conference) another agent.
pub(crate) fn invite(ctx: &mut Ctx<'_>, role: Role) -> Result<Reply, Fail> {
    let what = if role == Role::Consultant {
        "Consult"
    } else {
        "Invite"
    };
    let Target::User(name) = target(ctx, &["targetUri", "targetPath"])? else {
        return Err(Fail::not_valid(format!(
            "{what} through a queue is not enabled (needs the InternalConferenceInvite interaction subtype)"
        )));
    };
    offer_seat(ctx, &name, role)?;
    let mut told = vec![ctx.user.to_owned()];
    told.extend(ctx.others_chatting());
    for agent in told {
        let view = ctx.view(&agent, Order::CustomerFirst);
        ctx.send(
            &agent,
            state_change(PARTICIPANTS_UPDATED, Some(ctx.reference), view),
        );
    }
    let offer = ctx.view(&name, Order::CustomerFirst);
    ctx.send(&name, state_change(STATUS_CHANGE, Some(ctx.reference), offer));
    Ok(Reply::WithReference)
}

/// Transfer to a user (`targetUri`/`targetPath`) or a queue (`/queues/…` or `queueName`).
/// The transferring agent is done with the interaction (Completed). Alone, it hands the
/// session to a new agent (who gets it as an offer) or a queue; with other agents chatting it
/// can only hand over to one of them ("the originator can Transfer to the consulting agent",
/// Consult page), who becomes the agent visible to all.
pub(crate) fn transfer(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let target = match optional_str(ctx.body, "queueName")? {
        Some(queue) => Target::Queue(queue.to_owned()),
        None => target(ctx, &["targetUri", "targetPath"])?,
    };
    let others = ctx.others_chatting();
    let mut offered = None;
    match target {
        Target::User(name) if !others.is_empty() => {
            if !others.contains(&name) {
                return Err(Fail::not_valid(
                    "While other agents are in the session, Transfer must go to one of them",
                ));
            }
            if let Some(seat) = ctx.session.seat_mut(&name) {
                seat.role = Role::Primary;
            }
        }
        Target::User(name) => {
            offer_seat(ctx, &name, Role::Primary)?;
            offered = Some(name);
        }
        Target::Queue(_) if !others.is_empty() => {
            return Err(Fail::not_valid(
                "While other agents are in the session, Transfer must go to one of them",
            ));
        }
        Target::Queue(queue) => ctx.session.placed_in_queue = Some(queue),
    }
    let left = depart(ctx, SeatState::Completed)?;
    ctx.session.messages.push(left.clone());
    let user = ctx.user;
    let view = ctx.view(user, Order::CustomerFirst);
    ctx.send(user, state_change(STATUS_CHANGE, Some(ctx.reference), view));
    let reference = Some(ctx.reference);
    announce_departure(ctx, others, &left, reference);
    if let Some(name) = offered.filter(|_| !ctx.config.faults.contains(&Fault::TransferNotOffered)) {
        let offer = ctx.view(&name, Order::CustomerFirst);
        ctx.send(&name, state_change(STATUS_CHANGE, Some(ctx.reference), offer));
    }
    Ok(Reply::WithReference)
}

/// RemoveParticipantFromConference, reproducing its page for both agents:
///
/// - the remover: MessageLogUpdated with an agents-only Notice
///   `REMOVE_PARTICIPANT_FROM_CONFERENCE<removed user's id>`; ParticipantsUpdated with the
///   referenceId; MessageLogUpdated with the ParticipantLeft entry;
/// - the removed agent: StatusChange Chatting → MessageLogUpdated ParticipantLeft →
///   StatusChange LeftChat → StatusChange Completed, every StatusChange with the referenceId.
///
/// The page's oddities are kept in what is *sent*, while the session stays sane: the
/// remover's ParticipantsUpdated says `state: Completed` with no capabilities although the
/// remover keeps chatting (its seat stays Chatting); the removed agent's notifications show no
/// capabilities; both entries are `from` the remover and share one index — the Notice is only
/// announced, not kept in the log, so logged indices stay unique.
pub(crate) fn remove(ctx: &mut Ctx<'_>) -> Result<Reply, Fail> {
    let Target::User(name) = target(ctx, &["targetUri", "targetPath"])? else {
        return Err(Fail::invalid(
            "Parameter 'targetUri' must name a user, not a queue",
        ));
    };
    if name == ctx.user {
        return Err(Fail::invalid("An agent cannot remove itself; use Leave"));
    }
    let removed_role = match ctx.session.seat(&name) {
        Some(seat) if seat.state == SeatState::Chatting => seat.role,
        _ => {
            return Err(Fail::not_found(format!(
                "User {name} is not chatting in this session"
            )));
        }
    };
    let others: Vec<String> = ctx.others_chatting().into_iter().filter(|o| *o != name).collect();
    let index = ctx.session.next_index();
    let dir = ctx.dir;
    let from = FbSession::agent_json(dir, own_seat(ctx)?);
    let text = format!("REMOVE_PARTICIPANT_FROM_CONFERENCE{}", dir.user_id(&name));
    let notice = entry(index, "Notice", from.clone(), Some(&text), "Agents");
    let visibility = if removed_role == Role::Consultant {
        "Agents"
    } else {
        "All"
    };
    let left = entry(index, "ParticipantLeft", from, None, visibility);
    if let Some(seat) = ctx.session.seat_mut(&name) {
        seat.state = SeatState::Completed;
    }
    ctx.session.messages.push(left.clone());
    let log =
        |ctx: &Ctx<'_>, message: &serde_json::Value| message_log(dir, &ctx.session.id, vec![message.clone()]);

    let user = ctx.user;
    ctx.send(user, log(ctx, &notice));
    let remover_view = bare(ctx, SeatState::Completed);
    ctx.send(
        user,
        state_change(PARTICIPANTS_UPDATED, Some(ctx.reference), remover_view),
    );
    ctx.send(user, log(ctx, &left));

    let chatting = bare(ctx, SeatState::Chatting);
    ctx.send(&name, state_change(STATUS_CHANGE, Some(ctx.reference), chatting));
    ctx.send(&name, log(ctx, &left));
    for state in [SeatState::LeftChat, SeatState::Completed] {
        let view = bare(ctx, state);
        ctx.send(&name, state_change(STATUS_CHANGE, Some(ctx.reference), view));
    }

    for other in others {
        let view = ctx.view(&other, Order::CustomerFirst);
        ctx.send(
            &other,
            state_change(PARTICIPANTS_UPDATED, Some(ctx.reference), view),
        );
        ctx.send(&other, log(ctx, &left));
    }
    Ok(Reply::Plain)
}

/// The first of `names` present in the body, resolved; statusCode 1 when none is.
fn target(ctx: &Ctx<'_>, names: &[&str]) -> Result<Target, Fail> {
    for name in names {
        if let Some(text) = optional_str(ctx.body, name)? {
            return resolve_target(ctx.dir, name, text);
        }
    }
    Err(Fail::missing(&names.join("' or '")))
}

/// Seats `name` as Invited with `role`: a new seat, or a fresh one in place of a finished
/// participation. Someone already taking part cannot be offered the session again.
fn offer_seat(ctx: &mut Ctx<'_>, name: &str, role: Role) -> Result<(), Fail> {
    if name == ctx.user {
        return Err(Fail::invalid("The target is the requesting agent"));
    }
    let seat = Seat {
        user: name.to_owned(),
        participant_id: ctx.config.variant.participant_id(),
        nickname: ctx
            .config
            .nicknames
            .get(name)
            .map_or(name, String::as_str)
            .to_owned(),
        role,
        state: SeatState::Invited,
    };
    match ctx.session.seat_mut(name) {
        Some(existing) if existing.state != SeatState::Completed => Err(Fail::not_valid(format!(
            "User {name} already takes part in this session ({})",
            existing.state.name()
        ))),
        Some(existing) => {
            *existing = seat;
            Ok(())
        }
        None => {
            ctx.session.seats.push(seat);
            Ok(())
        }
    }
}
