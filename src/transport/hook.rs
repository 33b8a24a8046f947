//! The provider-state hook client (DESIGN.md §5): `POST <state-url>` with
//! `{"state", "params", "action", "actors"}`; the reply's fields can be captured.
//!
//! Two additions to the Pact-style body make scenarios portable and targets tidy: `actors` maps
//! each scenario actor to the user it logs in as (so `params` can name actors even when a
//! profile renames users), and a teardown carries the setup's reply as `setup` (so the target
//! knows which session to remove).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};

use super::actor::{HttpResponse, TransportError, failed, read_response};
use crate::target::Target;

/// Calls the target's state hook. It carries no actor credentials: the hook is test support,
/// authenticated (if at all) by the profile's hook headers. Each call is bounded by the
/// target's `request_timeout`: a hook that never answers must not hang the run.
#[derive(Debug, Clone)]
pub struct StateHook {
    client: reqwest::Client,
    target: Arc<Target>,
}

impl StateHook {
    /// A hook client for `target`, over a client of its own.
    pub fn new(target: Arc<Target>) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| TransportError::Client(e.to_string()))?;
        Ok(StateHook { client, target })
    }

    /// A hook client for `target` over `client` (a run's shared client, see
    /// [`crate::cookies`]); the hook keeps no cookies.
    pub fn with_client(target: Arc<Target>, client: reqwest::Client) -> Self {
        StateHook { client, target }
    }

    /// Applies `state` and returns the raw reply.
    pub async fn setup(
        &self,
        state: &str,
        params: &Value,
        actors: &BTreeMap<String, String>,
    ) -> Result<HttpResponse, TransportError> {
        self.post(&json!({"state": state, "params": params, "action": "setup", "actors": actors}))
            .await
    }

    /// Removes what the setup of `state` (which replied `setup_reply`) created.
    pub async fn teardown(
        &self,
        state: &str,
        params: &Value,
        actors: &BTreeMap<String, String>,
        setup_reply: &Value,
    ) -> Result<HttpResponse, TransportError> {
        self.post(&json!({
            "state": state, "params": params, "action": "teardown", "actors": actors, "setup": setup_reply,
        }))
        .await
    }

    async fn post(&self, body: &Value) -> Result<HttpResponse, TransportError> {
        let url = self
            .target
            .url(&self.target.state_hook)
            .map_err(|e| TransportError::Url {
                path: self.target.state_hook.clone(),
                reason: e.to_string(),
            })?;
        let timeout = self.target.request_timeout;
        let mut builder = self.client.post(url.clone()).json(body).timeout(timeout);
        for (name, value) in &self.target.state_hook_headers {
            builder = builder.header(name, value.expose());
        }
        let response = builder.send().await.map_err(|e| failed(&url, &e, timeout))?;
        read_response(response, &url, timeout, self.target.max_body).await
    }
}
