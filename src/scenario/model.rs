//! The scenario file format (DESIGN.md §3) as serde types.
//!
//! Every struct denies unknown keys so typos are reported with their location. Values whose
//! position matters for failure reports (steps, expected responses and notifications) are
//! wrapped in [`Spanned`]. Steps are one flat struct rather than an untagged enum, because
//! untagged enums lose both the error message and the span; [`Step::kind`] gives the typed view
//! once validation has checked the shape.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::Millis;
use super::access::{AuthMode, Requirement, SessionPolicy};
use super::schema::{JsonPointer, step_shapes};
use super::status::StatusSpec;
use super::suggest::closest;
use super::yaml_error::HELP_SEPARATOR;

/// One scenario file.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "gws-contract scenario")]
pub struct Scenario {
    /// Unique name; defaults to the file stem.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub name: Option<Spanned<String>>,
    /// One-sentence description.
    #[serde(default)]
    pub summary: Option<String>,
    /// Where the expected behaviour is documented (e.g. a seed page file name).
    #[serde(default)]
    pub source: Option<String>,
    /// Free-form tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Target features the scenario needs (e.g. `csrf`); without them it is skipped.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// The actors taking part; credentials come from the target profile.
    #[schemars(with = "Vec<String>", length(min = 1))]
    pub actors: Vec<Spanned<String>>,
    /// Constants available as `${name}`.
    #[serde(default)]
    pub vars: BTreeMap<String, Value>,
    /// Provider states applied before the first step.
    #[serde(default)]
    #[schemars(with = "Vec<Given>")]
    pub given: Vec<Spanned<Given>>,
    /// The steps, in order.
    #[schemars(with = "Vec<Step>", length(min = 1))]
    pub steps: Vec<Spanned<Step>>,
    /// Stream strictness for the whole scenario (default strict).
    #[serde(default)]
    #[schemars(with = "Option<Streams>")]
    pub streams: Option<Spanned<Streams>>,
    /// Default per-step notification timeout (default 5 s).
    #[serde(default)]
    pub timeout: Option<Millis>,
    /// How long to wait after the last step for late extra notifications (default 250 ms).
    #[serde(default)]
    pub settle: Option<Millis>,
    /// `fresh`: log the actors in and handshake for this scenario alone instead of using the
    /// sessions its job slot keeps across scenarios (`reuse`, the default).
    #[serde(default)]
    pub sessions: SessionPolicy,
}

/// A provider state applied through the state hook (DESIGN.md §5).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Given {
    /// State name, e.g. `facebook session chatting`.
    pub state: String,
    /// Parameters sent with the state; may use `${var}`.
    #[serde(default)]
    pub params: Value,
    /// Variables captured from the hook's reply: name → JSON Pointer.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, JsonPointer>")]
    pub capture: BTreeMap<String, Spanned<String>>,
    /// Notifications the state itself causes (e.g. the offer of `facebook session offered`).
    /// Listing them makes the runner wait for them and keeps them out of step 1's stream.
    #[serde(default)]
    pub notifications: NotificationExpectations,
}

/// One step: an HTTP request by an actor, or a state-hook call.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("oneOf" = step_shapes()))]
pub struct Step {
    /// Optional label shown in reports.
    #[serde(default)]
    pub name: Option<String>,
    /// The actor making the request (HTTP steps).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub actor: Option<Spanned<String>>,
    /// The request (HTTP steps).
    #[serde(default)]
    pub request: Option<RequestSpec>,
    /// Expected response (HTTP steps), or expected reply of the state hook (state steps, e.g.
    /// what `customer transcript` shows the customer).
    #[serde(default)]
    #[schemars(with = "Option<ResponseSpec>")]
    pub response: Option<Spanned<ResponseSpec>>,
    /// Send the request with no credentials (`none`), a wrong password (`wrong`) or without
    /// the CSRF token (`no-csrf`) instead of as the actor normally does (HTTP steps).
    #[serde(default)]
    #[schemars(with = "Option<AuthMode>")]
    pub auth: Option<Spanned<AuthMode>>,
    /// A state-hook call instead of a request, e.g. `customer message`.
    #[serde(default)]
    pub state: Option<String>,
    /// Parameters of the state-hook call.
    #[serde(default)]
    pub params: Option<Value>,
    /// Variables captured from the response body (or hook reply): name → JSON Pointer.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, JsonPointer>")]
    pub capture: BTreeMap<String, Spanned<String>>,
    /// Expected notifications per actor, in arrival order.
    #[serde(default)]
    pub notifications: NotificationExpectations,
    /// Stream strictness for this step.
    #[serde(default)]
    #[schemars(with = "Option<Streams>")]
    pub streams: Option<Spanned<Streams>>,
    /// Notification timeout for this step.
    #[serde(default)]
    pub timeout: Option<Millis>,
}

/// Expected notifications: actor → ordered list of expected `data` objects, in file order.
///
/// A list of pairs rather than a map so each actor key keeps its own source location (for
/// "undefined actor" diagnostics) and reports follow the order the author wrote.
#[derive(Debug, Clone, Default)]
pub struct NotificationExpectations(pub Vec<(Spanned<String>, Vec<Spanned<Value>>)>);

impl NotificationExpectations {
    /// The expected notifications of `actor`, if the step lists any.
    pub fn for_actor(&self, actor: &str) -> Option<&[Spanned<Value>]> {
        self.0
            .iter()
            .find(|(name, _)| name.value == actor)
            .map(|(_, list)| list.as_slice())
    }
}

impl<'de> Deserialize<'de> for NotificationExpectations {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = NotificationExpectations;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of actor name to a list of expected notifications")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry()? {
                    pairs.push(pair);
                }
                Ok(NotificationExpectations(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}

/// The typed view of a validated [`Step`].
#[derive(Debug, Clone, Copy)]
pub enum StepKind<'a> {
    /// An HTTP request by `actor`.
    Http {
        /// Who sends it.
        actor: &'a str,
        /// What is sent.
        request: &'a RequestSpec,
        /// What must come back (if anything is asserted).
        response: Option<&'a ResponseSpec>,
    },
    /// A state-hook call.
    State {
        /// The state name.
        state: &'a str,
        /// Its parameters.
        params: &'a Value,
    },
}

impl Step {
    /// The typed view; `None` only for shapes validation rejects.
    pub fn kind(&self) -> Option<StepKind<'_>> {
        static NULL: Value = Value::Null;
        match (&self.actor, &self.request, &self.state) {
            (Some(actor), Some(request), None) => Some(StepKind::Http {
                actor: &actor.value,
                request,
                response: self.response.as_ref().map(|r| &r.value),
            }),
            (None, None, Some(state)) => Some(StepKind::State {
                state,
                params: self.params.as_ref().unwrap_or(&NULL),
            }),
            _ => None,
        }
    }
}

/// An HTTP request.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestSpec {
    /// HTTP method (default `GET`).
    #[serde(default = "default_method")]
    pub method: String,
    /// Path below the target's base URL; may use `${var}`.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// Extra request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// JSON body.
    #[serde(default)]
    pub body: Option<Value>,
}

fn default_method() -> String {
    "GET".to_owned()
}

/// The expected HTTP response.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// Expected status: a code, a class (`4xx`) or a list of them.
    #[serde(default)]
    pub status: Option<StatusSpec>,
    /// Expected headers (names case-insensitive; values matched leniently as strings).
    #[serde(default)]
    pub headers: BTreeMap<String, Value>,
    /// Expected body, matched leniently.
    #[serde(default)]
    pub body: Option<Value>,
}

/// How strictly an actor's notification stream is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StreamMode {
    /// Every notification about the scenario's interactions must be expected, in order.
    #[default]
    Strict,
    /// Expected notifications must appear in order; extras are reported but pass.
    Lenient,
}

/// A `streams:` setting: one mode for every actor, or a per-actor map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Streams {
    /// The same mode for all actors.
    All(StreamMode),
    /// Per-actor modes; actors not listed inherit the enclosing setting.
    PerActor(BTreeMap<String, StreamMode>),
}

impl Streams {
    /// The mode this setting gives `actor`, if it says anything about it.
    pub fn mode_for(&self, actor: &str) -> Option<StreamMode> {
        match self {
            Streams::All(mode) => Some(*mode),
            Streams::PerActor(map) => map.get(actor).copied(),
        }
    }
}

fn parse_mode<E: de::Error>(text: &str) -> Result<StreamMode, E> {
    match text {
        "strict" => Ok(StreamMode::Strict),
        "lenient" => Ok(StreamMode::Lenient),
        // `custom` (not `unknown_variant`) so serde-saphyr locates the error at the value.
        other => Err(E::custom(format_args!(
            "invalid stream mode `{other}`{HELP_SEPARATOR}{}use `strict` or `lenient`",
            match closest(other, ["strict", "lenient"]) {
                Some(best) => format!("did you mean `{best}`? "),
                None => String::new(),
            }
        ))),
    }
}

impl<'de> Deserialize<'de> for StreamMode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ModeVisitor;
        impl Visitor<'_> for ModeVisitor {
            type Value = StreamMode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`strict` or `lenient`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StreamMode, E> {
                parse_mode(v)
            }
        }
        deserializer.deserialize_str(ModeVisitor)
    }
}

impl<'de> Deserialize<'de> for Streams {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StreamsVisitor;
        impl<'de> Visitor<'de> for StreamsVisitor {
            type Value = Streams;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`strict`, `lenient`, or a map of actor name to `strict`/`lenient`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Streams, E> {
                parse_mode(v).map(Streams::All)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Streams, A::Error> {
                let mut modes = BTreeMap::new();
                while let Some((actor, mode)) = map.next_entry::<String, StreamMode>()? {
                    modes.insert(actor, mode);
                }
                Ok(Streams::PerActor(modes))
            }
        }
        deserializer.deserialize_any(StreamsVisitor)
    }
}
