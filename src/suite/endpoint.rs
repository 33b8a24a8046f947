//! Where a run sends its requests: the embedded reference server (started per run on
//! `127.0.0.1:0`) or an external target.

use std::net::SocketAddr;
use std::sync::Arc;

use super::SuiteError;
use crate::scenario::LoadedScenario;
use crate::server::{ReferenceServer, ServerConfig};
use crate::target::{Login, LoginPool, Target, TargetSettings};

/// The server under test.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// The built-in reference server, started for each run with this configuration.
    Embedded {
        /// The server's configuration.
        server: ServerConfig,
        /// How to talk to it (its base URL is known once it runs).
        settings: Box<TargetSettings>,
    },
    /// An external server.
    External(Arc<Target>),
}

/// A started endpoint.
pub struct Opened {
    /// The target to run against.
    pub target: Arc<Target>,
    /// The embedded server, if one was started (shut it down with [`Opened::close`]).
    pub server: Option<ReferenceServer>,
}

impl Opened {
    /// Shuts the embedded server down, if any.
    pub async fn close(self) {
        if let Some(server) = self.server {
            server.shutdown().await;
        }
    }
}

impl Endpoint {
    /// The embedded reference server for a run of `scenarios` in `slots` job slots: it
    /// accepts exactly the logins the run will use (its default users and every scenario's
    /// actors, as `settings` maps them) and requires CSRF tokens when the settings send them.
    ///
    /// Each actor that the settings give a single user gets a pool of `slots` users (the
    /// user, then `USER-2`, `USER-3` ...; same password), so parallel scenarios never share a
    /// user and none receives another's notifications. A pooled user goes by its actor's name
    /// wherever the server names agents, so what is observed does not depend on the slot.
    pub fn embedded(mut settings: TargetSettings, scenarios: &[LoadedScenario], slots: usize) -> Self {
        let defaults = ServerConfig::default();
        let default_users = defaults.users.iter().map(|(name, _)| name.as_str());
        let mut actors: Vec<&str> = scenarios
            .iter()
            .flat_map(|s| s.scenario.actors.iter().map(|a| a.value.as_str()))
            .collect();
        actors.sort_unstable();
        actors.dedup();
        for actor in &actors {
            let pool = settings.pool_for(actor);
            if pool.len() == 1 && slots > 1 {
                settings
                    .logins
                    .insert((*actor).to_owned(), provision(pool.first(), slots));
            }
        }
        let users = settings
            .logins_for(default_users.chain(actors.iter().copied()))
            .into_iter()
            .map(|login| (login.user, login.password.expose().to_owned()))
            .collect();
        // Agents seated by an operation go by their actor's name, as the hook seats them.
        let nicknames = actors
            .iter()
            .flat_map(|actor| {
                let pool = settings.pool_for(actor);
                pool.logins()
                    .iter()
                    .map(|login| (login.user.clone(), (*actor).to_owned()))
                    .collect::<Vec<_>>()
            })
            .filter(|(user, actor)| user != actor)
            .collect();
        Endpoint::Embedded {
            server: ServerConfig {
                users,
                nicknames,
                csrf: settings.csrf,
                ..defaults
            },
            settings: Box::new(settings),
        }
    }

    /// Whether this is the embedded reference server.
    pub fn is_embedded(&self) -> bool {
        matches!(self, Endpoint::Embedded { .. })
    }

    /// Starts the embedded server (a fresh one each time), or hands out the external target.
    pub async fn open(&self) -> Result<Opened, SuiteError> {
        match self {
            Endpoint::External(target) => Ok(Opened {
                target: Arc::clone(target),
                server: None,
            }),
            Endpoint::Embedded { server, settings } => {
                let addr = SocketAddr::from(([127, 0, 0, 1], 0));
                let started = ReferenceServer::start(addr, server.clone())
                    .await
                    .map_err(|e| SuiteError::Target(format!("cannot start the reference server: {e}")))?;
                let base = url::Url::parse(&started.url())
                    .map_err(|e| SuiteError::Target(format!("reference server URL: {e}")))?;
                Ok(Opened {
                    target: Arc::new((**settings).clone().into_target(base)),
                    server: Some(started),
                })
            }
        }
    }
}

/// A pool of `slots` users for an actor that logs in as `first`: `first`, then `USER-2` ...
fn provision(first: &Login, slots: usize) -> LoginPool {
    let logins = std::iter::once(first.clone())
        .chain((2..=slots).map(|k| Login {
            user: format!("{}-{k}", first.user),
            password: first.password.clone(),
        }))
        .collect();
    LoginPool::new(logins).unwrap_or_else(|| first.clone().into())
}
