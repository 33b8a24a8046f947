//! Starting and stopping the reference server: bind, serve in the background, expire silent
//! CometD clients, and shut down promptly even with long-polls held.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::api::router;
use super::cometd::expire_clients;
use super::config::ServerConfig;
use super::world::{World, lock};

/// Forgets HTTP sessions idle for longer than the configured time.
fn expire_http_sessions(world: &super::world::SharedWorld) {
    let mut w = lock(world);
    let idle = w.config.http_session_idle;
    w.http_sessions.retain(|_, s| s.last_used.elapsed() <= idle);
}

/// Delivers what [`World::publish`] queued, one notification at a time with `gap` between
/// them, in publishing order.
async fn deliver_spaced(
    world: super::world::SharedWorld,
    mut outbox: mpsc::UnboundedReceiver<(String, serde_json::Value)>,
    gap: Duration,
) {
    while let Some((user, data)) = outbox.recv().await {
        tokio::time::sleep(gap).await;
        lock(&world).deliver(&user, data);
    }
}

/// Counts describing a running server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerStats {
    /// Handshaken CometD clients not yet disconnected or expired.
    pub clients: usize,
    /// `/meta/connect` requests currently held open.
    pub held_connects: usize,
    /// Facebook sessions in memory.
    pub sessions: usize,
    /// HTTP sessions (JSESSIONID cookies) not yet evicted.
    pub http_sessions: usize,
}

/// A running reference server. Dropping it stops it.
pub struct ReferenceServer {
    addr: SocketAddr,
    world: super::world::SharedWorld,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ReferenceServer {
    /// Binds `addr` (use `127.0.0.1:0` for an ephemeral port) and serves in the background on
    /// the current tokio runtime.
    pub async fn start(addr: SocketAddr, config: ServerConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let max_body = config.max_body_bytes;
        let config_max_interval = config.max_interval;
        let gap = config.variant.notification_gap();
        let world = Arc::new(Mutex::new(World::new(config, &format!("http://{addr}"))));
        let outbox = gap.map(|gap| {
            let (tx, rx) = mpsc::unbounded_channel();
            lock(&world).outbox = Some(tx);
            tokio::spawn(deliver_spaced(Arc::clone(&world), rx, gap))
        });
        let app = router(Arc::clone(&world), max_body);
        let (tx, rx) = oneshot::channel::<()>();
        let sweeper_world = Arc::clone(&world);
        // Sweeping at half the expiry interval keeps a silent client's lifetime within
        // 1.5 × maxInterval, and at most once a second keeps the sweep cheap.
        let sweep_every = (config_max_interval / 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
        let task = tokio::spawn(async move {
            let sweeper = tokio::spawn(async move {
                let mut tick = tokio::time::interval(sweep_every);
                loop {
                    tick.tick().await;
                    expire_clients(&sweeper_world);
                    expire_http_sessions(&sweeper_world);
                }
            });
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            sweeper.abort();
            if let Some(outbox) = outbox {
                outbox.abort();
            }
        });
        Ok(ReferenceServer {
            addr,
            world,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A snapshot of what the server holds: for tests and benches that need to know when,
    /// say, every long-poll is parked.
    pub fn stats(&self) -> ServerStats {
        let w = lock(&self.world);
        ServerStats {
            clients: w.clients.len(),
            held_connects: w.clients.values().map(|c| c.holding).sum(),
            sessions: w.sessions.len(),
            http_sessions: w.http_sessions.len(),
        }
    }

    /// Forgets every HTTP session (JSESSIONID), as a restart or an idle expiry would: for
    /// tests of clients that must notice and log in again.
    pub fn forget_http_sessions(&self) {
        lock(&self.world).http_sessions.clear();
    }

    /// Stops accepting requests, releases held long-polls and waits for the server to finish.
    pub async fn shutdown(mut self) {
        self.begin_shutdown();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    fn begin_shutdown(&mut self) {
        {
            let mut w = lock(&self.world);
            w.closing = true;
            for client in w.clients.values() {
                client.notify.notify_one();
            }
        }
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}
