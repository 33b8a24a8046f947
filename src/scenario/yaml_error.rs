//! serde-saphyr errors → [`Diagnostic`]s that say what is wrong in the scenario's terms,
//! point at the offending token and, where it helps, add a hint ("did you mean `response`?").
//!
//! The scenario model's own deserializers (durations, stream modes) report with
//! `de::Error::custom` so serde-saphyr attaches the *value's* location; their message may carry
//! a hint after a newline ([`HELP_SEPARATOR`]), which becomes the diagnostic's help line.

use std::path::Path;

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, Error};

use crate::elide::elide;

use super::diagnostic::{Diagnostic, SourcePos};
use super::locate::{earlier_key, first_tab, token_at};
use super::suggest::closest;

/// Separates a custom error's message from its hint.
pub const HELP_SEPARATOR: char = '\n';

/// The diagnostic for a YAML or type error in `text` (the contents of `path`).
pub fn yaml_diagnostic(path: &Path, text: &str, error: &Error) -> Diagnostic {
    let inner = innermost(error);
    let (mut line, mut column) = error.location().map_or((0, 0), |l| (l.line(), l.column()));
    let (message, help) = match inner {
        Error::SerdeUnknownField { field, expected, .. } => unknown_key(field, expected),
        Error::DuplicateMappingKey { key: Some(key), .. } => {
            let help = earlier_key(text, (line, column), key)
                .map(|(first, _)| format!("`{key}` is already set on line {first}; keep only one"));
            (format!("duplicate key `{key}`"), help)
        }
        Error::InvalidScalar { ty, .. } => {
            let found = token_at(text, (line, column)).map_or_else(String::new, |t| format!(", found `{t}`"));
            (format!("wrong type: expected {}{found}", describe_type(ty)), None)
        }
        Error::SerdeInvalidType {
            unexpected, expected, ..
        } => (
            format!("wrong type: expected {expected}, found {unexpected}"),
            None,
        ),
        Error::SerdeMissingField { field, .. } => (format!("missing key `{field}`"), None),
        Error::Eof { .. } if only_comments(text) => (
            "the scenario file is empty".to_owned(),
            Some("a scenario needs at least `actors:` and `steps:`".to_owned()),
        ),
        Error::MultipleDocuments { .. } => (
            "a second YAML document in one scenario file".to_owned(),
            Some("put each scenario in its own file, or remove the `---` separator".to_owned()),
        ),
        Error::Unexpected { expected, .. } if shape(expected).is_some() => {
            let wanted = shape(expected).unwrap_or(expected);
            (
                format!(
                    "wrong type: expected {wanted}, found {}",
                    found_at(text, (line, column))
                ),
                None,
            )
        }
        Error::Budget { breach, .. } => budget_message(breach),
        Error::Message { msg, .. } => match msg.split_once(HELP_SEPARATOR) {
            Some((message, help)) => (message.to_owned(), Some(help.to_owned())),
            None => (msg.clone(), None),
        },
        _ => (rendered_message(error), None),
    };
    let mut help = help;
    if message.contains("while parsing a flow")
        && let Some(open) = unclosed_flow_before(text, line)
    {
        help = Some(format!("the `{}` on line {} is not closed", open.1, open.0));
    }
    if message.contains("tab") {
        // serde-saphyr points just past the tab, or at the scalar before it (on the previous
        // line); the tab itself is the offending token.
        if let Some((tab_line, tab_column)) =
            (line..=line + 1).find_map(|l| first_tab(text, l).map(|c| (l, c)))
        {
            (line, column) = (tab_line, tab_column);
        }
        help = Some("YAML indentation must use spaces, not tabs".to_owned());
    }
    if line == 0 {
        (line, column) = (0, 0);
    }
    // serde-saphyr quotes values in some messages; a value may be a megabyte long.
    let message = elide(&message, MESSAGE_LIMIT).into_owned();
    let diagnostic = Diagnostic::new(
        SourcePos {
            file: path.to_path_buf(),
            line,
            column,
        },
        message,
        Some(text),
    );
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

fn unknown_key(field: &str, expected: &[&'static str]) -> (String, Option<String>) {
    let allowed = expected
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match closest(field, expected.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? keys allowed here: {allowed}"),
        None => format!("keys allowed here: {allowed}"),
    };
    (format!("unknown key `{field}`"), Some(help))
}

/// The nearest line before `line` that opens more `{`/`[` than it closes: where an unclosed
/// flow collection most likely starts (the parser only notices at the next line).
fn unclosed_flow_before(text: &str, line: u64) -> Option<(u64, char)> {
    let lines: Vec<&str> = text.lines().collect();
    let before = usize::try_from(line.saturating_sub(1)).ok()?.min(lines.len());
    (0..before).rev().find_map(|index| {
        let l = lines[index];
        let count = |c: char| l.chars().filter(|x| *x == c).count();
        if count('{') > count('}') {
            Some((index as u64 + 1, '{'))
        } else if count('[') > count(']') {
            Some((index as u64 + 1, '['))
        } else {
            None
        }
    })
}

fn only_comments(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with('#'))
}

/// What serde-saphyr's structural expectations mean to a scenario author.
fn shape(expected: &str) -> Option<&'static str> {
    match expected {
        "sequence start" => Some("a list"),
        "mapping start" => Some("a mapping (`key: value` entries)"),
        "string scalar" | "scalar" => Some("a single value"),
        _ => None,
    }
}

/// The value found at `pos`, described by its shape or quoted as written.
fn found_at(text: &str, pos: (u64, u64)) -> String {
    match token_at(text, pos) {
        None => "nothing".to_owned(),
        Some(t) if t.starts_with('[') || t.starts_with("- ") || t == "-" => "a list".to_owned(),
        Some(t) if t.starts_with('{') => "a mapping".to_owned(),
        Some(t) if t.starts_with(':') => "nothing".to_owned(),
        Some(t) => format!("`{t}`"),
    }
}

fn describe_type(ty: &str) -> String {
    match ty {
        "u8" | "u16" | "u32" | "u64" => format!("a non-negative integer ({ty})"),
        "i8" | "i16" | "i32" | "i64" => format!("an integer ({ty})"),
        "floating point" | "f32" | "f64" => "a number".to_owned(),
        "bool" | "boolean" => "`true` or `false`".to_owned(),
        other => other.to_owned(),
    }
}

/// The error under serde-saphyr's snippet and alias wrappers.
fn innermost(mut error: &Error) -> &Error {
    loop {
        match error {
            Error::WithSnippet { error: inner, .. } | Error::AliasError { error: inner, .. } => error = inner,
            other => return other,
        }
    }
}

/// The longest message a YAML problem gets, in characters.
const MESSAGE_LIMIT: usize = 300;

/// Whether a YAML error is a budget breach: a limit on the whole file, found once (item-by-item
/// recovery would only find it again at another position).
pub fn is_budget(error: &Error) -> bool {
    matches!(innermost(error), Error::Budget { .. })
}

/// A budget breach in a scenario author's terms, with the limit and what to do. serde-saphyr
/// words these as Rust debug text (`budget breached: Depth { depth: 65 }`).
fn budget_message(breach: &BudgetBreach) -> (String, Option<String>) {
    let defaults = Budget::default();
    let (what, help) = match breach {
        BudgetBreach::Depth { .. } => (
            format!(
                "it nests more than {} levels of mappings and lists",
                defaults.max_depth
            ),
            "flatten the value; no scenario needs this depth",
        ),
        BudgetBreach::Nodes { .. } => (
            format!("it has more than {} values", defaults.max_nodes),
            "split it into several scenario files",
        ),
        BudgetBreach::Events { .. } => (
            format!("it has more than {} YAML events", defaults.max_events),
            "split it into several scenario files",
        ),
        BudgetBreach::ScalarBytes { .. } => (
            format!(
                "its values add up to more than {} MiB of text",
                defaults.max_total_scalar_bytes >> 20
            ),
            "keep large bodies out of scenario files",
        ),
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. }
        | BudgetBreach::RecordedAnchorEvents { .. }
        | BudgetBreach::RecordedAnchorBytes { .. }
        | BudgetBreach::MergeKeys { .. } => (
            "its anchors and aliases (`&name`, `*name`, `<<`) expand to too much".to_owned(),
            "write the values out, or use fewer aliases",
        ),
        BudgetBreach::Documents { .. } => (
            format!("it holds more than {} YAML documents", defaults.max_documents),
            "put one scenario in each file",
        ),
        _ => (
            "it breaks one of the YAML reader's limits".to_owned(),
            "make the file smaller or simpler",
        ),
    };
    (
        format!("the scenario file is too large or too complex to read: {what}"),
        Some(help.to_owned()),
    )
}

/// serde-saphyr's own text without its " at line N column M" suffix (the diagnostic carries
/// the position itself), on one line: a message that spans lines is joined, not cut.
fn rendered_message(error: &Error) -> String {
    let options = serde_saphyr::render_options! { snippets: serde_saphyr::SnippetMode::Off };
    let rendered = error.render_with_options(options);
    let joined = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    strip_position(&joined).to_owned()
}

/// `text` without a trailing ` at line N column M` (or `N, column M`); anything else that merely contains
/// " at line " is kept whole.
fn strip_position(text: &str) -> &str {
    let Some(i) = text.rfind(" at line ") else {
        return text;
    };
    let rest = &text[i + " at line ".len()..];
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match rest.split_once(" column ") {
        Some((line, column)) if digits(line.trim_end_matches(',')) && digits(column) => &text[..i],
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::scenario::{Diagnostic, load_str};

    fn first_problem(text: &str) -> Diagnostic {
        match load_str(Path::new("t.yaml"), text.to_owned()) {
            Ok(_) => panic!("must not load:\n{text}"),
            Err(problems) => problems[0].clone(),
        }
    }

    #[test]
    fn empty_and_comment_only_files() {
        for text in ["", "# nothing here\n\n"] {
            let d = first_problem(text);
            assert_eq!(d.message, "the scenario file is empty");
        }
    }

    #[test]
    fn second_document_is_located() {
        let d = first_problem("actors: [a]\nsteps: []\n---\nactors: [b]\n");
        assert_eq!((d.pos.line, d.pos.column), (4, 1));
        assert_eq!(d.message, "a second YAML document in one scenario file");
    }

    #[test]
    fn structural_type_errors_name_both_shapes() {
        let d = first_problem("actors: agent1\nsteps: []\n");
        assert_eq!(d.message, "wrong type: expected a list, found `agent1`");
        assert_eq!((d.pos.line, d.pos.column), (1, 9));
        let d = first_problem("actors: [a]\nsteps:\n  - actor: a\n    request: /x\n");
        assert_eq!(
            d.message,
            "wrong type: expected a mapping (`key: value` entries), found `/x`"
        );
    }

    #[test]
    fn budget_breaches_are_worded_for_people_and_reported_once() {
        let deep = format!(
            "actors: [a]\nsteps:\n  - actor: a\n    request: {{ path: /x }}\n    response:\n      body: {}{}\n",
            "[".repeat(70),
            "]".repeat(70)
        );
        let problems = load_str(Path::new("t.yaml"), deep).expect_err("too deep");
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(
            problems[0].message,
            "the scenario file is too large or too complex to read: it nests more than 64 levels of \
             mappings and lists"
        );
        assert_eq!(problems[0].pos.line, 6);
    }

    #[test]
    fn positions_are_stripped_only_as_a_suffix() {
        assert_eq!(super::strip_position("bad thing at line 3 column 4"), "bad thing");
        assert_eq!(
            super::strip_position("bad thing at line 3, column 4"),
            "bad thing"
        );
        assert_eq!(
            super::strip_position("key `seen at line 3` is odd"),
            "key `seen at line 3` is odd"
        );
    }

    #[test]
    fn tab_is_pointed_at_even_after_spaces() {
        let d = first_problem("actors: [a]\nsteps:\n  - actor: a\n  \trequest: { path: /x }\n");
        assert_eq!(d.pos.line, 4);
        assert_eq!(d.pos.column, 3);
        assert!(d.help.is_some_and(|h| h.contains("spaces")));
    }
}
