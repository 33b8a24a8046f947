//! The scenario file of a recording: where and when it was recorded (in a comment), the
//! actors, the `given:` states with their captures (or a placeholder state `check` rejects),
//! and the steps with the requests as sent, the response and each actor's notifications as
//! expectations taken from the recording's golden.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::expect::expectation;
use super::recording::{Action, Entry, Recording};
use super::yaml::{Node, write};
use crate::scenario::STATE_TO_FILL_IN;

/// The scenario text of `recording`, whose golden (as written to `golden_file`, with the
/// rules of `rules_file`) is `golden`.
pub(crate) fn scenario_text(
    recording: &Recording,
    golden: &Value,
    golden_file: &str,
    rules_file: &str,
) -> String {
    let notes = &recording.notes;
    let mut header = format!(
        "Recorded by `gws-contract proxy` from {} on {}\n\
         ({} actor(s), {} step(s), {} notification(s); {} request(s) forwarded).\n\
         Expectations are what the target did: values it handed out and later saw again are\n\
         captured variables, and volatile fields are matchers per the rules in\n  {rules_file}\n\
         The golden holds the full observation:\n  {golden_file}\n\
         Review before committing: loosen what is not contract.",
        recording.target,
        utc_text(recording.began),
        recording.actors.len(),
        recording.steps(),
        notes.notifications,
        notes.forwarded,
    );
    if notes.state_to_fill_in {
        header.push_str(
            "\nThe traffic did not start with a state-hook call: fill in the provider state below\n\
             (`gws-contract check` reports it until you do), then record the golden again.",
        );
    }
    let actors: Vec<Value> = recording.actors.iter().map(|a| json!(a)).collect();
    let mut root = Node::map();
    root.push(Some(header), "name", Node::Value(json!(recording.name)));
    root.push(
        None,
        "summary",
        Node::Value(json!(format!(
            "Recorded from live traffic to {}.",
            recording.target
        ))),
    );
    root.push(None, "tags", Node::Value(json!(["recorded"])));
    root.push(None, "actors", Node::Value(Value::Array(actors)));
    let section = |name: &str| {
        golden
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (given_golden, step_golden) = (section("given"), section("steps"));
    let givens: Vec<(Option<String>, Node)> = recording
        .entries
        .iter()
        .filter(|e| e.given)
        .zip(given_golden.iter().chain(std::iter::repeat(&Value::Null)))
        .map(|(entry, golden)| given_node(entry, golden))
        .collect();
    let steps: Vec<(Option<String>, Node)> = recording
        .entries
        .iter()
        .filter(|e| !e.given)
        .zip(step_golden.iter().chain(std::iter::repeat(&Value::Null)))
        .map(|(entry, golden)| (None, step_node(entry, golden)))
        .collect();
    root.push(Some(String::new()), "given", Node::List(givens));
    root.push(Some(String::new()), "steps", Node::List(steps));
    write(&root)
}

fn given_node(entry: &Entry, golden: &Value) -> (Option<String>, Node) {
    let mut node = Node::map();
    let comment = match &entry.action {
        Action::Hook {
            state,
            params_template,
            ..
        } => {
            node.push(None, "state", Node::Value(json!(state)));
            if !params_template.is_null() {
                node.push(None, "params", Node::Value(params_template.clone()));
            }
            None
        }
        _ => {
            node.push(None, "state", Node::Value(json!(STATE_TO_FILL_IN)));
            Some("Fill in: the state the target was in when the recording started (DESIGN.md §5).".to_owned())
        }
    };
    add_captures(&mut node, entry);
    add_notifications(&mut node, golden);
    (comment, node)
}

fn step_node(entry: &Entry, golden: &Value) -> Node {
    let mut node = Node::map();
    match &entry.action {
        Action::Http(http) => {
            node.push(None, "actor", Node::Value(json!(http.actor)));
            let mut request = Node::map()
                .with_value("method", json!(http.method))
                .with_value("path", json!(http.path_template));
            if !http.headers.is_empty() {
                let headers: serde_json::Map<String, Value> =
                    http.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                request.push(None, "headers", Node::Value(Value::Object(headers)));
            }
            if let Some(body) = &http.body_template {
                request.push(None, "body", Node::Value(body.clone()));
            }
            node.push(None, "request", request);
            let mut response = Node::map().with_value("status", json!(http.status));
            if let Some(body) = golden.pointer("/response/body").filter(|b| !b.is_null()) {
                response.push(None, "body", Node::Value(expectation(body)));
            }
            node.push(None, "response", response);
        }
        Action::Hook {
            state,
            params_template,
            ..
        } => {
            node.push(None, "state", Node::Value(json!(state)));
            if !params_template.is_null() {
                node.push(None, "params", Node::Value(params_template.clone()));
            }
        }
        Action::StateToFillIn => {}
    }
    add_captures(&mut node, entry);
    add_notifications(&mut node, golden);
    node
}

fn add_captures(node: &mut Node, entry: &Entry) {
    if entry.captures.is_empty() {
        return;
    }
    let mut captures = Node::map();
    for capture in &entry.captures {
        captures.push(None, &capture.name, Node::Value(json!(capture.pointer)));
    }
    node.push(None, "capture", captures);
}

/// Each actor's recorded notifications (from the golden) as expectations; actors who received
/// none are left out, which a strict stream reads as "none".
fn add_notifications(node: &mut Node, golden: &Value) {
    let Some(per_actor) = golden.get("notifications").and_then(Value::as_object) else {
        return;
    };
    let mut notifications = Node::map();
    let mut any = false;
    for (actor, list) in per_actor {
        if list.as_array().is_some_and(|l| !l.is_empty()) {
            notifications.push(None, actor, Node::Value(expectation(list)));
            any = true;
        }
    }
    if any {
        node.push(None, "notifications", notifications);
    }
}

/// `YYYY-MM-DD hh:mm:ss UTC`.
pub(crate) fn utc_text(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn utc_text_formats_known_instants() {
        assert_eq!(utc_text(UNIX_EPOCH), "1970-01-01 00:00:00 UTC");
        assert_eq!(
            utc_text(UNIX_EPOCH + Duration::from_secs(1_445_433_199)),
            "2015-10-21 13:13:19 UTC"
        );
        assert_eq!(
            utc_text(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29 00:00:00 UTC"
        );
    }
}
