//! What `proxy` and `serve --replay` print: where they listen and what they do, and what a
//! recording wrote.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use crate::proxy::Written;

/// The line `proxy` prints once it listens.
pub fn render_proxy_banner(
    w: &mut dyn Write,
    url: &str,
    target: &str,
    out: &Path,
    duration: Option<Duration>,
) -> io::Result<()> {
    let until = match duration {
        Some(d) => format!("for {d:?} (or until Ctrl-C)"),
        None => "until Ctrl-C".to_owned(),
    };
    writeln!(
        w,
        "gws-contract proxy listening on {url}, forwarding to {target}; recording to {} {until}",
        out.display()
    )
}

/// The line `serve --replay` prints once it listens.
pub fn render_replay_banner(
    w: &mut dyn Write,
    url: &str,
    dir: &Path,
    scenarios: &[String],
) -> io::Result<()> {
    writeln!(
        w,
        "gws-contract replay of {} listening on {url} ({} recording(s): {}); any user may log in; Ctrl-C stops it",
        dir.display(),
        scenarios.len(),
        scenarios.join(", ")
    )
}

/// What a recording wrote, and what it left out.
pub fn render_recording(w: &mut dyn Write, written: &Written) -> io::Result<()> {
    let notes = &written.notes;
    writeln!(
        w,
        "recorded {} step(s) by {} actor(s) ({}) with {} notification(s), from {} request(s)",
        written.steps,
        written.actors.len(),
        written.actors.join(", "),
        notes.notifications,
        notes.forwarded
    )?;
    writeln!(w, "  wrote {}", written.scenario.display())?;
    writeln!(w, "  wrote {}", written.golden.display())?;
    let skipped: Vec<String> = [
        (notes.bayeux, "Bayeux request(s)"),
        (notes.logins, "login(s)"),
        (
            notes.hook_calls_skipped,
            "state-hook teardown(s) or refused call(s)",
        ),
        (
            notes.unidentified,
            "request(s) or notification(s) of no known user",
        ),
        (notes.failed, "request(s) the target did not answer"),
        (notes.not_api, "request(s) outside /api/"),
        (notes.unrelated, "notification(s) about other interactions"),
        (notes.other_channels, "notification(s) on other channels"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !skipped.is_empty() {
        writeln!(w, "  not recorded as steps: {}", skipped.join(", "))?;
    }
    if written.rules.is_none() {
        writeln!(
            w,
            "note: the golden directory has no rules.yaml, so ids and volatile values (timestamps, \
             referenceIds) were recorded literally; give --golden a directory with reviewed rules"
        )?;
    }
    if notes.state_to_fill_in {
        writeln!(
            w,
            "note: the traffic did not start with a state-hook call; fill in the provider state in {} \
             (`gws-contract check` reports it until you do)",
            written.scenario.display()
        )?;
    }
    Ok(())
}
