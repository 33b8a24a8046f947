//! Reading scenario files: YAML → [`Scenario`] with every problem located at
//! `file:line:column`, then semantic validation.

use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, SourcePos};
use super::model::Scenario;
use super::validate::validate;

/// A scenario that parsed and validated, with its source kept for reports.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file it came from.
    pub path: PathBuf,
    /// The file's text (for source lines in reports).
    pub text: String,
    /// The effective name (the `name:` key or the file stem).
    pub name: String,
    /// The parsed model.
    pub scenario: Scenario,
}

/// Reads and validates one scenario file. Returns every problem found in it.
pub fn load_file(path: &Path) -> Result<LoadedScenario, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::new(
            SourcePos {
                file: path.to_path_buf(),
                line: 0,
                column: 0,
            },
            format!("cannot read scenario file: {e}"),
            None,
        )]
    })?;
    load_str(path, text)
}

/// Parses and validates scenario `text` that came from `path`.
pub fn load_str(path: &Path, text: String) -> Result<LoadedScenario, Vec<Diagnostic>> {
    // YAML 1.1 leniency would turn `yes` into true and `010` into 10 inside expected JSON
    // bodies; scenario values must mean what they look like.
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
    };
    let scenario: Scenario = serde_saphyr::from_str_with_options(&text, options)
        .map_err(|e| vec![yaml_diagnostic(path, &text, &e)])?;
    let name = scenario
        .name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_else(|| file_stem(path));
    let problems = validate(path, &text, &scenario);
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(LoadedScenario {
        path: path.to_path_buf(),
        text,
        name,
        scenario,
    })
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn yaml_diagnostic(path: &Path, text: &str, error: &serde_saphyr::Error) -> Diagnostic {
    let (line, column) = error.location().map(|l| (l.line(), l.column())).unwrap_or((0, 0));
    let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
    let rendered = error.render_with_options(options);
    let message = strip_location_suffix(&rendered);
    Diagnostic::new(
        SourcePos {
            file: path.to_path_buf(),
            line,
            column,
        },
        message,
        Some(text),
    )
}

/// serde-saphyr appends " at line N column M"; the diagnostic carries the position itself.
fn strip_location_suffix(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_owned(),
        None => first.to_owned(),
    }
}
