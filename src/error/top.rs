//! [`Error`], everything that stops a command before its verdict, and [`Exit`], the exit
//! codes; [`Error::exit_code`] is the only mapping between them.

use std::process::ExitCode;

use super::{InfraError, UsageError};
use crate::golden::GoldenError;
use crate::scenario::Diagnostic;
use crate::suite::SuiteError;

/// Process exit codes (DESIGN.md §2). Stable: CI pipelines depend on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every scenario passed.
    Passed = 0,
    /// At least one expectation failed.
    Failed = 1,
    /// Usage or scenario error (bad YAML, unknown actor, missing variable).
    Usage = 2,
    /// Infrastructure error (target unreachable, handshake refused, report not writable).
    Infrastructure = 3,
    /// Interrupted (Ctrl-C), as shells report SIGINT: 128 + 2.
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit as u8)
    }
}

/// Everything that can stop a command before it produces a verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line or a configuration file is unusable.
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// One or more scenario files could not be loaded or are invalid.
    #[error("{} problem(s) in scenario files", .0.len())]
    Scenario(Vec<Diagnostic>),
    /// The target (or the embedded server) could not be used at all.
    #[error(transparent)]
    Infrastructure(#[from] InfraError),
    /// The target profile (`--profile`) is unusable: bad YAML, or a variable it names is unset.
    #[error("{} problem(s) in the profile", .0.len())]
    Profile(Vec<Diagnostic>),
    /// A suite could not run or finish (target, goldens, reports).
    #[error(transparent)]
    Suite(#[from] SuiteError),
}

impl Error {
    /// The exit code this error maps to.
    pub fn exit_code(&self) -> Exit {
        match self {
            Error::Usage(_) | Error::Scenario(_) => Exit::Usage,
            Error::Infrastructure(_) => Exit::Infrastructure,
            Error::Profile(_) => Exit::Usage,
            Error::Suite(e) => suite_exit(e),
        }
    }
}

/// A file the user controls (a golden, the rules) that cannot be used is a usage error; an
/// unreachable target or an unwritable file is infrastructure.
fn suite_exit(error: &SuiteError) -> Exit {
    let golden = |e: &GoldenError| match e {
        GoldenError::Io { .. } => Exit::Infrastructure,
        GoldenError::Json { .. } | GoldenError::TooLarge { .. } | GoldenError::Rules { .. } => Exit::Usage,
    };
    match error {
        SuiteError::Golden(e) => golden(e),
        SuiteError::Goldens(errors) => errors
            .iter()
            .map(golden)
            .max_by_key(|e| *e as u8)
            .unwrap_or(Exit::Usage),
        SuiteError::Target(_) | SuiteError::Report(_) | SuiteError::Listing(_) => Exit::Infrastructure,
    }
}
