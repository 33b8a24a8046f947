//! What CI systems read from a job's log: GitHub Actions workflow commands (annotations at the
//! failing expectations' lines) and, for GitLab CI, a summary line on publishing the JUnit
//! report. Both are printed after the run, in input order; whether they apply is decided in
//! `cli` (`GITHUB_ACTIONS`, `GITLAB_CI`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::PoisonError;

use super::drift::render_drift;
use super::sink::{ReportEvent, RunReport, SharedWriter, Sink, SinkError};
use super::style::strip;
use super::terminal::{failure_headline, failure_mismatches, render_notes};
use crate::golden::GoldenCheck;
use crate::verdict::{ScenarioOutcome, Verdict};

/// `::error` for every failure (at its expectation's line), failing drift and scenario error;
/// `::warning` for notes and drifts below the failing class.
pub fn render_annotations(w: &mut dyn Write, report: &RunReport) -> io::Result<()> {
    for outcome in &report.outcomes {
        let file = outcome.file.as_path();
        for failure in &outcome.failures {
            let mut message = vec![failure_headline(failure)];
            message.extend(failure_mismatches(failure));
            let at = Location {
                file,
                line: failure.pos.line,
                column: failure.pos.column,
            };
            annotate(w, Level::Error, &at, &outcome.name, &message.join("\n"))?;
        }
        if outcome.verdict == Verdict::Error {
            let message = outcome.error.as_ref().map_or_else(
                || "the scenario could not run to its end".to_owned(),
                ToString::to_string,
            );
            annotate(w, Level::Error, &Location::file(file), &outcome.name, &message)?;
        }
        render_drift_annotations(w, outcome, report)?;
        let mut notes = Vec::new();
        render_notes(&mut notes, outcome)?;
        for note in strip(&String::from_utf8_lossy(&notes)).lines() {
            annotate(
                w,
                Level::Warning,
                &Location::file(file),
                &outcome.name,
                note.trim(),
            )?;
        }
    }
    Ok(())
}

fn render_drift_annotations(
    w: &mut dyn Write,
    outcome: &ScenarioOutcome,
    report: &RunReport,
) -> io::Result<()> {
    let golden: PathBuf = match &outcome.golden {
        GoldenCheck::Compared { path } | GoldenCheck::Skipped { path } | GoldenCheck::Missing { path } => {
            PathBuf::from(path)
        }
        GoldenCheck::NotConfigured => outcome.file.clone(),
    };
    for drift in &outcome.drifts {
        let level = if report.fail_on.is_some_and(|class| drift.class >= class) {
            Level::Error
        } else {
            Level::Warning
        };
        let mut text = Vec::new();
        render_drift(&mut text, drift)?;
        let message = strip(&String::from_utf8_lossy(&text));
        annotate(w, level, &Location::file(&golden), &outcome.name, message.trim())?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Level {
    Error,
    Warning,
}

struct Location<'a> {
    file: &'a Path,
    /// 1-based; 0 when unknown (then neither line nor column is given).
    line: u64,
    column: u64,
}

impl<'a> Location<'a> {
    fn file(file: &'a Path) -> Self {
        Location {
            file,
            line: 0,
            column: 0,
        }
    }
}

/// `::error file=F,line=L,col=C,title=T::message`.
fn annotate(
    w: &mut dyn Write,
    level: Level,
    at: &Location<'_>,
    title: &str,
    message: &str,
) -> io::Result<()> {
    let command = match level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    let mut properties = vec![format!("file={}", property(&at.file.display().to_string()))];
    if at.line > 0 {
        properties.push(format!("line={}", at.line));
        if at.column > 0 {
            properties.push(format!("col={}", at.column));
        }
    }
    properties.push(format!("title={}", property(title)));
    writeln!(w, "::{command} {}::{}", properties.join(","), data(message))
}

/// A workflow command's message, escaped as the Actions toolkit does (`escapeData`).
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value, escaped as the Actions toolkit does
/// (`escapeProperty`): the message escapes, and `:` and `,`, which delimit properties.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Prints GitHub annotations after the run.
pub struct GithubSink {
    out: SharedWriter,
}

impl GithubSink {
    /// Annotations on `out` (the job log).
    pub fn new(out: SharedWriter) -> Self {
        GithubSink { out }
    }
}

impl Sink for GithubSink {
    fn event(&mut self, _event: ReportEvent<'_>) {}

    fn finish(&mut self, report: &RunReport) -> Result<(), SinkError> {
        let mut w = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = render_annotations(&mut *w, report);
        let _ = w.flush();
        Ok(())
    }
}

/// The GitLab CI line: where the JUnit report is and how to publish it, or how to make one.
pub fn render_gitlab_hint(w: &mut dyn Write, junit: Option<&Path>) -> io::Result<()> {
    match junit {
        Some(path) => writeln!(
            w,
            "gitlab: JUnit report in {0}; publish it with `artifacts: {{ when: always, reports: {{ junit: {0} }} }}` \
             to see these results in merge requests",
            path.display()
        ),
        None => writeln!(
            w,
            "gitlab: add `--junit gws-contract.xml` and `artifacts: {{ when: always, reports: {{ junit: \
             gws-contract.xml }} }}` to see these results in merge requests"
        ),
    }
}

/// Prints the GitLab hint after the summary.
pub struct GitlabSink {
    out: SharedWriter,
    junit: Option<PathBuf>,
}

impl GitlabSink {
    /// The hint on `out`, naming the `--junit` file if there is one.
    pub fn new(out: SharedWriter, junit: Option<PathBuf>) -> Self {
        GitlabSink { out, junit }
    }
}

impl Sink for GitlabSink {
    fn event(&mut self, _event: ReportEvent<'_>) {}

    fn finish(&mut self, _report: &RunReport) -> Result<(), SinkError> {
        let mut w = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = render_gitlab_hint(&mut *w, self.junit.as_deref());
        let _ = w.flush();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_actions_toolkit() {
        assert_eq!(data("100% sure\r\nnext: a, b"), "100%25 sure%0D%0Anext: a, b");
        assert_eq!(property("a: b, c%\n"), "a%3A b%2C c%25%0A");
    }

    #[test]
    fn annotations_carry_file_line_column_and_title() {
        let mut out = Vec::new();
        let at = Location {
            file: Path::new("scenarios/a,b.yaml"),
            line: 41,
            column: 11,
        };
        annotate(&mut out, Level::Error, &at, "name: x", "first\nsecond").expect("write");
        annotate(
            &mut out,
            Level::Warning,
            &Location::file(Path::new("f.yaml")),
            "t",
            "m",
        )
        .expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            "::error file=scenarios/a%2Cb.yaml,line=41,col=11,title=name%3A x::first%0Asecond\n\
             ::warning file=f.yaml,title=t::m\n"
        );
    }
}
