//! Starting and stopping a playback: bind, serve in the background, expire silent CometD
//! clients and idle replay sessions, shut down promptly even with long-polls held.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::super::cometd::expire_clients;
use super::super::config::ServerConfig;
use super::super::world::{World, lock};
use super::library::Library;
use super::routes::{Replay, router};
use super::sessions::Sessions;

/// A replay session (or HTTP session) unused for this long is forgotten.
const IDLE: Duration = Duration::from_secs(30 * 60);

/// How a playback behaves beyond its goldens.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplayOptions {
    /// Check CSRF tokens as GWS with `enableCsrfProtection` does: logins hand one out, and a
    /// modifying request without it is refused (with the refusal a golden recorded for it).
    pub csrf: bool,
}

/// A running playback of a golden directory. Dropping it stops it.
pub struct ReplayServer {
    addr: SocketAddr,
    replay: Arc<Replay>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl ReplayServer {
    /// Binds `addr` (port 0 for an ephemeral one) and plays `library` back, serving in the
    /// background on the current tokio runtime.
    pub async fn start(addr: SocketAddr, library: Library) -> std::io::Result<Self> {
        Self::start_with(addr, library, ReplayOptions::default()).await
    }

    /// [`ReplayServer::start`] with `options`.
    pub async fn start_with(
        addr: SocketAddr,
        library: Library,
        options: ReplayOptions,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let config = ServerConfig {
            // Users are registered as they log in, with the first password they use.
            users: Vec::new(),
            csrf: options.csrf,
            ..ServerConfig::default()
        };
        let max_body = config.max_body_bytes;
        let sweep_every = (config.max_interval / 2).clamp(Duration::from_millis(10), Duration::from_secs(1));
        let base_url = format!("http://{addr}");
        let replay = Arc::new(Replay {
            world: Arc::new(Mutex::new(World::new(config, &base_url))),
            library,
            sessions: Mutex::new(Sessions::new(&base_url)),
            learned: Mutex::new(BTreeSet::new()),
        });
        let app = router(Arc::clone(&replay), max_body);
        let (tx, rx) = oneshot::channel::<()>();
        let swept = Arc::clone(&replay);
        let task = tokio::spawn(async move {
            let sweeper = tokio::spawn(async move {
                let mut tick = tokio::time::interval(sweep_every);
                loop {
                    tick.tick().await;
                    expire_clients(&swept.world);
                    lock(&swept.world)
                        .http_sessions
                        .retain(|_, s| s.last_used.elapsed() <= IDLE);
                    swept.sessions().expire(IDLE);
                }
            });
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            sweeper.abort();
        });
        Ok(ReplayServer {
            addr,
            replay,
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

    /// How many replay sessions are open.
    pub fn sessions(&self) -> usize {
        self.replay.sessions().len()
    }

    /// The scenarios it plays back, in golden path order.
    pub fn scenarios(&self) -> Vec<String> {
        self.replay
            .library
            .scenarios()
            .into_iter()
            .map(str::to_owned)
            .collect()
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
            let mut w = lock(&self.replay.world);
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

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.begin_shutdown();
    }
}
