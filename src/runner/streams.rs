//! Every actor's CometD deliveries merged into one queue per scenario, so the runner can wait
//! for "the next delivery to anyone" with a deadline (quiescence needs that) and never polls
//! or sleeps.

use std::collections::BTreeMap;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::bayeux::{Delivery, Inbox};

/// The merged deliveries of a scenario's actors.
pub(crate) struct Streams {
    tx: mpsc::UnboundedSender<(String, Delivery)>,
    rx: mpsc::UnboundedReceiver<(String, Delivery)>,
    forwarders: Vec<JoinHandle<()>>,
    /// Actors whose Bayeux session died for good, with the reason.
    pub dead: BTreeMap<String, String>,
}

impl Streams {
    pub fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Streams {
            tx,
            rx,
            forwarders: Vec::new(),
            dead: BTreeMap::new(),
        }
    }

    /// Forwards `actor`'s inbox into the merged queue. Each delivery keeps the time its client
    /// received it, so the extra hop does not shift arrival times.
    pub fn attach(&mut self, actor: &str, mut inbox: Inbox) {
        let tx = self.tx.clone();
        let actor = actor.to_owned();
        self.forwarders.push(tokio::spawn(async move {
            while let Some(delivery) = inbox.recv().await {
                if tx.send((actor.clone(), delivery)).is_err() {
                    return;
                }
            }
        }));
    }

    /// The next delivery already queued, without waiting.
    pub fn try_next(&mut self) -> Option<(String, Delivery)> {
        self.rx.try_recv().ok()
    }

    /// The next delivery, waiting until `deadline` at most.
    pub async fn next_until(&mut self, deadline: Instant) -> Option<(String, Delivery)> {
        tokio::time::timeout_at(deadline.into(), self.rx.recv())
            .await
            .ok()
            .flatten()
    }
}

impl Drop for Streams {
    fn drop(&mut self) {
        for forwarder in &self.forwarders {
            forwarder.abort();
        }
    }
}
