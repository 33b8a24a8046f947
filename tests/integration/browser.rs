//! The HTML report and the HTML reference pages in a real browser: headless Chromium (the
//! system's, driven by the pinned playwright-core in `tests/browser`), and Mermaid's own
//! parser on every shipped diagram. Skipped, saying so, only when no Chromium is installed
//! (`.ci/run` installs it: `apt-get install chromium`).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use gws_contract::report::docs::DocsFormat;
use serde_json::{Value, json};

use crate::docs_pages::{mermaid_blocks, pages, shipped_scenarios};
use crate::node::{browser_dir, ensure_browser_packages};
use crate::support::{redact, run_cli};

/// Where Chromium may be installed (Debian's package first).
const CHROMIUM: &[&str] = &[
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
];

/// The installed Chromium, or `None` after saying the test is skipped and why.
fn chromium(test: &str) -> Option<PathBuf> {
    let found = CHROMIUM.iter().map(PathBuf::from).find(|p| p.is_file());
    if found.is_none() {
        eprintln!(
            "SKIPPED {test}: no Chromium found (looked for {}); install it with `apt-get install chromium` \
             (Debian/Ubuntu) to run the browser tests",
            CHROMIUM.join(", ")
        );
    }
    found
}

/// Runs `node inspect.mjs ARGS` with `stdin`, returning its JSON verdict.
fn inspect(browser: &Path, args: &[&str], stdin: Option<&str>) -> Value {
    ensure_browser_packages();
    let mut child = Command::new("node")
        .arg("inspect.mjs")
        .args(args)
        .current_dir(browser_dir())
        .env("GWS_CONTRACT_CHROMIUM", browser)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut input = child.stdin.take().expect("piped stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    let output = child.wait_with_output().expect("node finishes");
    assert!(
        output.status.success(),
        "node inspect.mjs {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("inspect.mjs prints JSON")
}

/// Common checks of a page seen at 1280 and 375 px: no console errors, nothing fetched, no
/// sideways scrolling of the page itself.
fn assert_clean(seen: &Value) {
    assert_eq!(seen["errors"], json!([]), "console errors");
    assert_eq!(seen["requests"], json!([]), "the page fetched something");
    for width in ["wide", "narrow"] {
        let o = &seen["overflow"][width];
        assert!(
            o["scrollWidth"].as_u64() <= o["width"].as_u64(),
            "the page overflows sideways at {width}: {o}"
        );
    }
}

#[tokio::test]
async fn html_report_in_chromium_has_a_lane_per_actor_a_mark_per_notification_and_links_failures_to_diffs() {
    let Some(browser) = chromium("html_report_in_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("html");
    let json_path = dir.path().join("run.json");
    let output = run_cli(&[
        "verify",
        "--report-html",
        &html.to_string_lossy(),
        "--report-json",
        &json_path.to_string_lossy(),
        "scenarios/facebook/complete.yaml",
        "scenarios/facebook/remove-participant-from-conference.yaml",
        "tests/fixtures/complete-wrong-state.yaml",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", redact(&output.stderr));
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("JSON report")).expect("JSON");
    let url = format!("file://{}", html.join("index.html").display());
    let seen = inspect(&browser, &["page", &url], None);
    assert_clean(&seen);
    let diagrams = seen["diagrams"].as_array().expect("diagrams");
    let scenarios = run["scenarios"].as_array().expect("scenarios");
    assert_eq!(diagrams.len(), scenarios.len(), "a diagram per scenario");
    assert_eq!(diagrams[0]["scenario"], "complete-wrong-state", "failures first");
    for scenario in scenarios {
        let name = scenario["name"].as_str().expect("name");
        let diagram = diagrams
            .iter()
            .find(|d| d["scenario"] == name)
            .unwrap_or_else(|| panic!("no diagram for {name}"));
        let mut actors = BTreeSet::new();
        let mut notifications = 0;
        for exchange in scenario["transcript"]["exchanges"].as_array().expect("exchanges") {
            for (actor, list) in exchange["notifications"].as_object().expect("per actor") {
                actors.insert(actor.clone());
                notifications += list.as_array().expect("list").len();
            }
        }
        let mut lanes: Vec<Value> = actors.into_iter().map(Value::from).collect();
        lanes.push(json!("GWS server"));
        assert_eq!(
            diagram["lanes"],
            Value::from(lanes),
            "{name}: one lane per actor and the server"
        );
        assert_eq!(
            diagram["notifications"], notifications,
            "{name}: one mark per notification"
        );
        let failing = scenario["verdict"] == "failed";
        assert_eq!(
            diagram["failed"].as_u64() > Some(0),
            failing,
            "{name}: red marks iff it failed"
        );
    }
    let link = &seen["link"];
    assert_eq!(link["href"], "#diff-1-1");
    assert_eq!(
        link["hash"], "#diff-1-1",
        "clicking the red mark navigated to the diff"
    );
    assert_eq!(link["found"], true);
    assert_eq!(link["inView"], true, "the diff is scrolled into view");
    let text = link["text"].as_str().expect("diff text");
    assert!(text.contains("notification 1 differs"), "{text}");
    assert!(text.contains("-    \"state\": \"LeftChat\","), "{text}");
}

#[tokio::test]
async fn html_reference_pages_in_chromium_draw_the_recorded_sequence() {
    let Some(browser) = chromium("html_reference_pages_in_chromium") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("reference");
    let output = run_cli(&["docs", "--format", "html", "--out", &out.to_string_lossy()]).await;
    assert_eq!(output.status.code(), Some(0), "{}", redact(&output.stderr));
    let page = out.join("facebook/remove-participant-from-conference.html");
    let seen = inspect(&browser, &["page", &format!("file://{}", page.display())], None);
    assert_clean(&seen);
    assert_eq!(
        seen["diagrams"],
        json!([{"scenario": null, "lanes": ["agent1", "agent2", "GWS server"], "notifications": 7, "failed": 0}])
    );
    let index = inspect(
        &browser,
        &["page", &format!("file://{}", out.join("index.html").display())],
        None,
    );
    assert_clean(&index);
}

/// Mermaid's own parser (the pinned `mermaid`, in Chromium) accepts the diagram of every
/// shipped page, and rejects a broken one (so the check is not vacuous).
#[test]
fn mermaid_parses_every_shipped_diagram() {
    let Some(browser) = chromium("mermaid_parses_every_shipped_diagram") else {
        return;
    };
    let files = pages(&shipped_scenarios(), DocsFormat::Markdown);
    let mut diagrams: Vec<String> = files.values().flat_map(|text| mermaid_blocks(text)).collect();
    assert_eq!(diagrams.len(), files.len() - 1);
    diagrams.push("sequenceDiagram\n    participant a\n    a->>: no target\n    par\n".to_owned());
    let seen = inspect(
        &browser,
        &["mermaid"],
        Some(&serde_json::to_string(&diagrams).expect("JSON")),
    );
    assert_eq!(seen["errors"], json!([]), "page errors");
    let results = seen["results"].as_array().expect("results");
    let (broken, shipped) = results.split_last().expect("results");
    assert_eq!(broken["ok"], false, "the broken diagram is rejected: {broken}");
    for (diagram, result) in diagrams.iter().zip(shipped) {
        assert_eq!(result["ok"], true, "{result}\n{diagram}");
        assert_eq!(result["type"], "sequence", "{diagram}");
    }
}
