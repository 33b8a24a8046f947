//! Correlation: which values the target handed out are used again later — sent back in a
//! request (a session id in a path, a user's URI in a body) or seen again in a notification
//! (a participant id) — so the scenario captures them from the reply where they first
//! appeared and refers to them as `${name}` instead of repeating what one run happened to get.
//!
//! Only values that look generated count: at least 6 characters with a digit and no spaces,
//! never a user or actor name, and never a value the client itself sent before the target
//! returned it (a customer nickname given to the state hook is the client's, not an id). A
//! notification only makes a plain id (no `/`) a capture: URIs and paths in notifications are
//! compared by the rules (`$uri:`, id placeholders), which stays true on any target.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use serde_json::Value;

use super::classify::path_only;
use super::recording::{Action, CaptureSpec, Entry, Notification};
use crate::matching::escape_token;

/// Values shorter than this are not replaced inside longer strings.
const MIN_EMBEDDED: usize = 8;

/// Decides the captures of `entries` (sorted by start) and fills in their request templates.
/// `notifications` are every actor's notifications; `names` are user and actor names, which
/// are never captured.
pub(crate) fn plan(entries: &mut [Entry], notifications: &[Notification], names: &BTreeSet<String>) {
    let client_first = client_values(entries);
    let sources = sources(entries, &client_first);
    let mut needed: BTreeSet<String> = BTreeSet::new();
    for entry in entries.iter() {
        for value in request_strings(&entry.action) {
            if let Some(source) = sources.get(&value)
                && source.finished <= entry.started
                && looks_generated(&value)
                && !names.contains(&value)
            {
                needed.insert(value);
            }
        }
    }
    for notification in notifications {
        let mut strings = Vec::new();
        strings_of(&notification.data, &mut Vec::new(), &mut strings);
        for (_, value) in strings {
            if let Some(source) = sources.get(&value)
                && source.finished <= notification.at
                && looks_generated(&value)
                && !value.contains('/')
                && !names.contains(&value)
            {
                needed.insert(value);
            }
        }
    }
    assign(entries, &sources, &needed);
    fill_templates(entries);
}

/// Where a value first appeared in a reply.
struct Source {
    entry: usize,
    pointer: String,
    finished: Instant,
}

/// Every string the client sent, with when it first sent it.
fn client_values(entries: &[Entry]) -> HashMap<String, Instant> {
    let mut first = HashMap::new();
    for entry in entries {
        for value in request_strings(&entry.action) {
            first.entry(value).or_insert(entry.started);
        }
    }
    first
}

/// Every string value of every reply, at its earliest appearance, unless the client sent it
/// first.
fn sources(entries: &[Entry], client_first: &HashMap<String, Instant>) -> HashMap<String, Source> {
    let mut sources: HashMap<String, Source> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let Some(reply) = entry.reply() else { continue };
        let mut strings = Vec::new();
        strings_of(reply, &mut Vec::new(), &mut strings);
        for (pointer, value) in strings {
            if client_first
                .get(&value)
                .is_some_and(|sent| *sent <= entry.finished)
            {
                continue;
            }
            let earlier = sources.get(&value).is_some_and(|s| s.finished <= entry.finished);
            if !earlier {
                sources.insert(
                    value,
                    Source {
                        entry: index,
                        pointer,
                        finished: entry.finished,
                    },
                );
            }
        }
    }
    sources
}

/// Gives each needed value a capture at its source, named after where it is.
fn assign(entries: &mut [Entry], sources: &HashMap<String, Source>, needed: &BTreeSet<String>) {
    let mut taken: BTreeSet<String> = crate::scenario::BUILTIN_VARS
        .iter()
        .map(|v| (*v).to_owned())
        .collect();
    let mut by_entry: BTreeMap<usize, Vec<(&String, &Source)>> = BTreeMap::new();
    for value in needed {
        if let Some(source) = sources.get(value) {
            by_entry.entry(source.entry).or_default().push((value, source));
        }
    }
    for (index, mut found) in by_entry {
        found.sort_by(|a, b| a.1.pointer.cmp(&b.1.pointer));
        for (value, source) in found {
            let segments = pointer_segments(&source.pointer);
            let name = unique(var_name(&entries[index].action, &segments), &mut taken);
            entries[index].captures.push(CaptureSpec {
                name,
                pointer: source.pointer.clone(),
                value: value.clone(),
            });
        }
    }
}

/// A variable name for the value at `pointer` of `action`'s reply, following the shipped
/// scenarios' names for the state hook's reply (`session`, `customer`, `agent2_uri`).
fn var_name(action: &Action, pointer: &[String]) -> String {
    let words: Vec<&str> = pointer
        .iter()
        .map(String::as_str)
        .filter(|s| !s.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    match action {
        Action::Hook { .. } => match words.as_slice() {
            ["id"] => "session".to_owned(),
            ["uri"] => "session_uri".to_owned(),
            ["customer", "participantId"] => "customer".to_owned(),
            ["agents", actor, "participantId"] => snake(actor),
            ["agents", actor, rest @ ..] => format!("{}_{}", snake(actor), snake(&rest.join("_"))),
            other => snake(&other.join("_")),
        },
        Action::Http(http) => {
            let rest = match words.as_slice() {
                ["user", rest @ ..] if http.login => rest,
                all => all,
            };
            format!("{}_{}", snake(&http.actor), snake(&rest.join("_")))
        }
        Action::StateToFillIn => snake(&words.join("_")),
    }
}

/// `participantId` → `participant_id`; anything but ASCII letters and digits becomes `_`.
fn snake(text: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    let trimmed = out.trim_matches('_');
    if trimmed.is_empty() {
        "value".to_owned()
    } else if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v{trimmed}")
    } else {
        trimmed.to_owned()
    }
}

fn unique(name: String, taken: &mut BTreeSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// Writes each request's template: captured values (from replies complete before it started)
/// as `${name}`.
fn fill_templates(entries: &mut [Entry]) {
    let captures: Vec<(Instant, CaptureSpec)> = entries
        .iter()
        .flat_map(|e| e.captures.iter().map(|c| (e.finished, c.clone())))
        .collect();
    for entry in entries.iter_mut() {
        let available: Vec<&CaptureSpec> = captures
            .iter()
            .filter(|(finished, _)| *finished <= entry.started)
            .map(|(_, c)| c)
            .collect();
        let templater = Templater::new(&available);
        match &mut entry.action {
            Action::Hook {
                params,
                params_template,
                ..
            } => *params_template = templater.value(params),
            Action::Http(http) => {
                http.path_template = templater.path(&http.path);
                http.body_template = http.body.as_ref().map(|b| templater.value(b));
            }
            Action::StateToFillIn => {}
        }
    }
}

/// Replaces captured values by placeholders.
struct Templater {
    whole: HashMap<String, String>,
    /// Longest first, so a value never loses to its own prefix.
    embedded: Vec<(String, String)>,
}

impl Templater {
    fn new(captures: &[&CaptureSpec]) -> Self {
        let mut whole = HashMap::new();
        for capture in captures {
            whole
                .entry(capture.value.clone())
                .or_insert_with(|| capture.name.clone());
        }
        let mut embedded: Vec<(String, String)> = whole
            .iter()
            .filter(|(value, _)| value.len() >= MIN_EMBEDDED)
            .map(|(v, n)| (v.clone(), n.clone()))
            .collect();
        embedded.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        Templater { whole, embedded }
    }

    fn text(&self, text: &str) -> String {
        if let Some(name) = self.whole.get(text) {
            return format!("${{{name}}}");
        }
        if text.contains("${") {
            // Text that would read as placeholders is sent literally: `$$` turns interpolation
            // off for a string starting with `$`; other such strings have no escape, and
            // validation will point at them.
            return if text.starts_with('$') {
                format!("${text}")
            } else {
                text.to_owned()
            };
        }
        let mut out = text.to_owned();
        for (value, name) in &self.embedded {
            out = out.replace(value.as_str(), &format!("${{{name}}}"));
        }
        out
    }

    fn path(&self, path: &str) -> String {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        let mut out: String = path
            .split('/')
            .map(|segment| {
                if segment.is_empty() {
                    String::new()
                } else {
                    self.text(segment)
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        if let Some(query) = query {
            let pairs: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => format!("{k}={}", self.text(v)),
                    None => pair.to_owned(),
                })
                .collect();
            out.push('?');
            out.push_str(&pairs.join("&"));
        }
        out
    }

    fn value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(v)).collect()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.value(v))).collect())
            }
            other => other.clone(),
        }
    }
}

/// The unescaped segments of a JSON Pointer.
fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// Whether a string looks generated by the target rather than chosen by a person.
fn looks_generated(value: &str) -> bool {
    value.len() >= 6 && !value.contains(char::is_whitespace) && value.bytes().any(|b| b.is_ascii_digit())
}

/// The strings a request sends: path segments, query values, body or hook parameters.
fn request_strings(action: &Action) -> Vec<String> {
    let mut out = Vec::new();
    match action {
        Action::Hook { params, .. } => {
            let mut found = Vec::new();
            strings_of(params, &mut Vec::new(), &mut found);
            out.extend(found.into_iter().map(|(_, v)| v));
        }
        Action::Http(http) => {
            out.extend(
                path_only(&http.path)
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned),
            );
            if let Some((_, query)) = http.path.split_once('?') {
                out.extend(
                    query
                        .split('&')
                        .filter_map(|pair| pair.split_once('='))
                        .map(|(_, v)| v.to_owned()),
                );
            }
            if let Some(body) = &http.body {
                let mut found = Vec::new();
                strings_of(body, &mut Vec::new(), &mut found);
                out.extend(found.into_iter().map(|(_, v)| v));
            }
        }
        Action::StateToFillIn => {}
    }
    out
}

/// Every string in `value` with its JSON Pointer, in document order (keys sorted).
fn strings_of(value: &Value, pointer: &mut Vec<String>, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => {
            let text: String = pointer.iter().map(|p| format!("/{}", escape_token(p))).collect();
            out.push((text, s.clone()));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push(i.to_string());
                strings_of(item, pointer, out);
                pointer.pop();
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                pointer.push(key.clone());
                strings_of(item, pointer, out);
                pointer.pop();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::proxy::recording::HttpEntry;

    fn hook(at: Instant, params: Value, reply: Value) -> Entry {
        Entry {
            given: true,
            started: at,
            finished: at + Duration::from_millis(1),
            action: Action::Hook {
                state: "s".to_owned(),
                params: params.clone(),
                params_template: params,
                status: 200,
                reply,
            },
            captures: Vec::new(),
            notifications: BTreeMap::new(),
        }
    }

    fn http(at: Instant, actor: &str, path: &str, body: Value) -> Entry {
        Entry {
            given: false,
            started: at,
            finished: at + Duration::from_millis(1),
            action: Action::Http(HttpEntry {
                actor: actor.to_owned(),
                login: false,
                method: "POST".to_owned(),
                path: path.to_owned(),
                path_template: path.to_owned(),
                headers: Vec::new(),
                body: Some(body.clone()),
                body_template: Some(body),
                status: 200,
                response_headers: Vec::new(),
                response: json!({"statusCode": 0}),
            }),
            captures: Vec::new(),
            notifications: BTreeMap::new(),
        }
    }

    #[test]
    fn values_used_later_are_captured_where_they_first_appeared_and_templated() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let reply = json!({
            "id": "0002DaAVKJ0V0095",
            "customer": {"participantId": "00A1B2C3D4E5F601", "nickname": "Vita1iy"},
            "agents": {"agent2": {"participantId": "00A1B2C3D4E5F602", "uri": "http://h:1/api/v2/users/ab12cd34ef"}},
        });
        let mut entries = vec![
            hook(
                ms(0),
                json!({"agents": ["agent1", "agent2"], "customer": "Vita1iy"}),
                reply,
            ),
            http(
                ms(10),
                "agent1",
                "/api/v2/me/facebooksessions/0002DaAVKJ0V0095?x=0002DaAVKJ0V0095",
                json!({"operationName": "RemoveParticipantFromConference", "targetUri": "http://h:1/api/v2/users/ab12cd34ef",
                       "text": "about 0002DaAVKJ0V0095", "literal": "${literal}"}),
            ),
        ];
        let notifications = vec![Notification {
            at: ms(20),
            channel: "/v2/me/facebooksession".to_owned(),
            data: json!({"participants": [{"participantId": "00A1B2C3D4E5F601"}], "uri": "http://h:1/api/v2/users/ab12cd34ef"}),
        }];
        let names = BTreeSet::from(["agent1".to_owned(), "agent2".to_owned()]);
        plan(&mut entries, &notifications, &names);
        let captured: Vec<(&str, &str)> = entries[0]
            .captures
            .iter()
            .map(|c| (c.name.as_str(), c.pointer.as_str()))
            .collect();
        assert_eq!(
            captured,
            [
                ("agent2_uri", "/agents/agent2/uri"),
                ("customer", "/customer/participantId"),
                ("session", "/id"),
            ],
            "the nickname the client sent is not captured; the URI only because a request uses it"
        );
        let Action::Http(step) = &entries[1].action else {
            panic!()
        };
        assert_eq!(
            step.path_template,
            "/api/v2/me/facebooksessions/${session}?x=${session}"
        );
        assert_eq!(
            step.body_template,
            Some(
                json!({"operationName": "RemoveParticipantFromConference", "targetUri": "${agent2_uri}",
                        "text": "about ${session}", "literal": "$${literal}"})
            )
        );
    }

    #[test]
    fn literal_placeholders_in_requests_are_escaped() {
        let templater = Templater::new(&[]);
        assert_eq!(templater.text("${not-a-var}"), "$${not-a-var}");
        assert_eq!(
            templater.text("a ${b}"),
            "a ${b}",
            "no escape exists; validation reports it"
        );
        assert_eq!(templater.text("plain"), "plain");
    }

    #[test]
    fn names_read_like_the_shipped_scenarios() {
        assert_eq!(snake("participantId"), "participant_id");
        assert_eq!(snake("agent2"), "agent2");
        assert_eq!(snake("X-Y z"), "x_y_z");
        assert_eq!(snake("1st"), "v1st");
        let mut taken = BTreeSet::from(["session".to_owned()]);
        assert_eq!(unique("session".to_owned(), &mut taken), "session_2");
    }
}
