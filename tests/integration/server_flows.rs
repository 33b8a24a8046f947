//! Multi-agent flows through HTTP + CometD: every participating agent is notified of every
//! operation, each with its own view; consultants stay hidden from the customer; the
//! documented Accept and Reject shapes; Transfer, Consult, Invite and their referenceIds.

use gws_contract::server::ServerConfig;
use serde_json::{Value, json};

use crate::server_wire::{Agent, hook};
use crate::support::start_server;

fn kinds(notifications: &[Value]) -> Vec<String> {
    notifications
        .iter()
        .map(|n| {
            let kind = n["notificationType"].as_str().unwrap_or("?");
            match n.pointer("/facebooksession/state").and_then(Value::as_str) {
                Some(state) => format!("{kind}:{state}"),
                None => {
                    let types: Vec<&str> = n["messages"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|m| m["type"].as_str())
                        .collect();
                    format!("{kind}:{}", types.join(","))
                }
            }
        })
        .collect()
}

fn nicknames(participants: &Value) -> Vec<String> {
    participants
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{}:{}",
                p["type"].as_str().unwrap_or("?"),
                p["nickname"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

async fn transcript(base: &str, session: &str) -> Vec<Value> {
    let reply = hook(base, "customer transcript", json!({"session": session})).await;
    reply["messages"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn server_offer_accept_reproduces_the_accept_page_shape() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut agent = Agent::listening(&base, "agent1").await;
    let reply = hook(
        &base,
        "facebook session offered",
        json!({"agent": "agent1", "customer": "PersonP"}),
    )
    .await;
    let id = reply["id"].as_str().expect("id");
    let offer = agent.drain().await;
    assert_eq!(kinds(&offer), ["StatusChange:Invited"]);
    assert_eq!(
        offer[0]["facebooksession"]["capabilities"],
        json!(["Accept", "Reject"])
    );

    let (status, body) = agent
        .op(id, json!({"operationName": "Accept", "nickname": "Marat"}))
        .await;
    assert_eq!((status, body), (200, json!({"statusCode": 0})));
    let got = agent.drain().await;
    assert_eq!(
        kinds(&got),
        [
            "StatusChange:Chatting",
            "ParticipantsUpdated:Chatting",
            "NewMessages:ParticipantJoined,Text,ParticipantJoined"
        ]
    );
    assert!(got[0]["referenceId"].is_u64());
    assert_eq!(got[0]["facebooksession"]["participants"], json!([]));
    assert!(got[1].get("referenceId").is_none());
    assert_eq!(
        nicknames(&got[1]["facebooksession"]["participants"]),
        ["Agent:Marat", "Customer:PersonP"]
    );
    let indices: Vec<&Value> = got[2]["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| &m["index"])
        .collect();
    assert_eq!(indices, [&json!(1), &json!(2), &json!(3)]);
}

#[tokio::test]
async fn server_reject_completes_without_capabilities_key() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut agent = Agent::listening(&base, "agent1").await;
    let reply = hook(&base, "facebook session offered", json!({"agent": "agent1"})).await;
    let id = reply["id"].as_str().expect("id");
    agent.drain().await;
    let (status, _) = agent.op(id, json!({"operationName": "Reject"})).await;
    assert_eq!(status, 200);
    let got = agent.drain().await;
    assert_eq!(kinds(&got), ["StatusChange:Completed"]);
    assert!(got[0]["facebooksession"].get("capabilities").is_none());
    assert_eq!(got[0]["facebooksession"]["participants"], json!([]));
    assert!(got[0]["referenceId"].is_u64());
}

#[tokio::test]
async fn server_consultation_stays_hidden_from_the_customer() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut a1 = Agent::listening(&base, "agent1").await;
    let mut a3 = Agent::listening(&base, "agent3").await;
    let reply = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await;
    let id = reply["id"].as_str().expect("id");

    let (status, consult) = a1
        .op(
            id,
            json!({"operationName": "Consult", "targetUri": format!("{base}/api/v2/users/agent3")}),
        )
        .await;
    assert_eq!(status, 200, "{consult}");
    let reference = consult["referenceId"].clone();
    assert!(reference.is_u64(), "{consult}");
    let got1 = a1.drain().await;
    assert_eq!(kinds(&got1), ["ParticipantsUpdated:Chatting"]);
    assert_eq!(got1[0]["referenceId"], reference);
    let got3 = a3.drain().await;
    assert_eq!(kinds(&got3), ["StatusChange:Invited"]);
    assert_eq!(got3[0]["referenceId"], reference);

    a3.op(id, json!({"operationName": "Accept"})).await;
    assert_eq!(
        kinds(&a3.drain().await),
        [
            "StatusChange:Chatting",
            "ParticipantsUpdated:Chatting",
            "NewMessages:ParticipantJoined,Text,ParticipantJoined,ParticipantJoined"
        ]
    );
    let got1 = a1.drain().await;
    assert_eq!(
        kinds(&got1),
        ["ParticipantsUpdated:Chatting", "NewMessages:ParticipantJoined"]
    );
    assert_eq!(got1[1]["messages"][0]["visibility"], "Agents");

    a3.op(
        id,
        json!({"operationName": "SendMessage", "text": "psst, agents only"}),
    )
    .await;
    a1.op(
        id,
        json!({"operationName": "SendMessage", "text": "How may I help you?"}),
    )
    .await;
    a1.op(id, json!({"operationName": "SendToAgents", "text": "between us"}))
        .await;
    a1.op(
        id,
        json!({"operationName": "SendStartTypingToAgentsNotification"}),
    )
    .await;
    for agent in [&mut a1, &mut a3] {
        let got = agent.drain().await;
        let visibility: Vec<&Value> = got.iter().map(|n| &n["messages"][0]["visibility"]).collect();
        assert_eq!(
            visibility,
            [
                &json!("Agents"),
                &json!("All"),
                &json!("Agents"),
                &json!("Agents")
            ],
            "{}",
            agent.name
        );
    }
    let seen: Vec<Value> = transcript(&base, id).await;
    assert!(seen.iter().all(|m| m["visibility"] == "All"), "{seen:#?}");
    let texts: Vec<&str> = seen.iter().filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(texts, ["Hello my friend!", "How may I help you?"]);

    hook(
        &base,
        "customer message",
        json!({"session": id, "text": "thanks"}),
    )
    .await;
    for agent in [&mut a1, &mut a3] {
        assert_eq!(
            kinds(&agent.drain().await),
            ["NewMessages:Text"],
            "{}",
            agent.name
        );
    }

    a1.op(
        id,
        json!({"operationName": "RemoveParticipantFromConference", "targetUri": format!("/users/agent3")}),
    )
    .await;
    assert_eq!(
        kinds(&a1.drain().await),
        [
            "NewMessages:Notice",
            "ParticipantsUpdated:Completed",
            "NewMessages:ParticipantLeft"
        ]
    );
    assert_eq!(
        kinds(&a3.drain().await),
        [
            "StatusChange:Chatting",
            "NewMessages:ParticipantLeft",
            "StatusChange:LeftChat",
            "StatusChange:Completed"
        ]
    );
    // Internally the remover keeps chatting, alone again.
    let view = a1.view(id).await;
    assert_eq!(view["state"], "Chatting");
    assert_eq!(view["capabilities"][0], "Transfer");
    assert_eq!(a3.view(id).await["state"], "Completed");
}

#[tokio::test]
async fn server_property_changes_reach_every_working_agent_with_its_own_view() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut a1 = Agent::listening(&base, "agent1").await;
    let mut a2 = Agent::listening(&base, "agent2").await;
    let reply = hook(
        &base,
        "facebook session chatting",
        json!({"agents": ["agent1", "agent2"]}),
    )
    .await;
    let id = reply["id"].as_str().expect("id");
    a1.op(
        id,
        json!({"operationName": "SetDisposition", "disposition": "Sold"}),
    )
    .await;
    let (g1, g2) = (a1.drain().await, a2.drain().await);
    for got in [&g1, &g2] {
        assert_eq!(kinds(got), ["PropertiesUpdated:Chatting"]);
        assert_eq!(got[0]["facebooksession"]["userData"]["DispositionCode"], "Sold");
    }
    assert_eq!(g1[0]["referenceId"], g2[0]["referenceId"]);
    assert!(
        g1[0]["facebooksession"]["capabilities"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("Consult")))
    );
    assert!(
        !g2[0]["facebooksession"]["capabilities"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("Consult")))
    );

    a2.op(
        id,
        json!({"operationName": "AttachUserData", "userData": {"A": "1", "B": 2}}),
    )
    .await;
    a2.op(
        id,
        json!({"operationName": "UpdateUserData", "userData": {"A": "one"}}),
    )
    .await;
    a2.op(
        id,
        json!({"operationName": "DeleteUserData", "keys": ["B", "nope"]}),
    )
    .await;
    a2.op(id, json!({"operationName": "AddComment", "comment": "noted"}))
        .await;
    let got = a1.drain().await;
    assert_eq!(got.len(), 4);
    let last = &got[3]["facebooksession"];
    assert_eq!(last["userData"]["A"], "one");
    assert!(last["userData"].get("B").is_none());
    assert_eq!(last["comment"], "noted");
    assert_eq!(a2.drain().await.len(), 4);
}

#[tokio::test]
async fn server_transfer_hands_the_session_over() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut a1 = Agent::listening(&base, "agent1").await;
    let mut a2 = Agent::listening(&base, "agent2").await;
    let reply = hook(&base, "facebook session chatting", json!({"agents": ["agent1"]})).await;
    let id = reply["id"].as_str().expect("id");
    let (_, me) = a2.get("/api/v2/me").await;
    let (status, body) = a1
        .op(
            id,
            json!({"operationName": "Transfer", "targetPath": me["user"]["path"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body["referenceId"].is_u64(), "{body}");
    assert_eq!(kinds(&a1.drain().await), ["StatusChange:Completed"]);
    assert_eq!(kinds(&a2.drain().await), ["StatusChange:Invited"]);
    a2.op(id, json!({"operationName": "Accept"})).await;
    assert_eq!(a2.view(id).await["capabilities"][0], "Transfer");
    let (status, body) = a2
        .op(id, json!({"operationName": "Transfer", "queueName": "Overflow"}))
        .await;
    assert_eq!((status, &body["statusCode"]), (200, &json!(0)), "{body}");
    assert_eq!(a2.view(id).await["state"], "Completed");
}

#[tokio::test]
async fn server_transfer_to_the_consultant_makes_it_visible_to_all() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut a1 = Agent::listening(&base, "agent1").await;
    let mut a2 = Agent::listening(&base, "agent2").await;
    let reply = hook(
        &base,
        "facebook session chatting",
        json!({"agents": ["agent1", "agent2"]}),
    )
    .await;
    let id = reply["id"].as_str().expect("id");
    let stranger = a1
        .op(
            id,
            json!({"operationName": "Transfer", "targetPath": "/users/agent3"}),
        )
        .await;
    assert_eq!(stranger.1["statusCode"], 2, "{}", stranger.1);
    let uri = reply["agents"]["agent2"]["uri"].clone();
    a1.op(id, json!({"operationName": "Transfer", "targetUri": uri}))
        .await;
    assert_eq!(kinds(&a1.drain().await), ["StatusChange:Completed"]);
    let got = a2.drain().await;
    assert_eq!(
        kinds(&got),
        ["ParticipantsUpdated:Chatting", "NewMessages:ParticipantLeft"]
    );
    let me = &got[0]["facebooksession"]["participants"][1];
    assert_eq!(me["nickname"], "agent2");
    assert_eq!(me["visibility"], "All");
    a2.op(id, json!({"operationName": "SendMessage", "text": "I take over"}))
        .await;
    let last = transcript(&base, id).await;
    assert_eq!(last.last().and_then(|m| m["text"].as_str()), Some("I take over"));
}

#[tokio::test]
async fn server_ending_a_conference_moves_everyone_consistently() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut a1 = Agent::listening(&base, "agent1").await;
    let mut a2 = Agent::listening(&base, "agent2").await;
    let mut a3 = Agent::listening(&base, "agent3").await;
    let params = json!({"agents": ["agent1", "agent2", "agent3"], "mode": "conference"});
    let id = hook(&base, "facebook session chatting", params.clone()).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    a2.op(&id, json!({"operationName": "Leave"})).await;
    assert_eq!(
        kinds(&a2.drain().await),
        ["StatusChange:LeftChat", "StatusChange:Completed"]
    );
    for agent in [&mut a1, &mut a3] {
        let got = agent.drain().await;
        assert_eq!(
            kinds(&got),
            ["ParticipantsUpdated:Chatting", "NewMessages:ParticipantLeft"]
        );
        assert_eq!(
            nicknames(&got[0]["facebooksession"]["participants"]),
            ["Customer:VitaliyOnv", "Agent:agent1", "Agent:agent3"]
        );
    }
    // The primary completing ends the chat for the customer: the others go to LeftChat.
    a1.op(&id, json!({"operationName": "Complete"})).await;
    assert_eq!(kinds(&a1.drain().await), ["StatusChange:Completed"]);
    let got = a3.drain().await;
    assert_eq!(kinds(&got), ["StatusChange:LeftChat"]);
    assert_eq!(got[0]["facebooksession"]["capabilities"][0], "SetInFocus");
    a3.op(&id, json!({"operationName": "Complete"})).await;
    assert_eq!(a3.view(&id).await["state"], "Completed");

    // The primary leaving a conference hands it to the next agent.
    let id = hook(&base, "facebook session chatting", params).await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    a1.op(&id, json!({"operationName": "Leave"})).await;
    let view = a2.view(&id).await;
    assert!(
        view["capabilities"]
            .as_array()
            .is_some_and(|c| c.contains(&json!("Invite"))),
        "{view}"
    );
}

#[tokio::test]
async fn server_invitations_and_their_rejection_reach_every_chatting_agent() {
    let server = start_server(ServerConfig::default()).await;
    let base = server.url();
    let mut a1 = Agent::listening(&base, "agent1").await;
    let mut a2 = Agent::listening(&base, "agent2").await;
    let mut a3 = Agent::listening(&base, "agent3").await;
    let reply = hook(
        &base,
        "facebook session chatting",
        json!({"agents": ["agent1", "agent2"], "mode": "conference"}),
    )
    .await;
    let id = reply["id"].as_str().expect("id");
    let (_, invite) = a1
        .op(
            id,
            json!({"operationName": "Invite", "targetPath": "/users/agent3"}),
        )
        .await;
    let reference = &invite["referenceId"];
    for agent in [&mut a1, &mut a2] {
        let got = agent.drain().await;
        assert_eq!(kinds(&got), ["ParticipantsUpdated:Chatting"], "{}", agent.name);
        assert_eq!(&got[0]["referenceId"], reference);
    }
    let offer = a3.drain().await;
    assert_eq!(kinds(&offer), ["StatusChange:Invited"]);
    a3.op(id, json!({"operationName": "Reject"})).await;
    assert_eq!(kinds(&a3.drain().await), ["StatusChange:Completed"]);
    for agent in [&mut a1, &mut a2] {
        assert_eq!(
            kinds(&agent.drain().await),
            ["ParticipantsUpdated:Chatting"],
            "{}",
            agent.name
        );
    }
    // Declined, the agent may be invited again.
    let (status, _) = a2
        .op(
            id,
            json!({"operationName": "Invite", "targetPath": "/users/agent3"}),
        )
        .await;
    assert_eq!(status, 400, "a conference member does not invite");
    let (status, body) = a1
        .op(
            id,
            json!({"operationName": "Invite", "targetPath": "/users/agent3"}),
        )
        .await;
    assert_eq!((status, &body["statusCode"]), (200, &json!(0)), "{body}");
}
