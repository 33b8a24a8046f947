//! The JSON Schema (draft 2020-12) of the scenario format, for `gws-contract schema` and
//! editors (yaml-language-server). Derived from the serde model with schemars; the types with
//! hand-written `Deserialize` impls get hand-written schemas here that accept exactly what
//! those impls accept.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use super::Millis;
use super::duration::MAX_MILLIS;
use super::model::{NotificationExpectations, Scenario, StreamMode, Streams};

/// The schema of a scenario file, as pretty-printed JSON with a trailing newline (the form
/// committed as `schema/scenario.schema.json`).
pub fn scenario_schema_json() -> String {
    let schema = schemars::schema_for!(Scenario);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// A JSON Pointer (RFC 6901) naming the value to capture, e.g. `/id`. Schema-only type: the
/// model keeps pointers as spanned strings and `validate` checks them with a location.
pub struct JsonPointer;

impl JsonSchema for JsonPointer {
    fn schema_name() -> Cow<'static, str> {
        "JsonPointer".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A JSON Pointer (RFC 6901) into the reply, e.g. `/id`; empty means the whole reply.",
            "type": "string",
            "pattern": "^(/.*)?$"
        })
    }
}

/// The two shapes of a step, which `validate` enforces with located messages: an HTTP request
/// (`actor` + `request`, optionally `response` and `auth`) or a state-hook call (`state`,
/// optionally `params`, and `response` to check the hook's reply).
pub fn step_shapes() -> Value {
    // `null` counts as absent for the loader (the fields are `Option`s), so "must not have"
    // is `{"type": "null"}` rather than `false`.
    serde_json::json!([
        {
            "title": "HTTP request step",
            "required": ["actor", "request"],
            "properties": {
                "actor": { "type": "string" },
                "request": { "type": "object" },
                "state": { "type": "null" },
                "params": { "type": "null" }
            }
        },
        {
            "title": "State-hook step",
            "required": ["state"],
            "properties": {
                "state": { "type": "string" },
                "actor": { "type": "null" },
                "request": { "type": "null" },
                "auth": { "type": "null" }
            }
        }
    ])
}

impl JsonSchema for Millis {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A duration: whole milliseconds (`5000`) or a number with a unit (`5s`, `1.5s`, `250ms`); at most a day.",
            "anyOf": [
                { "type": "integer", "minimum": 0, "maximum": MAX_MILLIS },
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*(ms|s)?\\s*$" }
            ]
        })
    }
}

impl JsonSchema for Streams {
    fn schema_name() -> Cow<'static, str> {
        "Streams".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mode = generator.subschema_for::<StreamMode>();
        json_schema!({
            "description": "How strictly notification streams are checked: one mode for every actor, or a map of actor name to mode (actors not listed inherit the enclosing setting).",
            "anyOf": [
                mode,
                { "type": "object", "additionalProperties": mode }
            ]
        })
    }
}

impl JsonSchema for NotificationExpectations {
    fn schema_name() -> Cow<'static, str> {
        "NotificationExpectations".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Expected notifications per actor: actor name → the `data` objects that actor must receive, in arrival order (matched leniently).",
            "type": "object",
            "additionalProperties": { "type": "array" }
        })
    }
}
