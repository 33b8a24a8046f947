//! The actor sessions of a run, kept across its scenarios: one logged-in HTTP session and one
//! subscribed Bayeux session per *user*, opened the first time a scenario needs that user and
//! closed when the run ends.
//!
//! Logging in, handshaking and subscribing cost several round trips per actor, and none of it
//! is part of what a scenario observes, so a job slot's scenarios share them (a scenario with
//! `sessions: fresh` gets its own). A session is opened again only when the target dropped it:
//! the Bayeux session failed for good, or the target answered with a new session cookie (the
//! HTTP session and its CSRF token are gone, so the actor logs in again).
//!
//! Sessions are keyed by user, not by slot. With a user pool per actor (one user per slot)
//! every session serves one scenario at a time. When slots share a user, they share its
//! session too: the target then sends each notification once, and each scenario using the
//! user gets every delivery and keeps those about its own interactions. One session per user
//! keeps the traffic linear in the number of scenarios; one per slot made every notification
//! of a shared user go to every slot, which grows with the square of `--jobs`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio::task::JoinSet;
use url::Url;

use super::correlate::interaction_ids;
use super::error::RunError;
use crate::bayeux::{BayeuxClient, BayeuxConfig, Delivery, Inbox};
use crate::target::{Login, Target};
use crate::transport::ActorHttp;

/// A delivery as scenarios receive it: shared (several scenarios may use one user), with the
/// interactions it is about worked out once.
#[derive(Debug)]
pub(crate) struct Received {
    /// What the Bayeux client delivered.
    pub delivery: Delivery,
    /// For data deliveries, the interactions they name.
    pub ids: Vec<String>,
}

/// What a scenario's merged stream carries: the receiving actor and the delivery.
pub(crate) type Incoming = (Arc<str>, Arc<Received>);

/// The sessions of a run (or of one scenario with fresh sessions).
pub(crate) struct Sessions {
    target: Arc<Target>,
    client: reqwest::Client,
    users: Mutex<HashMap<String, Arc<UserEntry>>>,
}

/// One user's session, opened at most once at a time.
#[derive(Default)]
struct UserEntry {
    open: tokio::sync::Mutex<Option<Arc<Live>>>,
}

/// An open session: the HTTP session and the Bayeux session whose deliveries a hub task hands
/// to the scenarios listening.
pub(crate) struct Live {
    /// The HTTP session.
    pub http: ActorHttp,
    bayeux: Mutex<Option<BayeuxClient>>,
    hub: Arc<Hub>,
}

/// Who listens to a session, and what is known about its health.
#[derive(Default)]
struct Hub {
    state: Mutex<HubState>,
}

#[derive(Default)]
struct HubState {
    listeners: Vec<(u64, Arc<str>, mpsc::UnboundedSender<Incoming>)>,
    next_listener: u64,
    /// Set when the session ended for good (failed, stalled, or the client is gone).
    dead: Option<String>,
    /// Set while long-polls fail (the client retries); cleared when one succeeds again.
    trouble: Option<String>,
}

/// A scenario's hold on one actor's session: it receives the session's deliveries until it
/// is dropped.
pub(crate) struct Lease {
    /// The session.
    pub live: Arc<Live>,
    listener: u64,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut state = lock(&self.live.hub.state);
        state.listeners.retain(|(id, _, _)| *id != self.listener);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sessions {
    /// No sessions yet, for `target`, over `client` (shared by every session).
    pub fn new(target: Arc<Target>, client: reqwest::Client) -> Self {
        Sessions {
            target,
            client,
            users: Mutex::new(HashMap::new()),
        }
    }

    /// The client every session uses.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// `actor`'s session as `login`, opened (or opened again) if need be, with `stream`
    /// receiving its deliveries from now on until the lease is dropped.
    pub async fn acquire(
        &self,
        actor: &str,
        login: Login,
        stream: &mpsc::UnboundedSender<Incoming>,
    ) -> Result<Lease, RunError> {
        let entry = Arc::clone(lock(&self.users).entry(login.user.clone()).or_default());
        let mut open = entry.open.lock().await;
        let reusable = open.as_ref().filter(|live| lock(&live.hub.state).dead.is_none());
        let live = match reusable {
            Some(live) => {
                if live.http.dropped() {
                    live.http.login().await.map_err(|e| login_error(actor, &e))?;
                }
                Arc::clone(live)
            }
            None => {
                if let Some(old) = open.take() {
                    old.abandon();
                }
                let live = Arc::new(self.open(actor, login).await?);
                *open = Some(Arc::clone(&live));
                live
            }
        };
        drop(open);
        let listener = live.hub.listen(actor, stream.clone());
        Ok(Lease { live, listener })
    }

    /// Logs `actor` in as `login` and subscribes its Bayeux session.
    async fn open(&self, actor: &str, login: Login) -> Result<Live, RunError> {
        let target = &self.target;
        let endpoint: Url = target.url(&target.notifications_path).map_err(|e| {
            RunError::target(format!(
                "invalid CometD endpoint {}: {e}",
                target.notifications_path
            ))
        })?;
        let http = ActorHttp::with_client(actor, login, Arc::clone(target), self.client.clone());
        http.login().await.map_err(|e| login_error(actor, &e))?;
        let config = BayeuxConfig {
            endpoint,
            channel: target.channel.clone(),
            request_timeout: target.request_timeout,
            max_body: target.max_body,
        };
        let (client, inbox) = BayeuxClient::start(http.client(), http.decorate(), config)
            .await
            .map_err(|e| RunError::target(format!("{actor}: {e}")))?;
        let hub = Arc::new(Hub::default());
        tokio::spawn(forward(inbox, Arc::clone(&hub)));
        Ok(Live {
            http,
            bayeux: Mutex::new(Some(client)),
            hub,
        })
    }

    /// Disconnects every Bayeux session, all at once; with a `deadline`, whatever has not
    /// finished by then is abandoned (the target expires it).
    pub async fn close(&self, deadline: Option<Instant>) {
        let entries: Vec<Arc<UserEntry>> = lock(&self.users).drain().map(|(_, e)| e).collect();
        let mut closing = JoinSet::new();
        for entry in entries {
            let client = entry
                .open
                .lock()
                .await
                .take()
                .and_then(|live| lock(&live.bayeux).take());
            if let Some(client) = client {
                closing.spawn(client.disconnect());
            }
        }
        let all = async { while closing.join_next().await.is_some() {} };
        match deadline {
            None => all.await,
            Some(at) => {
                let _ = tokio::time::timeout_at(at.into(), all).await;
            }
        }
    }
}

impl Live {
    /// Stops the Bayeux session without telling the target (it is already dead there).
    fn abandon(&self) {
        drop(lock(&self.bayeux).take());
    }
}

impl Hub {
    /// Adds a listener; one that arrives while the session is failing learns so at once (the
    /// failure may hide notifications from it).
    fn listen(&self, actor: &str, tx: mpsc::UnboundedSender<Incoming>) -> u64 {
        let mut state = lock(&self.state);
        let id = state.next_listener;
        state.next_listener += 1;
        let actor: Arc<str> = Arc::from(actor);
        if let Some(reason) = state.trouble.clone() {
            let trouble = Received {
                delivery: Delivery::Trouble { reason },
                ids: Vec::new(),
            };
            let _ = tx.send((Arc::clone(&actor), Arc::new(trouble)));
        }
        state.listeners.push((id, actor, tx));
        id
    }
}

/// Hands every delivery of a session to its listeners, keeping track of its health.
async fn forward(mut inbox: Inbox, hub: Arc<Hub>) {
    while let Some(delivery) = inbox.recv().await {
        let ids = match &delivery {
            Delivery::Data { data, .. } => interaction_ids(data),
            _ => Vec::new(),
        };
        let mut state = lock(&hub.state);
        match &delivery {
            Delivery::Failed { reason } => state.dead = Some(reason.clone()),
            Delivery::Stalled(stall) => state.dead = Some(stall.to_string()),
            Delivery::Trouble { reason } => state.trouble = Some(reason.clone()),
            Delivery::Recovered | Delivery::Rehandshake { .. } => state.trouble = None,
            Delivery::Data { .. } | Delivery::AdviceClamped(_) => {}
        }
        let received = Arc::new(Received { delivery, ids });
        state
            .listeners
            .retain(|(_, actor, tx)| tx.send((Arc::clone(actor), Arc::clone(&received))).is_ok());
    }
    let mut state = lock(&hub.state);
    state
        .dead
        .get_or_insert_with(|| "the CometD session ended".to_owned());
}

fn login_error(actor: &str, e: &crate::transport::TransportError) -> RunError {
    if e.is_scenario_error() {
        RunError::scenario(format!("{actor}: {e}"))
    } else {
        RunError::target(format!("{actor}: {e}"))
    }
}

/// How long the Bayeux sessions of an interrupted run may take to disconnect, in all.
pub(crate) const INTERRUPTED_CLOSE: Duration = Duration::from_secs(5);
