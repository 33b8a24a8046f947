//! What CI systems and people see of a run: GitHub annotations, the GitLab hint, `-q`, `-v`
//! and `-vv`, colour and its switches, and no progress bar where stderr is not a terminal.

use std::fmt::Write as _;

use crate::ci_support::{SEEDS, redact_ci, verify_ci};
use crate::support::{clean, redact, root};

const LENIENT: &str = "tests/fixtures/runner/lenient-extra.yaml";
const STRICT: &str = "tests/fixtures/runner/strict-extra.yaml";

#[tokio::test]
async fn github_annotations_point_at_failing_expectations_and_warn_on_notes() {
    let output = verify_ci(
        &["-q", SEEDS[0], SEEDS[1], LENIENT, STRICT],
        &[("GITHUB_ACTIONS", "true")],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    insta::assert_snapshot!(redact_ci(&output.stdout));
}

#[tokio::test]
async fn no_annotations_outside_github_actions() {
    let output = verify_ci(&["-q", SEEDS[1]], &[("GITHUB_ACTIONS", "false")]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&output.stdout).contains("::error"));
}

#[tokio::test]
async fn drifts_below_the_failing_class_are_warnings_at_the_golden_and_the_rest_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let golden = dir.path().join("facebook");
    std::fs::create_dir_all(&golden).expect("golden dir");
    std::fs::copy(root().join("golden/rules.yaml"), dir.path().join("rules.yaml")).expect("rules");
    let text = std::fs::read_to_string(root().join("golden/facebook/complete.json")).expect("golden");
    assert!(
        text.contains(r#""state": "Completed""#),
        "the golden has the state"
    );
    std::fs::write(
        golden.join("complete.json"),
        text.replace(r#""state": "Completed""#, r#""state": "LeftChat""#),
    )
    .expect("write golden");
    let golden_dir = dir.path().to_string_lossy().into_owned();
    let mut shown = String::new();
    for fail_on in ["high", "medium"] {
        let output = verify_ci(
            &[
                "-q",
                "--no-pending",
                "--golden",
                &golden_dir,
                "--fail-on",
                fail_on,
                SEEDS[0],
            ],
            &[("GITHUB_ACTIONS", "true")],
        )
        .await;
        let _ = write!(
            shown,
            "--fail-on {fail_on}: exit {:?}
{}",
            output.status.code(),
            clean(&output.stdout, dir.path())
        );
    }
    insta::assert_snapshot!(shown);
}

#[tokio::test]
async fn gitlab_gets_a_line_on_publishing_the_junit_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let junit = dir.path().join("junit.xml");
    let junit = junit.to_string_lossy();
    let with = verify_ci(&["-q", "--junit", &junit, SEEDS[0]], &[("GITLAB_CI", "true")]).await;
    let without = verify_ci(&["-q", SEEDS[0]], &[("GITLAB_CI", "true")]).await;
    let outside = verify_ci(&["-q", SEEDS[0]], &[]).await;
    assert!(!String::from_utf8_lossy(&outside.stdout).contains("gitlab"));
    insta::assert_snapshot!(format!(
        "{}{}",
        clean(&with.stdout, dir.path()),
        redact(&without.stdout)
    ));
}

#[tokio::test]
async fn quiet_prints_the_summary_only() {
    let output = verify_ci(&["-q", SEEDS[0], SEEDS[1]], &[]).await;
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn verbose_prints_a_line_per_step_with_timing_and_notification_counts() {
    let output = verify_ci(&["-v", SEEDS[0], SEEDS[1]], &[]).await;
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact_ci(&output.stdout));
}

#[tokio::test]
async fn very_verbose_prints_every_exchange_and_notification_per_actor() {
    let output = verify_ci(&["-vv", SEEDS[0], SEEDS[1]], &[]).await;
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(redact_ci(&output.stdout));
}

/// `text` without ANSI escape sequences.
fn strip(text: &str) -> String {
    regex::Regex::new("\u{1b}\\[[0-9;]*m")
        .expect("valid regex")
        .replace_all(text, "")
        .into_owned()
}

#[tokio::test]
async fn colour_follows_the_flag_no_color_and_clicolor_force_and_strips_to_the_same_text() {
    let run = |args: &'static [&'static str], env: &'static [(&'static str, &'static str)]| async move {
        let mut all = args.to_vec();
        all.extend_from_slice(&SEEDS);
        let output = verify_ci(&all, env).await;
        assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let coloured = |text: &str| text.contains("\u{1b}[");
    let plain = run(&[], &[]).await;
    assert!(!coloured(&plain), "not a terminal: no colour\n{plain}");
    let always = run(&["--color", "always"], &[]).await;
    assert!(coloured(&always), "{always}");
    assert!(always.contains("\u{1b}[1m\u{1b}[31mFAIL \u{1b}[0m"), "{always}");
    assert!(coloured(&run(&[], &[("CLICOLOR_FORCE", "1")]).await));
    assert!(!coloured(
        &run(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).await
    ));
    assert!(!coloured(
        &run(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]).await
    ));
    assert!(coloured(&run(&["--color", "always"], &[("NO_COLOR", "1")]).await));
    // Uncoloured is coloured minus the escapes, byte for byte (durations aside).
    assert_eq!(redact(strip(&always).as_bytes()), redact(plain.as_bytes()));
}

#[tokio::test]
async fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let output = verify_ci(&[SEEDS[0]], &[]).await;
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_progress_bar_on_a_terminal() {
    // `script` (util-linux) runs the binary on a pseudo-terminal; without it there is no
    // terminal to test on.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED a_progress_bar_on_a_terminal: `script` (util-linux) not found");
        return;
    }
    let binary = env!("CARGO_BIN_EXE_gws-contract");
    let command = format!("{binary} verify --jobs 1 {}", SEEDS[0]);
    let output = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .env_remove("GWS_CONTRACT_PASSWORD")
        .env("CI", "")
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(120), output)
        .await
        .expect("no hang")
        .expect("script runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("/1 scenarios ["), "a bar on the terminal: {text}");
    assert!(text.contains("0 failed"), "{text}");
    assert!(text.contains("1 scenario(s): "), "and the summary: {text}");
}
