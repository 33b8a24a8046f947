//! Rendering results and errors as text: the only module that formats output for people.
//!
//! Everything here writes to an `impl Write` so callers (and snapshot tests) choose where it
//! goes; nothing prints directly.

mod diagnostics;
mod diff;
mod faults;
mod json;
mod terminal;
mod value;

pub use diagnostics::{render_check_ok, render_diagnostics};
pub use diff::{DIFF_CONTEXT_LINES, unified_diff, write_unified_diff};
pub use faults::render_fault_list;
pub use json::{JSON_REPORT_VERSION, json_report};
pub use terminal::{
    render_failure_details, render_notes, render_scenario_line, render_serve_banner, render_summary,
};
