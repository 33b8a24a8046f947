//! Helpers for the safety tests (the shared ones live in `support`).

use std::path::Path;
use std::process::Output;

pub use crate::support::{clean, run_cli_env, write};

/// stdout and stderr, cleaned, for failure messages.
pub fn both(output: &Output, dir: &Path) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        clean(&output.stdout, dir),
        clean(&output.stderr, dir)
    )
}
