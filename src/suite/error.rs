//! Why a suite could not run or finish.

use std::path::PathBuf;

use crate::golden::GoldenError;
use crate::report::SinkError;

/// Why a suite could not run or finish.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// The target (or the embedded server) could not be started or reached.
    #[error("{0}")]
    Target(String),
    /// A golden or the rules could not be read or written.
    #[error(transparent)]
    Golden(#[from] GoldenError),
    /// Several goldens could not be read.
    #[error("{} golden(s) cannot be read", .0.len())]
    Goldens(Vec<GoldenError>),
    /// A report could not be written.
    #[error(transparent)]
    Report(#[from] SinkError),
    /// A scenario directory given as a path could not be mapped to goldens.
    #[error("cannot list goldens for {0}")]
    Listing(PathBuf),
}
