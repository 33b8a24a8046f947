//! The coverage table of `verify --coverage`: operations × states of the acting agent, the
//! notification types asserted, and the gaps.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::verdict::{Coverage, OPERATIONS, STATES};

/// Writes the table and the gaps.
pub fn render_coverage(w: &mut dyn Write, coverage: &Coverage) -> io::Result<()> {
    let exercised = coverage.operations.len() - coverage.never_exercised.len();
    writeln!(
        w,
        "coverage: {exercised} of {} operations exercised (cells: statusCode answers; - not exercised)",
        coverage.operations.len()
    )?;
    let mut columns: Vec<String> = STATES.iter().map(|s| (*s).to_owned()).collect();
    for states in coverage.operations.values() {
        for state in states.keys() {
            if !columns.contains(state) {
                columns.push(state.clone());
            }
        }
    }
    let width = coverage
        .operations
        .keys()
        .map(String::len)
        .max()
        .unwrap_or(9)
        .max(9);
    let mut header = format!("  {:<width$}", "operation");
    for c in &columns {
        let _ = write!(header, "  {c:<10}");
    }
    writeln!(w, "{}", header.trim_end())?;
    // The reference's order (§1), then anything else the run did.
    let order = OPERATIONS.iter().map(|op| (*op).to_owned()).chain(
        coverage
            .operations
            .keys()
            .filter(|k| !OPERATIONS.contains(&k.as_str()))
            .cloned(),
    );
    for operation in order {
        let Some(states) = coverage.operations.get(&operation) else {
            continue;
        };
        let mut line = format!("  {operation:<width$}");
        for c in &columns {
            let cell = states.get(c).map_or_else(
                || "-".to_owned(),
                |e| {
                    e.status_codes
                        .keys()
                        .map(|code| {
                            if *code < 0 {
                                "?".to_owned()
                            } else {
                                code.to_string()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(",")
                },
            );
            let _ = write!(line, "  {cell:<10}");
        }
        writeln!(w, "{}", line.trim_end())?;
    }
    let list = |items: &[String]| {
        if items.is_empty() {
            "none".to_owned()
        } else {
            items.join(", ")
        }
    };
    writeln!(w, "  never exercised: {}", list(&coverage.never_exercised))?;
    writeln!(
        w,
        "  never tried where not valid: {}",
        list(&coverage.never_refused)
    )?;
    let asserted: Vec<String> = coverage
        .asserted
        .iter()
        .map(|(m, n)| format!("{m}/{n}"))
        .collect();
    writeln!(w, "  notification types asserted: {}", list(&asserted))?;
    let missing: Vec<String> = coverage
        .never_asserted
        .iter()
        .map(|(m, n)| format!("{m}/{n}"))
        .collect();
    writeln!(w, "  notification types never asserted: {}", list(&missing))?;
    let messages: Vec<String> = coverage.asserted_messages.iter().cloned().collect();
    writeln!(
        w,
        "  message types asserted in MessageLogUpdated: {}",
        list(&messages)
    )
}
