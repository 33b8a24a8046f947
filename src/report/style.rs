//! Colour: the styles the terminal report uses, and the one switch that turns them off.
//!
//! Renderers always write styles (`{PASS}PASS{PASS:#}`); when colour is off the writer strips
//! them again ([`plain`]), so the uncoloured text is exactly what the renderers wrote minus the
//! escape sequences, and files (JUnit, annotations) use [`strip`]. Whether colour is on is
//! decided once, in `cli`, from `--color`, `NO_COLOR`, `CLICOLOR_FORCE` and the terminal.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use anstyle::{AnsiColor, Style};

use super::sink::SharedWriter;

/// `PASS`.
pub const PASS: Style = AnsiColor::Green.on_default().bold();
/// `FAIL`, and what failed.
pub const FAIL: Style = AnsiColor::Red.on_default().bold();
/// `ERROR`.
pub const ERROR: Style = AnsiColor::Magenta.on_default().bold();
/// Warnings, drifts below the failing class, scenarios not run.
pub const WARN: Style = AnsiColor::Yellow.on_default();
/// Locations (`--> file:line:col`) and other secondary text.
pub const DIM: Style = Style::new().dimmed();
/// Removed (expected) lines of a diff.
pub const DIFF_DEL: Style = AnsiColor::Red.on_default();
/// Added (actual) lines of a diff.
pub const DIFF_ADD: Style = AnsiColor::Green.on_default();
/// Hunk headers of a diff.
pub const DIFF_HUNK: Style = AnsiColor::Cyan.on_default();

/// `text` without escape sequences.
pub fn strip(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

/// A writer that strips styles before passing text on to `out`.
pub fn plain(out: &SharedWriter) -> SharedWriter {
    let forward: Box<dyn Write + Send> = Box::new(Forward(Arc::clone(out)));
    Arc::new(Mutex::new(anstream::StripStream::new(forward)))
}

/// Writes through a shared writer (so a stripping wrapper can own a handle to it).
struct Forward(SharedWriter);

impl Write for Forward {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).flush()
    }
}

/// The style of a unified-diff line, by its first character.
pub fn diff_line(line: &str) -> Style {
    match line.as_bytes().first() {
        Some(b'-') if !line.starts_with("---") => DIFF_DEL,
        Some(b'+') if !line.starts_with("+++") => DIFF_ADD,
        Some(b'@') => DIFF_HUNK,
        _ => Style::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_writers_strip_styles_and_keep_the_text() {
        let buffer = Arc::new(Mutex::new(Vec::<u8>::new()));
        let out: SharedWriter = buffer.clone();
        let writer = plain(&out);
        writeln!(
            writer.lock().expect("lock"),
            "{PASS}PASS {PASS:#} name ({DIM}file{DIM:#})"
        )
        .expect("write");
        assert_eq!(
            String::from_utf8(buffer.lock().expect("lock").clone()).expect("utf-8"),
            "PASS  name (file)\n"
        );
        assert_eq!(strip(&format!("{FAIL}FAIL{FAIL:#}")), "FAIL");
    }
}
