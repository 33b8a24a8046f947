//! `verify --report-html DIR`: the report is a directory (so it can grow pages and assets
//! without changing the flag), checked before the run like every report file and written
//! atomically after it, also when scenarios fail or error.

use std::path::{Path, PathBuf};

use super::run::run_report_html;
use crate::atomic::write_atomically;
use crate::report::sink::{ReportEvent, RunReport, Sink, SinkError};

/// The page a browser opens: `DIR/index.html`.
pub const REPORT_PAGE: &str = "index.html";

/// A report directory: created and checked writable before the run, its files written
/// atomically after it.
#[derive(Debug, Clone)]
pub struct ReportDir {
    what: &'static str,
    dir: PathBuf,
}

impl ReportDir {
    /// Creates `dir` (and its parents) and checks that files can be written in it, so a run
    /// never ends without the report it was asked for.
    pub fn prepare(what: &'static str, dir: &Path) -> Result<Self, SinkError> {
        let failed = |reason: String| SinkError::Write {
            what,
            path: dir.to_path_buf(),
            reason,
        };
        if dir.exists() && !dir.is_dir() {
            return Err(failed("it is not a directory".to_owned()));
        }
        std::fs::create_dir_all(dir).map_err(|e| failed(format!("cannot create the directory: {e}")))?;
        // Probe with a temporary file: the real writes go the same way.
        let probe = dir.join(format!(".gws-contract-probe.{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(|e| failed(format!("the directory is not writable: {e}")))?;
        let _ = std::fs::remove_file(&probe);
        Ok(ReportDir {
            what,
            dir: dir.to_path_buf(),
        })
    }

    /// Writes `bytes` to `name` in the directory, atomically.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<(), SinkError> {
        let path = self.dir.join(name);
        write_atomically(&path, bytes).map_err(|e| SinkError::Write {
            what: self.what,
            path,
            reason: e.to_string(),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }
}

/// `--report-html DIR`.
pub struct HtmlSink {
    dir: ReportDir,
}

impl HtmlSink {
    /// A sink writing to `dir` (already checked).
    pub fn new(dir: ReportDir) -> Self {
        HtmlSink { dir }
    }
}

impl Sink for HtmlSink {
    fn event(&mut self, _event: ReportEvent<'_>) {}

    fn finish(&mut self, report: &RunReport) -> Result<(), SinkError> {
        self.dir.write(REPORT_PAGE, run_report_html(report).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_directory_is_created_and_a_file_in_its_place_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let report = dir.path().join("a/b/html");
        let prepared = ReportDir::prepare("HTML report", &report).expect("created");
        prepared.write(REPORT_PAGE, b"<!DOCTYPE html>").expect("written");
        assert!(report.join(REPORT_PAGE).is_file());
        let names: Vec<_> = std::fs::read_dir(&report).expect("list").collect();
        assert_eq!(names.len(), 1, "no probe or temporary file is left");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("seed");
        let Err(error) = ReportDir::prepare("HTML report", &file) else {
            panic!("a file is no report directory");
        };
        assert!(error.to_string().contains("it is not a directory"), "{error}");
    }
}
