//! Judges: pure functions of (scenario, transcript) → verdict. The inline contract is judged
//! by [`judge_contract`], the recorded full behaviour by comparing with the golden
//! ([`judge_golden`]); [`judge`] combines both into a [`ScenarioOutcome`]. Nothing here does
//! I/O or formats text.

mod contract;
mod coverage;
mod golden;
mod outcome;
mod streams;

pub use contract::{Judgement, judge_contract};
pub use coverage::{Coverage, Exercised, NOTIFICATION_TYPES, OPERATIONS, STATES, coverage};
pub use golden::{GoldenInput, judge, judge_golden};
pub use outcome::{BindingConflict, Failure, FailureKind, Note, NoteKind, ScenarioOutcome, Verdict};
