//! Issue 13: the same two official CometD JS desktops against `serve --replay` of their
//! recording receive the same notifications, each on its own CometD session and in order,
//! as they did from the reference server — up to ids and timestamps.

use std::net::SocketAddr;

use gws_contract::server::{Library, ReplayServer};

use crate::proxy_support::{normalised, recorded, remove_then_complete};

#[tokio::test]
async fn replay_desktops_receive_what_they_received_from_the_reference_server() {
    let recorded = recorded().await;
    let library = Library::load(&recorded.golden).expect("the recording's golden loads");
    let replay = ReplayServer::start(SocketAddr::from(([127, 0, 0, 1], 0)), library)
        .await
        .expect("the playback starts");
    // Any password logs in: the playback has none to check.
    let run = remove_then_complete(&replay.url(), "agent1:anything,agent2:else").await;
    let counts: Vec<usize> = run.agents.notifications.values().map(Vec::len).collect();
    assert_eq!(counts, [4, 4]);
    assert_eq!(
        normalised(&run),
        recorded.normalised,
        "same notifications, in the same order, up to ids and timestamps"
    );
    let session = run.setup["id"].as_str().expect("a fresh session id");
    assert!(
        run.agents.notifications["agent2"]
            .iter()
            .all(|n| n.to_string().contains(session)),
        "the fresh ids are bound consistently"
    );
    assert_eq!(replay.sessions(), 0, "the teardown ended the replay session");
    replay.shutdown().await;
}
