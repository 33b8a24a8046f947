//! The reference server's whole in-memory state behind one lock: users, HTTP sessions,
//! CometD clients and Facebook sessions. Handlers hold the lock only briefly and never across
//! an await.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde_json::Value;
use tokio::sync::{Notify, mpsc};

use super::config::ServerConfig;
use super::facebook::FbSession;
use crate::bayeux::{Message, channel_matches};

/// The channel Facebook session notifications are published on.
pub(crate) const FACEBOOK_CHANNEL: &str = "/v2/me/facebooksession";

/// A user who can log in.
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub name: String,
    pub password: String,
    /// 32-hex GWS user id (used in `/api/v2/users/{id}` URIs).
    pub id: String,
}

/// Who exists and where resources live: what rendering needs, kept apart from the mutable
/// session table so an operation can change a session while rendering it.
#[derive(Debug)]
pub(crate) struct Directory {
    /// `http://127.0.0.1:PORT`, for resource URIs.
    pub base_url: String,
    pub users: BTreeMap<String, User>,
}

impl Directory {
    /// `{base}/api/v2/users/{id}`.
    pub fn user_uri(&self, user: &str) -> String {
        format!("{}/api/v2/users/{}", self.base_url, self.user_id(user))
    }

    /// `/users/{id}`.
    pub fn user_path(&self, user: &str) -> String {
        format!("/users/{}", self.user_id(user))
    }

    /// The 32-hex id of `user` (`unknown` for a name that is not a user).
    pub fn user_id(&self, user: &str) -> &str {
        self.users.get(user).map_or("unknown", |u| u.id.as_str())
    }

    /// The user whose id or name is `key`.
    pub fn find_user(&self, key: &str) -> Option<&User> {
        self.users
            .get(key)
            .or_else(|| self.users.values().find(|u| u.id.eq_ignore_ascii_case(key)))
    }

    /// `{base}/api/v2/facebooksessions/{id}`.
    pub fn session_uri(&self, id: &str) -> String {
        format!("{}/api/v2/facebooksessions/{id}", self.base_url)
    }

    /// `/facebooksessions/{id}`.
    pub fn session_path(id: &str) -> String {
        format!("/facebooksessions/{id}")
    }
}

/// A cookie-identified HTTP session.
#[derive(Debug, Clone)]
pub(crate) struct HttpSession {
    pub user: String,
    pub csrf_token: String,
    /// Last authenticated request; idle sessions are evicted so a long-running `serve` does
    /// not grow without bound.
    pub last_used: Instant,
}

/// A CometD client session.
#[derive(Debug)]
pub(crate) struct Client {
    pub user: String,
    pub subscriptions: BTreeSet<String>,
    pub queue: VecDeque<Message>,
    pub notify: Arc<Notify>,
    /// When the client was last heard from (or its last held connect was answered).
    pub last_seen: Instant,
    /// How many `/meta/connect`s are currently held for it (more than one only for a moment,
    /// while a newer connect supersedes an older one).
    pub holding: usize,
    /// Bumped by every `/meta/connect`; a held connect whose generation is no longer current
    /// has been superseded and returns without taking events.
    pub connect_generation: u64,
}

impl Client {
    /// A freshly handshaken client of `user`.
    pub fn new(user: &str) -> Self {
        Client {
            user: user.to_owned(),
            subscriptions: BTreeSet::new(),
            queue: VecDeque::new(),
            notify: Arc::new(Notify::new()),
            last_seen: Instant::now(),
            holding: 0,
            connect_generation: 0,
        }
    }
}

/// Everything the reference server knows.
#[derive(Debug)]
pub(crate) struct World {
    pub config: ServerConfig,
    pub dir: Directory,
    pub http_sessions: HashMap<String, HttpSession>,
    pub clients: HashMap<String, Client>,
    pub sessions: BTreeMap<String, FbSession>,
    /// Set on shutdown: connects are no longer held.
    pub closing: bool,
    /// While a state-hook setup runs: how many notifications each user was sent, so the hook
    /// can tell the runner what to wait for (`notified` in its reply).
    pub counting: Option<BTreeMap<String, usize>>,
    /// When the variant spaces notifications out: where [`World::publish`] queues them for the
    /// task that delivers them one at a time (see `handle.rs`).
    pub outbox: Option<mpsc::UnboundedSender<(String, Value)>>,
    next_reference: u64,
    /// The id of the next data message (the conforming variant numbers them).
    next_message_id: u64,
}

/// The shared handle handlers use.
pub(crate) type SharedWorld = Arc<Mutex<World>>;

/// Locks the world. A panic while holding the lock leaves data that is still structurally
/// valid (no invariant spans two statements), so poisoning is ignored rather than cascaded.
pub(crate) fn lock(world: &SharedWorld) -> MutexGuard<'_, World> {
    world.lock().unwrap_or_else(PoisonError::into_inner)
}

impl World {
    /// The world of a server bound at `bound` (`http://IP:PORT`).
    pub fn new(config: ServerConfig, bound: &str) -> Self {
        let variant = config.variant;
        let users = config
            .users
            .iter()
            .map(|(name, password)| {
                (
                    name.clone(),
                    User {
                        name: name.clone(),
                        password: password.clone(),
                        id: variant.user_id(),
                    },
                )
            })
            .collect();
        World {
            config,
            dir: Directory {
                base_url: variant.public_base(bound),
                users,
            },
            http_sessions: HashMap::new(),
            clients: HashMap::new(),
            sessions: BTreeMap::new(),
            closing: false,
            counting: None,
            outbox: None,
            next_reference: variant.reference_ids().0,
            next_message_id: 1,
        }
    }

    /// A fresh referenceId for an operation.
    pub fn next_reference_id(&mut self) -> u64 {
        let id = self.next_reference;
        self.next_reference += self.config.variant.reference_ids().1;
        id
    }

    /// Sends `data` on the Facebook channel to `user`: as the variant renders it, at once or
    /// through the outbox.
    pub fn publish(&mut self, user: &str, mut data: Value) {
        if let Some(counts) = &mut self.counting {
            *counts.entry(user.to_owned()).or_default() += 1;
        }
        self.config.variant.dress(&mut data);
        let undelivered = match &self.outbox {
            Some(outbox) => outbox.send((user.to_owned(), data)).err().map(|e| e.0.1),
            None => Some(data),
        };
        if let Some(data) = undelivered {
            self.deliver(user, data);
        }
    }

    /// Queues `data` for every CometD client of `user` subscribed to the Facebook channel,
    /// waking held connects.
    pub fn deliver(&mut self, user: &str, data: Value) {
        let id = self.config.variant.conforming().then(|| {
            self.next_message_id += 1;
            format!("d{}", self.next_message_id)
        });
        for client in self.clients.values_mut() {
            if client.user != user {
                continue;
            }
            if !client
                .subscriptions
                .iter()
                .any(|s| channel_matches(s, FACEBOOK_CHANNEL))
            {
                continue;
            }
            client.queue.push_back(Message {
                channel: FACEBOOK_CHANNEL.to_owned(),
                id: id.clone(),
                data: Some(data.clone()),
                ..Message::default()
            });
            client.notify.notify_one();
        }
    }
}
