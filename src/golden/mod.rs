//! The golden file store (DESIGN.md §6): goldens are recorded from transcripts, symbolised
//! with reviewed rules, written canonically and atomically; `verify` compares runs with them
//! and writes pending `<golden>.new` files for review; `accept` promotes those; `compare` lines
//! two targets' goldens up.

mod canonical;
mod compare;
mod diff;
mod document;
mod drift;
mod learn;
mod recorded;
mod rules;
mod store;
mod symbols;

pub use canonical::{golden_path, to_canonical_json};
pub use compare::{Comparison, ScenarioComparison, compare_dirs};
pub use diff::{Observed, diff};
pub use document::{GOLDEN_FORMAT, document, observed_counts};
pub use drift::{Drift, DriftKind, GoldenCheck, RiskClass};
pub use learn::{Learned, Recordings, learn};
pub use recorded::{captured_vars, record};
pub use rules::{Rule, RuleKind, Rules};
pub use store::{
    GoldenError, GoldenStore, MAX_GOLDEN_BYTES, PENDING_SUFFIX, RULES_FILE, accept_pending, pending_path,
};
pub use symbols::symbolize;
