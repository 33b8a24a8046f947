//! Drift: one way a run (or another target's golden) differs from a golden, with its risk
//! class. Plain data; `report` words it.

use serde::Serialize;
use serde_json::Value;

/// How much a drift matters. Ordered: `Low < Ordering < Medium < High`, so `--fail-on CLASS`
/// fails on that class and every class above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskClass {
    /// Something the golden lacks was added (a field).
    Low,
    /// The same notifications arrived in another order.
    Ordering,
    /// A value changed, or a notification the golden lacks arrived.
    Medium,
    /// A field was removed, a type or status changed, or a notification is missing.
    High,
}

impl RiskClass {
    /// Every class, highest first (the order summaries list them in).
    pub const ALL: [RiskClass; 4] = [
        RiskClass::High,
        RiskClass::Medium,
        RiskClass::Ordering,
        RiskClass::Low,
    ];

    /// The class's name as written on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            RiskClass::Low => "low",
            RiskClass::Ordering => "ordering",
            RiskClass::Medium => "medium",
            RiskClass::High => "high",
        }
    }
}

impl std::str::FromStr for RiskClass {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        RiskClass::ALL
            .into_iter()
            .find(|c| c.name() == text)
            .ok_or_else(|| format!("unknown risk class `{text}`: use high, medium, ordering or low"))
    }
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DriftKind {
    /// A field the golden has is missing.
    FieldRemoved,
    /// A field the golden lacks is present.
    FieldAdded,
    /// The value has another JSON type.
    TypeChanged,
    /// An HTTP status or a GWS `statusCode` changed.
    StatusChanged,
    /// A value changed.
    ValueChanged,
    /// An array element (not a notification) the golden has is missing.
    ElementRemoved,
    /// An array element (not a notification) the golden lacks is present.
    ElementAdded,
    /// A notification the golden has did not arrive.
    NotificationMissing,
    /// A notification the golden lacks arrived.
    NotificationAdded,
    /// A notification arrived at another position of the actor's stream.
    Reordered {
        /// Its position in the golden's stream (0-based).
        golden_index: usize,
        /// Its position now (0-based).
        actual_index: usize,
    },
    /// A symbolic id does not hold: the same placeholder took another value, or two
    /// placeholders took the same value.
    BindingViolated {
        /// The placeholder.
        placeholder: String,
        /// Where it (or the value) was first bound, as a JSON Pointer.
        first: String,
    },
    /// A step or `given:` entry the golden has did not run.
    StepMissing,
    /// A step or `given:` entry ran that the golden lacks.
    StepAdded,
}

impl DriftKind {
    /// The risk class of this kind of drift.
    pub fn class(&self) -> RiskClass {
        match self {
            DriftKind::FieldRemoved
            | DriftKind::TypeChanged
            | DriftKind::StatusChanged
            | DriftKind::ElementRemoved
            | DriftKind::NotificationMissing
            | DriftKind::StepMissing => RiskClass::High,
            DriftKind::ValueChanged
            | DriftKind::ElementAdded
            | DriftKind::NotificationAdded
            | DriftKind::BindingViolated { .. }
            | DriftKind::StepAdded => RiskClass::Medium,
            DriftKind::Reordered { .. } => RiskClass::Ordering,
            DriftKind::FieldAdded => RiskClass::Low,
        }
    }
}

/// One difference from a golden.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drift {
    /// How much it matters.
    pub class: RiskClass,
    /// What changed.
    #[serde(flatten)]
    pub kind: DriftKind,
    /// JSON Pointer into the golden document (for additions: where the new value sits in the
    /// observed document).
    pub pointer: String,
    /// The step: `given N` or `step N` (1-based), when the pointer is inside one.
    pub step: Option<String>,
    /// The actor: the receiver for notifications, the sender for requests and responses.
    pub actor: Option<String>,
    /// What the golden says (absent for additions).
    pub expected: Option<Value>,
    /// What was observed (absent for removals).
    pub actual: Option<Value>,
}

/// How a scenario's run was compared with its golden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum GoldenCheck {
    /// No golden directory applies to this target: inline contract only.
    NotConfigured,
    /// The scenario has no golden in the directory yet.
    Missing {
        /// Where it would be.
        path: String,
    },
    /// Compared with this golden.
    Compared {
        /// The golden file.
        path: String,
    },
    /// Not compared: the run stopped early, so there is nothing complete to compare.
    Skipped {
        /// The golden file.
        path: String,
    },
}
