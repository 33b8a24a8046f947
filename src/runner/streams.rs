//! Every actor's CometD deliveries merged into one queue per scenario, so the runner can wait
//! for "the next delivery to anyone" with a deadline (quiescence needs that) and never polls
//! or sleeps. The sessions' hubs ([`super::sessions`]) send into it directly.

use std::collections::BTreeMap;
use std::time::Instant;

use tokio::sync::mpsc;

use super::sessions::Incoming;

/// The merged deliveries of a scenario's actors.
pub(crate) struct Streams {
    tx: mpsc::UnboundedSender<Incoming>,
    rx: mpsc::UnboundedReceiver<Incoming>,
    /// Actors whose Bayeux session died for good, with the reason.
    pub dead: BTreeMap<String, String>,
}

impl Streams {
    pub fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Streams {
            tx,
            rx,
            dead: BTreeMap::new(),
        }
    }

    /// Where the actors' sessions send their deliveries.
    pub fn sender(&self) -> &mpsc::UnboundedSender<Incoming> {
        &self.tx
    }

    /// The next delivery already queued, without waiting.
    pub fn try_next(&mut self) -> Option<Incoming> {
        self.rx.try_recv().ok()
    }

    /// The next delivery, waiting until `deadline` at most. Each delivery carries the time
    /// its client received it, so the hops on the way do not shift arrival times.
    pub async fn next_until(&mut self, deadline: Instant) -> Option<Incoming> {
        tokio::time::timeout_at(deadline.into(), self.rx.recv())
            .await
            .ok()
            .flatten()
    }
}
