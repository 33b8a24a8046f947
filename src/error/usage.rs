//! Usage errors: a command line, an environment variable or a file given on the command line
//! that cannot be used as it is (exit 2). Each says which flag or file, and what it must be.

use std::path::PathBuf;

use crate::target::UrlCredentials;

/// Why the command line (or what it names) is unusable.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// A flag's value is not of the kind the flag takes.
    #[error("{flag} {value:?} is not {expected}")]
    NotA {
        /// The flag.
        flag: &'static str,
        /// What was given (bounded).
        value: String,
        /// What it must be, with examples.
        expected: &'static str,
    },
    /// A flag's value is out of range.
    #[error("{flag} must be {requirement}")]
    OutOfRange {
        /// The flag.
        flag: &'static str,
        /// What it must be.
        requirement: &'static str,
    },
    /// A flag's value does not have the shape the flag takes.
    #[error("{flag} must look like {shape}")]
    Shape {
        /// The flag.
        flag: &'static str,
        /// The shape, e.g. `NAME:PASSWORD`.
        shape: &'static str,
    },
    /// `--filter`, `--tag` or `--shard` is unusable.
    #[error(transparent)]
    Selection(#[from] crate::suite::SelectionError),
    /// `--fault` names no fault.
    #[error(transparent)]
    Fault(#[from] crate::server::UnknownFault),
    /// `--variant` names no variant.
    #[error(transparent)]
    Variant(#[from] crate::server::UnknownVariant),
    /// A flag's value names nothing the flag knows.
    #[error("{flag}: {reason}")]
    Invalid {
        /// The flag.
        flag: &'static str,
        /// Why (from the parser of the value).
        reason: String,
    },
    /// Two flags that cannot go together, or a flag that needs another.
    #[error("{0}")]
    Conflict(&'static str),
    /// A URL carries credentials, which would be printed wherever the target is named.
    #[error(
        "{flag} must not contain credentials ({credentials}); use a profile (--profile) that \
         names the environment variables holding them"
    )]
    CredentialsInUrl {
        /// The flag.
        flag: &'static str,
        /// What the URL carries (never the password).
        credentials: UrlCredentials,
    },
    /// A URL that is not one, or not http(s).
    #[error("{flag} {value:?} {problem}")]
    BadUrl {
        /// The flag.
        flag: &'static str,
        /// The text given.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
    /// An environment variable that is set but unusable.
    #[error("environment variable `{variable}` {problem}")]
    Environment {
        /// The variable.
        variable: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A file or directory given with a flag that is not what the flag needs.
    #[error("{flag} {} {problem}", path.display())]
    FlagPath {
        /// The flag.
        flag: &'static str,
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A file or directory given on the command line that is not what the command needs.
    #[error("{} {problem}", path.display())]
    Path {
        /// The path.
        path: PathBuf,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The selection of scenarios matches none.
    #[error(
        "no scenario matches the selection (--filter, --tag, --last-failed); `verify --list` shows what \
         would run"
    )]
    NothingSelected,
    /// `--last-failed` has no usable previous report.
    #[error("--last-failed: {problem}")]
    LastFailed {
        /// What is wrong.
        problem: String,
    },
    /// `record` against an external target without a golden directory of its own.
    #[error(
        "record against an external target needs a golden directory of its own: give --golden DIR \
         (or the profile's `golden`); the shipped golden/ is the reference server's"
    )]
    NoGoldenDirectory,
    /// The goldens to replay are unusable as they are.
    #[error(transparent)]
    Replay(crate::server::LibraryError),
    /// The scenario paths given name nothing usable (the scenario loader's message).
    #[error("{0}")]
    Discovery(String),
}
