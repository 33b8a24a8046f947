//! `cargo bench --bench proxy_overhead`: how much latency `gws-contract proxy` adds per message
//! on loopback, measured (never asserted; the budget is under a millisecond per message).
//!
//! The same requests go to the reference server directly and through a recording proxy, one
//! at a time over kept-alive connections, alternating so both see the same machine load:
//! - REST: `GET /api/v2/me` with Basic auth (what every actor request looks like);
//! - Bayeux: a `/meta/connect` with `advice.timeout: 0`, which the server answers at once (a
//!   long-poll whose hold is zero, so only the proxy's own cost remains).
//!
//! Reported: the median and 95th percentile of each, and the added median per message.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use gws_contract::proxy::Proxy;
use gws_contract::server::{ReferenceServer, ServerConfig};
use serde_json::{Value, json};

/// Requests per measurement (after warm-up).
const ROUNDS: usize = 2000;
/// The budget the issue sets: under a millisecond per message.
const BUDGET: Duration = Duration::from_millis(1);

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(bench());
}

async fn bench() {
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let server = ReferenceServer::start(loopback, ServerConfig::default())
        .await
        .expect("the reference server starts");
    let target = url::Url::parse(&server.url()).expect("server URL");
    let proxy = Proxy::start(loopback, target).await.expect("the proxy starts");
    let direct = reqwest::Client::new();
    let proxied = reqwest::Client::new();
    let (server_url, proxy_url) = (server.url(), proxy.url());

    let rest = |client: &reqwest::Client, base: &str| {
        client
            .get(format!("{base}/api/v2/me"))
            .basic_auth("agent1", Some("password"))
    };
    let (d, p) = measure(|i| {
        if i % 2 == 0 {
            rest(&direct, &server_url)
        } else {
            rest(&proxied, &proxy_url)
        }
    })
    .await;
    report("REST GET /api/v2/me", &d, &p);

    let direct_client = handshake(&direct, &server_url).await;
    let proxied_client = handshake(&proxied, &proxy_url).await;
    let connect = |client: &reqwest::Client, base: &str, id: &str| {
        client
            .post(format!("{base}/api/v2/notifications/connect"))
            .basic_auth("agent1", Some("password"))
            .json(&json!([{"channel": "/meta/connect", "clientId": id, "connectionType": "long-polling", "advice": {"timeout": 0}}]))
    };
    let (d, p) = measure(|i| {
        if i % 2 == 0 {
            connect(&direct, &server_url, &direct_client)
        } else {
            connect(&proxied, &proxy_url, &proxied_client)
        }
    })
    .await;
    report("Bayeux /meta/connect (no hold)", &d, &p);
    println!(
        "(the proxy recorded {} exchanges meanwhile; it keeps them in memory until it stops)",
        proxy.seen()
    );
}

/// A Bayeux handshake as agent1; returns the clientId.
async fn handshake(client: &reqwest::Client, base: &str) -> String {
    let reply: Value = client
        .post(format!("{base}/api/v2/notifications/handshake"))
        .basic_auth("agent1", Some("password"))
        .json(&json!([{"channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": ["long-polling"]}]))
        .send()
        .await
        .expect("handshake")
        .json()
        .await
        .expect("handshake reply");
    reply[0]["clientId"].as_str().expect("a clientId").to_owned()
}

/// Sends `ROUNDS` requests each way (even rounds direct, odd rounds proxied) after a warm-up,
/// and returns the sorted durations of each.
async fn measure(request: impl Fn(usize) -> reqwest::RequestBuilder) -> (Vec<Duration>, Vec<Duration>) {
    for i in 0..200 {
        request(i)
            .send()
            .await
            .expect("warm-up")
            .bytes()
            .await
            .expect("body");
    }
    let mut direct = Vec::with_capacity(ROUNDS);
    let mut proxied = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS * 2 {
        let start = Instant::now();
        let response = request(i).send().await.expect("a response");
        response.bytes().await.expect("its body");
        let took = start.elapsed();
        if i % 2 == 0 {
            direct.push(took);
        } else {
            proxied.push(took);
        }
    }
    direct.sort_unstable();
    proxied.sort_unstable();
    (direct, proxied)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn report(name: &str, direct: &[Duration], proxied: &[Duration]) {
    let added = percentile(proxied, 50).saturating_sub(percentile(direct, 50));
    println!(
        "{name:<32} direct {:>9.1?} (p95 {:>9.1?})  via proxy {:>9.1?} (p95 {:>9.1?})  added {:>9.1?} per message ({})",
        percentile(direct, 50),
        percentile(direct, 95),
        percentile(proxied, 50),
        percentile(proxied, 95),
        added,
        if added < BUDGET {
            "under the 1 ms budget"
        } else {
            "OVER the 1 ms budget"
        }
    );
}
