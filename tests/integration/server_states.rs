//! The state machine: every operation in every state (and role) gives the documented result
//! or statusCode 2, and the synchronous errors of reference §4.1 (1 missing parameter,
//! 6 unknown session, 10 bad input, 20 not authenticated).

use gws_contract::server::ServerConfig;
use gws_contract::verdict::OPERATIONS;
use serde_json::{Value, json};

use crate::server_wire::{Agent, hook};
use crate::support::start_server;

/// Where the acting agent stands before the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Situation {
    /// agent1 has been offered the session.
    Offered,
    /// agent1 chats alone.
    Alone,
    /// agent1 chats with agent2 as its consultant.
    PrimaryWithConsultant,
    /// agent2 is agent1's consultant.
    Consultant,
    /// agent2 is in a conference with agent1.
    ConferenceMember,
    /// agent1 left after chatting alone.
    LeftChat,
    /// agent1 completed.
    Completed,
}

const SITUATIONS: [Situation; 7] = [
    Situation::Offered,
    Situation::Alone,
    Situation::PrimaryWithConsultant,
    Situation::Consultant,
    Situation::ConferenceMember,
    Situation::LeftChat,
    Situation::Completed,
];

impl Situation {
    fn actor(self) -> &'static str {
        match self {
            Situation::Consultant | Situation::ConferenceMember => "agent2",
            _ => "agent1",
        }
    }

    /// The state the actor is in.
    fn state(self) -> &'static str {
        match self {
            Situation::Offered => "Invited",
            Situation::LeftChat => "LeftChat",
            Situation::Completed => "Completed",
            _ => "Chatting",
        }
    }

    /// Another agent chatting in the session, if any.
    fn partner(self) -> Option<&'static str> {
        match self {
            Situation::PrimaryWithConsultant => Some("agent2"),
            Situation::Consultant | Situation::ConferenceMember => Some("agent1"),
            _ => None,
        }
    }

    /// Creates the session; returns (session id, hook reply).
    async fn enter(self, base: &str) -> (String, Value) {
        self.enter_as(base, &Agent::new(base, "agent1")).await
    }

    /// Creates the session, finishing it (Leave, Complete) as `agent1`.
    async fn enter_as(self, base: &str, agent1: &Agent) -> (String, Value) {
        let reply = match self {
            Situation::Offered => hook(base, "facebook session offered", json!({"agent": "agent1"})).await,
            Situation::Alone | Situation::LeftChat | Situation::Completed => {
                hook(base, "facebook session chatting", json!({"agents": ["agent1"]})).await
            }
            Situation::PrimaryWithConsultant | Situation::Consultant => {
                hook(
                    base,
                    "facebook session chatting",
                    json!({"agents": ["agent1", "agent2"], "mode": "consult"}),
                )
                .await
            }
            Situation::ConferenceMember => {
                hook(
                    base,
                    "facebook session chatting",
                    json!({"agents": ["agent1", "agent2"], "mode": "conference"}),
                )
                .await
            }
        };
        let id = reply["id"].as_str().expect("session id").to_owned();
        let finish = match self {
            Situation::LeftChat => Some("Leave"),
            Situation::Completed => Some("Complete"),
            _ => None,
        };
        if let Some(op) = finish {
            let (status, body) = agent1.op(&id, json!({"operationName": op})).await;
            assert_eq!((status, &body), (200, &json!({"statusCode": 0})), "{op}");
        }
        (id, reply)
    }
}

/// A valid request for `op` in `situation`.
fn request(op: &str, situation: Situation, base: &str) -> Value {
    let user_uri = |user: &str| format!("{base}/api/v2/users/{user}");
    let mut body = match op {
        "Accept" => json!({"nickname": "Nick"}),
        "SendMessage" | "SendToAgents" => json!({"text": "hello"}),
        "AddComment" => json!({"comment": "a comment"}),
        "SetDisposition" => json!({"disposition": "Resolved"}),
        "AttachUserData" | "UpdateUserData" => json!({"userData": {"K": "V", "N": 1}}),
        "DeleteUserData" => json!({"keys": ["K"]}),
        "Transfer" => json!({"targetUri": user_uri(situation.partner().unwrap_or("agent3"))}),
        "Consult" | "Invite" => json!({"targetUri": user_uri("agent3")}),
        "RemoveParticipantFromConference" => {
            json!({"targetUri": user_uri(situation.partner().unwrap_or("agent3"))})
        }
        _ => json!({}),
    };
    body["operationName"] = json!(op);
    body
}

/// The actor's state after `op` in each situation, or `None` for statusCode 2; columns follow
/// [`SITUATIONS`]: Offered, Alone, PrimaryWithConsultant, Consultant, ConferenceMember,
/// LeftChat, Completed.
fn documented(op: &str) -> [Option<&'static str>; 7] {
    const C: Option<&str> = Some("Chatting");
    const L: Option<&str> = Some("LeftChat");
    const D: Option<&str> = Some("Completed");
    const N: Option<&str> = None;
    match op {
        "Accept" => [C, N, N, N, N, N, N],
        "Reject" => [D, N, N, N, N, N, N],
        "SendMessage" | "SendStartTypingNotification" | "SendStopTypingNotification" => [N, C, C, C, C, N, N],
        "SendToAgents" | "SendStartTypingToAgentsNotification" | "SendStopTypingToAgentsNotification" => {
            [N, N, C, C, C, N, N]
        }
        "AddComment" | "SetDisposition" | "AttachUserData" | "UpdateUserData" | "DeleteUserData"
        | "SetInFocus" => [N, C, C, C, C, L, N],
        "Transfer" => [N, D, D, N, N, N, N],
        "Consult" | "Invite" => [N, C, C, N, N, N, N],
        "RemoveParticipantFromConference" => [N, N, C, N, N, N, N],
        // Alone, Leave keeps the agent in LeftChat to wrap up; leaving a conference ends it.
        "Leave" => [N, L, D, D, D, N, N],
        // A consultant leaves rather than completes.
        "Complete" => [N, D, D, N, D, D, N],
        other => panic!("no row for {other}"),
    }
}

#[tokio::test]
async fn server_every_operation_in_every_state_gives_its_result_or_status_2() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut agent1 = Agent::listening(&base, "agent1").await;
    let mut agent2 = Agent::listening(&base, "agent2").await;
    let mut problems = Vec::new();
    for op in OPERATIONS {
        for (column, situation) in SITUATIONS.into_iter().enumerate() {
            let (id, _) = situation.enter_as(&base, &agent1).await;
            let actor = if situation.actor() == "agent1" {
                &mut agent1
            } else {
                &mut agent2
            };
            // Only what the operation causes counts, not what setting up the situation did.
            actor.drain().await;
            let (status, body) = actor.op(&id, request(op, situation, &base)).await;
            let after = actor.view(&id).await;
            let notified = actor.drain().await;
            let case = format!("{op} in {situation:?}");
            match documented(op)[column] {
                Some(state) => {
                    if status != 200 || body["statusCode"] != 0 {
                        problems.push(format!("{case}: expected success, got HTTP {status} {body}"));
                    } else if after["state"] != state {
                        problems.push(format!("{case}: state {} instead of {state}", after["state"]));
                    } else if notified.is_empty() {
                        problems.push(format!("{case}: the acting agent was not notified"));
                    }
                }
                None => {
                    if status != 400 || body["statusCode"] != 2 || !body["statusMessage"].is_string() {
                        problems.push(format!("{case}: expected statusCode 2, got HTTP {status} {body}"));
                    } else if after["state"] != situation.state() || !notified.is_empty() {
                        problems.push(format!(
                            "{case}: a refused operation changed something: {} {notified:?}",
                            after["state"]
                        ));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[tokio::test]
async fn server_rendered_capabilities_follow_the_documented_lists() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let single = json!([
        "Transfer",
        "Complete",
        "Leave",
        "InFocus",
        "SendMessage",
        "SendStartTypingNotification",
        "SendStopTypingNotification"
    ]);
    let left = json!([
        "SetInFocus",
        "Complete",
        "SetDisposition",
        "AttachUserData",
        "DeleteUserData",
        "UpdateUserData"
    ]);
    for (situation, expected) in [
        (Situation::Offered, json!(["Accept", "Reject"])),
        (Situation::Alone, single),
        (Situation::LeftChat, left),
        (Situation::Completed, json!([])),
    ] {
        let (id, _) = situation.enter(&base).await;
        let view = Agent::new(&base, "agent1").view(&id).await;
        assert_eq!(view["capabilities"], expected, "{situation:?}");
        assert_eq!(view["state"], situation.state());
    }
}

#[tokio::test]
async fn server_missing_parameters_answer_status_1() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let agent = Agent::new(&base, "agent1");
    for (op, missing) in [
        ("SendMessage", "text"),
        ("AddComment", "comment"),
        ("SetDisposition", "disposition"),
        ("AttachUserData", "userData"),
        ("UpdateUserData", "userData"),
        ("DeleteUserData", "keys"),
        ("Transfer", "targetUri"),
        ("Consult", "targetUri"),
        ("Invite", "targetUri"),
    ] {
        let (id, _) = Situation::Alone.enter(&base).await;
        let (status, body) = agent.op(&id, json!({"operationName": op})).await;
        assert_eq!((status, &body["statusCode"]), (400, &json!(1)), "{op}: {body}");
        let message = body["statusMessage"].as_str().unwrap_or_default();
        assert!(message.contains(missing), "{op}: {message}");
    }
    let (id, _) = Situation::PrimaryWithConsultant.enter(&base).await;
    let (status, body) = agent
        .op(&id, json!({"operationName": "RemoveParticipantFromConference"}))
        .await;
    assert_eq!((status, &body["statusCode"]), (400, &json!(1)), "{body}");
    let (status, body) = agent.op(&id, json!({"queueName": "Q"})).await;
    assert_eq!((status, &body["statusCode"]), (400, &json!(1)), "{body}");
    assert!(
        body["statusMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("operationName")
    );
}

#[tokio::test]
async fn server_bad_input_answers_gws_errors_never_a_crash() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let agent = Agent::new(&base, "agent1");
    let (id, _) = Situation::Alone.enter(&base).await;
    let cases = [
        (json!({"operationName": "Explode"}), 400, 10),
        (json!({"operationName": 7}), 400, 10),
        (json!({"operationName": "SendMessage", "text": 5}), 400, 10),
        (json!({"operationName": "SendMessage", "text": ["a"]}), 400, 10),
        (
            json!({"operationName": "AttachUserData", "userData": {"a": {"deep": 1}}}),
            400,
            10,
        ),
        (
            json!({"operationName": "AttachUserData", "userData": [1]}),
            400,
            10,
        ),
        (json!({"operationName": "DeleteUserData", "keys": "K"}), 400, 10),
        (
            json!({"operationName": "Consult", "targetUri": "/users/nobody"}),
            404,
            6,
        ),
        (
            json!({"operationName": "Consult", "targetUri": "/contacts/5c7c"}),
            404,
            6,
        ),
        (
            json!({"operationName": "Consult", "targetUri": "/queues/q1"}),
            400,
            2,
        ),
        (
            json!({"operationName": "Consult", "targetUri": "/users/agent1"}),
            400,
            10,
        ),
        (
            json!({"operationName": "SetDisposition", "disposition": "x", "dispositionKey": ""}),
            400,
            10,
        ),
    ];
    for (body, http, code) in cases {
        let (status, reply) = agent.op(&id, body.clone()).await;
        assert_eq!(
            (status, &reply["statusCode"]),
            (http, &json!(code)),
            "{body} → {reply}"
        );
        assert!(reply["statusMessage"].is_string(), "{reply}");
    }
    for raw in ["{", "[1,2]", "\"text\"", "", "{\"operationName\":\"Complete\""] {
        let (status, reply) = crate::server_wire::send(
            agent
                .request(
                    reqwest::Method::POST,
                    &format!("/api/v2/me/facebooksessions/{id}"),
                )
                .header("content-type", "application/json")
                .body(raw),
        )
        .await;
        assert_eq!(
            (status, &reply["statusCode"]),
            (400, &json!(10)),
            "{raw:?} → {reply}"
        );
    }
    // Nothing above changed the session.
    assert_eq!(agent.view(&id).await["state"], "Chatting");
}

#[tokio::test]
async fn server_unknown_sessions_answer_status_6() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let (id, _) = Situation::Alone.enter(&base).await;
    let outsider = Agent::new(&base, "agent3");
    for (who, session) in [("agent1", "NOSUCHSESSION000"), ("agent3", id.as_str())] {
        let agent = if who == "agent3" {
            &outsider
        } else {
            &Agent::new(&base, who)
        };
        let (status, body) = agent.op(session, json!({"operationName": "Complete"})).await;
        assert_eq!((status, &body["statusCode"]), (404, &json!(6)), "{who}: {body}");
        let (status, body) = agent.get(&format!("/api/v2/facebooksessions/{session}")).await;
        assert_eq!((status, &body["statusCode"]), (404, &json!(6)), "{who}: {body}");
    }
}

#[tokio::test]
async fn server_session_reads_list_and_show_the_agents_view() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let (id, reply) = Situation::Alone.enter(&base).await;
    let agent = Agent::new(&base, "agent1");
    let (status, list) = agent.get("/api/v2/me/facebooksessions").await;
    assert_eq!(status, 200);
    assert_eq!(list["statusCode"], 0);
    assert_eq!(list["uris"], json!([reply["uri"]]));
    let (_, full) = agent.get("/api/v2/me/facebooksessions?fields=*").await;
    assert_eq!(full["facebooksessions"][0]["id"], id.as_str());
    let (_, messages) = agent
        .get(&format!("/api/v2/me/facebooksessions/{id}/messages"))
        .await;
    let types: Vec<&str> = messages["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["type"].as_str())
        .collect();
    assert_eq!(types, ["ParticipantJoined", "Text", "ParticipantJoined"]);
    let (_, me) = agent.get("/api/v2/me").await;
    assert_eq!(me["user"]["userName"], "agent1");
    let (_, none) = Agent::new(&base, "agent2")
        .get("/api/v2/me/facebooksessions")
        .await;
    assert_eq!(none["uris"], json!([]));
}
