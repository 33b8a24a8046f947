//! The transcript: everything one scenario run observed, in order, as plain serialisable data.
//!
//! The runner only observes; judges (`verdict`), goldens (`golden`) and reports read the
//! transcript and never reach back into the runner. So it keeps what no judge asks for today
//! too: hook parameters and replies, each request as sent, each notification's channel and
//! arrival time, what was ignored, and the teardown.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use super::error::RunError;
use crate::matching::Vars;
use crate::scenario::Requirement;
use crate::transport::{HttpRequest, HttpResponse};

/// Which step something belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepRef {
    /// 1-based step number; 0 for the `given:` section.
    pub number: usize,
    /// The step's label (its `name:`, or a description of the request).
    pub label: String,
}

impl StepRef {
    /// Whether this is a `given:` state rather than a step.
    pub fn is_given(&self) -> bool {
        self.number == 0
    }
}

/// What one scenario run observed.
#[derive(Debug, Clone, Serialize)]
pub struct Transcript {
    /// Scenario name.
    pub scenario: String,
    /// Scenario file.
    pub file: PathBuf,
    /// The target's base URL.
    pub target: String,
    /// Wall-clock duration of the whole scenario, in milliseconds.
    pub duration_ms: u64,
    /// Variables before the first exchange: the scenario's constants and built-ins such as
    /// `target`. Captures add to them (see [`Transcript::vars_before`]).
    pub vars: Vars,
    /// Names of the variables set by captures (in `vars`), in the order they were captured.
    pub captured: Vec<String>,
    /// Every `given:` state and step that ran, in order.
    pub exchanges: Vec<Exchange>,
    /// The teardown of each applied state, in the order it ran (reverse of setup).
    pub teardown: Vec<Teardown>,
    /// Why the run stopped before its end, if it did.
    pub stop: Option<Stop>,
}

/// Why a run stopped early.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Stop {
    /// The scenario could not go on (see [`RunError`]).
    Error {
        /// What happened.
        error: RunError,
    },
    /// The run was interrupted (Ctrl-C) before its end; its states were torn down.
    Interrupted,
    /// Not run at all: the target does not enable features the scenario `requires:`.
    Unmet {
        /// The missing features.
        requirements: Vec<Requirement>,
    },
    /// A placeholder could not be resolved (its capture found nothing), so this step and the
    /// ones after it did not run.
    Skipped {
        /// The first step not run.
        step: StepRef,
        /// Which part of it needed the variables.
        field: Field,
        /// The variables no capture provided.
        undefined: Vec<String>,
    },
}

/// A part of a step or `given:` entry, for locating what could not be interpolated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The request path.
    Path,
    /// The request body.
    Body,
    /// A request header.
    Headers,
    /// The state parameters.
    Params,
}

/// One `given:` state or step: what was done and what every actor received afterwards.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// The step (number 0 for `given:` entries).
    pub step: StepRef,
    /// For `given:` entries, their 0-based position in the `given:` list.
    pub given: Option<usize>,
    /// What was done.
    pub action: Action,
    /// When it started, in milliseconds since the scenario started.
    pub started_ms: f64,
    /// How long the request (or hook call) took to answer, in milliseconds.
    pub response_ms: Option<f64>,
    /// Captures attempted on the reply, in the order written.
    pub captures: Vec<Capture>,
    /// How the runner waited for notifications after it.
    pub wait: WaitRecord,
    /// Notifications about this scenario's interactions on the configured channel, per actor
    /// (every actor listed, possibly with none), in arrival order.
    pub notifications: BTreeMap<String, Vec<Observed>>,
    /// Per actor, deliveries ignored while this exchange collected: about none of this
    /// scenario's interactions, or on another channel.
    pub ignored: BTreeMap<String, usize>,
    /// What happened to the actors' CometD sessions meanwhile (lost and re-established,
    /// failing, clamped advice, ...).
    pub stream_events: Vec<StreamEvent>,
}

impl Exchange {
    /// The data objects `actor` received, in arrival order.
    pub fn data_of(&self, actor: &str) -> Vec<&Value> {
        self.notifications
            .get(actor)
            .map(|list| list.iter().map(|n| &n.data).collect())
            .unwrap_or_default()
    }

    /// The HTTP response, or the hook's reply.
    pub fn reply(&self) -> Option<&HttpResponse> {
        match &self.action {
            Action::Hook { reply, .. } => reply.as_ref(),
            Action::Http { response, .. } => response.as_ref(),
        }
    }
}

/// What an exchange did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// A state-hook call (`given:` or a `state:` step).
    Hook {
        /// The state.
        state: String,
        /// Its parameters, interpolated.
        params: Value,
        /// The hook's reply (`None` when there was none).
        reply: Option<HttpResponse>,
    },
    /// An HTTP request by an actor.
    Http {
        /// Who sent it.
        actor: String,
        /// What was sent (placeholders resolved, secrets redacted when serialised).
        request: HttpRequest,
        /// What came back (`None` when nothing did).
        response: Option<HttpResponse>,
    },
}

/// A capture from a reply.
#[derive(Debug, Clone, Serialize)]
pub struct Capture {
    /// The variable.
    pub name: String,
    /// The JSON Pointer.
    pub pointer: String,
    /// What it named, if anything.
    pub value: Option<Value>,
}

/// How long an exchange waited for notifications, and why it stopped waiting.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WaitRecord {
    /// The notification timeout of this step, in milliseconds.
    pub timeout_ms: u64,
    /// Arrivals later than this (milliseconds after the exchange started) came after the
    /// step's timeout ran out.
    pub deadline_ms: f64,
    /// Per actor, how many notifications the plan waited for.
    pub planned: BTreeMap<String, usize>,
    /// Whether the exchange also waited for quiescence (no delivery for `settle`).
    pub quiesce: bool,
    /// Actors whose planned notifications had not all arrived when the timeout ran out.
    pub timed_out: Vec<String>,
}

/// A notification as received.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observed {
    /// The Bayeux channel it came on.
    pub channel: String,
    /// Its `data` object.
    pub data: Value,
    /// Arrival in milliseconds after its exchange started.
    pub at_ms: f64,
}

/// Something that happened to an actor's CometD session.
#[derive(Debug, Clone, Serialize)]
pub struct StreamEvent {
    /// The actor.
    pub actor: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: StreamEventKind,
}

/// The kinds of [`StreamEvent`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StreamEventKind {
    /// The session was lost and re-established; notifications in the window may be lost.
    Rehandshake {
        /// Milliseconds during which notifications may have been lost.
        window_ms: u64,
        /// The server's reason.
        reason: String,
    },
    /// A long-poll failed; the client retries.
    Trouble {
        /// Why.
        reason: String,
    },
    /// A long-poll succeeded again after [`StreamEventKind::Trouble`].
    Recovered,
    /// The session ended for good (a hung long-poll, repeated failures, advice `none`).
    Lost {
        /// Why.
        reason: String,
    },
    /// The server advised a timeout or interval beyond the client's bounds; the bound was used.
    AdviceClamped {
        /// What was clamped.
        detail: String,
    },
}

/// The teardown of one applied state.
#[derive(Debug, Clone, Serialize)]
pub struct Teardown {
    /// The state.
    pub state: String,
    /// Its parameters.
    pub params: Value,
    /// The hook's reply, or why there was none.
    pub result: Result<HttpResponse, String>,
}

impl Transcript {
    /// The transcript of a scenario that never ran, for `reason` (a target error).
    pub fn not_run(loaded: &crate::scenario::LoadedScenario, reason: &str) -> Self {
        Transcript {
            scenario: loaded.name.clone(),
            file: loaded.path.clone(),
            target: String::new(),
            duration_ms: 0,
            vars: Vars::new(),
            captured: Vec::new(),
            exchanges: Vec::new(),
            teardown: Vec::new(),
            stop: Some(Stop::Error {
                error: RunError::target(reason),
            }),
        }
    }

    /// The HTTP and hook exchanges that are steps (not `given:`).
    pub fn steps(&self) -> impl Iterator<Item = &Exchange> {
        self.exchanges.iter().filter(|e| !e.step.is_given())
    }

    /// The `given:` exchanges.
    pub fn givens(&self) -> impl Iterator<Item = &Exchange> {
        self.exchanges.iter().filter(|e| e.step.is_given())
    }

    /// The variables in scope when exchange `index` ran: the initial ones plus the captures of
    /// every earlier exchange.
    pub fn vars_before(&self, index: usize) -> Vars {
        let mut vars = self.vars.clone();
        for capture in self.exchanges.iter().take(index).flat_map(|e| &e.captures) {
            if let Some(value) = &capture.value {
                vars.insert(capture.name.clone(), value.clone());
            }
        }
        vars
    }

    /// The variables in scope after exchange `index` (its own captures included).
    pub fn vars_after(&self, index: usize) -> Vars {
        self.vars_before(index + 1)
    }

    /// The variables at the end of the run.
    pub fn final_vars(&self) -> Vars {
        self.vars_before(self.exchanges.len())
    }

    /// The error that stopped the run, if any.
    pub fn error(&self) -> Option<&RunError> {
        match &self.stop {
            Some(Stop::Error { error }) => Some(error),
            _ => None,
        }
    }
}
