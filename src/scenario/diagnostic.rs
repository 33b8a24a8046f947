//! Located problems in scenario files: what went wrong, where (file:line:column) and the
//! offending source line, so `report` can render them hurl/rustc style.

use std::path::PathBuf;

/// A position in a scenario file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourcePos {
    /// The scenario file as given on the command line (relative paths stay relative).
    pub file: PathBuf,
    /// 1-based line; 0 when unknown.
    pub line: u64,
    /// 1-based column; 0 when unknown.
    pub column: u64,
}

impl SourcePos {
    /// A position from a serde-saphyr location in `file`.
    pub fn from_location(file: &std::path::Path, loc: &serde_saphyr::Location) -> Self {
        SourcePos {
            file: file.to_path_buf(),
            line: loc.line(),
            column: loc.column(),
        }
    }
}

/// One problem found while loading or validating a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Where the problem is.
    pub pos: SourcePos,
    /// What is wrong, as a lowercase sentence fragment.
    pub message: String,
    /// An optional hint, e.g. a "did you mean" suggestion.
    pub help: Option<String>,
    /// The text of the offending line, if the file could be read.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `pos`, filling in the source line from `text` (the file's contents).
    pub fn new(pos: SourcePos, message: impl Into<String>, text: Option<&str>) -> Self {
        let source_line = text.and_then(|t| {
            let line = usize::try_from(pos.line).ok()?;
            t.lines().nth(line.checked_sub(1)?).map(str::to_owned)
        });
        Diagnostic {
            pos,
            message: message.into(),
            help: None,
            source_line,
        }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
