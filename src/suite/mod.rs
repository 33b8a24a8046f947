//! Running a suite, one way through: plan → runner → transcripts → judges → outcomes → sinks
//! (`verify`), or → goldens (`record`). Where the target is ([`Endpoint`]) and where its
//! goldens are are decided before; this module only orchestrates.

mod endpoint;
mod error;
mod inline;
mod jobs;
mod record;
mod select;
mod verify;

pub use endpoint::{Endpoint, Opened};
pub use error::SuiteError;
pub use inline::{run_inline, run_inline_all};
pub use jobs::{DEFAULT_JOBS, JobsNote, JobsPlan, decide_jobs};
pub use record::{GoldenChange, RecordReport, RecordSettings, RecordedGolden, record};
pub use select::{Selected, Selection, SelectionError, Shard, shard_of};
pub use verify::{UnreferencedPolicy, VerifySettings, verify};
