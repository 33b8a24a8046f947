//! Our Bayeux client against the scripted fake server: where events may arrive, advice,
//! failures (reconnect none, HTTP errors, malformed bodies), re-handshake in both dialects
//! of "unknown client", and a clean disconnect.

use std::time::Duration;

use gws_contract::bayeux::{BayeuxError, Delivery, Inbox};
use serde_json::{Value, json};

use crate::bayeux_fake::{Answer, CHANNEL, FakeBayeux, event, failed, ok, ok_with};

/// The next delivery (panics if none comes within 10 s: a guard, not a timing assertion).
async fn next(inbox: &mut Inbox) -> Delivery {
    tokio::time::timeout(Duration::from_secs(10), inbox.recv())
        .await
        .expect("a delivery within 10 s")
        .expect("the inbox is open")
}

/// The next delivery that is not a report of a failing or recovered long-poll.
async fn next_event(inbox: &mut Inbox) -> Delivery {
    loop {
        match next(inbox).await {
            Delivery::Trouble { .. } | Delivery::Recovered => {}
            other => return other,
        }
    }
}

async fn next_data(inbox: &mut Inbox) -> Value {
    match next_event(inbox).await {
        Delivery::Data { channel, data, .. } => {
            assert_eq!(channel, CHANNEL);
            data
        }
        other => panic!("expected data, got {other:?}"),
    }
}

async fn next_failure(inbox: &mut Inbox) -> String {
    match next_event(inbox).await {
        Delivery::Failed { reason } => reason,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn bayeux_events_in_any_response_and_any_order_are_delivered_in_order() {
    let fake = FakeBayeux::start().await;
    // Inside the subscribe reply, before the meta reply.
    fake.script("/meta/subscribe", |m, _| {
        Answer::Messages(vec![
            event(1),
            json!({"channel": m.channel, "id": m.id, "successful": true, "subscription": CHANNEL}),
        ])
    });
    // A batch of several events before the connect reply (CometD order).
    fake.script("/meta/connect", |m, _| {
        Answer::Messages(vec![event(2), event(3), ok(m)])
    });
    // After the connect reply, with ids and clientIds (Faye order).
    fake.script("/meta/connect", |m, c| {
        Answer::Messages(vec![
            ok(m),
            json!({"channel": CHANNEL, "id": "1p", "clientId": c, "data": {"n": 4}}),
        ])
    });
    let (client, mut inbox) = fake.client().await;
    for n in 1..=4 {
        assert_eq!(next_data(&mut inbox).await, json!({"n": n}));
    }
    client.close().await.expect("disconnect confirmed");
}

#[tokio::test]
async fn bayeux_first_connect_asks_for_no_hold_and_the_advised_interval_is_honoured() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/connect", |m, _| {
        Answer::Messages(vec![ok_with(
            m,
            json!({"reconnect": "retry", "interval": 300, "timeout": 60000}),
        )])
    });
    let (client, _inbox) = fake.client().await;
    let connects = fake.wait_for("/meta/connect", 2).await;
    let first = &connects[0].messages[0];
    let second = &connects[1].messages[0];
    assert_eq!(first.advice.as_ref().and_then(|a| a.timeout), Some(0));
    assert_eq!(second.advice, None, "only the first connect asks for no hold");
    assert_eq!(first.connection_type.as_deref(), Some("long-polling"));
    // A lower bound set by the advice, not a performance measurement.
    let answered = connects[0].answered.expect("the first connect was answered");
    let waited = connects[1].arrived.duration_since(answered);
    assert!(
        waited >= Duration::from_millis(300),
        "connected again after {waited:?}"
    );
    // Subscribed before the first connect.
    let channels: Vec<String> = fake.log().iter().map(|s| s.channel().to_owned()).collect();
    assert_eq!(
        channels[..3],
        ["/meta/handshake", "/meta/subscribe", "/meta/connect"]
    );
    client.close().await.expect("disconnect confirmed");
}

#[tokio::test]
async fn bayeux_reconnect_none_fails_with_the_server_error() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/connect", |m, _| {
        Answer::Messages(vec![failed(m, "403::go away", json!({"reconnect": "none"}))])
    });
    let (_client, mut inbox) = fake.client().await;
    let reason = next_failure(&mut inbox).await;
    assert_eq!(reason, "403::go away (advice reconnect: none)");
}

#[tokio::test]
async fn bayeux_http_errors_are_retried_a_bounded_number_of_times_then_fail() {
    let fake = FakeBayeux::start().await;
    for _ in 0..3 {
        fake.script("/meta/connect", |_, _| Answer::Raw(500, "boom"));
    }
    let (_client, mut inbox) = fake.client().await;
    let reason = next_failure(&mut inbox).await;
    assert!(
        reason.starts_with("gave up after 3 failed /meta/connect attempts in a row"),
        "{reason}"
    );
    assert!(
        reason.contains("answered HTTP 500 with body \"boom\""),
        "{reason}"
    );
    // The loop has ended: no connect after the third.
    assert_eq!(
        fake.log()
            .iter()
            .filter(|s| s.channel() == "/meta/connect")
            .count(),
        3
    );
}

#[tokio::test]
async fn bayeux_transient_errors_then_success_recover_without_losing_the_session() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/connect", |_, _| Answer::Raw(502, ""));
    fake.script("/meta/connect", |_, _| Answer::Raw(200, "<html>proxy</html>"));
    fake.script("/meta/connect", |m, _| Answer::Messages(vec![event(7), ok(m)]));
    let (client, mut inbox) = fake.client().await;
    // The first failure is said at once, so a run ending meanwhile cannot pass; the recovery too.
    assert!(matches!(next(&mut inbox).await, Delivery::Trouble { .. }));
    assert_eq!(next_data(&mut inbox).await, json!({"n": 7}));
    assert_eq!(next(&mut inbox).await, Delivery::Recovered);
    assert_eq!(
        fake.log()
            .iter()
            .filter(|s| s.channel() == "/meta/handshake")
            .count(),
        1
    );
    client.close().await.expect("disconnect confirmed");
}

#[tokio::test]
async fn bayeux_malformed_connect_bodies_fail_with_a_clear_reason() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/connect", |_, _| Answer::Raw(200, "<html>Gateway</html>"));
    fake.script("/meta/connect", |_, _| Answer::Raw(200, "[1, 2]"));
    fake.script("/meta/connect", |_, _| Answer::Raw(200, "\"text\""));
    let (_client, mut inbox) = fake.client().await;
    let reason = next_failure(&mut inbox).await;
    assert!(
        reason.ends_with(
            "did not answer with Bayeux messages: expected a JSON array of messages, got \"\\\"text\\\"\""
        ),
        "{reason}"
    );
}

#[tokio::test]
async fn bayeux_malformed_or_refused_handshakes_are_errors_not_panics() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/handshake", |_, _| Answer::Raw(200, "{\"channel\": 5}"));
    let Err(error) = fake.try_client().await else {
        panic!("a malformed handshake reply must fail");
    };
    assert!(matches!(error, BayeuxError::Protocol { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("the body is not a Bayeux message: invalid type"),
        "{error}"
    );

    fake.script("/meta/handshake", |m, _| {
        Answer::Messages(vec![failed(
            m,
            "403::Handshake denied",
            json!({"reconnect": "none"}),
        )])
    });
    let error = fake.try_client().await.err().expect("refused handshake");
    assert_eq!(error.to_string(), "handshake refused: 403::Handshake denied");

    fake.script("/meta/subscribe", |m, _| {
        Answer::Messages(vec![failed(m, "403::denied", json!({}))])
    });
    let error = fake.try_client().await.err().expect("refused subscription");
    assert_eq!(
        error.to_string(),
        format!("subscription to {CHANNEL} refused: 403::denied")
    );

    fake.script("/meta/handshake", |_, _| Answer::Raw(401, "{\"statusCode\":20}"));
    let error = fake.try_client().await.err().expect("401 handshake");
    assert!(
        error
            .to_string()
            .ends_with("answered HTTP 401 with body \"{\\\"statusCode\\\":20}\""),
        "{error}"
    );
}

/// The server forgets the client once (in the given dialect); the client must handshake and
/// subscribe again, report the window, and receive what is published afterwards.
async fn rehandshakes_after(error: &'static str) {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/connect", |m, _| Answer::Messages(vec![ok(m)]));
    fake.script("/meta/connect", move |m, _| {
        Answer::Messages(vec![failed(
            m,
            error,
            json!({"reconnect": "handshake", "interval": 0}),
        )])
    });
    let (client, mut inbox) = fake.client().await;
    let Delivery::Rehandshake { from, to, reason } = next(&mut inbox).await else {
        panic!("expected a re-handshake report");
    };
    assert_eq!(reason, error);
    assert!(from <= to);
    fake.script("/meta/connect", |m, _| Answer::Messages(vec![event(9), ok(m)]));
    assert_eq!(next_data(&mut inbox).await, json!({"n": 9}));
    let log = fake.log();
    let channels: Vec<&str> = log.iter().map(|s| s.channel()).collect();
    assert_eq!(
        channels[..7],
        [
            "/meta/handshake",
            "/meta/subscribe",
            "/meta/connect",
            "/meta/connect",
            "/meta/handshake",
            "/meta/subscribe",
            "/meta/connect"
        ]
    );
    let second_subscribe = &log[5].messages[0];
    assert_eq!(second_subscribe.client_id.as_deref(), Some("client-2"));
    assert_eq!(second_subscribe.subscription, Some(json!(CHANNEL)));
    let connect = &log[6].messages[0];
    assert_eq!(connect.client_id.as_deref(), Some("client-2"));
    assert_eq!(
        connect.advice.as_ref().and_then(|a| a.timeout),
        Some(0),
        "a new session starts with a no-hold connect"
    );
    assert_eq!(client.client_id().await, "client-2");
    client.close().await.expect("disconnect confirmed");
}

#[tokio::test]
async fn bayeux_rehandshakes_after_cometd_unknown_client() {
    rehandshakes_after("402::Unknown client").await;
}

#[tokio::test]
async fn bayeux_rehandshakes_after_faye_unknown_client() {
    rehandshakes_after("401:client-1:Unknown client").await;
}

#[tokio::test]
async fn bayeux_rehandshake_that_keeps_failing_gives_up() {
    let fake = FakeBayeux::start().await;
    fake.script("/meta/connect", |m, _| {
        Answer::Messages(vec![failed(
            m,
            "402::Unknown client",
            json!({"reconnect": "handshake"}),
        )])
    });
    let (_client, mut inbox) = fake.client().await;
    for _ in 0..3 {
        fake.script("/meta/handshake", |_, _| Answer::Raw(503, "down"));
    }
    let reason = next_failure(&mut inbox).await;
    assert!(
        reason.starts_with("re-handshake after `402::Unknown client` failed (attempt 3): CometD endpoint"),
        "{reason}"
    );
    assert_eq!(
        fake.log()
            .iter()
            .filter(|s| s.channel() == "/meta/handshake")
            .count(),
        4
    );
}

#[tokio::test]
async fn bayeux_close_sends_disconnect_and_ends_the_inbox_quietly() {
    let fake = FakeBayeux::start().await;
    let (client, mut inbox) = fake.client().await;
    // Wait until a connect is held, so close has to abandon it.
    fake.wait_for("/meta/connect", 1).await;
    client.close().await.expect("disconnect confirmed");
    let log = fake.log();
    let last = log.last().expect("requests were made");
    assert_eq!(last.channel(), "/meta/disconnect");
    assert_eq!(last.messages[0].client_id.as_deref(), Some("client-1"));
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(10), inbox.recv())
            .await
            .expect("inbox closes"),
        None,
        "no failure is reported for a deliberate disconnect"
    );
}

#[tokio::test]
async fn bayeux_every_request_carries_the_decorated_basic_auth() {
    let fake = FakeBayeux::start().await;
    let (client, _inbox) = fake.client().await;
    fake.wait_for("/meta/connect", 1).await;
    client.close().await.expect("disconnect confirmed");
    let log = fake.log();
    assert!(log.len() >= 4, "{log:#?}");
    for seen in log {
        assert_eq!(
            seen.headers.get("authorization").and_then(|v| v.to_str().ok()),
            Some("Basic YWdlbnQxOnNlY3JldA=="),
            "{} without Basic auth",
            seen.channel()
        );
    }
}
