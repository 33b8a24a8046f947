//! The wait plan: how long each `given:` state and step waits for notifications, per actor,
//! decided before the run from the inline expectations and, when there is one, the golden.
//!
//! This is the only place where what is expected shapes what is observed: the runner moves on
//! as soon as the planned notifications arrived (never a fixed sleep), and a step that expects
//! nothing waits for quiescence instead, so "nothing was notified" is observed rather than
//! assumed.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::scenario::{LoadedScenario, Millis, NotificationExpectations, Step, StreamMode, Streams};

/// Notification counts per actor, for each `given:` entry and each step, as a golden recorded
/// them (plain data, so the runner does not depend on the golden store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObservedCounts {
    /// One map per `given:` entry.
    pub givens: Vec<BTreeMap<String, usize>>,
    /// One map per step.
    pub steps: Vec<BTreeMap<String, usize>>,
}

/// Why the scenario is run, which decides how eagerly steps move on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Verifying: move on as soon as the plan is met.
    Verify,
    /// Recording: every step also waits for quiescence, so the golden holds everything.
    Record,
}

/// The plan for one scenario.
#[derive(Debug, Clone, Default)]
pub struct ScenarioPlan {
    /// One plan per `given:` entry.
    pub givens: Vec<StepPlan>,
    /// One plan per step.
    pub steps: Vec<StepPlan>,
    /// The wait after the last step for late notifications.
    pub settle: Duration,
}

/// How one exchange waits.
#[derive(Debug, Clone, Default)]
pub struct StepPlan {
    /// Per actor, what to wait for.
    pub actors: BTreeMap<String, ActorPlan>,
    /// After the planned notifications, also wait until none arrives for `settle`.
    pub quiesce: bool,
    /// The notification timeout.
    pub timeout: Duration,
}

/// What to wait for from one actor.
#[derive(Debug, Clone, Default)]
pub struct ActorPlan {
    /// At least this many notifications.
    pub count: usize,
    /// Expectations that must be found in order among them (lenient streams), with the
    /// variables known when the step runs.
    pub in_order: Vec<Value>,
}

/// Run-wide defaults.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Notification timeout for steps that set none.
    pub default_timeout: Duration,
    /// Wait after the last step for late extras, for scenarios that set none.
    pub default_settle: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            default_timeout: Duration::from_millis(5000),
            default_settle: Duration::from_millis(250),
        }
    }
}

impl ScenarioPlan {
    /// The plan for `loaded`: per actor, the larger of what the inline expectations and the
    /// golden call for; an exchange for which neither calls for anything waits for quiescence,
    /// and so does every exchange when recording.
    pub fn derive(
        loaded: &LoadedScenario,
        options: &RunOptions,
        golden: Option<&ObservedCounts>,
        purpose: Purpose,
    ) -> Self {
        let scenario = &loaded.scenario;
        let actors: Vec<&str> = scenario.actors.iter().map(|a| a.value.as_str()).collect();
        let default_timeout = scenario.timeout.map_or(options.default_timeout, Millis::duration);
        let plan_of = |expectations: &NotificationExpectations,
                       step_streams: Option<&Streams>,
                       recorded: Option<&BTreeMap<String, usize>>,
                       setup: bool,
                       timeout: Duration| {
            let mut plan = StepPlan {
                actors: BTreeMap::new(),
                quiesce: purpose == Purpose::Record,
                timeout,
            };
            for actor in &actors {
                let expected = expectations.for_actor(actor).unwrap_or(&[]);
                // Setup streams are always lenient: a state may notify in ways a scenario does
                // not care about.
                let mode = if setup {
                    StreamMode::Lenient
                } else {
                    mode_for(step_streams, scenario.streams.as_ref().map(|s| &s.value), actor)
                };
                let (count, in_order) = match mode {
                    StreamMode::Strict => (expected.len(), Vec::new()),
                    StreamMode::Lenient => (0, expected.iter().map(|e| e.value.clone()).collect()),
                };
                let recorded = recorded.and_then(|r| r.get(*actor)).copied().unwrap_or(0);
                plan.actors.insert(
                    (*actor).to_owned(),
                    ActorPlan {
                        count: count.max(recorded),
                        in_order,
                    },
                );
            }
            let expects_nothing = plan
                .actors
                .values()
                .all(|a| a.count == 0 && a.in_order.is_empty());
            // A `given:` that expects nothing relies on the hook's `notified` hint instead.
            if expects_nothing && !setup {
                plan.quiesce = true;
            }
            plan
        };
        let givens = scenario
            .given
            .iter()
            .enumerate()
            .map(|(i, g)| {
                plan_of(
                    &g.value.notifications,
                    None,
                    golden.and_then(|c| c.givens.get(i)),
                    true,
                    default_timeout,
                )
            })
            .collect();
        let steps = scenario
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let step: &Step = &s.value;
                plan_of(
                    &step.notifications,
                    step.streams.as_ref().map(|s| &s.value),
                    golden.and_then(|c| c.steps.get(i)),
                    false,
                    step.timeout.map_or(default_timeout, Millis::duration),
                )
            })
            .collect();
        ScenarioPlan {
            givens,
            steps,
            settle: scenario.settle.map_or(options.default_settle, Millis::duration),
        }
    }
}

/// The stream mode of `actor` in a step: the step's setting, else the scenario's, else strict.
pub fn mode_for(step: Option<&Streams>, scenario: Option<&Streams>, actor: &str) -> StreamMode {
    step.and_then(|s| s.mode_for(actor))
        .or_else(|| scenario.and_then(|s| s.mode_for(actor)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario::load_str;

    fn load(text: &str) -> LoadedScenario {
        load_str(Path::new("t.yaml"), text.to_owned()).expect("loads")
    }

    const TWO_STEPS: &str = "
actors: [a, b]
given:
  - state: s
steps:
  - actor: a
    request: { path: /x }
    notifications:
      a: [ {n: 1}, {n: 2} ]
  - actor: a
    request: { path: /y }
    streams: lenient
    notifications:
      b: [ {n: 3} ]
  - actor: a
    request: { path: /z }
";

    #[test]
    fn counts_come_from_expectations_and_steps_that_expect_nothing_quiesce() {
        let plan = ScenarioPlan::derive(&load(TWO_STEPS), &RunOptions::default(), None, Purpose::Verify);
        let s = &plan.steps;
        assert_eq!((s[0].actors["a"].count, s[0].actors["b"].count), (2, 0));
        assert!(!s[0].quiesce);
        assert_eq!(
            s[1].actors["b"].count, 0,
            "lenient streams wait for a match, not a count"
        );
        assert_eq!(s[1].actors["b"].in_order.len(), 1);
        assert!(!s[1].quiesce);
        assert!(s[2].quiesce, "a step that expects nothing waits for quiescence");
        assert!(!plan.givens[0].quiesce, "a given relies on the hook's hint");
    }

    #[test]
    fn the_golden_raises_counts_and_recording_always_quiesces() {
        let golden = ObservedCounts {
            givens: vec![BTreeMap::from([("a".to_owned(), 1)])],
            steps: vec![
                BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 3)]),
                BTreeMap::new(),
                BTreeMap::from([("b".to_owned(), 1)]),
            ],
        };
        let plan = ScenarioPlan::derive(
            &load(TWO_STEPS),
            &RunOptions::default(),
            Some(&golden),
            Purpose::Verify,
        );
        assert_eq!(plan.givens[0].actors["a"].count, 1);
        assert_eq!(
            plan.steps[0].actors["a"].count, 2,
            "the larger of expectations and golden"
        );
        assert_eq!(plan.steps[0].actors["b"].count, 3);
        assert!(!plan.steps[2].quiesce, "the golden says what to wait for");
        let recording = ScenarioPlan::derive(&load(TWO_STEPS), &RunOptions::default(), None, Purpose::Record);
        assert!(recording.steps.iter().chain(&recording.givens).all(|p| p.quiesce));
    }
}
