//! Issue 4: `gws-contract schema` prints the JSON Schema of the scenario format; the committed
//! `schema/scenario.schema.json` never drifts from it, every shipped scenario validates
//! against it (and tells yaml-language-server where it is), and it rejects what the loader
//! rejects.

use std::path::{Path, PathBuf};

use boon::{Compiler, SchemaIndex, Schemas};
use gws_contract::scenario::{discover, load_str, scenario_schema_json};
use serde_json::Value;

use crate::support::{root, run_cli};

const SCHEMA_FILE: &str = "schema/scenario.schema.json";

fn committed_schema() -> String {
    std::fs::read_to_string(root().join(SCHEMA_FILE)).expect("the committed schema is readable")
}

fn compiled_schema() -> (Schemas, SchemaIndex) {
    let schema: Value = serde_json::from_str(&committed_schema()).expect("the committed schema is JSON");
    let mut schemas = Schemas::new();
    let mut compiler = Compiler::new();
    let url = "urn:gws-contract:scenario.schema.json";
    compiler
        .add_resource(url, schema)
        .expect("the schema is accepted");
    let index = compiler.compile(url, &mut schemas).expect("the schema compiles");
    (schemas, index)
}

/// A scenario file's YAML as JSON, typed the way the loader types it.
fn yaml_to_json(text: &str) -> Value {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
    };
    serde_saphyr::from_str_with_options(text, options).expect("the YAML parses")
}

fn schema_errors(schemas: &Schemas, index: SchemaIndex, text: &str) -> Option<String> {
    schemas
        .validate(&yaml_to_json(text), index)
        .err()
        .map(|e| format!("{e:#}"))
}

#[tokio::test]
async fn schema_command_output_equals_the_committed_file() {
    let output = run_cli(&["schema"]).await;
    assert_eq!(output.status.code(), Some(0));
    let printed = String::from_utf8(output.stdout).expect("the schema is UTF-8");
    assert!(
        printed == committed_schema(),
        "{SCHEMA_FILE} is stale: run `cargo run -- schema > {SCHEMA_FILE}` and commit it"
    );
    assert_eq!(printed, scenario_schema_json());
    let schema: Value = serde_json::from_str(&printed).expect("the schema is JSON");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn every_shipped_scenario_validates_against_the_committed_schema() {
    let (schemas, index) = compiled_schema();
    let scenarios = root().join("scenarios");
    let files = discover(&[scenarios.display().to_string()]).expect("scenarios/ has scenario files");
    // Valid fixtures too: they use more of the format than the shipped scenarios may.
    let fixtures = [
        "tests/fixtures/complete-wrong-state.yaml",
        "tests/fixtures/invalid/duplicate-name/first.yaml",
    ];
    for file in files
        .iter()
        .cloned()
        .chain(fixtures.iter().map(|f| root().join(f)))
    {
        let text = std::fs::read_to_string(&file).expect("scenario readable");
        if let Some(errors) = schema_errors(&schemas, index, &text) {
            panic!(
                "{} does not validate against {SCHEMA_FILE}:\n{errors}",
                file.display()
            );
        }
    }
}

#[test]
fn every_shipped_scenario_points_editors_at_the_schema() {
    let scenarios = root().join("scenarios");
    let files = discover(&[scenarios.display().to_string()]).expect("scenarios/ has scenario files");
    for file in files {
        let relative = file.strip_prefix(root()).expect("below the package root");
        let depth = relative.components().count() - 1;
        let expected = format!(
            "# yaml-language-server: $schema={}{SCHEMA_FILE}",
            "../".repeat(depth)
        );
        let text = std::fs::read_to_string(&file).expect("scenario readable");
        assert_eq!(
            text.lines().next(),
            Some(expected.as_str()),
            "{} must start with the schema comment",
            relative.display()
        );
    }
}

#[test]
fn schema_rejects_unknown_keys_bad_modes_and_mixed_steps() {
    let (schemas, index) = compiled_schema();
    for fixture in [
        "unknown-key",
        "bad-streams",
        "bad-duration",
        "step-shape",
        "empty-lists",
        "malformed-status",
        "malformed-auth",
        "auth-on-state-step",
    ] {
        let path = PathBuf::from(format!("tests/fixtures/invalid/{fixture}.yaml"));
        let text = std::fs::read_to_string(root().join(&path)).expect("fixture readable");
        assert!(
            schema_errors(&schemas, index, &text).is_some(),
            "the schema must reject {}",
            path.display()
        );
    }
    let errors = schema_errors(
        &schemas,
        index,
        "actors: [agent1]\nsteps:\n  - actor: agent1\n    request: { path: /x }\n    respnse: { status: 200 }\n",
    )
    .expect("an unknown key is rejected");
    assert!(errors.contains("respnse"), "{errors}");
}

/// The hand-written schemas of `Millis` and `Streams` accept exactly what their deserializers
/// accept.
#[test]
fn schema_and_loader_agree_on_durations_and_stream_modes() {
    let (schemas, index) = compiled_schema();
    let durations = [
        "5000",
        "0",
        "\"5s\"",
        "\"250ms\"",
        "\"1.5s\"",
        "\"5 s\"",
        "5000.0",
        "fast",
        "\"1e3\"",
        "-1",
        "\"+5s\"",
        "\"5m\"",
        "true",
        "\"\"",
        "86400000",
        "86400001",
    ];
    let streams = [
        "strict",
        "lenient",
        "sloppy",
        "{ agent1: lenient }",
        "{ agent1: sloppy }",
        "[strict]",
        "Strict",
    ];
    let cases = durations
        .iter()
        .map(|d| format!("timeout: {d}"))
        .chain(streams.iter().map(|s| format!("streams: {s}")));
    for setting in cases {
        let text =
            format!("actors: [agent1]\n{setting}\nsteps:\n  - actor: agent1\n    request: {{ path: /x }}\n");
        let loads = load_str(Path::new("case.yaml"), text.clone()).is_ok();
        let validates = schema_errors(&schemas, index, &text).is_none();
        assert_eq!(loads, validates, "loader and schema disagree on `{setting}`");
    }
}

/// The hand-written schema of response statuses accepts exactly what the loader accepts.
#[test]
fn schema_and_loader_agree_on_statuses() {
    let (schemas, index) = compiled_schema();
    let statuses = [
        "200",
        "599",
        "100",
        "99",
        "600",
        "200.0",
        "\"200\"",
        "4xx",
        "\"4XX\"",
        "6xx",
        "4x",
        "[200, 400]",
        "[200, 4xx]",
        "[]",
        "[200, [400]]",
        "true",
        "\"ok\"",
        "-200",
        "{ code: 200 }",
    ];
    for status in statuses {
        let text = format!(
            "actors: [agent1]\nsteps:\n  - actor: agent1\n    request: {{ path: /x }}\n    response: {{ status: {status} }}\n"
        );
        let loads = load_str(Path::new("case.yaml"), text.clone()).is_ok();
        let validates = schema_errors(&schemas, index, &text).is_none();
        assert_eq!(
            loads, validates,
            "loader and schema disagree on `status: {status}`"
        );
    }
}
