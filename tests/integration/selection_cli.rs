//! Choosing what `verify` runs: `--list`, `--filter`, `--tag`, `--shard`, `--fail-fast` and
//! `--last-failed` (with the JSON report it reads, or the last-run record outside CI).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::ci_support::{SEEDS, arg, verify_ci};
use crate::report_junit::fail_fast_pair;
use crate::support::{clean, redact, root};

async fn list(args: &[&str]) -> String {
    let mut all = vec!["--list"];
    all.extend_from_slice(args);
    let output = verify_ci(&all, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    String::from_utf8(output.stdout).expect("utf-8")
}

#[tokio::test]
async fn list_shows_what_would_run_after_filter_tag_and_shard() {
    let mut shown = String::new();
    for args in [
        &[][..],
        &["--filter", "*-*"],
        &["--filter", "leave", "--filter", "comp*"],
        &["--tag", "consult"],
        &["--tag", "seed", "--tag", "!consult"],
        &[
            "--tag",
            "!seed",
            "scenarios/",
            "tests/fixtures/runner/lenient-extra.yaml",
        ],
        &["--shard", "1/2"],
        &["--shard", "2/2"],
    ] {
        let listed = list(args).await;
        let _ = write!(
            shown,
            "$ verify --list {}
{listed}",
            args.join(" ")
        );
    }
    insta::assert_snapshot!(shown);
}

#[tokio::test]
async fn shards_of_the_shipped_scenarios_partition_them() {
    let all: BTreeSet<String> = list(&[]).await.lines().map(str::to_owned).collect();
    let mut seen = BTreeSet::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        for line in list(&["--shard", &shard]).await.lines() {
            assert!(seen.insert(line.to_owned()), "{line} is in two shards");
        }
    }
    assert_eq!(seen, all);
}

#[tokio::test]
async fn a_selection_that_matches_nothing_and_bad_selection_flags_are_usage_errors() {
    let mut shown = String::new();
    for args in [
        &["--filter", "no-such-scenario"][..],
        &["--tag", "no-such-tag"],
        &["--shard", "3/2"],
        &["--filter", "["],
        &["--tag", "!"],
    ] {
        let output = verify_ci(args, &[]).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "nothing ran for {args:?}");
        let _ = write!(shown, "{}\n{}", args.join(" "), redact(&output.stderr));
    }
    insta::assert_snapshot!(shown);
    // An empty shard of a small suite is fine: a CI matrix may have more machines than
    // scenarios.
    let home = gws_contract::suite::shard_of("complete", 8);
    let empty = format!("{}/8", home % 8 + 1);
    let output = verify_ci(&["--shard", &empty, SEEDS[0]], &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("0 scenario(s)"));
}

#[tokio::test]
async fn fail_fast_starts_nothing_after_a_failure_and_says_what_did_not_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (failing, passing) = fail_fast_pair(dir.path());
    let report = arg(dir.path(), "report.json");
    let output = verify_ci(
        &["-q", "--fail-fast", "--report-json", &report, &failing, &passing],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("written")).expect("JSON");
    assert_eq!(json["summary"]["not_run"], serde_json::json!(["complete"]));
    assert_eq!(json["summary"]["failed"], 1);
    // Without -q the scenario that never started is listed.
    let loud = verify_ci(&["--fail-fast", &failing, &passing], &[]).await;
    let text = clean(&loud.stdout, dir.path());
    let tail: Vec<&str> = text.lines().rev().take(4).collect();
    insta::assert_snapshot!(format!(
        "{}{}",
        clean(&output.stdout, dir.path()),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    ));
    // Without --fail-fast both run.
    let both = verify_ci(&["-q", &failing, &passing], &[]).await;
    assert!(
        String::from_utf8_lossy(&both.stdout).starts_with("2 scenario(s): 1 passed, 1 failed"),
        "{}",
        redact(&both.stdout)
    );
}

#[tokio::test]
async fn last_failed_reruns_the_failures_of_the_report_json_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = arg(dir.path(), "report.json");
    let first = verify_ci(&["-q", "--report-json", &report, SEEDS[0], SEEDS[1]], &[]).await;
    assert_eq!(first.status.code(), Some(1));
    let listed = list(&["--last-failed", "--report-json", &report, SEEDS[0], SEEDS[1]]).await;
    assert_eq!(listed, format!("complete-wrong-state ({})\n", SEEDS[1]));
    let rerun = verify_ci(
        &[
            "-q",
            "--last-failed",
            "--report-json",
            &report,
            SEEDS[0],
            SEEDS[1],
        ],
        &[],
    )
    .await;
    assert_eq!(rerun.status.code(), Some(1));
    assert!(redact(&rerun.stdout).starts_with("1 scenario(s): 0 passed, 1 failed"));
    // A run without failures leaves nothing to re-run.
    let passing = verify_ci(&["-q", "--report-json", &report, SEEDS[0]], &[]).await;
    assert_eq!(passing.status.code(), Some(0));
    let nothing = verify_ci(
        &["--last-failed", "--report-json", &report, SEEDS[0], SEEDS[1]],
        &[],
    )
    .await;
    assert_eq!(nothing.status.code(), Some(0));
    insta::assert_snapshot!(clean(&nothing.stdout, dir.path()));
}

/// Runs the binary in `cwd` (not the repository), so the default last-run record lands there.
async fn verify_in(cwd: &Path, args: &[&str], ci: &str) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_gws-contract"));
    command
        .arg("verify")
        .arg("--jobs")
        .arg("1")
        .args(args)
        .current_dir(cwd)
        .env_remove("GWS_CONTRACT_PASSWORD")
        .env("CI", ci)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    tokio::time::timeout(std::time::Duration::from_secs(120), command.output())
        .await
        .expect("no hang")
        .expect("the binary runs")
}

#[tokio::test]
async fn last_failed_reads_the_last_run_record_which_is_written_outside_ci_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenarios: Vec<String> = SEEDS
        .iter()
        .map(|s| root().join(s).to_string_lossy().into_owned())
        .collect();
    let golden = root().join("golden").to_string_lossy().into_owned();
    let record = dir.path().join("target/gws-contract/last-run.json");
    let mut args = vec!["-q", "--golden", golden.as_str(), "--no-pending"];
    args.extend(scenarios.iter().map(String::as_str));

    let in_ci = verify_in(dir.path(), &args, "true").await;
    assert_eq!(in_ci.status.code(), Some(1), "{}", redact(&in_ci.stderr));
    assert!(!record.exists(), "CI=true writes nothing it was not asked to");
    let missing = verify_in(dir.path(), &[&["--last-failed"], &args[..]].concat(), "true").await;
    assert_eq!(missing.status.code(), Some(2));
    insta::assert_snapshot!(clean(&missing.stderr, dir.path()));

    let local = verify_in(dir.path(), &args, "").await;
    assert_eq!(local.status.code(), Some(1), "{}", redact(&local.stderr));
    assert!(record.is_file(), "outside CI every run is recorded");
    // The record holds names and verdicts, not a copy of every transcript.
    let brief: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).expect("record")).expect("JSON");
    let first = &brief["scenarios"][0];
    assert_eq!(
        first.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["name".to_owned(), "verdict".to_owned()]),
        "{brief}"
    );
    let listed = verify_in(
        dir.path(),
        &[&["--last-failed", "--list"], &args[..]].concat(),
        "",
    )
    .await;
    assert_eq!(listed.status.code(), Some(0), "{}", redact(&listed.stderr));
    assert_eq!(
        clean(&listed.stdout, &root()),
        "complete-wrong-state ([dir]/tests/fixtures/complete-wrong-state.yaml)\n"
    );
}

#[tokio::test]
async fn a_last_run_record_that_cannot_be_written_is_skipped_not_an_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    // `target` is a file here, so target/gws-contract/ cannot be made.
    std::fs::write(dir.path().join("target"), "").expect("write");
    let scenario = root().join(SEEDS[0]).to_string_lossy().into_owned();
    let golden = root().join("golden").to_string_lossy().into_owned();
    let output = verify_in(dir.path(), &["-q", "--golden", &golden, &scenario], "").await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    assert!(output.stderr.is_empty(), "{}", redact(&output.stderr));
}

#[tokio::test]
async fn goldens_of_scenarios_left_out_are_not_unreferenced() {
    let output = verify_ci(
        &[
            "-q",
            "--unreferenced",
            "fail",
            "--filter",
            "complete",
            "scenarios/",
        ],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stdout));
    assert!(
        !String::from_utf8_lossy(&output.stdout).contains("unreferenced"),
        "{}",
        redact(&output.stdout)
    );
}
