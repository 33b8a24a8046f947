//! Reading a scenario (or profile) file's text: bounded in size, and when it is not UTF-8,
//! located at the first invalid byte (line, column and byte offset) instead of std's bare
//! "stream did not contain valid UTF-8".

use std::io::Read;
use std::path::Path;

use super::diagnostic::{Diagnostic, SourcePos};

/// The largest file read: as much text as the YAML reader's own budget accepts in values.
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// The text of `path`, a `kind` of file ("scenario file", "profile") for messages.
pub fn read_source(path: &Path, kind: &str) -> Result<String, Diagnostic> {
    let at_start = || SourcePos {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Diagnostic::new(at_start(), format!("cannot read {kind}: {e}"), None))?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(Diagnostic::new(
            at_start(),
            format!(
                "the {kind} is larger than {} MiB, the most read",
                MAX_SOURCE_BYTES >> 20
            ),
            None,
        ));
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(path, kind, e.as_bytes(), e.utf8_error()))
}

/// A diagnostic at the first byte that is not UTF-8, showing its line as far as it is text.
fn not_utf8(path: &Path, kind: &str, bytes: &[u8], error: std::str::Utf8Error) -> Diagnostic {
    let offset = error.valid_up_to();
    // Everything before `offset` is valid UTF-8.
    let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let line_start = valid.rfind('\n').map_or(0, |i| i + 1);
    let line = valid.matches('\n').count() as u64 + 1;
    let column = valid[line_start..].chars().count() as u64 + 1;
    let byte = bytes.get(offset).copied().unwrap_or_default();
    let lossy = String::from_utf8_lossy(bytes);
    Diagnostic::new(
        SourcePos {
            file: path.to_path_buf(),
            line,
            column,
        },
        format!("the {kind} is not valid UTF-8: byte 0x{byte:02X} at byte offset {offset}"),
        Some(&lossy),
    )
    .with_help(format!("save the {kind} as UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located_by_line_column_and_byte_offset() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("latin1.yaml");
        std::fs::write(
            &path,
            b"actors: [agent1]\nsteps:\n  - actor: agent1\n    request: { path: /caf\xe9 }\n",
        )
        .expect("write");
        let d = read_source(&path, "scenario file").unwrap_err();
        assert_eq!((d.pos.line, d.pos.column), (4, 26));
        assert_eq!(
            d.message,
            "the scenario file is not valid UTF-8: byte 0xE9 at byte offset 67"
        );
        assert_eq!(
            d.source_line.as_deref(),
            Some("    request: { path: /caf\u{fffd} }")
        );
    }
}
