//! The top-level error type, its typed parts (usage, infrastructure), and the one place that
//! maps errors to exit codes.
//!
//! Library modules define their own typed errors; `app` and `cli` convert them into [`Error`],
//! whose [`Error::exit_code`] is the only mapping to the exit codes documented in `DESIGN.md`
//! §2. Messages are lowercase sentence fragments; `report` prints them.

mod infra;
mod top;
mod usage;

pub use infra::InfraError;
pub use top::{Error, Exit};
pub use usage::UsageError;
