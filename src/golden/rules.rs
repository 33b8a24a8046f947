//! The reviewed rules (`golden/rules.yaml`): which paths of a golden document hold ids (written
//! as symbolic placeholders) and which hold volatile values (compared by type only). Rules are
//! data a person reviewed, never guesses in code; `record --runs N` proposes new ones.
//!
//! ```yaml
//! rules:
//!   - path: "**/participants/*/participantId"   # `*`: one segment, `**`: any number
//!     kind: id
//!     name: participant                         # placeholders read `$id:participant-1`
//!     reason: the server's participant ids
//!     scenarios: [complete]                     # where it was first seen
//!   - path: "**/path"
//!     kind: id
//!     name: user
//!     within: "^/users/([^/?#]+)$"              # only the part the group captures is an id
//!     reason: user ids appear only inside user paths and URIs
//!   - path: "**/timestamp"
//!     kind: volatile
//!     reason: the time of the message
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::scenario::{Diagnostic, SourcePos, yaml_diagnostic};

/// What a rule says about the values at its paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// Server-generated ids: recorded as placeholders that must bind consistently.
    Id,
    /// Values that change from run to run: compared by JSON type only.
    Volatile,
}

/// One reviewed rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Pattern over the JSON Pointer segments of a golden document: `*` is one segment, `**`
    /// any number of segments (none included).
    pub path: String,
    /// What the values are.
    pub kind: RuleKind,
    /// For ids: the placeholder prefix (default: the last key of the path).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For ids inside longer strings: a regular expression whose first capture group is the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Why the rule holds (for the reviewer).
    pub reason: String,
    /// The scenarios where it was observed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<String>,
}

/// The rules file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The rules, in the order they apply (the first matching rule of a kind wins).
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A rule ready to apply: its pattern split and its `within` compiled.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub rule: Rule,
    segments: Vec<String>,
    pub within: Option<regex::Regex>,
}

impl CompiledRule {
    /// The placeholder prefix of an id rule.
    pub fn id_name(&self) -> String {
        if let Some(name) = &self.rule.name {
            return name.clone();
        }
        self.segments
            .iter()
            .rev()
            .find(|s| *s != "*" && *s != "**")
            .cloned()
            .unwrap_or_else(|| "id".to_owned())
    }

    /// Whether the pointer (already split into unescaped segments) matches this rule's path.
    pub fn matches(&self, pointer: &[String]) -> bool {
        glob_segments(&self.segments, pointer)
    }
}

fn glob_segments(pattern: &[String], path: &[String]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((first, rest)) if first == "**" => {
            (0..=path.len()).any(|skip| glob_segments(rest, &path[skip..]))
        }
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                (first == "*" || first == segment) && glob_segments(rest, path_rest)
            }
            None => false,
        },
    }
}

/// Splits a JSON Pointer into unescaped segments.
pub(crate) fn segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

impl Rules {
    /// Parses a rules file; every problem is located.
    pub fn parse(path: &Path, text: &str) -> Result<Rules, Vec<Diagnostic>> {
        let rules: Rules = if text.trim().is_empty() {
            Rules::default()
        } else {
            serde_saphyr::from_str(text).map_err(|e| vec![yaml_diagnostic(path, text, &e)])?
        };
        let problems: Vec<Diagnostic> = rules
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, rule)| rule_problem(rule).map(|p| (i, p)))
            .map(|(i, problem)| {
                Diagnostic::new(
                    SourcePos {
                        file: path.to_path_buf(),
                        line: 0,
                        column: 0,
                    },
                    format!("rule {} (`{}`): {problem}", i + 1, rules.rules[i].path),
                    None,
                )
            })
            .collect();
        if problems.is_empty() {
            Ok(rules)
        } else {
            Err(problems)
        }
    }

    /// The rules as YAML, with a header saying what the file is.
    pub fn to_yaml(&self) -> String {
        let body = serde_saphyr::to_string(self).unwrap_or_else(|_| "rules: []\n".to_owned());
        format!(
            "# Reviewed rules for the goldens in this directory (gws-contract, DESIGN.md §6).\n\
             # kind id: values recorded as symbolic placeholders that must bind consistently;\n\
             # kind volatile: values compared by JSON type only. `record --runs N` proposes\n\
             # additions in rules.yaml.new; review them, then `gws-contract accept`.\n{body}"
        )
    }

    pub(crate) fn compiled(&self) -> Vec<CompiledRule> {
        self.rules
            .iter()
            .map(|rule| CompiledRule {
                rule: rule.clone(),
                segments: segments(&format!("/{}", rule.path.trim_start_matches('/'))),
                within: rule.within.as_deref().and_then(|w| regex::Regex::new(w).ok()),
            })
            .collect()
    }
}

fn rule_problem(rule: &Rule) -> Option<String> {
    if rule.path.trim().is_empty() {
        return Some("the path is empty".to_owned());
    }
    if let Some(within) = &rule.within {
        if rule.kind != RuleKind::Id {
            return Some("`within` only applies to id rules".to_owned());
        }
        match regex::Regex::new(within) {
            Ok(re) if re.captures_len() < 2 => {
                return Some("`within` needs a capture group around the id".to_owned());
            }
            Ok(_) => {}
            Err(e) => return Some(format!("`within` is not a valid regular expression: {e}")),
        }
    }
    if rule.kind == RuleKind::Volatile && rule.name.is_some() {
        return Some("`name` only applies to id rules".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(path: &str) -> CompiledRule {
        Rules {
            rules: vec![Rule {
                path: path.to_owned(),
                kind: RuleKind::Volatile,
                name: None,
                within: None,
                reason: "r".to_owned(),
                scenarios: vec![],
            }],
        }
        .compiled()
        .remove(0)
    }

    #[test]
    fn patterns_match_whole_pointers_segment_by_segment() {
        let p = |s: &str| segments(s);
        assert!(rule("**/timestamp").matches(&p("/steps/0/notifications/a/1/messages/0/timestamp")));
        assert!(rule("**/timestamp").matches(&p("/timestamp")));
        assert!(!rule("**/timestamp").matches(&p("/steps/0/timestampSeconds")));
        assert!(rule("**/participants/*/id").matches(&p("/x/participants/3/id")));
        assert!(!rule("**/participants/*/id").matches(&p("/x/participants/id")));
        assert!(rule("/steps/*/response/body/id").matches(&p("/steps/2/response/body/id")));
        assert!(!rule("/steps/*/response/body/id").matches(&p("/given/2/response/body/id")));
        assert!(
            rule("**/a~1b").matches(&p("/x/a~1b")),
            "escaped segments compare unescaped"
        );
    }

    #[test]
    fn problems_are_reported_per_rule() {
        let text = "rules:\n  - path: '**/x'\n    kind: volatile\n    name: n\n    reason: r\n  - path: '**/y'\n    kind: id\n    within: '[a-z]+'\n    reason: r\n";
        let problems = Rules::parse(Path::new("rules.yaml"), text).unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "rule 1 (`**/x`): `name` only applies to id rules",
                "rule 2 (`**/y`): `within` needs a capture group around the id"
            ]
        );
        let unknown =
            Rules::parse(Path::new("rules.yaml"), "rules:\n  - path: x\n    kinds: id\n").unwrap_err();
        assert!(unknown[0].pos.line > 0, "{unknown:?}");
    }

    #[test]
    fn rules_round_trip_through_yaml() {
        let rules = Rules {
            rules: vec![Rule {
                path: "**/participantId".to_owned(),
                kind: RuleKind::Id,
                name: Some("participant".to_owned()),
                within: None,
                reason: "ids".to_owned(),
                scenarios: vec!["complete".to_owned()],
            }],
        };
        let text = rules.to_yaml();
        assert_eq!(Rules::parse(Path::new("r.yaml"), &text).unwrap(), rules);
    }
}
