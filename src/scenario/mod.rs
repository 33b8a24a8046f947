//! Scenarios: the YAML model of DESIGN.md §3, loading with `file:line:column` diagnostics,
//! and semantic validation (actors, variables, step shapes).
//!
//! This module owns the scenario *format*. It does no network I/O; the only I/O is reading
//! scenario files in [`load`].

mod access;
mod diagnostic;
mod discover;
mod duration;
mod load;
mod locate;
mod model;
mod recover;
mod schema;
mod source;
mod status;
mod suggest;
mod validate;
mod yaml_error;

pub use access::{AuthMode, Requirement, SessionPolicy};
pub use diagnostic::{Diagnostic, SourcePos};
pub use discover::discover;
pub use duration::Millis;
pub use load::{LoadedScenario, load_all, load_file, load_str};
pub use locate::locate_pointer;
pub use model::{
    Given, NotificationExpectations, RequestSpec, ResponseSpec, Scenario, Step, StepKind, StreamMode, Streams,
};
pub use schema::scenario_schema_json;
pub use source::{MAX_SOURCE_BYTES, read_source};
pub use status::{StatusPattern, StatusSpec};
pub use validate::{BUILTIN_VARS, STATE_TO_FILL_IN};
pub use yaml_error::yaml_diagnostic;
