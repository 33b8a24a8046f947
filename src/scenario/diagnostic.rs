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

/// Source lines longer than this many characters are cut (a generated file may hold a
/// megabyte on one line).
const SOURCE_LINE_CHARS: usize = 160;

/// The source line as a diagnostic shows it: whole when short; cut after the caret's column
/// (plus some context) with a count of what was left out when long; left out entirely when
/// the caret is too far right to show within the bound (the `file:line:column` still says
/// where).
fn shown_line(source: &str, column: u64) -> Option<String> {
    if source.chars().nth(SOURCE_LINE_CHARS).is_none() {
        return Some(source.to_owned());
    }
    let column = usize::try_from(column).unwrap_or(usize::MAX);
    let context = SOURCE_LINE_CHARS / 2;
    (column <= SOURCE_LINE_CHARS - context)
        .then(|| crate::elide::elide(source, column + context).into_owned())
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
            let source = t.lines().nth(line.checked_sub(1)?)?;
            shown_line(source, pos.column)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(line: &str, column: u64) -> Option<String> {
        let pos = SourcePos {
            file: "x.yaml".into(),
            line: 1,
            column,
        };
        Diagnostic::new(pos, "m", Some(line)).source_line
    }

    #[test]
    fn long_source_lines_are_cut_after_the_caret_or_left_out() {
        assert_eq!(shown("path: /x", 7).as_deref(), Some("path: /x"));
        let long = format!("path: /{}", "a".repeat(70_000));
        let cut = shown(&long, 7).expect("caret near the start keeps the line");
        assert!(
            cut.starts_with("path: /aaa") && cut.ends_with("(69920 more characters)"),
            "{cut}"
        );
        assert!(cut.len() < 200, "{cut}");
        assert_eq!(shown(&long, 50_000), None);
    }
}
