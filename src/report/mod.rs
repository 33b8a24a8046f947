//! Rendering results and errors as text, and the report pipeline: the only module that
//! formats output for people or writes report files.
//!
//! Everything here writes to an `impl Write` so callers (and snapshot tests) choose where it
//! goes; nothing prints directly. Runs feed [`Sink`]s; `record`, `accept` and `compare` have
//! their own renderers.

mod ci;
mod console;
mod coverage;
mod diagnostics;
mod diff;
pub mod docs;
mod drift;
mod faults;
mod goldens;
pub mod html;
mod jobs;
mod json;
mod junit;
mod progress;
mod proxy;
mod sink;
mod steps;
mod style;
pub mod swimlane;
mod terminal;
mod value;

pub use ci::{GithubSink, GitlabSink, render_annotations, render_gitlab_hint};
pub use console::{
    TerminalSink, Verbosity, render_list, render_nothing_to_rerun, render_scenario, render_summary,
};
pub use coverage::render_coverage;
pub use diagnostics::{render_check_ok, render_diagnostics};
pub use diff::{DIFF_CONTEXT_LINES, text_diff, unified_diff, write_unified_diff};
pub use drift::render_drift;
pub use faults::render_fault_list;
pub use goldens::{render_accepted, render_compare, render_recorded};
pub use jobs::render_jobs_notes;
pub use json::{JSON_REPORT_VERSION, JsonSink, failed_in_report, json_report};
pub use junit::{JunitSink, junit_report};
pub use progress::{ProgressSink, progress_message};
pub use proxy::{render_proxy_banner, render_recording, render_replay_banner};
pub use sink::{
    NotRun, ReportEvent, ReportFile, RunReport, SharedWriter, Sink, SinkError, Sinks, Unreferenced,
};
pub use steps::render_steps;
pub use style::{plain, strip};
pub use terminal::{
    render_failure_details, render_notes, render_passing_details, render_scenario_line, render_serve_banner,
};
