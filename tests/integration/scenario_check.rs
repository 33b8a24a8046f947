//! Issue 4: `gws-contract check` through the binary: every problem in every file, exit 2;
//! one OK line and exit 0 when all is well.

use crate::support::{redact, run_cli};

#[tokio::test]
async fn check_reports_every_problem_in_every_file_and_exits_two() {
    let output = run_cli(&["check", "tests/fixtures/invalid/"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{}", redact(&output.stdout));
    let stderr = redact(&output.stderr);
    // Several problems in one file (semantic ones all reported) and problems in many files.
    assert_eq!(stderr.matches("undefined-actor.yaml:").count(), 3, "{stderr}");
    assert_eq!(stderr.matches("step-shape.yaml:").count(), 4, "{stderr}");
    assert!(stderr.ends_with("38 problems found in 19 files\n"), "{stderr}");
    insta::assert_snapshot!(stderr);
}

#[tokio::test]
async fn check_takes_globs_and_files_together() {
    let output = run_cli(&[
        "check",
        "tests/fixtures/invalid/bad-*.yaml",
        "scenarios/facebook/complete.yaml",
        "tests/fixtures/invalid/unknown-key.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(2));
    let stderr = redact(&output.stderr);
    let located: Vec<&str> = stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("--> "))
        .collect();
    assert_eq!(
        located,
        [
            "  --> tests/fixtures/invalid/bad-duration.yaml:4:10",
            "  --> tests/fixtures/invalid/bad-streams.yaml:4:10",
            "  --> tests/fixtures/invalid/unknown-key.yaml:10:5",
        ],
        "{stderr}"
    );
}

#[tokio::test]
async fn check_of_the_shipped_scenarios_prints_one_ok_line() {
    let output = run_cli(&["check"]).await;
    let stdout = redact(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stdout.starts_with("ok: ") && stdout.ends_with("checked, no problems\n"),
        "{stdout}"
    );
}

#[tokio::test]
async fn check_of_a_path_that_matches_nothing_is_a_usage_error() {
    let output = run_cli(&["check", "tests/fixtures/no-such-dir/*.yaml"]).await;
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        redact(&output.stderr),
        "error: no scenario file matches tests/fixtures/no-such-dir/*.yaml\n"
    );
}
