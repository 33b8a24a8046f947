//! Issue 4: every class of scenario-file problem is reported at `file:line:column` with the
//! offending line, a caret under the offending token, and a hint where one helps. One fixture
//! per class under `tests/fixtures/invalid/`; each snapshot was checked by eye to point at the
//! token that is wrong, not at the start of the document.

use std::path::{Path, PathBuf};

use gws_contract::report::render_diagnostics;
use gws_contract::scenario::{Diagnostic, load_all, load_file};

/// Loads an invalid fixture (path relative to the package root, which is the test's working
/// directory, so paths in the output stay relative) and renders its problems.
fn problems(relative: &str) -> (Vec<Diagnostic>, String) {
    let diagnostics = match load_file(Path::new(relative)) {
        Ok(_) => panic!("{relative} must not load"),
        Err(diagnostics) => diagnostics,
    };
    (diagnostics.clone(), render(&diagnostics))
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = Vec::new();
    render_diagnostics(&mut out, diagnostics).expect("rendering into memory succeeds");
    String::from_utf8(out).expect("diagnostics are UTF-8")
}

/// Every problem's (line, column), for assertions that do not depend on wording.
fn positions(diagnostics: &[Diagnostic]) -> Vec<(u64, u64)> {
    diagnostics.iter().map(|d| (d.pos.line, d.pos.column)).collect()
}

#[test]
fn yaml_syntax_error_points_where_the_parser_stopped_and_names_the_unclosed_brace() {
    let (d, text) = problems("tests/fixtures/invalid/yaml-syntax.yaml");
    assert_eq!(positions(&d), [(10, 13)]);
    insta::assert_snapshot!(text);
}

#[test]
fn tab_indentation_points_at_the_tab() {
    let (d, text) = problems("tests/fixtures/invalid/tab-indentation.yaml");
    assert_eq!(positions(&d), [(7, 1)]);
    insta::assert_snapshot!(text);
}

#[test]
fn unknown_key_suggests_the_closest_key_of_that_struct() {
    let (d, text) = problems("tests/fixtures/invalid/unknown-key.yaml");
    assert_eq!(positions(&d), [(10, 5)]);
    assert!(text.contains("did you mean `response`?"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn wrong_type_points_at_the_value_and_quotes_it() {
    let (d, text) = problems("tests/fixtures/invalid/wrong-type.yaml");
    assert_eq!(positions(&d), [(11, 16)]);
    insta::assert_snapshot!(text);
}

#[test]
fn duplicate_key_points_at_the_second_and_names_the_first() {
    let (d, text) = problems("tests/fixtures/invalid/duplicate-key.yaml");
    assert_eq!(positions(&d), [(9, 7)]);
    assert!(text.contains("already set on line 7"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn undefined_actor_in_a_step_in_notifications_and_in_streams() {
    let (d, text) = problems("tests/fixtures/invalid/undefined-actor.yaml");
    assert_eq!(positions(&d), [(9, 12), (21, 7), (25, 7)]);
    insta::assert_snapshot!(text);
}

#[test]
fn undefined_variable_lists_the_variables_defined_at_that_point() {
    let (d, text) = problems("tests/fixtures/invalid/undefined-variable.yaml");
    assert_eq!(positions(&d), [(14, 41), (21, 32)]);
    assert!(text.contains("did you mean `${session}`?"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn capture_pointer_must_be_a_json_pointer() {
    let (d, text) = problems("tests/fixtures/invalid/capture-pointer.yaml");
    assert_eq!(positions(&d), [(8, 16), (9, 20)]);
    insta::assert_snapshot!(text);
}

#[test]
fn invalid_step_shapes_neither_both_or_half() {
    let (d, text) = problems("tests/fixtures/invalid/step-shape.yaml");
    assert_eq!(positions(&d), [(5, 5), (8, 5), (12, 5), (15, 5)]);
    insta::assert_snapshot!(text);
}

#[test]
fn empty_actors_and_steps_point_at_the_empty_lists() {
    let (d, text) = problems("tests/fixtures/invalid/empty-lists.yaml");
    assert_eq!(positions(&d), [(3, 9), (4, 8)]);
    insta::assert_snapshot!(text);
}

#[test]
fn bad_duration_points_at_the_value() {
    let (d, text) = problems("tests/fixtures/invalid/bad-duration.yaml");
    assert_eq!(positions(&d), [(4, 10)]);
    insta::assert_snapshot!(text);
}

#[test]
fn bad_stream_mode_points_at_the_value() {
    let (d, text) = problems("tests/fixtures/invalid/bad-streams.yaml");
    assert_eq!(positions(&d), [(4, 10)]);
    insta::assert_snapshot!(text);
}

#[test]
fn duplicate_scenario_names_across_files() {
    let files: Vec<PathBuf> = ["first", "second"]
        .iter()
        .map(|f| PathBuf::from(format!("tests/fixtures/invalid/duplicate-name/{f}.yaml")))
        .collect();
    for file in &files {
        assert!(load_file(file).is_ok(), "{} is valid on its own", file.display());
    }
    let diagnostics = match load_all(&files) {
        Ok(_) => panic!("two files named `same-name` must not load together"),
        Err(diagnostics) => diagnostics,
    };
    assert_eq!(positions(&diagnostics), [(3, 7)]);
    assert_eq!(diagnostics[0].pos.file, files[1]);
    insta::assert_snapshot!(render(&diagnostics));
}

#[test]
fn malformed_matchers_are_reported_at_load_time_at_the_offending_string() {
    let (d, text) = problems("tests/fixtures/invalid/malformed-matchers.yaml");
    assert_eq!(positions(&d), [(16, 21), (19, 29), (21, 38), (22, 20)]);
    insta::assert_snapshot!(text);
}

#[test]
fn unknown_http_methods_point_at_the_method_and_suggest_one() {
    let (d, text) = problems("tests/fixtures/invalid/unknown-method.yaml");
    assert_eq!(positions(&d), [(6, 15), (9, 24)]);
    insta::assert_snapshot!(text);
}

#[test]
fn every_type_error_in_a_file_is_reported_not_just_the_first() {
    // One at the top level, one in a given state, one in each of two steps.
    let (d, text) = problems("tests/fixtures/invalid/several-type-errors.yaml");
    assert_eq!(positions(&d), [(3, 10), (6, 5), (11, 15), (13, 5)]);
    insta::assert_snapshot!(text);
}

#[test]
fn malformed_status_matchers_point_at_the_value() {
    let (d, text) = problems("tests/fixtures/invalid/malformed-status.yaml");
    insta::assert_snapshot!(text);
    assert_eq!(positions(&d), [(8, 15), (12, 21), (16, 15)]);
}

#[test]
fn malformed_auth_and_requirements_point_at_the_value_and_suggest_one() {
    let (d, text) = problems("tests/fixtures/invalid/malformed-auth.yaml");
    insta::assert_snapshot!(text);
    assert!(text.contains("did you mean `csrf`?"), "{text}");
    assert!(text.contains("did you mean `none`?"), "{text}");
    assert_eq!(positions(&d), [(3, 12), (8, 11), (11, 11)]);
}

#[test]
fn auth_on_a_state_step_is_refused() {
    let (d, text) = problems("tests/fixtures/invalid/auth-on-state-step.yaml");
    insta::assert_snapshot!(text);
    assert_eq!(positions(&d), [(7, 11)]);
}
