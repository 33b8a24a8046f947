//! The Mermaid `sequenceDiagram` of a page (GitHub and GitLab render it natively).
//!
//! Only a small subset of the syntax is emitted — `participant`, `->>`, `-->>`, `--)`,
//! `Note over`, `par`/`and`/`end` — and [`check_sequence_diagram`] checks exactly that subset,
//! so every page's diagram is checked without a browser (the browser test runs Mermaid's own
//! parser too). Each actor's notifications of a step sit in one `par` branch: streams of
//! different actors are independent (DESIGN.md §3), so their relative order is not shown as if
//! it were contract.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::page::{Action, Page, Stream};

/// The server's participant id in diagrams.
const SERVER: &str = "GWS";

/// Words Mermaid's sequence grammar reserves; an actor with such a name gets an alias id.
const RESERVED: &[&str] = &[
    "actor",
    "activate",
    "alt",
    "and",
    "as",
    "autonumber",
    "box",
    "break",
    "create",
    "critical",
    "deactivate",
    "destroy",
    "else",
    "end",
    "left",
    "link",
    "links",
    "loop",
    "note",
    "of",
    "opt",
    "over",
    "par",
    "participant",
    "rect",
    "right",
    "title",
];

/// The diagram's text (without the code fence), ending with a newline.
pub fn sequence_diagram(page: &Page) -> String {
    let ids = participant_ids(&page.actors);
    let id_of = |actor: &str| {
        page.actors
            .iter()
            .position(|a| a == actor)
            .map_or_else(|| SERVER.to_owned(), |i| ids[i].clone())
    };
    let mut out = String::from("sequenceDiagram\n");
    for (actor, id) in page.actors.iter().zip(&ids) {
        if actor == id {
            let _ = writeln!(out, "    participant {id}");
        } else {
            let _ = writeln!(out, "    participant {id} as {}", label(actor));
        }
    }
    let _ = writeln!(out, "    participant {SERVER} as GWS server");
    let span = match ids.first() {
        Some(first) => format!("{first},{SERVER}"),
        None => SERVER.to_owned(),
    };
    for given in &page.givens {
        let _ = writeln!(out, "    Note over {span}: given {}", label(&given.state));
        notifications(&mut out, &given.streams, &id_of);
    }
    for step in &page.steps {
        match &step.action {
            Action::Http {
                actor,
                method,
                url,
                operation,
                ..
            } => {
                let id = id_of(actor);
                let op = operation.as_deref().map(|o| format!(" {o}")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "    {id}->>{SERVER}: {}",
                    label(&format!("{method} {url}{op}"))
                );
                if let Some(reply) = &step.reply {
                    let _ = writeln!(out, "    {SERVER}-->>{id}: {}", label(&reply_text(reply)));
                }
            }
            Action::State { state, .. } => {
                let _ = writeln!(out, "    Note over {span}: state hook {}", label(state));
            }
        }
        notifications(&mut out, &step.streams, &id_of);
    }
    out
}

fn reply_text(reply: &super::page::Reply) -> String {
    let status_code = reply
        .body
        .as_ref()
        .and_then(|b| b.get("statusCode"))
        .map(|c| format!(" statusCode {c}"))
        .unwrap_or_default();
    format!("{}{status_code}", reply.status)
}

fn notifications(out: &mut String, streams: &[Stream], id_of: &dyn Fn(&str) -> String) {
    let busy: Vec<&Stream> = streams.iter().filter(|s| !s.notifications.is_empty()).collect();
    let parallel = busy.len() > 1;
    for (i, stream) in busy.iter().enumerate() {
        let indent = if parallel { "        " } else { "    " };
        if parallel {
            let keyword = if i == 0 { "par" } else { "and" };
            let _ = writeln!(out, "    {keyword} {}", label(&stream.actor));
        }
        let id = id_of(&stream.actor);
        for (n, notification) in stream.notifications.iter().enumerate() {
            let _ = writeln!(
                out,
                "{indent}{SERVER}--){id}: {}. {}",
                n + 1,
                label(&notification.title)
            );
        }
    }
    if parallel {
        out.push_str("    end\n");
    }
}

/// A participant id per actor: the name itself when Mermaid can take it as one, else
/// `actorN`.
fn participant_ids(actors: &[String]) -> Vec<String> {
    actors
        .iter()
        .enumerate()
        .map(|(i, actor)| {
            let plain = actor.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && actor.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !RESERVED.contains(&actor.to_ascii_lowercase().as_str())
                && actor != SERVER;
            if plain {
                actor.clone()
            } else {
                format!("actor{}", i + 1)
            }
        })
        .collect()
}

/// Free text as Mermaid message text: one line, without the characters that end a statement
/// (`;`), start an entity or a comment (`#`, `%%`).
fn label(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            ';' | '#' | '%' | '\n' | '\r' | '\t' => ' ',
            other => other,
        })
        .collect();
    let trimmed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if trimmed.is_empty() {
        "-".to_owned()
    } else {
        trimmed
    }
}

/// A problem with a diagram, by 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramProblem {
    /// The line.
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

/// Checks `text` against the subset of the `sequenceDiagram` grammar that
/// [`sequence_diagram`] emits: a header, participants declared before use, messages
/// `A->>B: text`, `A-->>B: text`, `A--)B: text`, `Note over A[,B]: text`, balanced
/// `par`/`and`/`end`, and text free of `;`, `#` and `%`.
pub fn check_sequence_diagram(text: &str) -> Vec<DiagramProblem> {
    let mut problems = Vec::new();
    let mut declared = BTreeSet::new();
    let mut depth = 0usize;
    let mut problem = |line: usize, reason: String| problems.push(DiagramProblem { line, reason });
    let mut lines = text.lines().enumerate();
    if lines.next().map(|(_, l)| l) != Some("sequenceDiagram") {
        problem(1, "the first line must be `sequenceDiagram`".to_owned());
    }
    for (i, raw) in lines {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("participant ") {
            let (id, alias) = match rest.split_once(" as ") {
                Some((id, alias)) => (id, Some(alias)),
                None => (rest, None),
            };
            if !is_id(id) {
                problem(n, format!("participant id `{id}` is not a plain identifier"));
            }
            if let Some(alias) = alias
                && !is_text(alias)
            {
                problem(
                    n,
                    format!("alias `{alias}` has characters Mermaid reads as syntax"),
                );
            }
            if !declared.insert(id.to_owned()) {
                problem(n, format!("participant `{id}` is declared twice"));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("par ").or_else(|| line.strip_prefix("and ")) {
            if line.starts_with("and ") && depth == 0 {
                problem(n, "`and` outside a `par` block".to_owned());
            }
            if line.starts_with("par ") {
                depth += 1;
            }
            if !is_text(rest) {
                problem(
                    n,
                    format!("label `{rest}` has characters Mermaid reads as syntax"),
                );
            }
            continue;
        }
        if line == "end" {
            match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => problem(n, "`end` without a block".to_owned()),
            }
            continue;
        }
        let Some((head, message)) = line.split_once(": ") else {
            problem(n, format!("not a statement of the subset: `{line}`"));
            continue;
        };
        if !is_text(message) {
            problem(
                n,
                format!("text `{message}` has characters Mermaid reads as syntax"),
            );
        }
        let ends: Vec<&str> = if let Some(over) = head.strip_prefix("Note over ") {
            over.split(',').collect()
        } else if let Some((from, to)) = ["-->>", "->>", "--)"]
            .iter()
            .find_map(|arrow| head.split_once(arrow))
        {
            vec![from, to]
        } else {
            problem(n, format!("unknown statement `{head}`"));
            continue;
        };
        for end in ends {
            if !declared.contains(end) {
                problem(n, format!("`{end}` is not a declared participant"));
            }
        }
    }
    if depth > 0 {
        problem(text.lines().count(), "a `par` block is not closed".to_owned());
    }
    problems
}

fn is_id(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str())
}

fn is_text(text: &str) -> bool {
    !text.trim().is_empty() && !text.contains([';', '#', '%'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_accepts_the_subset_and_names_each_problem() {
        let good = "sequenceDiagram\n    participant agent1\n    participant GWS as GWS server\n    \
                    agent1->>GWS: POST /x Complete\n    GWS-->>agent1: 200\n    par agent1\n        \
                    GWS--)agent1: 1. StatusChange: Completed\n    end\n";
        assert_eq!(check_sequence_diagram(good), []);
        let bad =
            "sequenceDiagram\n    participant end\n    agent2->>GWS: a; b\n    and x\n    end\n    par y\n";
        let lines: Vec<usize> = check_sequence_diagram(bad).iter().map(|p| p.line).collect();
        assert_eq!(lines, [2, 3, 3, 3, 4, 5, 6], "{:#?}", check_sequence_diagram(bad));
    }

    #[test]
    fn actors_mermaid_cannot_name_get_aliases() {
        let actors = ["agent1", "end", "agént", "GWS"].map(str::to_owned);
        assert_eq!(participant_ids(&actors), ["agent1", "actor2", "actor3", "actor4"]);
        assert_eq!(label("a;b #1 50%\nnext"), "a b 1 50 next");
    }
}
