//! Seed fidelity: for each of the four vendor pages, drive the operation through the public
//! HTTP + CometD interface and compare every agent's notifications with the page's sequence,
//! transcribed in `tests/fixtures/seeds/*.json`, field by field for every field the page
//! shows.
//!
//! The page values are turned into expectations for the project's lenient matcher: literal
//! everywhere, except the environment-specific fields the fixtures list (`environmentSpecific`):
//! the page's ids become the ids of the session, participants and users of this run; URIs are
//! compared by path; timestamps by type; referenceIds by type, and separately for being the
//! same integer across the operation; a notification without referenceId on the page must
//! have none. Extra keys the server sends are allowed (DESIGN.md §4); extra or missing
//! notifications are not.

use std::collections::BTreeMap;

use gws_contract::matching::{Vars, match_value};
use gws_contract::server::ServerConfig;
use serde_json::{Map, Value, json};

use crate::server_wire::{Agent, hook};
use crate::support::{root, start_server};

/// The page id → this run's id, for every environment-specific id the page shows.
struct Ids(Vec<(String, String)>);

impl Ids {
    fn substitute(&self, text: &str) -> String {
        self.0.iter().fold(text.to_owned(), |text, (page, ours)| {
            text.replace(page.as_str(), ours)
        })
    }
}

/// The path of a URL as the pages print it (`"http: //host: 8090/api/…"`).
fn path_of(text: &str) -> String {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let after_scheme = compact
        .split_once("://")
        .map_or(compact.as_str(), |(_, rest)| rest);
    after_scheme
        .find('/')
        .map_or_else(String::new, |i| after_scheme[i..].to_owned())
}

/// The page's value as an expectation (see the module docs).
fn expectation(key: &str, value: &Value, ids: &Ids) -> Value {
    match (key, value) {
        ("referenceId" | "timestampSeconds", _) => json!("$type:integer"),
        ("timestamp" | "receivedDate", _) => json!("$type:string"),
        ("uri" | "facebooksessionUri", Value::String(text)) => {
            json!(format!("$uri:{}", ids.substitute(&path_of(text))))
        }
        ("suggestedQueueUris", Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|item| json!(format!("$uri:{}", path_of(item.as_str().unwrap_or_default()))))
                .collect(),
        ),
        (_, Value::String(text)) => json!(ids.substitute(text)),
        (_, Value::Array(items)) => Value::Array(items.iter().map(|v| expectation("", v, ids)).collect()),
        (_, Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), expectation(k, v, ids)))
                .collect(),
        ),
        (_, other) => other.clone(),
    }
}

/// Runs the page's operation and returns every mismatch, described, plus what arrived.
async fn check_seed(file: &str) -> (Vec<String>, BTreeMap<String, Vec<Value>>) {
    let text = std::fs::read_to_string(root().join("tests/fixtures/seeds").join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let page: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is JSON: {e}"));
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();

    let setup = &page["setup"];
    let mut params = setup["params"].clone();
    if let Some(pointer) = setup["userDataFrom"].as_str() {
        params["userData"] = page
            .pointer(pointer)
            .cloned()
            .expect("userDataFrom points at userData");
    }
    let expected: &Map<String, Value> = page["notifications"].as_object().expect("notifications by agent");
    let mut agents = BTreeMap::new();
    for name in expected.keys() {
        agents.insert(name.clone(), Agent::listening(&base, name).await);
    }
    let reply = hook(&base, setup["state"].as_str().expect("setup.state"), params).await;

    let env = &page["environment"];
    let mut ids = vec![(
        env["session"].as_str().expect("environment.session").to_owned(),
        reply["id"].as_str().expect("hook reply id").to_owned(),
    )];
    for (page_id, who) in env["participants"].as_object().expect("participants") {
        let ours = match who.as_str() {
            Some("customer") => &reply["customer"]["participantId"],
            Some(agent) => &reply["agents"][agent]["participantId"],
            None => panic!("participants map ids to names"),
        };
        ids.push((page_id.clone(), ours.as_str().expect("participant id").to_owned()));
    }
    for (page_id, who) in env["users"].as_object().expect("users") {
        let uri = reply["agents"][who.as_str().expect("user name")]["uri"]
            .as_str()
            .expect("agent uri in hook reply");
        let ours = uri.rsplit('/').next().expect("user id at the end of the uri");
        ids.push((page_id.clone(), ours.to_owned()));
    }
    let ids = Ids(ids);

    let actor = page["request"]["actor"].as_str().expect("request.actor");
    let body = expectation("", &page["request"]["body"], &ids);
    let session = reply["id"].as_str().expect("hook reply id");
    let (status, response) = agents[actor].op(session, body).await;
    let mut problems = Vec::new();
    if status != 200 || response != page["response"] {
        problems.push(format!("response: HTTP {status} {response}"));
    }

    let mut received = BTreeMap::new();
    let mut references = Vec::new();
    for (name, documented) in expected {
        let documented = documented.as_array().expect("a list per agent");
        let agent = agents.get_mut(name).expect("agent listening");
        let actual = agent.drain().await;
        if actual.len() != documented.len() {
            problems.push(format!(
                "{name}: {} notifications, the page shows {}",
                actual.len(),
                documented.len()
            ));
        }
        for (i, (doc, act)) in documented.iter().zip(&actual).enumerate() {
            let mut exp = expectation("", doc, &ids);
            if doc.get("referenceId").is_none() {
                exp["referenceId"] = json!("$absent");
            }
            for m in match_value(&exp, act, &Vars::new()) {
                problems.push(format!(
                    "{name} #{}: {} expected {} got {:?}",
                    i + 1,
                    m.pointer,
                    m.expected,
                    m.actual
                ));
            }
            if let Some(reference) = act.get("referenceId") {
                references.push(reference.clone());
            }
        }
        received.insert(name.clone(), actual);
    }
    if references.windows(2).any(|w| w[0] != w[1]) {
        problems.push(format!(
            "referenceIds differ within one operation: {references:?}"
        ));
    }
    server.shutdown().await;
    (problems, received)
}

#[tokio::test]
async fn server_seed_complete_matches_the_page() {
    let (problems, received) = check_seed("000-complete.json").await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(received["agent1"][0]["facebooksession"]["state"], "Completed");
}

#[tokio::test]
async fn server_seed_leave_matches_the_page() {
    let (problems, received) = check_seed("001-leave.json").await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(received["agent1"][0].get("referenceId").is_none());
}

#[tokio::test]
async fn server_seed_remove_participant_matches_the_page_for_both_agents() {
    let (problems, received) = check_seed("002-remove-participant-from-conference.json").await;
    assert!(problems.is_empty(), "{problems:#?}");
    let states: Vec<&Value> = received["agent2"]
        .iter()
        .map(|n| n.pointer("/facebooksession/state").unwrap_or(&Value::Null))
        .collect();
    assert_eq!(
        states,
        [
            &json!("Chatting"),
            &Value::Null,
            &json!("LeftChat"),
            &json!("Completed")
        ]
    );
}

#[tokio::test]
async fn server_seed_set_disposition_matches_the_page() {
    let (problems, received) = check_seed("003-set-disposition.json").await;
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        received["agent1"][0]["facebooksession"]["userData"]["DispositionCode"],
        "IssueResolved"
    );
}

/// The comparison itself must catch a deviation: the Complete page checked against a
/// server whose notification says another state fails on exactly that field.
#[tokio::test]
async fn server_seed_check_notices_a_wrong_state() {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/seeds/000-complete.json")).expect("fixture");
    let page: Value = serde_json::from_str(&text).expect("JSON");
    let ids = Ids(Vec::new());
    let exp = expectation("", &page["notifications"]["agent1"][0], &ids);
    let mut actual = page["notifications"]["agent1"][0].clone();
    actual["facebooksession"]["state"] = json!("LeftChat");
    actual["facebooksession"]["uri"] = json!("http://127.0.0.1:1/api/v2/facebooksessions/0002DaAVKJ0V0095");
    actual["facebooksession"]["suggestedQueueUris"] =
        json!(["http://127.0.0.1:1/api/v2/queues/41cc5016-2d18-4a91-93ec-b43748948608"]);
    let mismatches = match_value(&exp, &actual, &Vars::new());
    let pointers: Vec<&str> = mismatches.iter().map(|m| m.pointer.as_str()).collect();
    assert_eq!(pointers, ["/facebooksession/state"]);
}
