//! The operations, and two separate tables per state and role: the capability *list* a
//! notification renders, and the operations that are *permitted*.
//!
//! They differ on purpose. The documented lists (reference §2.2) are reproduced exactly where
//! a page shows them — Invited (Accept, Reject), single-agent Chatting, LeftChat, Completed —
//! but the pages also show operations succeeding that their state's list does not name: the
//! SetDisposition page sets a disposition in Chatting although the Chatting list lacks
//! SetDisposition, and AddComment, Consult and Invite appear in no list at all. So a state
//! permits its documented list plus what the operation pages show working there; an operation
//! outside the permitted table answers statusCode 2.
//!
//! Where no page documents a list (a consultant's or a conference participant's Chatting
//! view), the rendered list is the permitted set itself, minus AddComment, which no vendor
//! list ever shows. The conference list of the Chat API twin ([S]) is rendered for the primary
//! agent while other agents are chatting. Capability lists spell `InFocus` (single-agent
//! Chatting) or `SetInFocus` (LeftChat, conference) exactly as the pages do; both names are
//! accepted as the operation.

use super::session::{Role, SeatState};

/// Every operation of `POST /api/v2/me/facebooksessions/{id}` (reference §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Operation {
    Accept,
    Reject,
    SendMessage,
    SendToAgents,
    SendStartTypingNotification,
    SendStopTypingNotification,
    SendStartTypingToAgentsNotification,
    SendStopTypingToAgentsNotification,
    AddComment,
    SetDisposition,
    AttachUserData,
    UpdateUserData,
    DeleteUserData,
    Transfer,
    Consult,
    Invite,
    RemoveParticipantFromConference,
    Leave,
    Complete,
    SetInFocus,
}

impl Operation {
    /// Every operation, in reference §1 order.
    pub const ALL: &'static [Operation] = &[
        Operation::Accept,
        Operation::Reject,
        Operation::SendMessage,
        Operation::SendToAgents,
        Operation::SendStartTypingNotification,
        Operation::SendStopTypingNotification,
        Operation::SendStartTypingToAgentsNotification,
        Operation::SendStopTypingToAgentsNotification,
        Operation::AddComment,
        Operation::SetDisposition,
        Operation::AttachUserData,
        Operation::UpdateUserData,
        Operation::DeleteUserData,
        Operation::Transfer,
        Operation::Consult,
        Operation::Invite,
        Operation::RemoveParticipantFromConference,
        Operation::Leave,
        Operation::Complete,
        Operation::SetInFocus,
    ];

    /// The `operationName`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Accept => "Accept",
            Operation::Reject => "Reject",
            Operation::SendMessage => "SendMessage",
            Operation::SendToAgents => "SendToAgents",
            Operation::SendStartTypingNotification => "SendStartTypingNotification",
            Operation::SendStopTypingNotification => "SendStopTypingNotification",
            Operation::SendStartTypingToAgentsNotification => "SendStartTypingToAgentsNotification",
            Operation::SendStopTypingToAgentsNotification => "SendStopTypingToAgentsNotification",
            Operation::AddComment => "AddComment",
            Operation::SetDisposition => "SetDisposition",
            Operation::AttachUserData => "AttachUserData",
            Operation::UpdateUserData => "UpdateUserData",
            Operation::DeleteUserData => "DeleteUserData",
            Operation::Transfer => "Transfer",
            Operation::Consult => "Consult",
            Operation::Invite => "Invite",
            Operation::RemoveParticipantFromConference => "RemoveParticipantFromConference",
            Operation::Leave => "Leave",
            Operation::Complete => "Complete",
            Operation::SetInFocus => "SetInFocus",
        }
    }

    /// The operation named `name`; `InFocus` is the capability spelling of SetInFocus.
    pub fn from_name(name: &str) -> Option<Operation> {
        if name == "InFocus" {
            return Some(Operation::SetInFocus);
        }
        Operation::ALL.iter().copied().find(|op| op.name() == name)
    }
}

/// Where one agent stands in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Standing {
    /// The agent's own state.
    pub state: SeatState,
    /// How the agent takes part.
    pub role: Role,
    /// Whether another agent is chatting in the session (a consultation or conference).
    pub others: bool,
}

/// Invited (the offer): reference §2.2, DESIGN.md §5.
const INVITED: &[&str] = &["Accept", "Reject"];

/// Chatting, single agent: Accept, AddComment and SetDisposition pages [D].
const CHATTING_SINGLE: &[&str] = &[
    "Transfer",
    "Complete",
    "Leave",
    "InFocus",
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
];

/// Chatting with other agents, as the Chat API's Invite page shows it [S].
const CHATTING_CONFERENCE: &[&str] = &[
    "Transfer",
    "Leave",
    "Invite",
    "Consult",
    "SetInFocus",
    "SetDisposition",
    "AttachUserData",
    "DeleteUserData",
    "UpdateUserData",
    "SendToAgents",
    "SendStartTypingToAgentsNotification",
    "SendStopTypingToAgentsNotification",
    "Complete",
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
];

/// A conference participant who is not the primary agent [I]: talks to everyone, wraps up,
/// may Complete (which only ends their own part), but does not transfer, consult, invite or
/// remove others.
const CHATTING_CONFERENCE_MEMBER: &[&str] = &[
    "Leave",
    "SetInFocus",
    "SetDisposition",
    "AttachUserData",
    "DeleteUserData",
    "UpdateUserData",
    "SendToAgents",
    "SendStartTypingToAgentsNotification",
    "SendStopTypingToAgentsNotification",
    "Complete",
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
];

/// A consulted agent [I]: everything it writes is agents-only; it leaves rather than
/// completes ("the consulting agent can Leave the chat", Consult page).
const CHATTING_CONSULTANT: &[&str] = &[
    "Leave",
    "SetInFocus",
    "SetDisposition",
    "AttachUserData",
    "DeleteUserData",
    "UpdateUserData",
    "SendToAgents",
    "SendStartTypingToAgentsNotification",
    "SendStopTypingToAgentsNotification",
    "SendMessage",
    "SendStartTypingNotification",
    "SendStopTypingNotification",
];

/// LeftChat: Leave page [D].
const LEFT_CHAT: &[&str] = &[
    "SetInFocus",
    "Complete",
    "SetDisposition",
    "AttachUserData",
    "DeleteUserData",
    "UpdateUserData",
];

/// The capability list a notification shows to an agent standing at `s`.
pub(crate) fn rendered(s: Standing) -> Vec<&'static str> {
    let list = match (s.state, s.role, s.others) {
        (SeatState::Invited, _, _) => INVITED,
        (SeatState::Chatting, Role::Consultant, _) => CHATTING_CONSULTANT,
        (SeatState::Chatting, Role::Conference, true) => CHATTING_CONFERENCE_MEMBER,
        (SeatState::Chatting, _, true) => CHATTING_CONFERENCE,
        (SeatState::Chatting, _, false) => CHATTING_SINGLE,
        (SeatState::LeftChat, _, _) => LEFT_CHAT,
        (SeatState::Completed, _, _) => &[],
    };
    list.to_vec()
}

use Operation as O;

/// Invited, any role.
const MAY_INVITED: &[Operation] = &[O::Accept, O::Reject];

/// Chatting alone: the documented list, plus what the AddComment, SetDisposition, userData,
/// Consult and (Chat twin) Invite pages show working there.
const MAY_CHATTING_SINGLE: &[Operation] = &[
    O::Transfer,
    O::Complete,
    O::Leave,
    O::SetInFocus,
    O::SendMessage,
    O::SendStartTypingNotification,
    O::SendStopTypingNotification,
    O::AddComment,
    O::SetDisposition,
    O::AttachUserData,
    O::UpdateUserData,
    O::DeleteUserData,
    O::Consult,
    O::Invite,
];

/// The primary agent while others chat: the conference list, plus AddComment and removing
/// others ("Only the agent who is visible to all ... can do this", RemoveParticipant page).
const MAY_CHATTING_PRIMARY_WITH_OTHERS: &[Operation] = &[
    O::Transfer,
    O::Leave,
    O::Invite,
    O::Consult,
    O::SetInFocus,
    O::SetDisposition,
    O::AttachUserData,
    O::DeleteUserData,
    O::UpdateUserData,
    O::SendToAgents,
    O::SendStartTypingToAgentsNotification,
    O::SendStopTypingToAgentsNotification,
    O::Complete,
    O::SendMessage,
    O::SendStartTypingNotification,
    O::SendStopTypingNotification,
    O::AddComment,
    O::RemoveParticipantFromConference,
];

/// A conference member who is not the primary agent.
const MAY_CHATTING_CONFERENCE_MEMBER: &[Operation] = &[
    O::Leave,
    O::SetInFocus,
    O::SetDisposition,
    O::AttachUserData,
    O::DeleteUserData,
    O::UpdateUserData,
    O::SendToAgents,
    O::SendStartTypingToAgentsNotification,
    O::SendStopTypingToAgentsNotification,
    O::Complete,
    O::SendMessage,
    O::SendStartTypingNotification,
    O::SendStopTypingNotification,
    O::AddComment,
];

/// A consultant.
const MAY_CHATTING_CONSULTANT: &[Operation] = &[
    O::Leave,
    O::SetInFocus,
    O::SetDisposition,
    O::AttachUserData,
    O::DeleteUserData,
    O::UpdateUserData,
    O::SendToAgents,
    O::SendStartTypingToAgentsNotification,
    O::SendStopTypingToAgentsNotification,
    O::SendMessage,
    O::SendStartTypingNotification,
    O::SendStopTypingNotification,
    O::AddComment,
];

/// LeftChat: the documented list plus AddComment.
const MAY_LEFT_CHAT: &[Operation] = &[
    O::SetInFocus,
    O::Complete,
    O::SetDisposition,
    O::AttachUserData,
    O::DeleteUserData,
    O::UpdateUserData,
    O::AddComment,
];

/// The operations permitted to an agent standing at `s` (see the module docs).
pub(crate) fn permitted_operations(s: Standing) -> &'static [Operation] {
    match (s.state, s.role, s.others) {
        (SeatState::Invited, _, _) => MAY_INVITED,
        (SeatState::Chatting, Role::Consultant, _) => MAY_CHATTING_CONSULTANT,
        (SeatState::Chatting, Role::Conference, true) => MAY_CHATTING_CONFERENCE_MEMBER,
        (SeatState::Chatting, _, true) => MAY_CHATTING_PRIMARY_WITH_OTHERS,
        (SeatState::Chatting, _, false) => MAY_CHATTING_SINGLE,
        (SeatState::LeftChat, _, _) => MAY_LEFT_CHAT,
        (SeatState::Completed, _, _) => &[],
    }
}

/// Whether `op` is permitted to an agent standing at `s`.
pub(crate) fn permitted(s: Standing, op: Operation) -> bool {
    permitted_operations(s).contains(&op)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(state: SeatState, role: Role, others: bool) -> Standing {
        Standing { state, role, others }
    }

    #[test]
    fn documented_lists_are_rendered_verbatim() {
        assert_eq!(
            rendered(at(SeatState::Chatting, Role::Primary, false)),
            CHATTING_SINGLE
        );
        assert_eq!(rendered(at(SeatState::LeftChat, Role::Primary, false)), LEFT_CHAT);
        assert!(rendered(at(SeatState::Completed, Role::Primary, false)).is_empty());
        assert_eq!(
            rendered(at(SeatState::Invited, Role::Consultant, true)),
            ["Accept", "Reject"]
        );
    }

    #[test]
    fn set_disposition_is_permitted_in_chatting_though_not_listed() {
        let s = at(SeatState::Chatting, Role::Primary, false);
        assert!(!rendered(s).contains(&"SetDisposition"));
        assert!(permitted(s, Operation::SetDisposition));
    }

    #[test]
    fn every_rendered_capability_is_permitted() {
        for state in [
            SeatState::Invited,
            SeatState::Chatting,
            SeatState::LeftChat,
            SeatState::Completed,
        ] {
            for role in [Role::Primary, Role::Consultant, Role::Conference] {
                for others in [false, true] {
                    let s = at(state, role, others);
                    for name in rendered(s) {
                        let op = Operation::from_name(name).expect("capability names an operation");
                        assert!(permitted(s, op), "{name} rendered but not permitted at {s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn undocumented_views_render_what_they_permit_but_add_comment() {
        for (role, others) in [(Role::Consultant, true), (Role::Conference, true)] {
            let s = at(SeatState::Chatting, role, others);
            let shown: Vec<Operation> = rendered(s)
                .iter()
                .filter_map(|name| Operation::from_name(name))
                .collect();
            let allowed: Vec<Operation> = permitted_operations(s)
                .iter()
                .copied()
                .filter(|&op| op != Operation::AddComment)
                .collect();
            assert_eq!(shown, allowed, "{role:?}");
        }
    }

    #[test]
    fn removal_is_for_the_primary_agent_only() {
        let op = Operation::RemoveParticipantFromConference;
        assert!(permitted(at(SeatState::Chatting, Role::Primary, true), op));
        assert!(!permitted(at(SeatState::Chatting, Role::Primary, false), op));
        assert!(!permitted(at(SeatState::Chatting, Role::Consultant, true), op));
        assert!(!permitted(at(SeatState::Chatting, Role::Conference, true), op));
    }

    #[test]
    fn nothing_is_permitted_once_completed() {
        let s = at(SeatState::Completed, Role::Primary, false);
        assert!(Operation::ALL.iter().all(|&op| !permitted(s, op)));
    }

    #[test]
    fn names_round_trip_and_in_focus_is_an_alias() {
        for &op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(op));
        }
        assert_eq!(Operation::from_name("InFocus"), Some(Operation::SetInFocus));
        assert_eq!(Operation::from_name("Explode"), None);
    }
}
