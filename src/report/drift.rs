//! Drifts from a golden, one or two lines each: class, actor, step, pointer, what changed.

use std::io::{self, Write};

use super::value::{short, summarise_notification};
use crate::golden::{Drift, DriftKind};

/// `  drift (high) agent2, step 1: /steps/0/...: notification missing: ...`.
pub fn render_drift(w: &mut dyn Write, drift: &Drift) -> io::Result<()> {
    let who = drift.actor.as_deref().unwrap_or("scenario");
    let step = drift.step.as_deref().unwrap_or("golden");
    let at = &drift.pointer;
    let expected = || {
        drift
            .expected
            .as_ref()
            .map_or_else(|| "nothing".to_owned(), |v| short(v, 120))
    };
    let actual = || {
        drift
            .actual
            .as_ref()
            .map_or_else(|| "nothing".to_owned(), |v| short(v, 120))
    };
    let what = match &drift.kind {
        DriftKind::FieldRemoved => format!("{at}: field removed (golden: {})", expected()),
        DriftKind::FieldAdded => format!("{at}: field added: {}", actual()),
        DriftKind::TypeChanged => format!("{at}: type changed: golden {}, now {}", expected(), actual()),
        DriftKind::StatusChanged => format!("{at}: status changed: golden {}, now {}", expected(), actual()),
        DriftKind::ValueChanged => format!("{at}: golden {}, now {}", expected(), actual()),
        DriftKind::ElementRemoved => format!("{at}: element removed (golden: {})", expected()),
        DriftKind::ElementAdded => format!("{at}: element added: {}", actual()),
        DriftKind::NotificationMissing => format!(
            "{at}: notification missing: {}",
            drift
                .expected
                .as_ref()
                .map_or_else(String::new, summarise_notification)
        ),
        DriftKind::NotificationAdded => format!(
            "{at}: notification the golden lacks: {}",
            drift
                .actual
                .as_ref()
                .map_or_else(String::new, summarise_notification)
        ),
        DriftKind::Reordered {
            golden_index,
            actual_index,
        } => format!(
            "{at}: notification {} of the golden arrived as notification {}: {}",
            golden_index + 1,
            actual_index + 1,
            drift
                .actual
                .as_ref()
                .map_or_else(String::new, summarise_notification)
        ),
        DriftKind::BindingViolated { placeholder, first } => match &drift.expected {
            Some(serde_json::Value::String(bound)) if !bound.starts_with("a value other than") => format!(
                "{at}: {placeholder} is {} here but {} at {first} (the same placeholder must be the same value)",
                actual(),
                short(&serde_json::Value::String(bound.clone()), 120)
            ),
            _ => format!(
                "{at}: {placeholder} is {}, the value already bound to another placeholder at {first} \
                 (different placeholders must be different values)",
                actual()
            ),
        },
        DriftKind::StepMissing => format!("{at}: the golden has this step, the run did not get to it"),
        DriftKind::StepAdded => format!("{at}: the run has a step the golden lacks"),
    };
    writeln!(w, "  drift ({}) {who}, {step}: {what}", drift.class.name())
}
