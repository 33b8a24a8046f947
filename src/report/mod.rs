//! Rendering results and errors as text, and the report pipeline: the only module that
//! formats output for people or writes report files.
//!
//! Everything here writes to an `impl Write` so callers (and snapshot tests) choose where it
//! goes; nothing prints directly. Runs feed [`Sink`]s; `record`, `accept` and `compare` have
//! their own renderers.

mod console;
mod diagnostics;
mod diff;
mod drift;
mod faults;
mod goldens;
mod json;
mod proxy;
mod sink;
mod terminal;
mod value;

pub use console::{TerminalSink, render_summary};
pub use diagnostics::{render_check_ok, render_diagnostics};
pub use diff::{DIFF_CONTEXT_LINES, text_diff, unified_diff, write_unified_diff};
pub use drift::render_drift;
pub use faults::render_fault_list;
pub use goldens::{render_accepted, render_compare, render_recorded};
pub use json::{JSON_REPORT_VERSION, JsonSink, json_report};
pub use proxy::{render_proxy_banner, render_recording, render_replay_banner};
pub use sink::{ReportEvent, ReportFile, RunReport, SharedWriter, Sink, SinkError, Sinks, Unreferenced};
pub use terminal::{
    render_failure_details, render_notes, render_passing_details, render_scenario_line, render_serve_banner,
};
