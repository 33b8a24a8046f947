//! Executes scenarios against a target and returns what happened as plain data.
//!
//! The runner never formats text: it returns [`ScenarioOutcome`]s and emits [`RunEvent`]s;
//! `report` renders both. Each scenario gets fresh actor sessions (HTTP cookie jar + Bayeux
//! client), subscribed before its first state change so no notification can be missed, and
//! considers only notifications about the interactions it created, so scenarios can run in
//! parallel against one server.

mod correlate;
mod error;
mod event;
mod exec;
mod notify;
mod outcome;
mod pool;
mod steps;
mod streams;

pub use correlate::interaction_ids;
pub use error::RunError;
pub use event::RunEvent;
pub use exec::{RunOptions, run_scenario};
pub use outcome::{Failure, FailureKind, Note, NoteKind, ScenarioOutcome, StepOutcome, StepRef, Verdict};
pub use pool::{RunOutcome, run_all};
