//! Collecting notifications: every delivery is attributed to the exchange in progress when
//! it arrived, kept when it is about this scenario's interactions on the configured channel
//! (counted as ignored otherwise), and each exchange waits as its plan says — for counts, for
//! lenient expectations in order, for quiescence — with a deadline, never a fixed sleep.

use std::collections::BTreeMap;
use std::time::Instant;

use super::event::RunEvent;
use super::exec::Run;
use super::plan::StepPlan;
use super::sessions::Received;
use super::transcript::{Observed, StreamEvent, StreamEventKind};
use crate::bayeux::{Delivery, channel_matches};
use crate::matching::match_value;

impl Run<'_> {
    /// Takes every delivery already queued, without waiting.
    pub(super) fn pull_available(&mut self) {
        while let Some((actor, received)) = self.streams.try_next() {
            self.accept(&actor, &received);
        }
    }

    /// The exchange that was in progress at `at` (the first one for anything earlier).
    fn exchange_at(&self, at: Instant) -> Option<usize> {
        if self.exchanges.is_empty() {
            return None;
        }
        Some(self.origins.iter().rposition(|origin| *origin <= at).unwrap_or(0))
    }

    /// Files one delivery. Returns whether it was a relevant notification.
    fn accept(&mut self, actor: &str, received: &Received) -> bool {
        match &received.delivery {
            Delivery::Data { channel, data, at } => {
                let at = *at;
                let relevant = channel_matches(&self.channel, channel)
                    && received.ids.iter().any(|id| self.ids.contains(id));
                self.emit(RunEvent::NotificationReceived {
                    index: self.index,
                    actor: actor.to_owned(),
                    channel: channel.clone(),
                    data: data.clone(),
                    at_ms: Self::ms_since(self.started, at),
                    relevant,
                });
                let Some(slot) = self.exchange_at(at) else {
                    return false;
                };
                let exchange = &mut self.exchanges[slot];
                if relevant {
                    let at_ms = Self::ms_since(self.origins[slot], at);
                    exchange
                        .notifications
                        .entry(actor.to_owned())
                        .or_default()
                        .push(Observed {
                            channel: channel.clone(),
                            data: data.clone(),
                            at_ms,
                        });
                } else {
                    *exchange.ignored.entry(actor.to_owned()).or_default() += 1;
                }
                relevant
            }
            Delivery::Rehandshake { from, to, reason } => {
                let window_ms =
                    u64::try_from(to.saturating_duration_since(*from).as_millis()).unwrap_or(u64::MAX);
                self.trouble.remove(actor);
                let reason = reason.clone();
                self.stream_event(actor, *to, StreamEventKind::Rehandshake { window_ms, reason });
                false
            }
            Delivery::Trouble { reason } => {
                self.trouble.insert(actor.to_owned(), reason.clone());
                let reason = reason.clone();
                self.stream_event(actor, Instant::now(), StreamEventKind::Trouble { reason });
                false
            }
            Delivery::Recovered => {
                self.trouble.remove(actor);
                self.stream_event(actor, Instant::now(), StreamEventKind::Recovered);
                false
            }
            Delivery::Failed { reason } => {
                self.streams
                    .dead
                    .entry(actor.to_owned())
                    .or_insert_with(|| reason.clone());
                let reason = reason.clone();
                self.stream_event(actor, Instant::now(), StreamEventKind::Lost { reason });
                false
            }
            Delivery::Stalled(stall) => {
                let reason = stall.to_string();
                self.streams
                    .dead
                    .entry(actor.to_owned())
                    .or_insert_with(|| reason.clone());
                self.stream_event(actor, Instant::now(), StreamEventKind::Lost { reason });
                false
            }
            Delivery::AdviceClamped(clamp) => {
                let detail = clamp.to_string();
                self.stream_event(actor, Instant::now(), StreamEventKind::AdviceClamped { detail });
                false
            }
        }
    }

    fn stream_event(&mut self, actor: &str, at: Instant, kind: StreamEventKind) {
        if let Some(slot) = self.exchange_at(at) {
            self.exchanges[slot].stream_events.push(StreamEvent {
                actor: actor.to_owned(),
                kind,
            });
        }
    }

    /// Waits for the next delivery until `deadline` and files it. `None` when the deadline
    /// passed first, else whether the delivery was a relevant notification.
    async fn pull_one(&mut self, deadline: Instant) -> Option<bool> {
        let (actor, received) = self.streams.next_until(deadline).await?;
        Some(self.accept(&actor, &received))
    }

    /// Whether `actor`'s notifications in exchange `slot` meet its plan.
    fn met(
        &self,
        slot: usize,
        actor: &str,
        plan: &StepPlan,
        hinted: Option<&BTreeMap<String, usize>>,
    ) -> bool {
        if self.streams.dead.contains_key(actor) {
            return true;
        }
        let received = self.exchanges[slot].data_of(actor);
        let hint = hinted.and_then(|h| h.get(actor)).copied().unwrap_or(0);
        let Some(wanted) = plan.actors.get(actor) else {
            return received.len() >= hint;
        };
        if received.len() < wanted.count.max(hint) {
            return false;
        }
        // Lenient expectations must appear in order among what arrived.
        let mut next = 0;
        wanted.in_order.iter().all(|expected| {
            let found =
                (next..received.len()).find(|&i| match_value(expected, received[i], &self.vars).is_empty());
            if let Some(i) = found {
                next = i + 1;
            }
            found.is_some()
        })
    }

    /// Waits for exchange `slot`'s notifications as `plan` says (plus what the hook said the
    /// state caused), records how it waited, and reports the exchange as done.
    pub(super) async fn collect(
        &mut self,
        slot: usize,
        plan: &StepPlan,
        hinted: Option<&BTreeMap<String, usize>>,
    ) {
        let deadline = Instant::now() + plan.timeout;
        let actors: Vec<String> = self.users.keys().cloned().collect();
        let mut timed_out = Vec::new();
        for actor in &actors {
            while !self.met(slot, actor, plan, hinted) {
                if self.pull_one(deadline).await.is_none() {
                    timed_out.push(actor.clone());
                    break;
                }
            }
        }
        if plan.quiesce {
            self.quiesce(deadline).await;
        }
        self.pull_available();
        let exchange = &mut self.exchanges[slot];
        exchange.wait.timeout_ms = u64::try_from(plan.timeout.as_millis()).unwrap_or(u64::MAX);
        exchange.wait.deadline_ms = Self::ms_since(self.origins[slot], deadline);
        exchange.wait.quiesce = plan.quiesce;
        exchange.wait.timed_out = timed_out;
        exchange.wait.planned = actors
            .iter()
            .map(|a| {
                let planned = plan.actors.get(a).map_or(0, |p| p.count);
                let hint = hinted.and_then(|h| h.get(a)).copied().unwrap_or(0);
                (a.clone(), planned.max(hint))
            })
            .collect();
        let done = Box::new(self.exchanges[slot].clone());
        self.emit(RunEvent::ExchangeDone {
            index: self.index,
            exchange: done,
        });
    }

    /// Waits until no relevant notification arrived for `settle`, or `deadline`.
    async fn quiesce(&mut self, deadline: Instant) {
        loop {
            let quiet_until = (Instant::now() + self.plan.settle).min(deadline);
            loop {
                match self.pull_one(quiet_until).await {
                    None => break,
                    Some(true) => break,
                    Some(false) => {}
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            if now >= quiet_until {
                self.quiet = true;
                return;
            }
        }
    }

    /// After the run: when the last exchange timed out waiting for an actor's notifications,
    /// gives them as long again to arrive. A slow target's notifications are then reported as
    /// late, with their arrival times, never as not received; a failing run is the only one
    /// that waits longer.
    pub(super) async fn watch_late(&mut self, slot: usize, plan: &StepPlan) {
        let waiting = self.exchanges[slot].wait.timed_out.clone();
        if waiting.is_empty() {
            return;
        }
        let deadline = Instant::now() + plan.timeout;
        for actor in &waiting {
            while !self.met(slot, actor, plan, None) {
                if self.pull_one(deadline).await.is_none() {
                    break;
                }
            }
        }
        self.pull_available();
    }

    /// Waits `settle` for late notifications; each is filed with the exchange in progress when
    /// it arrived. Used after the last step, and after the `given:` states when a hook did not
    /// say how many notifications its state caused.
    pub(super) async fn settle(&mut self) {
        let deadline = Instant::now() + self.plan.settle;
        while self.pull_one(deadline).await.is_some() {}
        self.pull_available();
    }
}
