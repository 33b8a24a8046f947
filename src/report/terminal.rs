//! The terminal report: one line per scenario, then for each failure the file and line of the
//! failing expectation, the actor, the step and every mismatch.

use std::io::{self, Write};

use crate::runner::{Failure, FailureKind, NoteKind, ScenarioOutcome, Verdict};

use super::value::{mismatch_line, short};

/// `PASS name (file, N ms)` / `FAIL ...` / `ERROR ...`.
pub fn render_scenario_line(w: &mut dyn Write, outcome: &ScenarioOutcome) -> io::Result<()> {
    let tag = match outcome.verdict {
        Verdict::Passed => "PASS ",
        Verdict::Failed => "FAIL ",
        Verdict::Error => "ERROR",
    };
    writeln!(
        w,
        "{tag} {} ({}, {} ms)",
        outcome.name,
        outcome.file.display(),
        outcome.duration_ms
    )
}

/// Details of a failed or errored scenario: every failure, notes, and the error if any.
pub fn render_failure_details(w: &mut dyn Write, outcome: &ScenarioOutcome) -> io::Result<()> {
    for failure in &outcome.failures {
        render_failure(w, outcome, failure)?;
    }
    for note in &outcome.notes {
        let who = note.actor.as_deref().unwrap_or("scenario");
        let step = &note.step;
        match &note.kind {
            NoteKind::Extra { actual } => writeln!(
                w,
                "  note: {who}, step {} ({}): extra notification (lenient stream): {}",
                step.number,
                step.label,
                short(actual, 200)
            )?,
            NoteKind::Rehandshake { window_ms, reason } => writeln!(
                w,
                "  warning: {who}, step {} ({}): CometD session lost ({reason}); notifications during {window_ms} ms may be missing",
                step.number, step.label
            )?,
            NoteKind::Teardown { state, reason } => {
                writeln!(w, "  warning: teardown of state `{state}` failed: {reason}")?;
            }
        }
    }
    if let Some(error) = &outcome.error {
        writeln!(w, "  error: {error}")?;
    }
    Ok(())
}

fn render_failure(w: &mut dyn Write, outcome: &ScenarioOutcome, f: &Failure) -> io::Result<()> {
    let who = f.actor.as_deref().unwrap_or("scenario");
    let step = if f.step.number == 0 {
        format!("given ({})", f.step.label)
    } else {
        format!("step {} ({})", f.step.number, f.step.label)
    };
    let headline = match &f.kind {
        FailureKind::Status { expected, actual, .. } => {
            format!("response status: expected {expected}, got {actual}")
        }
        FailureKind::Body { mismatches, .. } => {
            format!("response body differs ({} mismatch(es))", mismatches.len())
        }
        FailureKind::Headers { mismatches } => {
            format!("response headers differ ({} mismatch(es))", mismatches.len())
        }
        FailureKind::Capture { name, pointer, .. } => {
            format!("capture `{name}`: {pointer} names nothing in the reply")
        }
        FailureKind::Template { names } => format!(
            "undefined variable(s): {}",
            names
                .iter()
                .map(|n| format!("${{{n}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        FailureKind::Notification { index, .. } => format!("notification {} differs", index + 1),
        FailureKind::Missing {
            expected,
            received,
            timeout_ms,
            ..
        } => format!(
            "expected {expected} notification{} within {timeout_ms} ms, received {received}",
            if *expected == 1 { "" } else { "s" }
        ),
        FailureKind::Unexpected { .. } => "unexpected notification (strict stream)".to_owned(),
        FailureKind::StateHook { state, status, .. } => {
            format!("state hook refused `{state}` with HTTP {status}")
        }
    };
    writeln!(w, "  {who}, {step}: {headline}")?;
    let pos = &f.pos;
    if pos.line > 0 {
        writeln!(w, "    --> {}:{}:{}", pos.file.display(), pos.line, pos.column)?;
    } else {
        writeln!(w, "    --> {}", outcome.file.display())?;
    }
    match &f.kind {
        FailureKind::Body { mismatches, .. }
        | FailureKind::Headers { mismatches }
        | FailureKind::Notification { mismatches, .. } => {
            for m in mismatches {
                writeln!(w, "      {}", mismatch_line(m))?;
            }
        }
        FailureKind::Status { body, .. } => writeln!(w, "      body: {}", short(body, 300))?,
        FailureKind::Missing { arrived, .. } => {
            if arrived.is_empty() {
                writeln!(w, "      nothing arrived")?;
            }
            for (i, n) in arrived.iter().enumerate() {
                writeln!(w, "      arrived {}: {}", i + 1, short(n, 300))?;
            }
        }
        FailureKind::Unexpected { actual } => writeln!(w, "      {}", short(actual, 300))?,
        FailureKind::StateHook { body, .. } | FailureKind::Capture { document: body, .. } => {
            writeln!(w, "      reply: {}", short(body, 300))?;
        }
        FailureKind::Template { .. } => {}
    }
    Ok(())
}

/// `N passed, N failed, N errors` over all outcomes.
pub fn render_summary(w: &mut dyn Write, outcomes: &[ScenarioOutcome]) -> io::Result<()> {
    let count = |v: Verdict| outcomes.iter().filter(|o| o.verdict == v).count();
    writeln!(
        w,
        "{} scenario(s): {} passed, {} failed, {} errored",
        outcomes.len(),
        count(Verdict::Passed),
        count(Verdict::Failed),
        count(Verdict::Error)
    )
}

/// The one-line banner `serve` prints: URL and user names (never passwords).
pub fn render_serve_banner(w: &mut dyn Write, url: &str, users: &[String], csrf: bool) -> io::Result<()> {
    writeln!(
        w,
        "gws-contract reference server listening on {url} (users: {}{}); Ctrl-C stops it",
        users.join(", "),
        if csrf { "; CSRF required" } else { "" }
    )
}
