//! The provider-state hook client (DESIGN.md §5): `POST <state-url>` with
//! `{"state", "params", "action"}`; the reply's fields can be captured.

use std::sync::Arc;

use serde_json::{Value, json};

use super::actor::{HttpResponse, TransportError, read_response, unreachable};
use crate::target::Target;

/// Calls the target's state hook. It carries no actor credentials: the hook is test support,
/// authenticated (if at all) by the profile's hook headers.
#[derive(Debug, Clone)]
pub struct StateHook {
    client: reqwest::Client,
    target: Arc<Target>,
}

impl StateHook {
    /// A hook client for `target`.
    pub fn new(target: Arc<Target>) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| TransportError::Client(e.to_string()))?;
        Ok(StateHook { client, target })
    }

    /// Sends one state change (`action` is `setup` or `teardown`) and returns the raw reply.
    pub async fn call(
        &self,
        state: &str,
        params: &Value,
        action: &str,
    ) -> Result<HttpResponse, TransportError> {
        let url = self
            .target
            .url(&self.target.state_hook)
            .map_err(|e| TransportError::Url {
                path: self.target.state_hook.clone(),
                reason: e.to_string(),
            })?;
        let mut builder = self
            .client
            .post(url.clone())
            .json(&json!({"state": state, "params": params, "action": action}));
        for (name, value) in &self.target.state_hook_headers {
            builder = builder.header(name, value.expose());
        }
        let response = builder.send().await.map_err(|e| unreachable(&url, &e))?;
        read_response(response, &url).await
    }
}
