//! Rendering results and errors as text: the only module that formats output for people.
//!
//! Everything here writes to an `impl Write` so callers (and snapshot tests) choose where it
//! goes; nothing prints directly.

mod diagnostics;
mod faults;
mod terminal;
mod value;

pub use diagnostics::render_diagnostics;
pub use faults::render_fault_list;
pub use terminal::{render_failure_details, render_scenario_line, render_serve_banner, render_summary};
