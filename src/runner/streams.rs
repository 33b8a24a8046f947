//! Per-actor notification streams during a scenario: buffering deliveries, keeping only those
//! about the scenario's interactions, waiting (with a deadline, never a fixed sleep) until a
//! step's expectations can be decided, and judging strict and lenient streams.

use std::collections::{BTreeSet, VecDeque};
use std::time::Instant;

use serde_json::Value;
use serde_saphyr::Spanned;

use super::correlate::interaction_ids;
use crate::bayeux::{Delivery, Inbox, channel_matches};
use crate::matching::{Mismatch, Vars, match_value};
use crate::scenario::StreamMode;

/// Something the stream saw besides notifications.
#[derive(Debug, Clone)]
pub(crate) enum StreamEvent {
    /// Re-handshake window in milliseconds, with the server's reason.
    Rehandshake(u64, String),
    /// The Bayeux session died (the reason is kept in [`ActorStream::dead`]).
    Failed,
}

/// One actor's stream.
pub(crate) struct ActorStream {
    pub actor: String,
    /// The configured notification channel (a pattern); events on other channels are ignored.
    channel: String,
    inbox: Inbox,
    buffer: VecDeque<Value>,
    /// Notifications ignored since the last [`ActorStream::take_ignored`]: about no session of
    /// this scenario, or on another channel. Reported with missing notifications, so a target
    /// that omits the session id does not look silent.
    ignored: usize,
    pub events: Vec<StreamEvent>,
    pub dead: Option<String>,
}

impl ActorStream {
    pub fn new(actor: &str, channel: &str, inbox: Inbox) -> Self {
        ActorStream {
            actor: actor.to_owned(),
            channel: channel.to_owned(),
            inbox,
            buffer: VecDeque::new(),
            ignored: 0,
            events: Vec::new(),
            dead: None,
        }
    }

    /// How many notifications were ignored since the last call.
    pub fn take_ignored(&mut self) -> usize {
        std::mem::take(&mut self.ignored)
    }

    fn accept(&mut self, delivery: Delivery) {
        match delivery {
            Delivery::Data { channel, data, .. } => {
                if channel_matches(&self.channel, &channel) {
                    self.buffer.push_back(data);
                } else {
                    self.ignored += 1;
                }
            }
            Delivery::Rehandshake { from, to, reason } => {
                let ms = u64::try_from(to.saturating_duration_since(from).as_millis()).unwrap_or(u64::MAX);
                self.events.push(StreamEvent::Rehandshake(ms, reason));
            }
            Delivery::Failed { reason } => {
                self.events.push(StreamEvent::Failed);
                self.dead = Some(reason);
            }
            Delivery::Stalled(stall) => {
                self.events.push(StreamEvent::Failed);
                self.dead = Some(stall.to_string());
            }
            // Not shown yet: the run goes on with the clamped values.
            Delivery::AdviceClamped(_) => {}
        }
    }

    /// Moves everything already delivered into the buffer, without waiting.
    pub fn pull_available(&mut self) {
        while let Ok(delivery) = self.inbox.try_recv() {
            self.accept(delivery);
        }
    }

    /// Waits for one more delivery until `deadline`. False when the deadline passed or the
    /// stream is closed.
    async fn pull_one(&mut self, deadline: Instant) -> bool {
        if self.dead.is_some() {
            return false;
        }
        match tokio::time::timeout_at(deadline.into(), self.inbox.recv()).await {
            Ok(Some(delivery)) => {
                self.accept(delivery);
                true
            }
            Ok(None) | Err(_) => false,
        }
    }

    /// Removes buffered notifications and returns those about `ids`; others belong to other
    /// scenarios sharing the user and are dropped.
    fn take_relevant(&mut self, ids: &BTreeSet<String>) -> Vec<Value> {
        let mut relevant = Vec::new();
        for data in self.buffer.drain(..) {
            if interaction_ids(&data).iter().any(|id| ids.contains(id)) {
                relevant.push(data);
            } else {
                self.ignored += 1;
            }
        }
        relevant
    }

    /// Relevant notifications already delivered, without waiting.
    pub fn take_available(&mut self, ids: &BTreeSet<String>) -> Vec<Value> {
        self.pull_available();
        self.take_relevant(ids)
    }

    /// Collects this actor's notifications for a step: waits until `done(received)` holds or
    /// `deadline` passes, then takes whatever else has already arrived.
    pub async fn collect(
        &mut self,
        ids: &BTreeSet<String>,
        deadline: Instant,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let mut received = self.take_relevant(ids);
        while !done(&received) {
            if !self.pull_one(deadline).await {
                break;
            }
            self.pull_available();
            received.extend(self.take_relevant(ids));
        }
        self.pull_available();
        received.extend(self.take_relevant(ids));
        received
    }
}

/// The verdict on one actor's notifications for one step.
#[derive(Debug, Default)]
pub(crate) struct StreamJudgement {
    /// Expected index → (actual, mismatches) for expectations matched to a notification that
    /// differs.
    pub differing: Vec<(usize, Value, Vec<Mismatch>)>,
    /// Expected indices that found no notification.
    pub unmatched: Vec<usize>,
    /// Notifications no expectation claimed.
    pub extras: Vec<Value>,
}

/// Whether the expectations can already be decided from `received`.
pub(crate) fn satisfied(
    mode: StreamMode,
    expected: &[Spanned<Value>],
    received: &[Value],
    vars: &Vars,
) -> bool {
    match mode {
        StreamMode::Strict => received.len() >= expected.len(),
        StreamMode::Lenient => subsequence(expected, received, vars).iter().all(Option::is_some),
    }
}

/// For each expectation in order, the index of the first later notification matching it.
fn subsequence(expected: &[Spanned<Value>], received: &[Value], vars: &Vars) -> Vec<Option<usize>> {
    let mut next = 0;
    expected
        .iter()
        .map(|exp| {
            let found =
                (next..received.len()).find(|&i| match_value(&exp.value, &received[i], vars).is_empty());
            if let Some(i) = found {
                next = i + 1;
            }
            found
        })
        .collect()
}

/// Judges `received` against `expected`.
///
/// Strict: position by position; surplus notifications are extras (failures for the caller).
/// Lenient: expectations must appear in order among the notifications; the others are extras
/// (notes). An expectation that found no exact match is compared with the notification at its
/// position, so the report can still show a diff against the most likely candidate.
pub(crate) fn judge(
    mode: StreamMode,
    expected: &[Spanned<Value>],
    received: &[Value],
    vars: &Vars,
) -> StreamJudgement {
    let mut j = StreamJudgement::default();
    match mode {
        StreamMode::Strict => {
            for (i, exp) in expected.iter().enumerate() {
                match received.get(i) {
                    Some(actual) => {
                        let mismatches = match_value(&exp.value, actual, vars);
                        if !mismatches.is_empty() {
                            j.differing.push((i, actual.clone(), mismatches));
                        }
                    }
                    None => j.unmatched.push(i),
                }
            }
            j.extras = received.iter().skip(expected.len()).cloned().collect();
        }
        StreamMode::Lenient => {
            let positions = subsequence(expected, received, vars);
            let claimed: BTreeSet<usize> = positions.iter().flatten().copied().collect();
            for (i, pos) in positions.iter().enumerate() {
                if pos.is_some() {
                    continue;
                }
                // Compare with the first unclaimed notification to show a useful diff.
                match received.iter().enumerate().find(|(k, _)| !claimed.contains(k)) {
                    Some((_, actual)) => {
                        let mismatches = match_value(&expected[i].value, actual, vars);
                        j.differing.push((i, actual.clone(), mismatches));
                    }
                    None => j.unmatched.push(i),
                }
            }
            j.extras = received
                .iter()
                .enumerate()
                .filter(|(k, _)| !claimed.contains(k))
                .map(|(_, v)| v.clone())
                .collect();
        }
    }
    j
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tokio::sync::mpsc;

    use super::*;

    fn data(channel: &str, id: &str) -> Delivery {
        Delivery::Data {
            channel: channel.to_owned(),
            data: json!({"facebooksession": {"id": id}}),
            at: Instant::now(),
        }
    }

    #[test]
    fn keeps_only_this_scenarios_sessions_on_the_configured_channel_and_counts_the_rest() {
        let (tx, inbox) = mpsc::unbounded_channel();
        let mut stream = ActorStream::new("agent1", "/v2/me/facebooksession", inbox);
        for delivery in [
            data("/v2/me/facebooksession", "MINE"),
            data("/v2/me/facebooksession", "OTHER"),
            data("/v2/me/calls", "MINE"),
        ] {
            tx.send(delivery).expect("inbox open");
        }
        let ids = BTreeSet::from(["MINE".to_owned()]);
        let kept = stream.take_available(&ids);
        assert_eq!(kept, [json!({"facebooksession": {"id": "MINE"}})]);
        assert_eq!(stream.take_ignored(), 2);
        assert_eq!(stream.take_ignored(), 0, "the count restarts");
    }
}
