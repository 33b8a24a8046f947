//! Reading scenario files: YAML → [`Scenario`] with every problem located at
//! `file:line:column`, then semantic validation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::diagnostic::{Diagnostic, SourcePos};
use super::model::Scenario;
use super::recover;
use super::source::read_source;
use super::validate::validate;
use super::yaml_error::{is_budget, yaml_diagnostic};

/// A scenario that parsed and validated, with its source kept for reports.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The file it came from.
    pub path: PathBuf,
    /// The file's text (for source lines in reports).
    pub text: String,
    /// The effective name (the `name:` key or the file stem).
    pub name: String,
    /// The parsed model.
    pub scenario: Scenario,
}

/// Reads and validates one scenario file. Returns every problem found in it.
pub fn load_file(path: &Path) -> Result<LoadedScenario, Vec<Diagnostic>> {
    let text = read(path).map_err(|d| vec![d])?;
    load_str(path, text)
}

/// Parses and validates scenario `text` that came from `path`.
pub fn load_str(path: &Path, text: String) -> Result<LoadedScenario, Vec<Diagnostic>> {
    let (loaded, problems) = parse_and_validate(path, text);
    match loaded {
        Some(loaded) if problems.is_empty() => Ok(loaded),
        _ => Err(problems),
    }
}

/// Loads every file, collecting every problem in every file: a file's YAML syntax error, or
/// its type errors (one per `given:`/`steps:` item and one for the rest of the file), all
/// semantic problems of each file that parsed, and scenario names used by more than one file. Problems are ordered by file, then position.
pub fn load_all(files: &[PathBuf]) -> Result<Vec<LoadedScenario>, Vec<Diagnostic>> {
    let mut parsed = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let text = match read(file) {
            Ok(text) => text,
            Err(diagnostic) => {
                problems.push(diagnostic);
                continue;
            }
        };
        let (loaded, mut found) = parse_and_validate(file, text);
        let valid = found.is_empty();
        problems.append(&mut found);
        if let Some(loaded) = loaded {
            parsed.push((loaded, valid));
        }
    }
    let mut first_with_name: BTreeMap<&str, &LoadedScenario> = BTreeMap::new();
    for (scenario, _) in &parsed {
        match first_with_name.get(scenario.name.as_str()) {
            Some(first) => problems.push(duplicate_name(scenario, first)),
            None => {
                first_with_name.insert(&scenario.name, scenario);
            }
        }
    }
    if problems.is_empty() {
        Ok(parsed.into_iter().map(|(loaded, _)| loaded).collect())
    } else {
        // Stable, so problems at one position keep the order they were found in.
        problems.sort_by(|a, b| {
            (&a.pos.file, a.pos.line, a.pos.column).cmp(&(&b.pos.file, b.pos.line, b.pos.column))
        });
        Err(problems)
    }
}

fn read(path: &Path) -> Result<String, Diagnostic> {
    read_source(path, "scenario file")
}

/// The scenario (when the YAML parsed into the model) and every problem found in it.
fn parse_and_validate(path: &Path, text: String) -> (Option<LoadedScenario>, Vec<Diagnostic>) {
    // See `recover::options` and the module tests for the exact typing rules (`0x1F` stays a
    // YAML 1.2 integer).
    let scenario: Scenario = match serde_saphyr::from_str_with_options(&text, recover::options()) {
        Ok(scenario) => scenario,
        Err(error) if is_budget(&error) => return (None, vec![yaml_diagnostic(path, &text, &error)]),
        Err(error) => {
            // The parser stops at the first error; look for the others item by item.
            let first = yaml_diagnostic(path, &text, &error);
            let mut problems = recover::recover(path, &text);
            if !problems.contains(&first) {
                problems.push(first);
            }
            problems.sort_by_key(|d| (d.pos.line, d.pos.column));
            problems.dedup();
            return (None, problems);
        }
    };
    let name = scenario
        .name
        .as_ref()
        .map(|n| n.value.clone())
        .unwrap_or_else(|| file_stem(path));
    let problems = validate(path, &text, &scenario);
    let loaded = LoadedScenario {
        path: path.to_path_buf(),
        text,
        name,
        scenario,
    };
    (Some(loaded), problems)
}

fn duplicate_name(scenario: &LoadedScenario, first: &LoadedScenario) -> Diagnostic {
    let pos = scenario.scenario.name.as_ref().map_or(
        SourcePos {
            file: scenario.path.clone(),
            line: 0,
            column: 0,
        },
        |n| SourcePos::from_location(&scenario.path, &n.referenced),
    );
    let origin = if scenario.scenario.name.is_some() {
        ""
    } else {
        " (taken from the file name)"
    };
    Diagnostic::new(
        pos,
        format!("duplicate scenario name `{}`{origin}", scenario.name),
        Some(&scenario.text),
    )
    .with_help(format!(
        "`{}` is also the name of {}; scenario names must be unique",
        scenario.name,
        first.path.display()
    ))
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    //! How plain scalars in expected bodies are typed. The rules, so a scenario means what it
    //! looks like (JSON, not YAML 1.1):
    //! - only `true`/`false` (any case of the YAML 1.2 core spellings) are booleans; `yes`,
    //!   `no`, `on`, `off`, `y`, `n` stay strings;
    //! - numbers with a leading zero (`010`) or underscores (`1_000`) stay strings, as they
    //!   would be ids or codes, never JSON numbers;
    //! - `0x1F` and `0o17` are YAML 1.2 core integers (31, 15): hex and octal have no JSON
    //!   spelling, so a JSON server can only send them as strings — quote them (`"0x1F"`) to
    //!   expect the string;
    //! - `null`, `~` and an empty value are null.

    use std::path::Path;

    use serde_json::{Value, json};

    use super::load_str;

    fn expected_body(value_lines: &str) -> Value {
        let text = format!(
            "actors: [agent1]\nsteps:\n  - actor: agent1\n    request: {{ path: /x }}\n    response:\n      body:\n{value_lines}"
        );
        let loaded = load_str(Path::new("scalars.yaml"), text).unwrap_or_else(|d| panic!("loads: {d:#?}"));
        let step = &loaded.scenario.steps[0].value;
        let response = step.response.as_ref().map(|r| r.value.body.clone());
        response.flatten().unwrap_or(Value::Null)
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings() {
        let body = expected_body(
            "        a: yes\n        b: on\n        c: No\n        d: true\n        e: False\n",
        );
        assert_eq!(
            body,
            json!({"a": "yes", "b": "on", "c": "No", "d": true, "e": false})
        );
    }

    #[test]
    fn leading_zero_and_underscored_numbers_stay_strings() {
        let body = expected_body(
            "        a: 010\n        b: 1_000\n        c: 10\n        d: 1.5\n        e: -007\n",
        );
        assert_eq!(
            body,
            json!({"a": "010", "b": "1_000", "c": 10, "d": 1.5, "e": "-007"})
        );
    }

    #[test]
    fn hex_and_octal_are_yaml_1_2_integers_unless_quoted() {
        let body = expected_body("        a: 0x1F\n        b: 0o17\n        c: \"0x1F\"\n");
        assert_eq!(body, json!({"a": 31, "b": 15, "c": "0x1F"}));
    }

    #[test]
    fn null_spellings_are_null() {
        let body = expected_body("        a: null\n        b: ~\n        c:\n        d: \"null\"\n");
        assert_eq!(body, json!({"a": null, "b": null, "c": null, "d": "null"}));
    }
}
