//! `verify --junit FILE`: the XML is what JUnit consumers expect (a real XML parser reads it,
//! a schema of the format as Jenkins reads it accepts it), and its path is checked before anything runs.

use std::path::Path;
use std::process::Command;

use crate::ci_support::{SEEDS, arg, redact_ci, verify_ci};
use crate::support::redact;

/// Runs the passing seed and the failing fixture with `--junit`; returns the XML.
async fn junit_of_the_seeds(extra: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = arg(dir.path(), "reports/junit.xml");
    let mut args = vec!["--junit", path.as_str()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&SEEDS);
    let output = verify_ci(&args, &[]).await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    std::fs::read_to_string(&path).expect("the JUnit report is written although a scenario failed")
}

#[tokio::test]
async fn junit_has_a_suite_per_file_a_case_per_scenario_and_the_failure_first() {
    let xml = junit_of_the_seeds(&[]).await;
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("2"));
    assert_eq!(root.attribute("failures"), Some("1"));
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    let names: Vec<_> = suites.iter().map(|s| s.attribute("name").unwrap_or("")).collect();
    assert_eq!(names, SEEDS);
    let passing = first_case(suites[0]);
    assert_eq!(passing.attribute("name"), Some("complete"));
    assert!(
        passing
            .attribute("time")
            .is_some_and(|t| t.parse::<f64>().is_ok())
    );
    assert!(!passing.children().any(|n| n.has_tag_name("failure")));
    let failing = first_case(suites[1]);
    assert_eq!(failing.attribute("name"), Some("complete-wrong-state"));
    let failure = failing
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("a <failure>");
    assert_eq!(
        failure.attribute("message"),
        Some(
            "agent1, step 1: notification 1 differs (1 mismatch): /facebooksession/state: \
             expected \"LeftChat\", got \"Completed\""
        )
    );
    let out = failing
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .expect("system-out");
    assert!(out.starts_with("FAIL  complete-wrong-state ("), "{out}");
    assert!(out.contains("  step 1: agent1 POST"), "steps are in it: {out}");
    assert!(!out.contains('\u{1b}'), "no colour in files: {out}");
}

fn first_case<'a, 'input>(suite: roxmltree::Node<'a, 'input>) -> roxmltree::Node<'a, 'input> {
    suite
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .expect("one testcase")
}

#[tokio::test]
async fn junit_of_the_seeds_reads_well() {
    // Colour on the terminal never reaches the file.
    let xml = junit_of_the_seeds(&["--color", "always"]).await;
    insta::assert_snapshot!(redact_ci(xml.as_bytes()));
}

#[tokio::test]
async fn junit_validates_against_the_schema_jenkins_reads() {
    let Some(xmllint) = xmllint() else {
        return;
    };
    let xml = junit_of_the_seeds(&[]).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, &xml).expect("write");
    let schema = crate::support::root().join("tests/fixtures/junit.xsd");
    let validate = |file: &Path| {
        Command::new(&xmllint)
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .arg(file)
            .output()
            .expect("xmllint runs")
    };
    let output = validate(&path);
    assert!(
        output.status.success(),
        "{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The validator can say no: what quick-junit writes unaided (with `skipped` on
    // <testsuites>) is refused.
    let invalid = dir.path().join("invalid.xml");
    std::fs::write(
        &invalid,
        xml.replacen("<testsuites ", "<testsuites skipped=\"0\" ", 1),
    )
    .expect("write");
    assert!(!validate(&invalid).status.success());
}

/// `xmllint`, or `None` after saying why the test is skipped. `.ci/run` installs it
/// (`libxml2-utils`), so in CI (`CI` set) its absence is a failure, not a skip.
fn xmllint() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("xmllint"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let in_ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        assert!(
            !in_ci,
            "xmllint is missing: .ci/run installs it (apt-get install -y libxml2-utils)"
        );
        eprintln!(
            "SKIPPED junit_validates_against_the_schema_jenkins_reads: xmllint not found (apt-get install libxml2-utils)"
        );
    }
    found
}

#[tokio::test]
async fn unwritable_junit_report_is_an_infrastructure_error_before_running() {
    let output = verify_ci(
        &[
            "--junit",
            // Below a regular file: no directory can be created there, not even as root.
            "Cargo.toml/reports/junit.xml",
            "scenarios/facebook/complete.yaml",
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(3));
    assert!(
        output.stdout.is_empty(),
        "nothing ran: {}",
        redact(&output.stdout)
    );
    insta::assert_snapshot!(redact(&output.stderr));
}

#[tokio::test]
async fn scenarios_not_run_after_fail_fast_are_skipped_test_cases() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (failing, passing) = fail_fast_pair(dir.path());
    let path = arg(dir.path(), "junit.xml");
    let output = verify_ci(&["--fail-fast", "--junit", &path, &failing, &passing], &[]).await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    let xml = std::fs::read_to_string(&path).expect("written");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let skipped = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("complete"))
        .and_then(|case| case.children().find(|n| n.has_tag_name("skipped")))
        .expect("the scenario that never started is a skipped testcase");
    assert!(
        skipped
            .attribute("message")
            .is_some_and(|m| m.contains("--fail-fast")),
        "{xml}"
    );
}

/// The failing fixture and the passing seed copied into `dir` so that the failing one sorts
/// first (a directory's scenarios run in path order).
pub fn fail_fast_pair(dir: &Path) -> (String, String) {
    let root = crate::support::root();
    let copy = |from: &str, to: &str| {
        let target = dir.join(to);
        std::fs::copy(root.join(from), &target).expect("copy scenario");
        target.to_string_lossy().into_owned()
    };
    (
        copy(SEEDS[1], "1-wrong-state.yaml"),
        copy(SEEDS[0], "2-complete.yaml"),
    )
}

#[tokio::test]
async fn reports_are_written_even_when_a_pending_golden_cannot_be() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = crate::support::root();
    let golden = dir.path().join("golden/facebook");
    std::fs::create_dir_all(&golden).expect("golden dir");
    let text = std::fs::read_to_string(root.join("golden/facebook/complete.json")).expect("golden");
    std::fs::write(
        golden.join("complete.json"),
        text.replace(r#""state": "Completed""#, r#""state": "LeftChat""#),
    )
    .expect("drifted golden");
    // A directory where the pending golden would go: writing it fails, even as root.
    std::fs::create_dir_all(golden.join("complete.json.new")).expect("blocker");
    let golden_dir = arg(dir.path(), "golden");
    let (json, junit) = (arg(dir.path(), "r.json"), arg(dir.path(), "j.xml"));
    let output = verify_ci(
        &[
            "-q",
            "--golden",
            &golden_dir,
            "--report-json",
            &json,
            "--junit",
            &junit,
            SEEDS[0],
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(3), "{}", redact(&output.stderr));
    assert!(Path::new(&json).is_file(), "the JSON report is written");
    assert!(Path::new(&junit).is_file(), "the JUnit report is written");
}
