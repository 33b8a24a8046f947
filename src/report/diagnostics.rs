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
            writeln!(w, "{pad} |")?;
            writeln!(w, "{number} | {line}")?;
            writeln!(w, "{pad} | {}^", " ".repeat(caret_at))?;
        }
        if let Some(help) = &d.help {
            writeln!(w, "  = help: {help}")?;
        }
        writeln!(w)?;
    }
    let n = diagnostics.len();
    writeln!(w, "{n} problem{} found", if n == 1 { "" } else { "s" })
}
