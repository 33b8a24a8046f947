//! Executes scenarios against a target and returns what happened as a [`Transcript`]:
//! observation only, never a verdict (that is `verdict`'s job, over the transcript).
//!
//! Scenarios run in job slots that keep their actors' sessions (HTTP cookie jar + Bayeux
//! client) from one scenario to the next, unless a scenario asks for fresh ones; a scenario
//! starts listening to its actors' sessions before its first state change, so no notification
//! can be missed, and considers only notifications about the interactions it created, so
//! scenarios can run in parallel against one server, even as the same users. How long each
//! step waits comes from its [`ScenarioPlan`], decided before the run; progress is reported as
//! [`RunEvent`]s.

mod collect;
mod correlate;
mod error;
mod event;
mod exec;
mod plan;
mod pool;
mod sessions;
mod steps;
mod streams;
mod transcript;

pub use correlate::interaction_ids;
pub use error::{RunError, RunErrorKind};
pub use event::{EventSink, RunEvent, no_events};
pub use exec::run_scenario;
pub use plan::{ActorPlan, ObservedCounts, Purpose, RunOptions, ScenarioPlan, StepPlan, mode_for};
pub use pool::{Job, RunControl, run_all};
pub use transcript::{
    Action, Capture, Exchange, Field, Observed, StepRef, Stop, StreamEvent, StreamEventKind, Teardown,
    Transcript, WaitRecord,
};
