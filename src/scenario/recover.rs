//! Finding every type error in a scenario file, not just the first. serde-saphyr stops at the
//! first error, so when a file does not parse, each `given:` and `steps:` item is parsed again
//! on its own, and the rest of the file without them. Each pass sees a copy of the file in
//! which everything else is blanked out, so line and column numbers stay those of the file.
//!
//! Only block-style lists (`- ` items under a top-level key) are split; anything else keeps the
//! single first error.

use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;

use super::diagnostic::Diagnostic;
use super::model::{Given, Scenario, Step};
use super::yaml_error::yaml_diagnostic;

/// The parse options every scenario is read with (see `load.rs`).
pub(super) fn options() -> serde_saphyr::Options {
    // YAML 1.1 leniency would turn `yes` into true and `010` into 10 inside expected JSON
    // bodies; scenario values must mean what they look like.
    serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
    }
}

/// Every parse problem found by parsing the file's list items and the rest separately; empty
/// when the file has no block-style `given:`/`steps:` lists to split.
pub(super) fn recover(path: &Path, text: &str) -> Vec<Diagnostic> {
    let lines: Vec<&str> = text.lines().collect();
    let mut problems = Vec::new();
    let mut rest: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let mut split_any = false;
    for key in ["given", "steps"] {
        let Some((key_line, items)) = block_items(&lines, key) else {
            continue;
        };
        split_any = true;
        for item in &items {
            let masked = masked(&lines, item);
            let problem = match key {
                "given" => parse_error::<Vec<Given>>(path, text, &masked),
                _ => parse_error::<Vec<Step>>(path, text, &masked),
            };
            problems.extend(problem);
        }
        rest[key_line] = format!("{key}: []");
        for item in items {
            for line in item {
                rest[line].clear();
            }
        }
    }
    if !split_any {
        return Vec::new();
    }
    problems.extend(parse_error::<Scenario>(path, text, &rest.join("\n")));
    problems
}

fn parse_error<T: DeserializeOwned>(path: &Path, text: &str, masked: &str) -> Option<Diagnostic> {
    serde_saphyr::from_str_with_options::<T>(masked, options())
        .err()
        .map(|error| yaml_diagnostic(path, text, &error))
}

/// The file with every line outside `keep` blanked.
fn masked(lines: &[&str], keep: &Range<usize>) -> String {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| if keep.contains(&i) { *line } else { "" })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The 0-based line of top-level `key:` (with nothing after it) and the line ranges of its
/// block-sequence items.
fn block_items(lines: &[&str], key: &str) -> Option<(usize, Vec<Range<usize>>)> {
    let key_line = lines.iter().position(|line| {
        line.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    })?;
    let end = lines
        .iter()
        .enumerate()
        .skip(key_line + 1)
        .find(|(_, line)| {
            !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#') && !line.starts_with('-')
        })
        .map_or(lines.len(), |(i, _)| i);
    let mut starts = Vec::new();
    let mut indent = None;
    for (i, line) in lines.iter().enumerate().take(end).skip(key_line + 1) {
        let trimmed = line.trim_start();
        if !(trimmed.starts_with("- ") || trimmed == "-") {
            continue;
        }
        let this = line.len() - trimmed.len();
        if *indent.get_or_insert(this) == this {
            starts.push(i);
        }
    }
    if starts.is_empty() {
        return None;
    }
    let ranges = starts
        .iter()
        .enumerate()
        .map(|(n, &start)| start..starts.get(n + 1).copied().unwrap_or(end))
        .collect();
    Some((key_line, ranges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_block_items_of_a_top_level_list() {
        let lines: Vec<&str> = "name: x\nsteps:\n  - a: 1\n    b: 2\n  # c\n  - a: 3\nsettle: 1s\n"
            .lines()
            .collect();
        assert_eq!(block_items(&lines, "steps"), Some((1, vec![2..5, 5..6])));
        assert_eq!(block_items(&lines, "given"), None);
        let flow: Vec<&str> = "steps: [{a: 1}]\n".lines().collect();
        assert_eq!(block_items(&flow, "steps"), None);
    }
}
