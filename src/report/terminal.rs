//! The terminal report: one line per scenario, then for each failure the file and line of the
//! failing expectation, the actor, the step and every mismatch; notes (lenient extras, lost
//! CometD windows) are shown for passing scenarios too, since "extras are reported but pass".

use std::io::{self, Write};

use super::diff::unified_diff;
use super::drift::render_drift;
use super::style::{self, DIM, ERROR, FAIL, PASS, WARN};
use super::value::{mismatch_line, short, summarise_notification};
use crate::matching::normalize;
use crate::runner::StepRef;
use crate::verdict::{BindingConflict, Failure, FailureKind, Note, NoteKind, ScenarioOutcome, Verdict};
use serde_json::Value;

/// `PASS name (file, N ms)` / `FAIL ...` / `ERROR ...`.
pub fn render_scenario_line(w: &mut dyn Write, outcome: &ScenarioOutcome) -> io::Result<()> {
    let (tag, style) = match outcome.verdict {
        Verdict::Passed => ("PASS ", PASS),
        Verdict::Failed => ("FAIL ", FAIL),
        Verdict::Error => ("ERROR", ERROR),
        Verdict::Interrupted => ("INTR ", WARN),
        Verdict::Skipped => ("SKIP ", WARN),
    };
    writeln!(
        w,
        "{style}{tag}{style:#} {} ({}, {} ms)",
        outcome.name,
        outcome.file.display(),
        outcome.duration_ms
    )
}

/// Everything below the scenario line: every failure, every drift from the golden, then
/// notes, then the error if any.
pub fn render_failure_details(w: &mut dyn Write, outcome: &ScenarioOutcome) -> io::Result<()> {
    write_collapsed(
        w,
        outcome.failures.iter().map(|f| {
            let mut block = Vec::new();
            let _ = render_failure(&mut block, outcome, f);
            block
        }),
    )?;
    write_collapsed(
        w,
        outcome.drifts.iter().map(|d| {
            let mut block = Vec::new();
            let _ = render_drift(&mut block, d);
            block
        }),
    )?;
    render_notes(w, outcome)?;
    if let Some(error) = &outcome.error {
        writeln!(w, "  {ERROR}error:{ERROR:#} {error}")?;
        if let (Some(step), Some(pos)) = (&error.step, &error.pos) {
            writeln!(
                w,
                "    --> {}:{}:{} ({})",
                pos.file.display(),
                pos.line,
                pos.column,
                step.label
            )?;
        }
    }
    Ok(())
}

/// Drifts below the failing class and notes (for passing scenarios).
pub fn render_passing_details(w: &mut dyn Write, outcome: &ScenarioOutcome) -> io::Result<()> {
    write_collapsed(
        w,
        outcome.drifts.iter().map(|d| {
            let mut block = Vec::new();
            let _ = render_drift(&mut block, d);
            block
        }),
    )?;
    render_notes(w, outcome)
}

/// At most this many different blocks (failures, drifts, notes) per scenario are printed; the
/// JSON report has them all.
pub const MAX_BLOCKS: usize = 40;

/// Writes rendered blocks, each run of identical ones once with `(×N)`, and at most
/// [`MAX_BLOCKS`] of them, saying how many were left out: a flooding target cannot flood the
/// terminal.
fn write_collapsed(w: &mut dyn Write, blocks: impl Iterator<Item = Vec<u8>>) -> io::Result<()> {
    let mut runs: Vec<(Vec<u8>, usize)> = Vec::new();
    for block in blocks {
        match runs.last_mut() {
            Some((last, n)) if *last == block => *n += 1,
            _ => runs.push((block, 1)),
        }
    }
    let total = runs.len();
    for (block, n) in runs.iter().take(MAX_BLOCKS) {
        w.write_all(block)?;
        if *n > 1 {
            writeln!(w, "      (×{n}: the same {n} times in a row)")?;
        }
    }
    if total > MAX_BLOCKS {
        let hidden: usize = runs.iter().skip(MAX_BLOCKS).map(|(_, n)| n).sum();
        writeln!(w, "  … {hidden} more not shown (--report-json has every one)")?;
    }
    Ok(())
}

/// Notes only.
pub fn render_notes(w: &mut dyn Write, outcome: &ScenarioOutcome) -> io::Result<()> {
    write_collapsed(
        w,
        outcome.notes.iter().map(|note| {
            let mut block = Vec::new();
            let _ = render_note(&mut block, note);
            block
        }),
    )
}

fn render_note(w: &mut dyn Write, note: &Note) -> io::Result<()> {
    let who = note.actor.as_deref().unwrap_or("scenario");
    let step = step_name(&note.step);
    match &note.kind {
        NoteKind::Extra { actual } => writeln!(
            w,
            "  note: {who}, {step}: extra notification (lenient stream): {}",
            summarise_notification(actual)
        )?,
        NoteKind::Rehandshake { window_ms, reason } => writeln!(
            w,
            "  {WARN}warning:{WARN:#} {who}, {step}: the CometD session was lost ({reason}) and re-established; \
             notifications during {window_ms} ms may be missing"
        )?,
        NoteKind::Skipped { undefined } => {
            writeln!(
                w,
                "  note: {step} and the steps after it were not run: {} (an earlier capture found nothing)",
                undefined_variables(undefined)
            )?;
        }
        NoteKind::Unmet { requirements } => {
            let names: Vec<&str> = requirements.iter().map(|r| r.name()).collect();
            writeln!(
                w,
                "  note: not run: it requires {}, which the target does not enable (profile: `csrf: true`)",
                names.join(", ")
            )?;
        }
        NoteKind::AdviceClamped { detail } => {
            writeln!(w, "  {WARN}warning:{WARN:#} {who}, {step}: {detail}")?;
        }
        NoteKind::Teardown { state, reason } => {
            writeln!(
                w,
                "  {WARN}warning:{WARN:#} teardown of state `{state}` failed: {reason}"
            )?;
        }
    }
    Ok(())
}

fn step_name(step: &StepRef) -> String {
    if step.number == 0 {
        "given".to_owned()
    } else {
        format!("step {}", step.number)
    }
}

fn headline(kind: &FailureKind) -> String {
    match kind {
        FailureKind::Status { expected, actual, .. } => {
            format!("response status: expected {expected}, got {actual}")
        }
        FailureKind::Body { mismatches, .. } => {
            format!("response body differs ({})", count(mismatches.len()))
        }
        FailureKind::Headers { mismatches } => {
            format!("response headers differ ({})", count(mismatches.len()))
        }
        FailureKind::Capture { name, pointer, .. } => {
            format!("capture `{name}`: {pointer} names nothing in the reply")
        }
        FailureKind::Template { names } => undefined_variables(names),
        FailureKind::Notification {
            index, mismatches, ..
        } => {
            format!("notification {} differs ({})", index + 1, count(mismatches.len()))
        }
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
        FailureKind::Binding {
            placeholder,
            value,
            conflict,
            first,
        } => match conflict {
            BindingConflict::OtherValue { bound } => format!(
                "{placeholder} is {} here but {} at {first} (the same placeholder must be the same value)",
                short(&Value::String(value.clone()), 80),
                short(&Value::String(bound.clone()), 80)
            ),
            BindingConflict::OtherPlaceholder { placeholder: other } => format!(
                "{placeholder} is {}, the value {other} has at {first} (different placeholders must be different values)",
                short(&Value::String(value.clone()), 80)
            ),
        },
    }
}

/// `undefined variable ${a}` / `undefined variables ${a}, ${b}`.
fn undefined_variables(names: &[String]) -> String {
    let list: Vec<String> = names.iter().map(|n| format!("${{{n}}}")).collect();
    format!(
        "undefined variable{} {}",
        if names.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
}

fn count(n: usize) -> String {
    format!("{n} mismatch{}", if n == 1 { "" } else { "es" })
}

/// One line for a failure: who, which step, what (`agent1, step 1: notification 1 differs (1
/// mismatch)`), as the terminal heads it.
pub(super) fn failure_headline(f: &Failure) -> String {
    let who = f.actor.as_deref().unwrap_or("scenario");
    format!("{who}, {}: {}", step_name(&f.step), headline(&f.kind))
}

/// A failure's mismatch lines (`/pointer: expected .., got ..`), in order; none for failures
/// that are not about values.
pub(super) fn failure_mismatches(f: &Failure) -> Vec<String> {
    match &f.kind {
        FailureKind::Body { mismatches, .. }
        | FailureKind::Notification { mismatches, .. }
        | FailureKind::Headers { mismatches } => mismatches.iter().map(mismatch_line).collect(),
        FailureKind::Unexpected { actual } => vec![summarise_notification(actual)],
        _ => Vec::new(),
    }
}

/// One failure's block as the terminal prints it (the HTML report shows it too).
pub(super) fn render_failure(w: &mut dyn Write, outcome: &ScenarioOutcome, f: &Failure) -> io::Result<()> {
    let who = f.actor.as_deref().unwrap_or("scenario");
    writeln!(
        w,
        "  {who}, {}: {FAIL}{}{FAIL:#}",
        step_name(&f.step),
        headline(&f.kind)
    )?;
    let at = if f.pos.line > 0 {
        format!("{}:{}:{}", f.pos.file.display(), f.pos.line, f.pos.column)
    } else {
        outcome.file.display().to_string()
    };
    writeln!(w, "    {DIM}-->{DIM:#} {at} ({})", f.step.label)?;
    match &f.kind {
        FailureKind::Body {
            mismatches,
            expected,
            actual,
            mismatch_lines,
            ..
        }
        | FailureKind::Notification {
            mismatches,
            expected,
            actual,
            mismatch_lines,
            ..
        } => {
            let lines = mismatch_lines.iter().copied().chain(std::iter::repeat(0));
            for (m, line) in mismatches.iter().zip(lines) {
                if line > 0 {
                    writeln!(w, "      line {line}: {}", mismatch_line(m))?;
                } else {
                    writeln!(w, "      {}", mismatch_line(m))?;
                }
            }
            let diff = unified_diff(&normalize(expected, actual, &outcome.transcript.final_vars()));
            for line in diff.lines() {
                let style = style::diff_line(line);
                writeln!(w, "      {style}{line}{style:#}")?;
            }
        }
        FailureKind::Headers { mismatches } => {
            for m in mismatches {
                writeln!(w, "      {}", mismatch_line(m))?;
            }
        }
        FailureKind::Status { body, .. } => writeln!(w, "      body: {}", short(body, 300))?,
        FailureKind::Missing {
            arrived,
            unmatched,
            ignored,
            late,
            stream,
            ..
        } => {
            if let Some(reason) = stream {
                writeln!(w, "      the CometD session failed meanwhile: {reason}")?;
            } else if arrived.is_empty() && late.is_empty() {
                writeln!(w, "      nothing arrived")?;
            } else if arrived.is_empty() {
                writeln!(w, "      nothing arrived in time")?;
            }
            if *ignored > 0 {
                writeln!(
                    w,
                    "      ({ignored} other notification{} arrived but named none of this scenario's sessions, \
                     or came on another channel, and {} ignored)",
                    if *ignored == 1 { "" } else { "s" },
                    if *ignored == 1 { "was" } else { "were" }
                )?;
            }
            for (i, n) in arrived.iter().enumerate() {
                writeln!(w, "      received {}: {}", i + 1, summarise_notification(n))?;
            }
            for (n, at_ms) in late {
                writeln!(
                    w,
                    "      arrived late, {at_ms:.0} ms after the step started: {}",
                    summarise_notification(n)
                )?;
            }
            for (i, e) in unmatched.iter().enumerate() {
                writeln!(w, "      still expected {}: {}", i + 1, short(e, 200))?;
            }
        }
        FailureKind::Unexpected { actual } => writeln!(w, "      {}", summarise_notification(actual))?,
        FailureKind::Capture { document: body, .. } => {
            writeln!(w, "      reply: {}", short(body, 300))?;
        }
        FailureKind::Template { .. } | FailureKind::Binding { .. } => {}
    }
    Ok(())
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
