//! `verify --report-html DIR`: the report directory is checked before the run and written
//! after it, failing or not; what the page holds (the browser test looks at it rendered).

use crate::support::{redact, run_cli};

#[tokio::test]
async fn html_report_is_written_for_a_failing_run_with_failures_first_and_linked() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("nested/html");
    let report_text = report.to_string_lossy().into_owned();
    let output = run_cli(&[
        "verify",
        "--report-html",
        &report_text,
        "scenarios/facebook/complete.yaml",
        "tests/fixtures/complete-wrong-state.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    let names: Vec<String> = std::fs::read_dir(&report)
        .expect("the directory was created")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["index.html"], "one page, no temporary files");
    let html = std::fs::read_to_string(report.join("index.html")).expect("report");
    let failing = html
        .find("data-scenario=\"complete-wrong-state\"")
        .expect("failing section");
    let passing = html.find("data-scenario=\"complete\"").expect("passing section");
    assert!(failing < passing, "failures first");
    assert!(
        html.contains("<a class=\"to-diff\" href=\"#diff-1-1\">"),
        "the red mark links"
    );
    assert!(html.contains("id=\"diff-1-1\""), "to the diff");
    assert!(
        html.contains("-    &quot;state&quot;: &quot;LeftChat&quot;,</span>"),
        "the diff line is marked removed"
    );
    for forbidden in ["<script", "<link", "src=\"http", "@import"] {
        assert!(!html.contains(forbidden), "self-contained: {forbidden}");
    }
    assert!(!html.contains("password"), "no credentials");
    // What the page says before the diagrams, and the failing expectation's block (times,
    // ports and ids redacted).
    let main = &html[html.find("<main>").expect("main")..];
    let summary = &main[..main.find("<section").expect("a section")];
    let failure = &main[main.find("<div class=\"failure\"").expect("failure")..];
    let failure = &failure[..failure.find("</div>").expect("end of the failure") + 6];
    let times = regex::Regex::new(r"\d+ ms").expect("regex");
    insta::assert_snapshot!(redact(
        times
            .replace_all(&format!("{summary}\n{failure}"), "[time]")
            .as_bytes()
    ));
}

#[tokio::test]
async fn unwritable_html_report_is_an_infrastructure_error_before_running() {
    let output = run_cli(&[
        "verify",
        "--report-html",
        // A regular file cannot be the report's directory.
        "Cargo.toml",
        "scenarios/facebook/complete.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(3));
    assert!(
        output.stdout.is_empty(),
        "nothing ran: {}",
        redact(&output.stdout)
    );
    insta::assert_snapshot!(redact(&output.stderr));
}
