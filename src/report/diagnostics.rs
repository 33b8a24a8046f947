//! Scenario-file problems, rendered like compiler errors: message, `--> file:line:column`,
//! the offending line with a caret, and an optional help line.

use std::io::{self, Write};

use crate::scenario::Diagnostic;

/// Writes every diagnostic, then a count.
pub fn render_diagnostics(w: &mut dyn Write, diagnostics: &[Diagnostic]) -> io::Result<()> {
    for d in diagnostics {
        writeln!(w, "error: {}", d.message)?;
        let file = d.pos.file.display();
        if d.pos.line == 0 {
            writeln!(w, "  --> {file}")?;
        } else {
            writeln!(w, "  --> {file}:{}:{}", d.pos.line, d.pos.column)?;
        }
        if let Some(line) = &d.source_line {
            let number = d.pos.line.to_string();
            let pad = " ".repeat(number.len());
            let caret_at = usize::try_from(d.pos.column.saturating_sub(1)).unwrap_or(0);
            let (shown, caret_at) = expand_tabs(line, caret_at);
            writeln!(w, "{pad} |")?;
            writeln!(w, "{number} | {shown}")?;
            writeln!(w, "{pad} | {}^", " ".repeat(caret_at))?;
        }
        if let Some(help) = &d.help {
            writeln!(w, "  = help: {help}")?;
        }
        writeln!(w)?;
    }
    let n = diagnostics.len();
    let files: std::collections::BTreeSet<_> = diagnostics.iter().map(|d| &d.pos.file).collect();
    let f = files.len();
    writeln!(
        w,
        "{n} problem{} found in {f} file{}",
        if n == 1 { "" } else { "s" },
        if f == 1 { "" } else { "s" }
    )
}

/// The line with each tab shown as four spaces (terminals disagree on tab width, which would
/// misplace the caret), and the caret's character index moved to match.
fn expand_tabs(line: &str, caret_at: usize) -> (String, usize) {
    const TAB: &str = "    ";
    let tabs_before = line.chars().take(caret_at).filter(|c| *c == '\t').count();
    (line.replace('\t', TAB), caret_at + tabs_before * (TAB.len() - 1))
}

/// The one line `check` prints when every file loaded and validated.
pub fn render_check_ok(w: &mut dyn Write, scenarios: usize) -> io::Result<()> {
    writeln!(
        w,
        "ok: {scenarios} scenario file{} checked, no problems",
        if scenarios == 1 { "" } else { "s" }
    )
}
