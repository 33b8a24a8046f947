//! Semantic checks a YAML parser cannot make: step shapes, actors that exist, variables that
//! are defined before use, well-formed capture pointers. Every problem is collected.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::diagnostic::{Diagnostic, SourcePos};
use super::model::{Scenario, Streams};
use crate::matching::template::placeholders;

/// Variables every scenario can use without defining them.
pub const BUILTIN_VARS: &[&str] = &["target"];

struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn report(&mut self, loc: &Location, message: impl Into<String>) {
        let pos = SourcePos::from_location(self.path, loc);
        self.problems.push(Diagnostic::new(pos, message, Some(self.text)));
    }

    fn report_help(&mut self, loc: &Location, message: impl Into<String>, help: impl Into<String>) {
        let pos = SourcePos::from_location(self.path, loc);
        self.problems
            .push(Diagnostic::new(pos, message, Some(self.text)).with_help(help));
    }

    fn actor(&mut self, actors: &BTreeSet<&str>, name: &Spanned<String>) {
        if !actors.contains(name.value.as_str()) {
            let known: Vec<_> = actors.iter().copied().collect();
            self.report_help(
                &name.referenced,
                format!("undefined actor `{}`", name.value),
                format!("actors declared in `actors:` are: {}", known.join(", ")),
            );
        }
    }

    fn vars_in(&mut self, value: &Value, scope: &BTreeSet<String>, loc: &Location) {
        match value {
            Value::String(s) => {
                for name in placeholders(s) {
                    if !scope.contains(name) {
                        self.undefined_var(name, scope, loc);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.vars_in(v, scope, loc)),
            Value::Object(map) => map.values().for_each(|v| self.vars_in(v, scope, loc)),
            _ => {}
        }
    }

    fn undefined_var(&mut self, name: &str, scope: &BTreeSet<String>, loc: &Location) {
        let defined: Vec<&str> = scope.iter().map(String::as_str).collect();
        self.report_help(
            loc,
            format!("undefined variable `${{{name}}}`"),
            format!(
                "variables defined at this point: {}",
                if defined.is_empty() {
                    "none".to_owned()
                } else {
                    defined.join(", ")
                }
            ),
        );
    }

    fn capture(&mut self, name: &str, pointer: &Spanned<String>, scope: &mut BTreeSet<String>) {
        if !pointer.value.is_empty() && !pointer.value.starts_with('/') {
            self.report_help(
                &pointer.referenced,
                format!("capture `{name}`: `{}` is not a JSON Pointer", pointer.value),
                "a JSON Pointer starts with `/`, e.g. `/id` or `/agents/agent1/participantId`",
            );
        }
        scope.insert(name.to_owned());
    }

    fn streams(&mut self, actors: &BTreeSet<&str>, streams: &Spanned<Streams>) {
        if let Streams::PerActor(map) = &streams.value {
            for actor in map.keys() {
                if !actors.contains(actor.as_str()) {
                    self.report(
                        &streams.referenced,
                        format!("`streams:` names undefined actor `{actor}`"),
                    );
                }
            }
        }
    }
}

/// Checks `scenario` (parsed from `text` at `path`) and returns every problem.
pub fn validate(path: &Path, text: &str, scenario: &Scenario) -> Vec<Diagnostic> {
    let mut c = Checker {
        path,
        text,
        problems: Vec::new(),
    };
    let top = Location::UNKNOWN;
    let mut actors = BTreeSet::new();
    if scenario.actors.is_empty() {
        c.report(&top, "a scenario needs at least one actor in `actors:`");
    }
    for actor in &scenario.actors {
        if !actors.insert(actor.value.as_str()) {
            c.report(
                &actor.referenced,
                format!("actor `{}` is declared twice", actor.value),
            );
        }
    }
    if let Some(streams) = &scenario.streams {
        c.streams(&actors, streams);
    }

    let mut scope: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| (*s).to_owned()).collect();
    scope.extend(scenario.vars.keys().cloned());

    for given in &scenario.given {
        c.vars_in(&given.value.params, &scope, &given.referenced);
        for (name, pointer) in &given.value.capture {
            c.capture(name, pointer, &mut scope);
        }
        for (actor, expected) in &given.value.notifications.0 {
            c.actor(&actors, actor);
            for item in expected {
                c.vars_in(&item.value, &scope, &item.referenced);
            }
        }
    }

    if scenario.steps.is_empty() {
        c.report(&top, "a scenario needs at least one step in `steps:`");
    }
    for (index, step) in scenario.steps.iter().enumerate() {
        let loc = step.referenced;
        let s = &step.value;
        let number = index + 1;
        match (&s.actor, &s.request, &s.state) {
            (Some(actor), Some(request), None) => {
                c.actor(&actors, actor);
                for name in placeholders(&request.path.value) {
                    if !scope.contains(name) {
                        c.undefined_var(name, &scope, &request.path.referenced);
                    }
                }
                if let Some(body) = &request.body {
                    c.vars_in(body, &scope, &loc);
                }
                let headers = Value::Object(
                    request
                        .headers
                        .iter()
                        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                        .collect(),
                );
                c.vars_in(&headers, &scope, &loc);
                if s.params.is_some() {
                    c.report(
                        &loc,
                        format!("step {number}: `params:` belongs to `state:` steps, not to requests"),
                    );
                }
            }
            (None, None, Some(_)) => {
                if let Some(params) = &s.params {
                    c.vars_in(params, &scope, &loc);
                }
                if s.response.is_some() {
                    c.report(
                        &loc,
                        format!("step {number}: `response:` belongs to request steps, not to `state:` steps"),
                    );
                }
            }
            (Some(_), None, None) => c.report(&loc, format!("step {number}: has `actor:` but no `request:`")),
            (None, Some(_), None) => c.report(&loc, format!("step {number}: has `request:` but no `actor:`")),
            (None, None, None) => c.report_help(
                &loc,
                format!("step {number}: is neither a request nor a state change"),
                "give it `actor:` + `request:`, or `state:` (+ `params:`)",
            ),
            (_, _, Some(_)) => c.report(
                &loc,
                format!("step {number}: has both `state:` and `actor:`/`request:`; split it into two steps"),
            ),
        }
        // Captures are taken from this step's response, so its own expectations may use them.
        for (name, pointer) in &s.capture {
            c.capture(name, pointer, &mut scope);
        }
        if let Some(response) = &s.response
            && let Some(body) = &response.value.body
        {
            c.vars_in(body, &scope, &response.referenced);
        }
        for (actor, expected) in &s.notifications.0 {
            c.actor(&actors, actor);
            for item in expected {
                c.vars_in(&item.value, &scope, &item.referenced);
            }
        }
        if let Some(streams) = &s.streams {
            c.streams(&actors, streams);
        }
    }
    c.problems
}
