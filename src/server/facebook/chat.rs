//! SendMessage, SendToAgents and the typing notifications: entries in the message log,
//! announced to every chatting agent with MessageLogUpdated.
//!
//! Visibility: SendToAgents and the `…ToAgents…` typing variants are agents-only; so is
//! everything a consultant writes ("Messages and notifications from the consulting agent are
//! visible to other agents, not to the customer", Consult page). Typing entries take an index
//! in the log, as the Chat API's typing samples show.

use super::lifecycle::own_seat;
use super::notify::{entry, message_log};
use super::ops::{Ctx, Reply};
use super::params::{Fail, required_str};
use super::session::{FbSession, SeatState};
use crate::server::faults::Fault;

/// SendMessage (`to_agents` false) or SendToAgents (true), both with a required `text`.
pub(crate) fn send_message(ctx: &mut Ctx<'_>, to_agents: bool) -> Result<Reply, Fail> {
    let text = required_str(ctx.body, "text")?.to_owned();
    post(ctx, "Text", Some(&text), to_agents)
}

/// A TypingStarted or TypingStopped entry.
pub(crate) fn typing(ctx: &mut Ctx<'_>, kind: &str, to_agents: bool) -> Result<Reply, Fail> {
    post(ctx, kind, None, to_agents)
}

fn post(ctx: &mut Ctx<'_>, kind: &str, text: Option<&str>, to_agents: bool) -> Result<Reply, Fail> {
    let index = ctx.session.next_index();
    let dir = ctx.dir;
    let faults = &ctx.config.faults;
    let consultant_seen = faults.contains(&Fault::ConsultantVisibleToCustomer);
    let departed_told = faults.contains(&Fault::NotifyDepartedAgents);
    let seat = own_seat(ctx)?;
    let visibility = match (to_agents, seat.visibility()) {
        (true, _) => "Agents",
        (false, "Agents") if consultant_seen => "All",
        (false, own) => own,
    };
    let message = entry(index, kind, FbSession::agent_json(dir, seat), text, visibility);
    ctx.session.messages.push(message.clone());
    let recipients = if departed_told {
        ctx.session
            .users_in(&[SeatState::Chatting, SeatState::LeftChat, SeatState::Completed])
    } else {
        ctx.session.chatting()
    };
    for user in recipients {
        let log = message_log(dir, &ctx.session.id, vec![message.clone()]);
        ctx.send(&user, log);
    }
    Ok(Reply::Plain)
}
