//! Issue 12, items 4 and 5 at the client: every Bayeux exchange is bounded. A handshake that is
//! never answered fails after the request timeout; a `/meta/connect` never answered within the
//! advised hold plus the request timeout ends the session with `Delivery::Stalled` naming the
//! endpoint; absurd advice is clamped and said so; a body over the limit ends the session.
//! Durations are asserted as the values the client reports, never as wall-clock time.

use std::time::Duration;

use gws_contract::bayeux::{AdviceClamp, BayeuxError, Delivery, Inbox};
use serde_json::json;

use crate::bayeux_fake::{Answer, FakeBayeux, ok};

/// The next delivery (a guard against hangs, not a timing assertion).
async fn next(inbox: &mut Inbox) -> Delivery {
    tokio::time::timeout(Duration::from_secs(60), inbox.recv())
        .await
        .expect("a delivery within the hang guard")
        .expect("the inbox is open")
}

fn handshake_with_advice(
    advice: serde_json::Value,
) -> impl FnOnce(&gws_contract::bayeux::Message, &str) -> Answer {
    move |m, _| {
        Answer::Messages(vec![json!({
            "channel": m.channel, "id": m.id, "successful": true, "clientId": "c1", "version": "1.0",
            "supportedConnectionTypes": ["long-polling"], "advice": advice,
        })])
    }
}

#[tokio::test]
async fn an_unanswered_handshake_fails_after_the_request_timeout() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/handshake", |_, _| Answer::Hang);
    let result = tokio::time::timeout(
        Duration::from_secs(60),
        fake.try_client_with(|c| c.request_timeout = Duration::from_millis(300)),
    )
    .await
    .expect("the handshake must give up on its own");
    match result {
        Err(BayeuxError::Timeout { url, after }) => {
            assert_eq!(url, fake.endpoint().to_string());
            assert_eq!(after, Duration::from_millis(300));
        }
        Err(other) => panic!("expected a timeout, got {other}"),
        Ok(_) => panic!("expected a timeout, got a session"),
    }
}

#[tokio::test]
async fn an_unanswered_subscribe_fails_after_the_request_timeout() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/subscribe", |_, _| Answer::Hang);
    let result = fake
        .try_client_with(|c| c.request_timeout = Duration::from_millis(300))
        .await;
    assert!(
        matches!(result, Err(BayeuxError::Timeout { after, .. }) if after == Duration::from_millis(300)),
        "{:?}",
        result.err()
    );
}

#[tokio::test]
async fn a_connect_never_answered_is_reported_as_a_stalled_long_poll() {
    let fake = FakeBayeux::start().await;
    fake.script(
        "/meta/handshake",
        handshake_with_advice(json!({"reconnect": "retry", "interval": 0, "timeout": 200})),
    );
    fake.script("/meta/connect", |_, _| Answer::Hang);
    let (_client, mut inbox) = fake
        .try_client_with(|c| c.request_timeout = Duration::from_millis(300))
        .await
        .expect("session starts");
    match next(&mut inbox).await {
        Delivery::Stalled(stall) => {
            assert_eq!(stall.url, fake.endpoint().to_string());
            assert_eq!(stall.hold, Duration::from_millis(200));
            assert_eq!(stall.waited, Duration::from_millis(500));
            insta::assert_snapshot!(
                stall
                    .to_string()
                    .replace(&fake.endpoint().to_string(), "[endpoint]")
            );
        }
        other => panic!("expected a stall, got {other:?}"),
    }
}

#[tokio::test]
async fn absurd_advice_is_clamped_and_reported() {
    let fake = FakeBayeux::start().await;
    fake.script(
        "/meta/handshake",
        handshake_with_advice(
            json!({"reconnect": "retry", "interval": 0, "timeout": 18446744073709551615u64}),
        ),
    );
    fake.script("/meta/connect", |m, _| {
        let mut reply = ok(m);
        reply["advice"] = json!({"interval": 9223372036854775807i64});
        Answer::Messages(vec![reply])
    });
    let (client, mut inbox) = fake.client().await;
    let mut clamps: Vec<AdviceClamp> = Vec::new();
    while clamps.len() < 2 {
        match next(&mut inbox).await {
            Delivery::AdviceClamped(clamp) => clamps.push(clamp),
            other => panic!("expected clamped advice, got {other:?}"),
        }
    }
    let said: Vec<String> = clamps.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(said.join("\n"));
    client.disconnect().await;
}

#[tokio::test]
async fn a_connect_body_over_the_limit_ends_the_session_naming_the_limit() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/connect", |_, _| {
        Answer::Body(format!("[{}]", " ".repeat(100_000)))
    });
    let (_client, mut inbox) = fake
        .try_client_with(|c| c.max_body = 64 * 1024)
        .await
        .expect("session starts");
    match next(&mut inbox).await {
        Delivery::Failed { reason } => {
            assert_eq!(
                reason.replace(&fake.endpoint().to_string(), "[endpoint]"),
                "the reply from CometD endpoint [endpoint] is longer than 64 KiB (--max-body); reading \
                 stopped there"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}
