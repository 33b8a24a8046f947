//! Sessions kept across scenarios: a job slot logs each actor in once, slots that share a user
//! share its session, `sessions: fresh` scenarios get their own, a dropped session is logged
//! into again, and the embedded server gives each slot users of its own. Logins are counted
//! as the HTTP sessions the reference server handed out.

use std::path::Path;
use std::sync::Arc;

use gws_contract::golden::RiskClass;
use gws_contract::runner::{
    EventSink, Job, Purpose, RunControl, RunEvent, RunOptions, ScenarioPlan, run_all,
};
use gws_contract::scenario::{LoadedScenario, load_str};
use gws_contract::server::ServerConfig;
use gws_contract::suite::run_inline_all;
use gws_contract::target::{Secret, Target};
use gws_contract::verdict::{GoldenInput, Verdict, judge};
use serde_json::Value;

use crate::support::{root, run_cli, start_server, target_for, write};

/// The shipped seed scenario `seed` under the name `name`, with `extra` top-level keys.
pub fn seed_copy(seed: &str, name: &str, extra: &str) -> String {
    let path = root().join(format!("scenarios/facebook/{seed}.yaml"));
    let text = std::fs::read_to_string(&path).expect("seed scenario");
    let renamed: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("name: ") {
                format!("name: {name}\n{extra}")
            } else {
                line.to_owned()
            }
        })
        .collect();
    renamed.join("\n")
}

fn load(name: &str, text: &str) -> LoadedScenario {
    load_str(Path::new(&format!("{name}.yaml")), text.to_owned()).expect("scenario loads")
}

fn copies(seeds: &[&str], count: usize, extra: &str) -> Vec<LoadedScenario> {
    (0..count)
        .map(|i| {
            let seed = seeds[i % seeds.len()];
            let name = format!("{i:03}-{seed}");
            load(&name, &seed_copy(seed, &name, extra))
        })
        .collect()
}

fn assert_all_passed(outcomes: &[gws_contract::verdict::ScenarioOutcome]) {
    for outcome in outcomes {
        assert_eq!(
            outcome.verdict,
            Verdict::Passed,
            "{}: {:#?}",
            outcome.name,
            outcome.failures
        );
    }
}

#[tokio::test]
async fn sessions_a_job_slot_logs_in_once_for_all_its_scenarios() {
    let server = start_server(ServerConfig::default()).await;
    let outcomes = run_inline_all(
        copies(&["complete", "leave"], 6, ""),
        target_for(&server),
        &RunOptions::default(),
        1,
    )
    .await;
    assert_all_passed(&outcomes);
    assert_eq!(server.stats().http_sessions, 1, "agent1 logged in once");
    assert_eq!(
        server.stats().clients,
        0,
        "the run's end disconnects its sessions"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn sessions_fresh_scenarios_log_in_on_their_own() {
    let server = start_server(ServerConfig::default()).await;
    let mut scenarios = copies(&["complete"], 2, "");
    scenarios.extend((0..2).map(|i| {
        let name = format!("fresh-{i}");
        load(&name, &seed_copy("leave", &name, "sessions: fresh\n"))
    }));
    let outcomes = run_inline_all(scenarios, target_for(&server), &RunOptions::default(), 1).await;
    assert_all_passed(&outcomes);
    assert_eq!(
        server.stats().http_sessions,
        3,
        "one login kept for the reused scenarios, one for each fresh one"
    );
    server.shutdown().await;
}

/// Without user pools every slot logs in as the same users: they share one session per user,
/// so the server sends each notification once, and every scenario still gets its own.
#[tokio::test]
async fn sessions_slots_sharing_users_share_their_sessions_and_lose_nothing() {
    let server = start_server(ServerConfig::default()).await;
    let scenarios = copies(
        &[
            "complete",
            "leave",
            "set-disposition",
            "remove-participant-from-conference",
        ],
        48,
        // Generous: this test is about arrival, not speed, and shares two cores with others.
        "timeout: 60s\n",
    );
    let outcomes = run_inline_all(scenarios, target_for(&server), &RunOptions::default(), 48).await;
    assert_all_passed(&outcomes);
    assert_eq!(
        server.stats().http_sessions,
        2,
        "agent1 and agent2 logged in once each"
    );
    server.shutdown().await;
}

/// Each `sessions: fresh` scenario on a shared user opens a CometD session that receives every
/// notification to that user; hundreds at once made the traffic grow with the square of the
/// jobs until deliveries came after their steps' deadlines. At most 16 of them run at once.
#[tokio::test]
async fn sessions_fresh_scenarios_on_shared_users_are_not_all_opened_at_once() {
    let server = Arc::new(start_server(ServerConfig::default()).await);
    let scenarios: Vec<LoadedScenario> = (0..48)
        .map(|i| {
            let name = format!("fresh-{i:02}");
            load(
                &name,
                &seed_copy("complete", &name, "sessions: fresh\ntimeout: 60s\n"),
            )
        })
        .collect();
    let watching = Arc::clone(&server);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let finished = Arc::clone(&done);
    let watcher = tokio::spawn(async move {
        let mut most = 0;
        while !finished.load(std::sync::atomic::Ordering::Relaxed) {
            most = most.max(watching.stats().clients);
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        most
    });
    let outcomes = run_inline_all(scenarios, target_for(&server), &RunOptions::default(), 48).await;
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let most = watcher.await.expect("watcher");
    assert_all_passed(&outcomes);
    assert!(
        (1..=16).contains(&most),
        "at most 16 fresh sessions of the shared agent1 at once, saw {most}"
    );
}

const COMPLETE_AFTER_A_LOOK: &str = "
actors: [agent1]
given:
  - state: facebook session chatting
    params: { agents: [agent1] }
    capture: { session: /id }
steps:
  - actor: agent1
    request: { path: '/api/v2/me/facebooksessions/${session}' }
    response: { status: 200 }
  - actor: agent1
    request:
      method: POST
      path: /api/v2/me/facebooksessions/${session}
      body: { operationName: Complete }
    response: { status: 200, body: { statusCode: 0 } }
    notifications:
      agent1:
        - { notificationType: StatusChange, facebooksession: { id: '${session}', state: Completed } }
";

/// The server forgets every HTTP session between two scenarios: the first request of the
/// next one gets a new session, and the actor logs in again for its CSRF token before the
/// POST that needs it.
#[tokio::test]
async fn sessions_a_dropped_session_is_logged_into_again() {
    let server = Arc::new(
        start_server(ServerConfig {
            csrf: true,
            ..ServerConfig::default()
        })
        .await,
    );
    let base = url::Url::parse(&server.url()).expect("server URL");
    let mut target = Target::with_defaults(base, Secret::new("password"));
    target.csrf = true;
    let target = Arc::new(target);
    let scenarios: Vec<Arc<LoadedScenario>> = ["first", "second"]
        .iter()
        .map(|name| Arc::new(load(name, &format!("name: {name}\n{COMPLETE_AFTER_A_LOOK}"))))
        .collect();
    let jobs = scenarios
        .iter()
        .map(|loaded| Job {
            loaded: Arc::clone(loaded),
            plan: ScenarioPlan::derive(loaded, &RunOptions::default(), None, Purpose::Verify),
        })
        .collect();
    let forgetting = Arc::clone(&server);
    let events: EventSink = Arc::new(move |event: &RunEvent| {
        if let RunEvent::ScenarioObserved { index: 0, .. } = event {
            forgetting.forget_http_sessions();
        }
    });
    let transcripts = run_all(jobs, target, 1, events, RunControl::default()).await;
    for (loaded, transcript) in scenarios.iter().zip(transcripts) {
        let outcome = judge(
            loaded,
            transcript.expect("ran"),
            GoldenInput::NotConfigured,
            RiskClass::High,
        );
        assert_eq!(
            outcome.verdict,
            Verdict::Passed,
            "{}: {:#?}",
            outcome.name,
            outcome.failures
        );
    }
    assert_eq!(
        server.stats().http_sessions,
        1,
        "only the renewed session is left"
    );
}

const WHO_AM_I: &str = "
actors: [agent1]
steps:
  - actor: agent1
    request: { path: /api/v2/me }
    response: { status: 200 }
";

/// Each job slot of the embedded server logs agent1 in as a user of its own, and the goldens
/// would not tell them apart: user names are volatile there.
#[tokio::test]
async fn sessions_the_embedded_server_gives_each_job_slot_users_of_its_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).expect("scenario dir");
    for i in 0..4 {
        write(
            &scenarios,
            &format!("who-{i}.yaml"),
            &format!("name: who-{i}\n{WHO_AM_I}"),
        );
    }
    let report = dir.path().join("report.json");
    let empty = dir.path().join("golden");
    let output = run_cli(&[
        "verify",
        "--jobs",
        "4",
        "--golden",
        &empty.to_string_lossy(),
        "--report-json",
        &report.to_string_lossy(),
        &scenarios.to_string_lossy(),
    ])
    .await;
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&report).expect("report")).expect("JSON");
    let mut users: Vec<String> = json["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        .map(|s| {
            s.pointer("/transcript/exchanges/0/action/response/body/user/userName")
                .and_then(Value::as_str)
                .expect("a user name")
                .to_owned()
        })
        .collect();
    users.sort();
    assert_eq!(users, ["agent1", "agent1-2", "agent1-3", "agent1-4"]);
}
