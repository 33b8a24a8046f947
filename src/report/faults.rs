//! `serve --list-faults`: one fault per line, name and what it does, names aligned.

use std::io::{self, Write};

/// Writes `faults` as (name, description) lines under a one-line heading.
pub fn render_fault_list(w: &mut dyn Write, faults: &[(&str, &str)]) -> io::Result<()> {
    writeln!(
        w,
        "Faults for `gws-contract serve --fault NAME` (repeatable; each is one deliberate deviation):"
    )?;
    let width = faults.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, description) in faults {
        writeln!(w, "  {name:<width$}  {description}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_descriptions() {
        let mut out = Vec::new();
        render_fault_list(&mut out, &[("a", "first"), ("long-name", "second")]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\n  a          first\n"), "{text}");
        assert!(text.contains("\n  long-name  second\n"), "{text}");
    }
}
