//! Learning volatility from repeated recordings (`record --runs N`): leaf paths whose values
//! differ between runs, once the reviewed rules are applied, are proposed as new rules — kind
//! `id` when each run's value recurs elsewhere in that run (it names something), `volatile`
//! otherwise. Proposals are only ever written for review; nothing here changes committed rules.

use std::collections::BTreeMap;

use serde_json::Value;

use super::rules::{Rule, RuleKind, Rules};
use super::symbols::{pointer_of, symbolize};
use crate::matching::Vars;

const ID_REASON: &str =
    "differed between recordings and recurs elsewhere in each (proposed by record --runs)";
const VOLATILE_REASON: &str = "differed between recordings (proposed by record --runs)";

/// One scenario's recordings: per run, the raw document and the captured variables.
#[derive(Debug, Clone)]
pub struct Recordings {
    /// The scenario's name.
    pub scenario: String,
    /// One (raw document, captured variables) per run.
    pub runs: Vec<(Value, Vars)>,
}

/// What comparing the runs found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Learned {
    /// New rules to propose (patterns not covered by the given rules).
    pub proposals: Vec<Rule>,
    /// Per scenario, pointers whose structure differed between runs (a rule cannot fix those:
    /// the target behaves differently from run to run).
    pub unstable: BTreeMap<String, Vec<String>>,
}

/// Compares the runs of every scenario under `rules` and proposes rules for what differs.
pub fn learn(recordings: &[Recordings], rules: &Rules) -> Learned {
    let mut proposals: Vec<Rule> = Vec::new();
    let mut unstable = BTreeMap::new();
    for rec in recordings {
        let Some((first_raw, first_vars)) = rec.runs.first() else {
            continue;
        };
        let first = symbolize(first_raw, first_vars, rules);
        for (raw, vars) in rec.runs.iter().skip(1) {
            let other = symbolize(raw, vars, rules);
            let mut differing = Vec::new();
            let mut shape = Vec::new();
            compare(&first, &other, &mut Vec::new(), &mut differing, &mut shape);
            if !shape.is_empty() {
                let list: &mut Vec<String> = unstable.entry(rec.scenario.clone()).or_default();
                for p in shape {
                    if !list.contains(&p) {
                        list.push(p);
                    }
                }
            }
            for segments in differing {
                let recurs = recurs_in(first_raw, &segments) && recurs_in(raw, &segments);
                let (path, name) = generalise(&segments);
                let kind = if recurs { RuleKind::Id } else { RuleKind::Volatile };
                match proposals.iter_mut().find(|r| r.path == path) {
                    Some(existing) => {
                        if !existing.scenarios.contains(&rec.scenario) {
                            existing.scenarios.push(rec.scenario.clone());
                        }
                        // One place where the value names something makes the path an id.
                        if kind == RuleKind::Id && existing.kind == RuleKind::Volatile {
                            existing.kind = RuleKind::Id;
                            existing.name = Some(name);
                            existing.reason = ID_REASON.to_owned();
                        }
                    }
                    None => proposals.push(Rule {
                        path,
                        kind,
                        name: (kind == RuleKind::Id).then_some(name),
                        within: None,
                        reason: match kind {
                            RuleKind::Id => ID_REASON.to_owned(),
                            RuleKind::Volatile => VOLATILE_REASON.to_owned(),
                        },
                        scenarios: vec![rec.scenario.clone()],
                    }),
                }
            }
        }
    }
    proposals.retain(|p| !rules.rules.iter().any(|r| r.path == p.path));
    Learned { proposals, unstable }
}

/// Leaves that differ (`differing`) and places where the structure differs (`shape`).
fn compare(
    a: &Value,
    b: &Value,
    at: &mut Vec<String>,
    differing: &mut Vec<Vec<String>>,
    shape: &mut Vec<String>,
) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || x.keys().any(|k| !y.contains_key(k)) {
                shape.push(pointer_of(at));
            }
            for (key, xv) in x {
                if let Some(yv) = y.get(key) {
                    at.push(key.clone());
                    compare(xv, yv, at, differing, shape);
                    at.pop();
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                shape.push(pointer_of(at));
            }
            for (i, (xv, yv)) in x.iter().zip(y).enumerate() {
                at.push(i.to_string());
                compare(xv, yv, at, differing, shape);
                at.pop();
            }
        }
        (x, y) if x != y => differing.push(at.clone()),
        _ => {}
    }
}

/// Whether the raw value at `segments` occurs at another leaf of `document` (whole, or inside
/// a longer string).
fn recurs_in(document: &Value, segments: &[String]) -> bool {
    let Some(value) = document.pointer(&pointer_of(segments)) else {
        return false;
    };
    let Some(text) = value.as_str().filter(|t| t.len() >= 4) else {
        return false;
    };
    let mut count = 0;
    count_occurrences(document, text, &mut count);
    count > 1
}

fn count_occurrences(value: &Value, text: &str, count: &mut usize) {
    match value {
        Value::String(s) if s.contains(text) => *count += 1,
        Value::Array(items) => items.iter().for_each(|v| count_occurrences(v, text, count)),
        Value::Object(map) => map.values().for_each(|v| count_occurrences(v, text, count)),
        _ => {}
    }
}

/// A pattern for a concrete pointer: `**/KEY`, or `**/KEY/*` for array elements; and the id
/// name it suggests.
fn generalise(segments: &[String]) -> (String, String) {
    let is_index = |s: &String| s.parse::<usize>().is_ok();
    match segments {
        [.., parent, last] if is_index(last) && !is_index(parent) => {
            (format!("**/{parent}/*"), parent.clone())
        }
        [.., last] if !is_index(last) => (format!("**/{last}"), last.clone()),
        _ => (pointer_of(segments), "id".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(stamp: u64, participant: &str, queue: &str) -> (Value, Vars) {
        (
            json!({"steps": [{"notifications": {"a": [
                {"timestamp": stamp, "participants": [{"participantId": participant}], "from": {"participantId": participant},
                 "queues": [queue], "state": "Chatting"}
            ]}}]}),
            Vars::new(),
        )
    }

    #[test]
    fn proposes_ids_for_recurring_values_and_volatile_for_the_rest() {
        let recordings = [Recordings {
            scenario: "s".to_owned(),
            runs: vec![run(1, "P-AAAA", "q-1111"), run(2, "P-BBBB", "q-2222")],
        }];
        let learned = learn(&recordings, &Rules::default());
        let summary: Vec<(String, RuleKind)> = learned
            .proposals
            .iter()
            .map(|r| (r.path.clone(), r.kind))
            .collect();
        assert_eq!(
            summary,
            [
                ("**/participantId".to_owned(), RuleKind::Id),
                ("**/queues/*".to_owned(), RuleKind::Volatile),
                ("**/timestamp".to_owned(), RuleKind::Volatile),
            ]
        );
        assert!(learned.unstable.is_empty());
        // Once they are rules, the runs agree and nothing more is proposed.
        let rules = Rules {
            rules: learned.proposals.clone(),
        };
        assert_eq!(learn(&recordings, &rules).proposals, []);
    }

    #[test]
    fn structural_differences_are_reported_not_proposed() {
        let a = (
            json!({"steps": [{"notifications": {"a": [{"x": 1}]}}]}),
            Vars::new(),
        );
        let b = (
            json!({"steps": [{"notifications": {"a": [{"x": 1}, {"x": 2}]}}]}),
            Vars::new(),
        );
        let learned = learn(
            &[Recordings {
                scenario: "s".to_owned(),
                runs: vec![a, b],
            }],
            &Rules::default(),
        );
        assert_eq!(learned.unstable["s"], ["/steps/0/notifications/a"]);
        assert!(learned.proposals.is_empty());
    }
}
