//! Goldens end to end through the CLI: record, verify against goldens, pending files, accept,
//! compare (DESIGN.md §6).

use std::collections::BTreeSet;
use std::path::Path;

use gws_contract::server::{Fault, ServerConfig};
use serde_json::Value;

use crate::support::{copy_dir, files_below, redact, root, run_cli, run_cli_opts, start_server};

/// The four seed scenarios (the directory also holds the rest of the suite, in subdirectories).
const SEEDS: &str = "scenarios/facebook/*.yaml";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A golden directory with the shipped rules and no goldens yet.
fn fresh_golden_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(root().join("golden/rules.yaml"), dir.path().join("rules.yaml")).expect("rules copied");
    dir
}

/// A copy of the shipped goldens.
fn shipped_goldens() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("golden"), dir.path());
    dir
}

fn read_all(dir: &Path) -> Vec<(String, Vec<u8>)> {
    files_below(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).expect("readable");
            (f, bytes)
        })
        .collect()
}

#[tokio::test]
async fn recording_twice_gives_byte_identical_goldens() {
    let dir = fresh_golden_dir();
    let golden = dir.path().to_string_lossy().into_owned();
    let first = run_cli(&["record", "--golden", &golden, SEEDS]).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    assert!(
        text(&first.stdout).contains("4 created"),
        "{}",
        text(&first.stdout)
    );
    let before = read_all(dir.path());
    assert_eq!(
        before.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
        [
            "facebook/complete.json",
            "facebook/leave.json",
            "facebook/remove-participant-from-conference.json",
            "facebook/set-disposition.json",
            "rules.yaml"
        ],
        "one golden per scenario and no proposals: the shipped rules cover what varies"
    );
    let second = run_cli(&["record", "--golden", &golden, SEEDS]).await;
    assert_eq!(second.status.code(), Some(0), "{}", text(&second.stderr));
    assert!(
        text(&second.stdout).contains("4 unchanged"),
        "{}",
        text(&second.stdout)
    );
    assert_eq!(read_all(dir.path()), before, "byte-identical");
    // And the same as the shipped goldens, recorded on another day against another server.
    for (file, bytes) in &before {
        assert_eq!(
            std::fs::read(root().join("golden").join(file)).expect("shipped golden"),
            *bytes,
            "{file}"
        );
    }
}

#[tokio::test]
async fn recording_without_rules_proposes_them_for_review_and_touches_no_committed_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let golden = dir.path().to_string_lossy().into_owned();
    let output = run_cli(&[
        "record",
        "--golden",
        &golden,
        "scenarios/facebook/remove-participant-from-conference.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("rule(s) proposed from 2 runs"), "{stdout}");
    assert!(
        !dir.path().join("rules.yaml").exists(),
        "committed rules are never written silently"
    );
    let proposed = std::fs::read_to_string(dir.path().join("rules.yaml.new")).expect("proposals pending");
    for path in ["**/timestamp", "**/timestampSeconds", "**/receivedDate"] {
        assert!(proposed.contains(&format!("\"{path}\"")), "{path} in {proposed}");
    }
    // The golden is written with the proposals applied, so it is stable already.
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("facebook/remove-participant-from-conference.json"),
        )
        .expect("golden"),
    )
    .expect("JSON");
    assert_eq!(
        golden["steps"][0]["notifications"]["agent1"][0]["messages"][0]["timestampSeconds"],
        "$type:integer"
    );
    // `accept` promotes the proposals.
    let accepted = run_cli(&[
        "accept",
        "--golden",
        &golden_dir_arg(dir.path()),
        "scenarios/facebook/remove-participant-from-conference.yaml",
    ])
    .await;
    assert_eq!(accepted.status.code(), Some(0));
    assert!(dir.path().join("rules.yaml").exists());
    assert!(!dir.path().join("rules.yaml.new").exists());
}

fn golden_dir_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn an_interrupted_write_leaves_the_old_golden_intact() {
    let dir = shipped_goldens();
    let path = dir.path().join("facebook/complete.json");
    // A stale golden, so recording rewrites it.
    let stale = std::fs::read_to_string(&path)
        .expect("golden")
        .replace("\"state\": \"Completed\"", "\"state\": \"Stale\"");
    std::fs::write(&path, &stale).expect("stale golden written");
    // The file size limit kills the process (SIGXFSZ) in the middle of writing the golden: a
    // real crash mid-write, not a simulated one.
    let script = format!(
        "ulimit -f 1; exec '{}' record --runs 1 --golden '{}' scenarios/facebook/complete.yaml",
        env!("CARGO_BIN_EXE_gws-contract"),
        dir.path().display()
    );
    let status = tokio::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .await
        .expect("bash runs");
    assert!(!status.success(), "the write must have been cut off: {status:?}");
    assert_eq!(std::fs::read_to_string(&path).expect("golden still there"), stale);
    serde_json::from_str::<Value>(&stale).expect("and still whole");
}

#[tokio::test]
async fn a_golden_recorded_on_127_0_0_1_replays_against_localhost_on_another_port() {
    let server = start_server(ServerConfig::default()).await;
    let url = server.url().replace("127.0.0.1", "localhost");
    let output = run_cli(&[
        "verify",
        "--target",
        &url,
        "--golden",
        "golden",
        "--no-pending",
        SEEDS,
    ])
    .await;
    server.shutdown().await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.contains("goldens: 4 compared; drifts: 0 high, 0 medium, 0 ordering, 0 low"),
        "{stdout}"
    );
}

#[tokio::test]
async fn verify_without_goldens_for_an_external_target_says_so_in_one_line() {
    let server = start_server(ServerConfig::default()).await;
    let output = run_cli(&["verify", "--target", &server.url(), SEEDS]).await;
    server.shutdown().await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("goldens:")).collect();
    assert_eq!(
        lines,
        [
            "goldens: none for this target (give --golden DIR or the profile's `golden`); checked the inline contract only"
        ]
    );
}

/// Runs the seed scenarios against a server with `fault`, comparing with a copy of the shipped
/// goldens; `ci` sets `CI=true`. Returns the output and the golden directory.
async fn verify_with_fault(
    fault: Fault,
    extra: &[&str],
    ci: bool,
) -> (std::process::Output, tempfile::TempDir) {
    let server = start_server(ServerConfig {
        faults: BTreeSet::from([fault]),
        ..ServerConfig::default()
    })
    .await;
    let dir = shipped_goldens();
    let golden = dir.path().to_string_lossy().into_owned();
    let url = server.url();
    let mut args = vec!["verify", "--target", &url, "--golden", &golden];
    args.extend_from_slice(extra);
    args.push(SEEDS);
    let env: &[(&str, &str)] = if ci { &[("CI", "true")] } else { &[] };
    let output = run_cli_opts(&args, env, &["CI"]).await;
    server.shutdown().await;
    (output, dir)
}

#[tokio::test]
async fn drifts_are_reported_with_their_risk_class() {
    for (fault, class) in [
        (Fault::ReorderNotifications, "drift (ordering)"),
        (Fault::DropNotification, "drift (high)"),
        (Fault::ExtraNotification, "drift (medium)"),
        (Fault::RenamedField, "drift (low)"),
    ] {
        let (output, _dir) = verify_with_fault(fault, &["--no-pending"], false).await;
        let stdout = text(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{fault:?}: {stdout}");
        assert!(stdout.contains(class), "{fault:?}: {stdout}");
    }
}

#[tokio::test]
async fn fail_on_sets_the_class_that_fails_the_run() {
    // A scenario whose inline contract says nothing about its streams: only the golden sees
    // the reordering.
    let dir = fresh_golden_dir();
    let golden = golden_dir_arg(dir.path());
    let scenario = "tests/fixtures/golden/silent-remove.yaml";
    let recorded = run_cli(&["record", "--golden", &golden, scenario]).await;
    assert_eq!(recorded.status.code(), Some(0), "{}", text(&recorded.stdout));
    let server = start_server(ServerConfig {
        faults: BTreeSet::from([Fault::ReorderNotifications]),
        ..ServerConfig::default()
    })
    .await;
    let url = server.url();
    let strict = run_cli(&["verify", "--target", &url, "--golden", &golden, scenario]).await;
    let lenient = run_cli(&[
        "verify",
        "--target",
        &url,
        "--golden",
        &golden,
        "--fail-on",
        "medium",
        scenario,
    ])
    .await;
    server.shutdown().await;
    let (strict_out, lenient_out) = (text(&strict.stdout), text(&lenient.stdout));
    assert_eq!(strict.status.code(), Some(1), "{strict_out}");
    assert!(strict_out.contains("drift (ordering)"), "{strict_out}");
    assert_eq!(lenient.status.code(), Some(0), "{lenient_out}");
    assert!(
        lenient_out.contains("drift (ordering)"),
        "still reported: {lenient_out}"
    );
    assert!(
        lenient_out.contains("(failing on medium and above)"),
        "{lenient_out}"
    );
    let bad = run_cli(&["verify", "--fail-on", "severe", SEEDS]).await;
    assert_eq!(bad.status.code(), Some(2));
    insta::assert_snapshot!(text(&bad.stderr));
}

#[tokio::test]
async fn ci_verify_writes_no_files_and_outside_ci_drifted_scenarios_get_pending_goldens() {
    let (output, dir) = verify_with_fault(Fault::ReorderNotifications, &[], true).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        files_below(dir.path()),
        files_below(&root().join("golden")),
        "CI=true writes nothing"
    );

    let (output, dir) = verify_with_fault(Fault::ReorderNotifications, &[], false).await;
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let pending: Vec<String> = files_below(dir.path())
        .into_iter()
        .filter(|f| f.ends_with(".new"))
        .collect();
    assert!(!pending.is_empty(), "{stdout}");
    for file in &pending {
        assert!(
            stdout.contains(file.trim_end_matches(".new")),
            "{file} named in {stdout}"
        );
    }
    // Goldens themselves are never rewritten by verify.
    for (file, bytes) in read_all(&root().join("golden")) {
        assert_eq!(
            std::fs::read(dir.path().join(&file)).expect("golden"),
            bytes,
            "{file}"
        );
    }

    // `accept` promotes exactly the pending files, and nothing else.
    let golden = dir.path().to_string_lossy().into_owned();
    let accepted = run_cli(&["accept", "--golden", &golden, SEEDS]).await;
    assert_eq!(accepted.status.code(), Some(0));
    let listed: Vec<String> = text(&accepted.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("accepted "))
        .map(|p| {
            Path::new(p)
                .strip_prefix(dir.path())
                .expect("below")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let expected: Vec<String> = pending
        .iter()
        .map(|p| p.trim_end_matches(".new").to_owned())
        .collect();
    assert_eq!(listed, expected);
    assert!(files_below(dir.path()).iter().all(|f| !f.ends_with(".new")));
    for (file, bytes) in read_all(&root().join("golden")) {
        let now = std::fs::read(dir.path().join(&file)).expect("golden");
        assert_eq!(now == bytes, !expected.contains(&file), "{file}");
    }
    let again = run_cli(&["accept", "--golden", &golden, SEEDS]).await;
    assert!(text(&again.stdout).contains("nothing to accept"));
}

#[tokio::test]
async fn compare_names_the_one_value_two_targets_differ_in() {
    let a = shipped_goldens();
    let b = shipped_goldens();
    let path = b.path().join("facebook/leave.json");
    let edited = std::fs::read_to_string(&path).expect("golden").replacen(
        "\"state\": \"LeftChat\"",
        "\"state\": \"Left\"",
        1,
    );
    std::fs::write(&path, edited).expect("edited");
    let (pa, pb) = (golden_dir_arg(a.path()), golden_dir_arg(b.path()));
    let report = a.path().join("compare.json");
    let output = run_cli(&["compare", &pa, &pb, "--report-json", &report.to_string_lossy()]).await;
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout).replace(&pa, "[a]").replace(&pb, "[b]");
    insta::assert_snapshot!(stdout);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("written")).expect("JSON");
    let leave = json["scenarios"]
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s[0] == "facebook/leave.json")
        .expect("leave compared");
    assert_eq!(leave[1]["drifts"][0]["expected"], "LeftChat");
    assert_eq!(leave[1]["drifts"][0]["actual"], "Left");
    let same = run_cli(&["compare", &pa, &pa]).await;
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
}

#[tokio::test]
async fn a_scenario_with_no_notification_expectations_records_its_actors_full_streams() {
    let dir = fresh_golden_dir();
    let golden = golden_dir_arg(dir.path());
    let output = run_cli(&[
        "record",
        "--golden",
        &golden,
        "tests/fixtures/golden/silent-remove.yaml",
    ])
    .await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("tests/fixtures/golden/silent-remove.json"))
            .expect("golden"),
    )
    .expect("JSON");
    let streams = &recorded["steps"][0]["notifications"];
    let kinds = |actor: &str| -> Vec<String> {
        streams[actor]
            .as_array()
            .expect("stream")
            .iter()
            .map(|n| {
                format!(
                    "{}/{}",
                    n["messageType"].as_str().unwrap_or(""),
                    n["notificationType"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(kinds("agent1").len(), 3, "{streams:#}");
    assert_eq!(kinds("agent2").len(), 4, "{streams:#}");
    assert_eq!(
        kinds("agent2")[3],
        "FacebooksessionStateChangeMessage/StatusChange"
    );
}

#[tokio::test]
async fn symbolic_ids_in_scenarios_must_bind_both_ways() {
    let output = run_cli(&["verify", "tests/fixtures/golden/ids-bind.yaml"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stdout));
    insta::assert_snapshot!(redact(&output.stdout));
}

#[tokio::test]
async fn the_profile_names_the_golden_directory() {
    let dir = shipped_goldens();
    let profile_dir = tempfile::tempdir().expect("temp dir");
    let profile = profile_dir.path().join("profile.yaml");
    std::fs::write(&profile, format!("golden: {}\n", dir.path().display())).expect("profile written");
    // Make the copy differ, so only that directory can explain a drift.
    let path = dir.path().join("facebook/complete.json");
    let edited = std::fs::read_to_string(&path)
        .expect("golden")
        .replace("\"state\": \"Completed\"", "\"state\": \"Done\"");
    std::fs::write(&path, edited).expect("edited");
    let output = run_cli(&[
        "verify",
        "--profile",
        &profile.to_string_lossy(),
        "scenarios/facebook/complete.yaml",
    ])
    .await;
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("golden \"Done\", now \"Completed\""), "{stdout}");
    // --golden wins over the profile.
    let output = run_cli(&[
        "verify",
        "--profile",
        &profile.to_string_lossy(),
        "--golden",
        "golden",
        "scenarios/facebook/complete.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[tokio::test]
async fn unreferenced_goldens_and_scenarios_are_listed_and_can_fail_the_run() {
    const REJECT_DIR: &str = "scenarios/facebook/reject/";
    let dir = shipped_goldens();
    std::fs::copy(
        dir.path().join("facebook/reject/reject.json"),
        dir.path().join("facebook/reject/orphan.json"),
    )
    .expect("orphan");
    std::fs::remove_file(dir.path().join("facebook/reject/reject.json")).expect("removed");
    let golden = golden_dir_arg(dir.path());
    let warn = run_cli(&["verify", "--golden", &golden, REJECT_DIR]).await;
    let stdout = text(&warn.stdout).replace(&golden, "[golden]");
    assert_eq!(warn.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("unreferenced: golden without a scenario: [golden]/facebook/reject/orphan.json"),
        "{stdout}"
    );
    assert!(
        stdout.contains("goldens: 1 compared, 1 without one in [golden]"),
        "{stdout}"
    );
    let fail = run_cli(&[
        "verify",
        "--golden",
        &golden,
        "--unreferenced",
        "fail",
        REJECT_DIR,
    ])
    .await;
    let stdout = text(&fail.stdout).replace(&golden, "[golden]");
    assert_eq!(fail.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("unreferenced: scenario without a golden: [golden]/facebook/reject/reject.json"),
        "{stdout}"
    );
    let ignore = run_cli(&[
        "verify",
        "--golden",
        &golden,
        "--unreferenced",
        "ignore",
        REJECT_DIR,
    ])
    .await;
    assert!(!text(&ignore.stdout).contains("unreferenced:"));
}
