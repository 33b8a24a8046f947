//! Issue 4: real notifications from the reference server through the complete matcher: the
//! normalised diff and RFC 6902 patch of a failing notification, `$unordered`/`$contains` on a
//! real participant list, and the shipped scenarios' expectations passing `lint`.

use gws_contract::matching::{MismatchKind, Vars, lint, match_value, normalize};
use gws_contract::report::unified_diff;
use gws_contract::scenario::load_file;
use gws_contract::server::ServerConfig;
use gws_contract::verdict::{FailureKind, Verdict};
use serde_json::{Value, json};

use crate::support::{redact, root, run_cli, run_file, start_server};

/// Replaces the run's generated ids with their variable names, and the port, for snapshots.
fn redact_ids(text: &str, vars: &Vars) -> String {
    let mut text = redact(text.as_bytes());
    for (name, value) in vars {
        if let Some(id) = value.as_str().filter(|id| id.len() > 3) {
            text = text.replace(id, &format!("[{name}]"));
        }
    }
    text
}

#[tokio::test]
async fn failing_notification_diff_shows_only_the_real_difference() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "tests/fixtures/complete-wrong-state.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Failed);
    let FailureKind::Notification {
        expected,
        actual,
        mismatches,
        ..
    } = &outcome.failures[0].kind
    else {
        panic!("expected a notification failure, got {:#?}", outcome.failures);
    };
    let normalized = normalize(expected, actual, &outcome.transcript.final_vars());
    let diff = unified_diff(&normalized);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('-') || l.starts_with('+')) && !l.starts_with("---") && !l.starts_with("+++")
        })
        .collect();
    assert_eq!(
        changed,
        [r#"-    "state": "LeftChat","#, r#"+    "state": "Completed","#],
        "{diff}"
    );
    assert_eq!(mismatches.len(), 1);
    insta::assert_snapshot!(redact_ids(&diff, &outcome.transcript.final_vars()));
    let patch = serde_json::to_value(normalized.patch()).expect("a patch serialises");
    assert_eq!(
        patch,
        json!([{"op": "replace", "path": "/facebooksession/state", "value": "Completed"}])
    );
}

#[tokio::test]
async fn unordered_and_contains_on_a_real_participant_list() {
    let server = start_server(ServerConfig::default()).await;
    let outcome = run_file(&server, "scenarios/facebook/complete.yaml").await;
    assert_eq!(outcome.verdict, Verdict::Passed, "{outcome:#?}");
    let notification = &outcome.transcript.exchanges[1].notifications["agent1"][0].data;
    let vars = &outcome.transcript.final_vars();

    let unordered = json!({"facebooksession": {
        "participants": ["$unordered", {"type": "Customer", "nickname": "VitaliyOnv", "id": "${customer}"}],
        "uri": "$uri:/api/v2/facebooksessions/${session}",
    }});
    assert_eq!(match_value(&unordered, notification, vars), []);

    let wrong = json!({"facebooksession": {"participants": ["$contains", {"type": "Agent", "nickname": "VitaliyOnv"}]}});
    let mismatches = match_value(&wrong, notification, vars);
    let found: Vec<(&str, &MismatchKind)> =
        mismatches.iter().map(|m| (m.pointer.as_str(), &m.kind)).collect();
    assert_eq!(
        found,
        [
            (
                "/facebooksession/participants",
                &MismatchKind::NoMatch { closest: Some(0) }
            ),
            ("/facebooksession/participants/0/type", &MismatchKind::NotEqual),
        ]
    );
    let normalized = normalize(&wrong, notification, vars);
    assert_eq!(
        normalized.patch().len(),
        1,
        "only the participant type differs: {}",
        unified_diff(&normalized)
    );
}

#[tokio::test]
async fn cli_reports_no_match_with_the_closest_candidate() {
    let complete = std::fs::read_to_string(root().join("scenarios/facebook/complete.yaml"))
        .expect("the Complete scenario is readable");
    let cut = complete
        .find("            participants:")
        .expect("the Complete scenario expects participants");
    let scenario = format!(
        "{}            participants: [$contains, {{type: Agent, nickname: VitaliyOnv}}]\n",
        &complete[..cut]
    );
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("contains.yaml");
    std::fs::write(&path, scenario).expect("the scenario is written");
    let output = run_cli(&["verify", &path.to_string_lossy()]).await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    let ids = regex::Regex::new(r"\b[0-9A-Z]{16}\b").expect("valid regex");
    let stdout = redact(&output.stdout).replace(&dir.path().to_string_lossy().into_owned(), "[dir]");
    insta::assert_snapshot!(ids.replace_all(&stdout, "[id]"));
}

#[test]
fn shipped_scenarios_have_well_formed_matchers() {
    let pattern = root().join("scenarios/**/*.yaml");
    let files: Vec<_> = glob::glob(&pattern.to_string_lossy())
        .expect("a valid glob")
        .collect::<Result<_, _>>()
        .expect("scenario files are readable");
    assert!(!files.is_empty(), "scenarios/ holds scenarios");
    for file in files {
        let loaded = load_file(&file).unwrap_or_else(|d| panic!("{} loads: {d:#?}", file.display()));
        let mut expectations: Vec<&Value> = Vec::new();
        for step in &loaded.scenario.steps {
            expectations.extend(step.value.response.as_ref().and_then(|r| r.value.body.as_ref()));
            for (_, values) in &step.value.notifications.0 {
                expectations.extend(values.iter().map(|v| &v.value));
            }
        }
        assert!(!expectations.is_empty(), "{} expects something", file.display());
        for expected in expectations {
            assert_eq!(lint(expected), [], "{}: {expected}", file.display());
        }
    }
}
