//! The shipped suite as a user first meets it: `gws-contract verify` with no arguments runs
//! every scenario under `scenarios/` against the embedded reference server and passes; the
//! scenarios that require CSRF protection are reported as skipped, since the default target
//! does not enable it. (With CSRF on, `mutation.rs` runs them all.)

use gws_contract::scenario::{discover, load_all};

use crate::support::{redact, root, run_cli};

#[tokio::test]
async fn verify_with_no_arguments_passes_the_shipped_suite_and_skips_what_needs_csrf() {
    let files = discover(&[root().join("scenarios").display().to_string()]).expect("shipped scenarios");
    let scenarios = load_all(&files).expect("shipped scenarios load");
    let csrf_only = scenarios
        .iter()
        .filter(|s| !s.scenario.requires.is_empty())
        .count();
    assert!(csrf_only > 0, "the suite has CSRF scenarios");

    let output = run_cli(&["verify", "--jobs", "8"]).await;
    let stdout = redact(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}\n{}",
        redact(&output.stderr)
    );
    let total = scenarios.len();
    let summary = format!(
        "{total} scenario(s): {} passed, 0 failed, 0 errored, {csrf_only} skipped\n",
        total - csrf_only
    );
    // Goldens follow the summary line.
    assert!(stdout.contains(&summary), "{stdout}");
    assert_eq!(
        stdout.matches("\nSKIP  ").count() + usize::from(stdout.starts_with("SKIP")),
        csrf_only
    );
}
