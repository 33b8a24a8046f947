//! The faults, their stable `--fault` names and what each makes the server do wrong.

use std::fmt;
use std::str::FromStr;

/// One deliberate deviation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// The first notification is not sent.
    DropNotification,
    /// The first notification is sent twice.
    DuplicateNotification,
    /// The first two notifications to one agent are swapped.
    ReorderNotifications,
    /// The first notification is sent after `ServerConfig::fault_delay`.
    DelayNotification,
    /// The first state-change notification reports another state.
    WrongState,
    /// Successful operations answer statusCode 4.
    WrongStatusCode,
    /// Successful operations answer HTTP 202.
    WrongHttpStatus,
    /// `facebooksession` is renamed `facebooksessions` in the first state change.
    RenamedField,
    /// The first notification goes to another user.
    WrongAgent,
    /// One notification too many: an extra PropertiesUpdated.
    ExtraNotification,
    /// Capability lists lose their first entry.
    MissingCapability,
    /// The first notification carrying a referenceId loses it.
    MissingReferenceId,
    /// A missing required parameter answers statusCode 10 instead of 1.
    MissingParameterCode,
    /// An operation not valid in the current state answers statusCode 10 instead of 2.
    InvalidStateCode,
    /// An unknown session answers HTTP 200 with statusCode 0 instead of statusCode 6.
    UnknownSessionOk,
    /// A refused operation still notifies the requester.
    RefusalNotifies,
    /// Requests without credentials are served as the first user.
    AnonymousAccepted,
    /// Basic auth with a known user name and any password is accepted.
    WrongPasswordAccepted,
    /// Refused credentials are answered with HTTP 200 instead of 401.
    UnauthenticatedHttp200,
    /// CSRF tokens are not checked.
    CsrfNotEnforced,
    /// `402::Unknown client` replies advise `reconnect: retry`.
    UnknownClientRetry,
    /// Unknown clients get a 403 error instead of 402.
    UnknownClientWrongError,
    /// Any channel may be subscribed.
    SubscribeAnyChannel,
    /// Replies to meta messages do not echo the message id.
    MetaReplyWithoutId,
    /// LeftChat capability lists also offer SendMessage.
    LeftChatCapabilities,
    /// The customer's transcript shows agents-only messages.
    AgentsOnlyVisibleToCustomer,
    /// Agents-only messages are labelled visibility All.
    AgentsOnlyVisibilityAll,
    /// Agents who left or were removed still get the chat's new messages.
    NotifyDepartedAgents,
    /// Typing operations notify nobody.
    TypingNotNotified,
    /// UpdateUserData leaves keys that already exist unchanged.
    UserDataNotUpdated,
    /// DeleteUserData removes nothing.
    DeleteUserDataIgnored,
    /// A consultant's messages are visible to the customer.
    ConsultantVisibleToCustomer,
    /// Transfer to a user does not offer the session to that user.
    TransferNotOffered,
    /// Accept does not deliver the chat history.
    AcceptWithoutHistory,
}

/// Every fault with its `--fault` name and description, in `--list-faults` order.
const CATALOG: &[(Fault, &str, &str)] = &[
    (
        Fault::DropNotification,
        "drop-notification",
        "the first notification each operation causes is never sent",
    ),
    (
        Fault::DuplicateNotification,
        "duplicate-notification",
        "the first notification each operation causes is sent twice",
    ),
    (
        Fault::ReorderNotifications,
        "reorder-notifications",
        "the first two notifications an operation sends to one agent arrive swapped",
    ),
    (
        Fault::DelayNotification,
        "delay-notification",
        "the first notification each operation causes is sent late (--fault-delay, default 6000 ms)",
    ),
    (
        Fault::WrongState,
        "wrong-state",
        "the first state-change notification of each operation reports a wrong state",
    ),
    (
        Fault::WrongStatusCode,
        "wrong-status-code",
        "successful operations answer statusCode 4 instead of 0",
    ),
    (
        Fault::WrongHttpStatus,
        "wrong-http-status",
        "successful operations answer HTTP 202 instead of 200",
    ),
    (
        Fault::RenamedField,
        "renamed-field",
        "the first state change of each operation says `facebooksessions` instead of `facebooksession`",
    ),
    (
        Fault::WrongAgent,
        "wrong-agent",
        "the first notification each operation causes goes to another user",
    ),
    (
        Fault::ExtraNotification,
        "extra-notification",
        "each operation sends one notification too many (a PropertiesUpdated to its first recipient)",
    ),
    (
        Fault::MissingCapability,
        "missing-capability",
        "capability lists in notifications lack their first entry",
    ),
    (
        Fault::MissingReferenceId,
        "missing-reference-id",
        "the first notification carrying a referenceId lacks it",
    ),
    (
        Fault::MissingParameterCode,
        "missing-parameter-code",
        "a missing required parameter answers statusCode 10 instead of 1",
    ),
    (
        Fault::InvalidStateCode,
        "invalid-state-code",
        "an operation not valid in the current state answers statusCode 10 instead of 2",
    ),
    (
        Fault::UnknownSessionOk,
        "unknown-session-ok",
        "an operation on an unknown session answers HTTP 200 and statusCode 0 instead of statusCode 6",
    ),
    (
        Fault::RefusalNotifies,
        "refusal-notifies",
        "a refused operation still sends the requester a PropertiesUpdated of the session",
    ),
    (
        Fault::AnonymousAccepted,
        "anonymous-accepted",
        "requests without credentials are served as if the first user had sent them",
    ),
    (
        Fault::WrongPasswordAccepted,
        "wrong-password-accepted",
        "Basic auth with a known user name is accepted whatever the password",
    ),
    (
        Fault::UnauthenticatedHttp200,
        "unauthenticated-http-200",
        "requests with missing or wrong credentials are refused with HTTP 200 instead of 401",
    ),
    (
        Fault::CsrfNotEnforced,
        "csrf-not-enforced",
        "with CSRF protection on, modifying requests without a valid token are accepted",
    ),
    (
        Fault::UnknownClientRetry,
        "unknown-client-retry",
        "CometD replies for an unknown clientId advise `reconnect: retry` instead of `handshake`",
    ),
    (
        Fault::UnknownClientWrongError,
        "unknown-client-wrong-error",
        "CometD replies for an unknown clientId carry a 403 error instead of 402",
    ),
    (
        Fault::SubscribeAnyChannel,
        "subscribe-any-channel",
        "CometD subscriptions to channels outside the user's /v2/me/ topics succeed",
    ),
    (
        Fault::MetaReplyWithoutId,
        "meta-reply-without-id",
        "CometD replies to meta messages do not echo the message id",
    ),
    (
        Fault::LeftChatCapabilities,
        "left-chat-capabilities",
        "capability lists in LeftChat also offer SendMessage",
    ),
    (
        Fault::AgentsOnlyVisibleToCustomer,
        "agents-only-visible-to-customer",
        "the customer's transcript shows messages meant for agents only",
    ),
    (
        Fault::AgentsOnlyVisibilityAll,
        "agents-only-visibility-all",
        "notifications label messages meant for agents only as visibility All",
    ),
    (
        Fault::NotifyDepartedAgents,
        "notify-departed-agents",
        "agents who left the chat or were removed from it still get its new messages",
    ),
    (
        Fault::TypingNotNotified,
        "typing-not-notified",
        "typing notifications (start, stop, to agents) reach nobody",
    ),
    (
        Fault::UserDataNotUpdated,
        "user-data-not-updated",
        "UpdateUserData leaves keys that already exist unchanged",
    ),
    (
        Fault::DeleteUserDataIgnored,
        "delete-user-data-ignored",
        "DeleteUserData answers statusCode 0 but removes nothing",
    ),
    (
        Fault::ConsultantVisibleToCustomer,
        "consultant-visible-to-customer",
        "a consultant's messages are visible to all, the customer included",
    ),
    (
        Fault::TransferNotOffered,
        "transfer-not-offered",
        "Transfer to an agent never offers the session to that agent",
    ),
    (
        Fault::AcceptWithoutHistory,
        "accept-without-history",
        "Accept does not deliver the chat history to the accepting agent",
    ),
];

impl Fault {
    /// Every fault, in `--list-faults` order.
    pub const ALL: &'static [Fault] = &[
        Fault::DropNotification,
        Fault::DuplicateNotification,
        Fault::ReorderNotifications,
        Fault::DelayNotification,
        Fault::WrongState,
        Fault::WrongStatusCode,
        Fault::WrongHttpStatus,
        Fault::RenamedField,
        Fault::WrongAgent,
        Fault::ExtraNotification,
        Fault::MissingCapability,
        Fault::MissingReferenceId,
        Fault::MissingParameterCode,
        Fault::InvalidStateCode,
        Fault::UnknownSessionOk,
        Fault::RefusalNotifies,
        Fault::AnonymousAccepted,
        Fault::WrongPasswordAccepted,
        Fault::UnauthenticatedHttp200,
        Fault::CsrfNotEnforced,
        Fault::UnknownClientRetry,
        Fault::UnknownClientWrongError,
        Fault::SubscribeAnyChannel,
        Fault::MetaReplyWithoutId,
        Fault::LeftChatCapabilities,
        Fault::AgentsOnlyVisibleToCustomer,
        Fault::AgentsOnlyVisibilityAll,
        Fault::NotifyDepartedAgents,
        Fault::TypingNotNotified,
        Fault::UserDataNotUpdated,
        Fault::DeleteUserDataIgnored,
        Fault::ConsultantVisibleToCustomer,
        Fault::TransferNotOffered,
        Fault::AcceptWithoutHistory,
    ];

    fn entry(self) -> &'static (Fault, &'static str, &'static str) {
        CATALOG
            .iter()
            .find(|(fault, _, _)| *fault == self)
            .expect("every fault has a catalog entry (checked by the catalog's tests)")
    }

    /// The stable kebab-case name `--fault` takes.
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// One line saying what the server then does wrong.
    pub fn description(self) -> &'static str {
        self.entry().2
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `--fault` name that names no fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown fault `{0}` (`gws-contract serve --list-faults` lists them)")]
pub struct UnknownFault(pub String);

impl FromStr for Fault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .iter()
            .copied()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFault(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn the_catalog_lists_every_fault_once_in_list_order() {
        let listed: Vec<Fault> = CATALOG.iter().map(|(fault, _, _)| *fault).collect();
        assert_eq!(listed, Fault::ALL);
    }

    #[test]
    fn names_are_unique_kebab_case_and_parse_back() {
        let names: BTreeSet<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(names.len(), Fault::ALL.len());
        assert!(Fault::ALL.len() >= 25);
        for &fault in Fault::ALL {
            assert!(
                fault
                    .name()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
            assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
            assert!(!fault.description().is_empty());
        }
        assert_eq!("nope".parse::<Fault>(), Err(UnknownFault("nope".to_owned())));
    }
}
