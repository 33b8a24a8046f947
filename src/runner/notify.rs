//! Collecting and judging each actor's notifications for a step (or a `given` state), late
//! arrivals after a step was decided, and the settle windows.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;
use serde_saphyr::Spanned;

use super::exec::Run;
use super::outcome::{FailureKind, Note, NoteKind, StepOutcome, StepRef};
use super::streams::{StreamEvent, judge, satisfied};
use crate::matching::normalize;
use crate::scenario::{Millis, NotificationExpectations, StreamMode, Streams};

/// What the notifications being collected belong to.
pub(super) enum Phase {
    /// A `given` state: listed expectations are checked, anything else is only noted. The
    /// hook may say how many notifications the state caused per actor; those are waited for.
    Setup {
        /// Notifications the state caused, per actor, as the hook reported them.
        caused: BTreeMap<String, usize>,
    },
    /// A step: streams are strict or lenient as the scenario says.
    Step,
}

impl Run<'_> {
    /// The stream mode of `actor` in a step: the step's setting, else the scenario's, else strict.
    fn mode(&self, step_streams: Option<&Streams>, actor: &str) -> StreamMode {
        step_streams
            .and_then(|s| s.mode_for(actor))
            .or_else(|| {
                self.loaded
                    .scenario
                    .streams
                    .as_ref()
                    .and_then(|s| s.value.mode_for(actor))
            })
            .unwrap_or_default()
    }

    /// Collects and judges every actor's notifications for one step or given state.
    pub(super) async fn notifications(
        &mut self,
        expectations: &NotificationExpectations,
        step_streams: Option<&Streams>,
        timeout: Duration,
        step: &StepRef,
        outcome: &mut StepOutcome,
        phase: &Phase,
    ) {
        let deadline = Instant::now() + timeout;
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            let expected: &[Spanned<Value>] = expectations.for_actor(&name).unwrap_or(&[]);
            let (mode, at_least, setup) = match phase {
                Phase::Setup { caused } => {
                    (StreamMode::Lenient, caused.get(&name).copied().unwrap_or(0), true)
                }
                Phase::Step => (self.mode(step_streams, &name), 0, false),
            };
            let vars = self.vars.clone();
            let ids = self.ids.clone();
            let Some(actor) = self.actors.get_mut(&name) else {
                continue;
            };
            let received = actor
                .stream
                .collect(&ids, deadline, |r| {
                    r.len() >= at_least && satisfied(mode, expected, r, &vars)
                })
                .await;
            let ignored = actor.stream.take_ignored();
            let judgement = judge(mode, expected, &received, &vars);
            outcome.notifications.insert(name.clone(), received.clone());
            for (index, actual, mismatches) in judgement.differing {
                self.fail(
                    step,
                    Some(&name),
                    &expected[index].referenced,
                    FailureKind::Notification {
                        index,
                        patch: normalize(&expected[index].value, &actual, &vars).patch(),
                        mismatch_lines: self.lines_of(&mismatches, &expected[index].referenced),
                        expected: expected[index].value.clone(),
                        actual,
                        mismatches,
                    },
                );
            }
            if let Some(&first) = judgement.unmatched.first() {
                let unmatched = judgement
                    .unmatched
                    .iter()
                    .map(|&i| expected[i].value.clone())
                    .collect();
                self.fail(
                    step,
                    Some(&name),
                    &expected[first].referenced,
                    FailureKind::Missing {
                        expected: expected.len(),
                        received: received.len(),
                        timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
                        unmatched,
                        arrived: received.clone(),
                        ignored,
                    },
                );
            }
            if !setup {
                self.step_modes.insert(name.clone(), mode);
            }
            self.extras(mode, setup, &name, judgement.extras, step);
        }
        self.stream_events(step);
    }

    /// Notifications nobody expected: failures in a strict step stream, notes in a lenient
    /// one. Unlisted notifications caused by `given:` states are neither: setup may notify in
    /// ways a scenario does not care about (they stay in the step record for the JSON report).
    fn extras(&mut self, mode: StreamMode, setup: bool, actor: &str, extras: Vec<Value>, step: &StepRef) {
        if setup {
            return;
        }
        for actual in extras {
            if mode == StreamMode::Strict {
                let loc = self
                    .loaded
                    .scenario
                    .steps
                    .get(step.number.saturating_sub(1))
                    .map_or(serde_saphyr::Location::UNKNOWN, |s| s.referenced);
                self.fail(step, Some(actor), &loc, FailureKind::Unexpected { actual });
            } else {
                self.notes.push(Note {
                    step: step.clone(),
                    actor: Some(actor.to_owned()),
                    kind: NoteKind::Extra { actual },
                });
            }
        }
    }

    fn stream_events(&mut self, step: &StepRef) {
        for actor in self.actors.values_mut() {
            for event in actor.stream.events.drain(..) {
                if let StreamEvent::Rehandshake(window_ms, reason) = event {
                    self.notes.push(Note {
                        step: step.clone(),
                        actor: Some(actor.stream.actor.clone()),
                        kind: NoteKind::Rehandshake { window_ms, reason },
                    });
                }
            }
        }
    }

    /// Notifications that arrived after the previous step was decided belong to that step and
    /// are judged with that step's stream modes; collect them before the next request can
    /// cause new ones.
    pub(super) fn drain_leftovers(&mut self) {
        let Some(previous) = self.steps.last().map(|s| s.step.clone()) else {
            return;
        };
        let ids = self.ids.clone();
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            let Some(actor) = self.actors.get_mut(&name) else {
                continue;
            };
            let late = actor.stream.take_available(&ids);
            self.attribute_late(&previous, &name, late);
        }
    }

    /// Adds late notifications to the last step's record and judges them as extras.
    fn attribute_late(&mut self, step: &StepRef, actor: &str, late: Vec<Value>) {
        if late.is_empty() {
            return;
        }
        if let Some(last) = self.steps.last_mut() {
            last.notifications
                .entry(actor.to_owned())
                .or_default()
                .extend(late.iter().cloned());
        }
        let setup = step.number == 0;
        let mode = self.step_modes.get(actor).copied().unwrap_or_default();
        self.extras(mode, setup, actor, late, step);
    }

    fn settle_duration(&self) -> Duration {
        self.loaded
            .scenario
            .settle
            .map_or(self.options.default_settle, Millis::duration)
    }

    /// Waits `settle` for late notifications and attributes them to the last step (or given
    /// state). Used after the last step (late extras), and after the `given:` states when a
    /// hook did not say how many notifications its state caused, so those land in the setup
    /// record (as notes) rather than in step 1's stream.
    pub(super) async fn settle(&mut self) {
        let Some(last) = self.steps.last().map(|s| s.step.clone()) else {
            return;
        };
        let deadline = Instant::now() + self.settle_duration();
        let ids = self.ids.clone();
        let names: Vec<String> = self.actors.keys().cloned().collect();
        for name in names {
            let Some(actor) = self.actors.get_mut(&name) else {
                continue;
            };
            let late = actor.stream.collect(&ids, deadline, |_| false).await;
            self.attribute_late(&last, &name, late);
        }
        self.stream_events(&last);
    }
}
