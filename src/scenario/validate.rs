//! Semantic checks a YAML parser cannot make: step shapes, actors that exist, variables that
//! are defined before use, well-formed capture pointers, non-empty `actors:`/`steps:`. Every
//! problem is collected, each at the offending token where the source shows it.
//!
//! JSON values (request bodies, expectations) carry no spans, so their problems are located by
//! searching the source from the enclosing spanned node ([`super::locate`]).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use serde_saphyr::{Location, Spanned};

use super::diagnostic::{Diagnostic, SourcePos};
use super::locate::{LineCol, find_after, find_word_after, top_level_key};
use super::model::{NotificationExpectations, RequestSpec, Scenario, Step, Streams};
use super::suggest::closest;
use crate::matching::lint;
use crate::matching::template::placeholders;
use crate::sendable;

/// The HTTP methods a request step may use.
const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

/// Variables every scenario can use without defining them.
pub const BUILTIN_VARS: &[&str] = &["target"];

/// The state `gws-contract proxy` writes when the recorded traffic did not start with a
/// state-hook call: validation rejects it, so a recording never silently runs against a target
/// in the wrong state.
pub const STATE_TO_FILL_IN: &str = "<fill in>";

/// Checks `scenario` (parsed from `text` at `path`) and returns every problem.
pub fn validate(path: &Path, text: &str, scenario: &Scenario) -> Vec<Diagnostic> {
    let mut c = Checker {
        path,
        text,
        problems: Vec::new(),
    };
    let actors = c.declared_actors(scenario);
    if let Some(streams) = &scenario.streams {
        c.streams(&actors, streams);
    }

    let mut scope: BTreeSet<String> = BUILTIN_VARS.iter().map(|s| (*s).to_owned()).collect();
    scope.extend(scenario.vars.keys().cloned());

    for given in &scenario.given {
        let at = pos(&given.referenced);
        if given.value.state == STATE_TO_FILL_IN {
            c.state_to_fill_in(at);
        }
        c.vars_in(&given.value.params, &scope, at);
        for (name, pointer) in &given.value.capture {
            c.capture(name, pointer, &mut scope);
        }
        c.notifications(&actors, &given.value.notifications, &scope);
    }

    if scenario.steps.is_empty() {
        c.empty_list(
            "steps",
            "a scenario needs at least one step",
            "e.g. `- actor: agent1` with a `request:`",
        );
    }
    for (index, step) in scenario.steps.iter().enumerate() {
        c.step(index + 1, step, &actors, &mut scope);
    }
    // Checks run in dependency order (declarations, then uses); authors read top to bottom.
    c.problems.sort_by_key(|d| (d.pos.line, d.pos.column));
    c.problems
}

struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    problems: Vec<Diagnostic>,
}

fn pos(loc: &Location) -> LineCol {
    (loc.line(), loc.column())
}

impl Checker<'_> {
    fn report(&mut self, at: LineCol, message: impl Into<String>, help: Option<String>) {
        let pos = SourcePos {
            file: self.path.to_path_buf(),
            line: at.0,
            column: at.1,
        };
        let diagnostic = Diagnostic::new(pos, message, Some(self.text));
        self.problems.push(match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        });
    }

    fn declared_actors<'s>(&mut self, scenario: &'s Scenario) -> BTreeSet<&'s str> {
        if scenario.actors.is_empty() {
            self.empty_list(
                "actors",
                "a scenario needs at least one actor",
                "e.g. `actors: [agent1]`",
            );
        }
        let mut actors = BTreeSet::new();
        for actor in &scenario.actors {
            if let Err(problem) = sendable::check_user(&actor.value) {
                self.report(
                    pos(&actor.referenced),
                    format!("this actor cannot log in: {problem}"),
                    Some(
                        "actors log in as the user of the same name unless a profile maps them; \
                         rename the actor"
                            .to_owned(),
                    ),
                );
            }
            if !actors.insert(actor.value.as_str()) {
                self.report(
                    pos(&actor.referenced),
                    format!("actor `{}` is declared twice", actor.value),
                    None,
                );
            }
        }
        actors
    }

    fn state_to_fill_in(&mut self, given: LineCol) {
        let at = find_after(self.text, given, STATE_TO_FILL_IN).unwrap_or(given);
        self.report(
            at,
            "fill in the provider state this recording started from",
            Some(
                "the recorded traffic did not start with a state-hook call; name the state the target \
                 was in (DESIGN.md §5, e.g. `facebook session chatting`) with its `params:` and \
                 `capture:`, and use the captured variables in the steps"
                    .to_owned(),
            ),
        );
    }

    /// An empty top-level list: located at its value (`[]`) or, failing that, its key.
    fn empty_list(&mut self, key: &str, message: &str, example: &str) {
        let at = top_level_key(self.text, key).map_or((0, 0), |(key_pos, value)| value.unwrap_or(key_pos));
        self.report(
            at,
            format!("`{key}:` is empty: {message}"),
            Some(example.to_owned()),
        );
    }

    fn step(
        &mut self,
        number: usize,
        step: &Spanned<Step>,
        actors: &BTreeSet<&str>,
        scope: &mut BTreeSet<String>,
    ) {
        let at = pos(&step.referenced);
        let s = &step.value;
        match (&s.actor, &s.request, &s.state) {
            (Some(actor), Some(request), None) => {
                self.actor(actors, actor);
                self.method(&request.method, at);
                self.sendable(request, at);
                self.vars_in(
                    &Value::String(request.path.value.clone()),
                    scope,
                    pos(&request.path.referenced),
                );
                if let Some(body) = &request.body {
                    self.vars_in(body, scope, at);
                }
                for value in request.headers.values() {
                    self.vars_in(&Value::String(value.clone()), scope, at);
                }
                if s.params.is_some() {
                    self.report(
                        self.key_in_step(at, "params"),
                        format!("step {number}: `params:` belongs to `state:` steps, not to requests"),
                        Some("send request data in `request.body`".to_owned()),
                    );
                }
            }
            (None, None, Some(_)) => {
                if let Some(params) = &s.params {
                    self.vars_in(params, scope, at);
                }
                if let Some(auth) = &s.auth {
                    self.report(
                        pos(&auth.referenced),
                        format!("step {number}: `auth:` belongs to request steps, not to `state:` steps"),
                        Some("the state hook is called without actor credentials".to_owned()),
                    );
                }
            }
            (Some(_), None, None) => self.report(
                at,
                format!("step {number}: has `actor:` but no `request:`"),
                Some("add a `request:` with at least a `path:`".to_owned()),
            ),
            (None, Some(_), None) => self.report(
                at,
                format!("step {number}: has `request:` but no `actor:`"),
                Some("name the actor who sends it, e.g. `actor: agent1`".to_owned()),
            ),
            (None, None, None) => self.report(
                at,
                format!("step {number}: is neither a request nor a state change"),
                Some("give it `actor:` + `request:`, or `state:` (+ `params:`)".to_owned()),
            ),
            (_, _, Some(_)) => self.report(
                self.key_in_step(at, "state"),
                format!("step {number}: has both `state:` and `actor:`/`request:`"),
                Some("a step is either a request or a state change; split it into two steps".to_owned()),
            ),
        }
        // Captures are taken from this step's response, so its own expectations may use them.
        for (name, pointer) in &s.capture {
            self.capture(name, pointer, scope);
        }
        if let Some(response) = &s.response {
            let at = pos(&response.referenced);
            // Headers are checked as one object, so `$absent` (header must not be sent) is
            // meaningful there as it is for object keys.
            let headers: serde_json::Map<String, Value> = response
                .value
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            self.expected_value(&Value::Object(headers), scope, at);
            if let Some(body) = &response.value.body {
                self.expected_value(body, scope, at);
            }
        }
        self.notifications(actors, &s.notifications, scope);
        if let Some(streams) = &s.streams {
            self.streams(actors, streams);
        }
    }

    /// Where `key:` is written inside the step starting at `step`, or the step itself.
    fn key_in_step(&self, step: LineCol, key: &str) -> LineCol {
        find_word_after(self.text, step, &format!("{key}:"))
            .or_else(|| find_word_after(self.text, step, key))
            .unwrap_or(step)
    }

    fn notifications(
        &mut self,
        actors: &BTreeSet<&str>,
        expected: &NotificationExpectations,
        scope: &BTreeSet<String>,
    ) {
        for (actor, items) in &expected.0 {
            self.actor(actors, actor);
            for item in items {
                self.expected_value(&item.value, scope, pos(&item.referenced));
            }
        }
    }

    /// The one place every *expected* value (response headers and body, notifications) is
    /// checked: variables, and malformed matcher strings (`$anyy`, a bad `$regex:`) found by
    /// `matching::lint`, each located at the offending string.
    fn expected_value(&mut self, value: &Value, scope: &BTreeSet<String>, from: LineCol) {
        self.vars_in(value, scope, from);
        for problem in lint(value) {
            let at = value
                .pointer(&problem.pointer)
                .and_then(Value::as_str)
                .and_then(|text| find_after(self.text, from, text))
                .unwrap_or(from);
            let help = format!("at {} in the expected value", display_pointer(&problem.pointer));
            self.report(at, problem.kind.to_string(), Some(help));
        }
    }

    /// Whether the request can be put on the wire at all (header names and values, the path as
    /// a URI), with each placeholder standing for a short value; the transport checks again
    /// after interpolation.
    fn sendable(&mut self, request: &RequestSpec, step: LineCol) {
        if let Err(problem) = sendable::check_path_template(&request.path.value) {
            self.report(pos(&request.path.referenced), problem.to_string(), None);
        }
        for (name, value) in &request.headers {
            let problem = sendable::check_header_name(name)
                .err()
                .or_else(|| sendable::check_header_value(name, value).err());
            if let Some(problem) = problem {
                // Names with escapes (`"X-A\nB"`) are not written as they read; fall back to the
                // `headers:` key, then the step.
                let at = find_word_after(self.text, step, name)
                    .or_else(|| find_word_after(self.text, step, "headers:"))
                    .unwrap_or(step);
                self.report(at, problem.to_string(), None);
            }
        }
    }

    /// HTTP methods a GWS scenario can use (any case); anything else is a typo, not a verb the
    /// target should be sent.
    fn method(&mut self, method: &str, step: LineCol) {
        if HTTP_METHODS.iter().any(|m| m.eq_ignore_ascii_case(method)) {
            return;
        }
        let at = find_word_after(self.text, step, "method:")
            .and_then(|key| find_after(self.text, key, method))
            .unwrap_or(step);
        let help = match closest(method, HTTP_METHODS.iter().copied()) {
            Some(m) => format!("did you mean `{m}`? (methods: {})", HTTP_METHODS.join(", ")),
            None => format!("methods: {}", HTTP_METHODS.join(", ")),
        };
        self.report(at, format!("unknown HTTP method `{method}`"), Some(help));
    }

    fn actor(&mut self, actors: &BTreeSet<&str>, name: &Spanned<String>) {
        if !actors.contains(name.value.as_str()) {
            self.report(
                pos(&name.referenced),
                format!("undefined actor `{}`", name.value),
                Some(declared_actors_help(actors, &name.value)),
            );
        }
    }

    fn vars_in(&mut self, value: &Value, scope: &BTreeSet<String>, from: LineCol) {
        match value {
            Value::String(s) => {
                for name in placeholders(s) {
                    if !scope.contains(name) {
                        let at = find_after(self.text, from, &format!("${{{name}}}")).unwrap_or(from);
                        self.undefined_var(name, scope, at);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.vars_in(v, scope, from)),
            Value::Object(map) => map.values().for_each(|v| self.vars_in(v, scope, from)),
            _ => {}
        }
    }

    fn undefined_var(&mut self, name: &str, scope: &BTreeSet<String>, at: LineCol) {
        let defined: Vec<String> = scope.iter().map(|v| format!("`{v}`")).collect();
        let guess = closest(name, scope.iter().map(String::as_str))
            .map_or_else(String::new, |best| format!("did you mean `${{{best}}}`? "));
        self.report(
            at,
            format!("undefined variable `${{{name}}}`"),
            Some(format!(
                "{guess}variables defined at this point: {}; define it in `vars:` or capture it earlier",
                defined.join(", ")
            )),
        );
    }

    fn capture(&mut self, name: &str, pointer: &Spanned<String>, scope: &mut BTreeSet<String>) {
        if let Some((problem, help)) = pointer_problem(&pointer.value) {
            self.report(
                pos(&pointer.referenced),
                format!(
                    "capture `{name}`: `{}` is not a JSON Pointer: {problem}",
                    pointer.value
                ),
                Some(help.to_owned()),
            );
        }
        scope.insert(name.to_owned());
    }

    fn streams(&mut self, actors: &BTreeSet<&str>, streams: &Spanned<Streams>) {
        if let Streams::PerActor(map) = &streams.value {
            let from = pos(&streams.referenced);
            for actor in map.keys() {
                if !actors.contains(actor.as_str()) {
                    let at = find_word_after(self.text, from, actor).unwrap_or(from);
                    self.report(
                        at,
                        format!("undefined actor `{actor}` in `streams:`"),
                        Some(declared_actors_help(actors, actor)),
                    );
                }
            }
        }
    }
}

fn declared_actors_help(actors: &BTreeSet<&str>, unknown: &str) -> String {
    let known: Vec<String> = actors.iter().map(|a| format!("`{a}`")).collect();
    if known.is_empty() {
        return "no actors are declared; list them in `actors:`".to_owned();
    }
    let guess = closest(unknown, actors.iter().copied())
        .map_or_else(String::new, |best| format!("did you mean `{best}`? "));
    format!("{guess}actors declared in `actors:` are: {}", known.join(", "))
}

/// Why `pointer` is not an RFC 6901 JSON Pointer, and how to write it, if it is not one.
fn pointer_problem(pointer: &str) -> Option<(&'static str, &'static str)> {
    if !pointer.is_empty() && !pointer.starts_with('/') {
        return Some((
            "it must start with `/`",
            "write the path from the root of the reply, e.g. `/id` or `/agents/agent1/participantId`",
        ));
    }
    let mut chars = pointer.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return Some((
                "`~` starts an escape",
                "inside a key write `~0` for `~` and `~1` for `/`; separate keys with `/`",
            ));
        }
    }
    None
}

/// A JSON Pointer for a help line (`/` for the whole value).
fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

#[cfg(test)]
mod tests {
    use super::pointer_problem;

    #[test]
    fn json_pointers() {
        assert_eq!(pointer_problem(""), None);
        assert_eq!(pointer_problem("/id"), None);
        assert_eq!(pointer_problem("/a~1b/c~0"), None);
        assert!(pointer_problem("id").is_some());
        assert!(pointer_problem("/a~b").is_some());
        assert!(pointer_problem("/a~").is_some());
    }
}
