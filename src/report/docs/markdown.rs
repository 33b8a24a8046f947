//! A page as Markdown, in the manner of the vendor's reference pages: title, overview,
//! request URL and method, parameters, a sample request and response, then each actor's
//! notifications in order — plus a Mermaid sequence diagram and, per response and
//! notification, which fields are contract and which were only observed.

use std::fmt::Write as _;

use super::fields::FieldRow;
use super::index::Index;
use super::mermaid::sequence_diagram;
use super::page::{Action, GivenPage, Page, Reply, StepPage, Stream};
use super::readable::{Contract, HOST, pretty};
use super::site::{GENERATED_MARK, Links};

/// The Markdown of `page`.
pub fn page_markdown(page: &Page, links: &Links) -> String {
    let mut out = String::new();
    let golden = links.display(&page.golden_file);
    let _ = writeln!(
        out,
        "<!-- {GENERATED_MARK} from {} and {golden}; do not edit: change the scenario or re-record \
         the golden, then run `gws-contract docs`. -->\n",
        links.display(&page.scenario_file)
    );
    let _ = writeln!(out, "# {}\n", page.title);
    let scenario = match links.to_file(&page.scenario_file) {
        Some(link) => format!("[`{}`]({link})", page.name),
        None => format!("`{}`", page.name),
    };
    let _ = write!(
        out,
        "This page documents the scenario {scenario} of the [reference]({}).",
        links.to_index()
    );
    if !page.tags.is_empty() {
        let tags: Vec<String> = page.tags.iter().map(|t| format!("`{t}`")).collect();
        let _ = write!(out, " Tags: {}.", tags.join(", "));
    }
    out.push_str("\n\n## Overview\n\n");
    if let Some(summary) = &page.summary {
        let _ = writeln!(out, "{summary}\n");
    }
    facts(&mut out, page, &golden);
    out.push_str("\n## Sequence\n\n```mermaid\n");
    out.push_str(&sequence_diagram(page));
    out.push_str("```\n");
    if !page.givens.is_empty() {
        out.push_str("\n## Given\n\n");
        out.push_str(
            "The target is first brought into these states through its state hook \
             (DESIGN.md §5).\n",
        );
        for (i, given) in page.givens.iter().enumerate() {
            given_section(&mut out, i + 1, given);
        }
    }
    for step in &page.steps {
        step_section(&mut out, step);
    }
    let _ = write!(
        out,
        "\n## Placeholders\n\n\
         Samples show what the target generated as placeholders: `{{session}}` is a value the \
         scenario captured, `{{participant-1}}` an id the server made up (the same name is the \
         same value throughout this page), `<integer>` a value that differs from run to run \
         (only its type is recorded), and `{HOST}` the server's own address.\n"
    );
    out
}

fn facts(out: &mut String, page: &Page, golden: &str) {
    let requests: Vec<(&str, &str)> = page
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Http { method, url, .. } => Some((method.as_str(), url.as_str())),
            Action::State { .. } => None,
        })
        .collect();
    let mut distinct = requests.clone();
    distinct.sort_unstable();
    distinct.dedup();
    out.push_str("| | |\n| --- | --- |\n");
    match distinct.as_slice() {
        [] => {}
        [(method, url)] => {
            let _ = writeln!(out, "| Request URL | {} |", code(url));
            let _ = writeln!(out, "| HTTP Method | {} |", code(method));
        }
        _ => {
            let _ = writeln!(out, "| Requests | {} different, see each step |", distinct.len());
        }
    }
    let mut operations: Vec<&str> = page
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Http {
                operation: Some(op), ..
            } => Some(op.as_str()),
            _ => None,
        })
        .collect();
    operations.dedup();
    if !operations.is_empty() {
        let ops: Vec<String> = operations.iter().map(|o| code(o)).collect();
        let _ = writeln!(out, "| Operation | {} |", ops.join(", "));
    }
    let _ = writeln!(out, "| Actors | {} |", cell(&page.actors.join(", ")));
    if let Some(source) = &page.source {
        let _ = writeln!(out, "| Documented in | {} |", cell(source));
    }
    let samples = if page.recorded {
        format!("recorded from the reference server ({})", code(golden))
    } else {
        format!(
            "the scenario's expectations (no golden recorded at {})",
            code(golden)
        )
    };
    let _ = writeln!(out, "| Samples | {samples} |");
}

fn given_section(out: &mut String, number: usize, given: &GivenPage) {
    let _ = writeln!(out, "\n### Given {number}: {}\n", given.state);
    out.push_str("Parameters:\n\n");
    json_block(out, "json", &given.params);
    captures(out, &given.captures);
    streams(out, &given.streams, "####");
}

fn step_section(out: &mut String, step: &StepPage) {
    let heading = format!("Step {}: {}", step.number, step.title());
    let _ = writeln!(out, "\n## {heading}\n");
    match &step.action {
        Action::Http {
            actor,
            method,
            url,
            parameters,
            auth,
            headers,
            body,
            ..
        } => {
            let _ = writeln!(out, "| | |\n| --- | --- |\n| Request URL | {} |", code(url));
            let _ = writeln!(out, "| HTTP Method | {} |", code(method));
            let _ = writeln!(out, "| Sent by | {} |", cell(actor));
            if let Some(auth) = auth {
                let _ = writeln!(out, "| Credentials | {auth} |");
            }
            for (name, value) in headers {
                let _ = writeln!(out, "| Header {} | {} |", code(name), code(value));
            }
            if !parameters.is_empty() {
                out.push_str("\n### Parameters\n\n| Parameter | Value |\n| --- | --- |\n");
                for (name, value) in parameters {
                    let _ = writeln!(out, "| {} | {} |", cell(name), cell(value));
                }
            }
            out.push_str("\n### Sample\n\n#### Request\n\n```\n");
            let _ = writeln!(out, "{method} {url}");
            if let Some(body) = body {
                let _ = writeln!(out, "{}", pretty(body));
            }
            out.push_str("```\n");
        }
        Action::State { state, params } => {
            let _ = writeln!(
                out,
                "The harness calls the state hook with state `{state}` (DESIGN.md §5) and these \
                 parameters:\n"
            );
            json_block(out, "json", params);
        }
    }
    if let Some(reply) = &step.reply {
        reply_section(out, reply, matches!(step.action, Action::State { .. }));
    }
    captures(out, &step.captures);
    out.push_str("\n### Notifications\n");
    streams(out, &step.streams, "####");
}

fn reply_section(out: &mut String, reply: &Reply, hook: bool) {
    let _ = writeln!(out, "\n#### {}\n\n```", if hook { "Reply" } else { "Response" });
    let _ = writeln!(out, "HTTP {}", reply.status);
    if let Some(body) = &reply.body {
        let _ = writeln!(out, "{}", pretty(body));
    }
    out.push_str("```\n\n");
    field_table(out, &reply.fields);
}

fn captures(out: &mut String, captures: &[(String, String)]) {
    if captures.is_empty() {
        return;
    }
    let list: Vec<String> = captures
        .iter()
        .map(|(name, pointer)| format!("`{{{name}}}` from `{pointer}`"))
        .collect();
    let _ = writeln!(out, "\nCaptured: {}.", list.join(", "));
}

fn streams(out: &mut String, streams: &[Stream], heading: &str) {
    let quiet: Vec<&str> = streams
        .iter()
        .filter(|s| s.notifications.is_empty())
        .map(|s| s.actor.as_str())
        .collect();
    if quiet.len() == streams.len() {
        let _ = writeln!(out, "\nNo notifications for {}.", quiet.join(", "));
        return;
    }
    for stream in streams.iter().filter(|s| !s.notifications.is_empty()) {
        let count = stream.notifications.len();
        for (i, notification) in stream.notifications.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n{heading} {} — notification {} of {count}: {}\n",
                stream.actor,
                i + 1,
                notification.title
            );
            if !notification.expected {
                out.push_str(
                    "Observed only: the scenario does not expect this one (its stream is lenient).\n\n",
                );
            }
            json_block(out, "json", &notification.sample);
            out.push('\n');
            field_table(out, &notification.fields);
        }
    }
    if !quiet.is_empty() {
        let _ = writeln!(out, "\nNo notifications for {}.", quiet.join(", "));
    }
}

fn field_table(out: &mut String, rows: &[FieldRow]) {
    let _ = writeln!(out, "{}\n", contract_count(rows));
    out.push_str("| Field | Contract (scenario) | Recorded (golden) |\n| --- | --- | --- |\n");
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&row.pointer),
            row.contract
                .as_ref()
                .map_or_else(|| "*observed only*".to_owned(), contract),
            row.recorded.as_deref().map_or_else(|| "—".to_owned(), code)
        );
    }
}

/// `All 2 fields are contract.` / `18 of 25 fields are contract; the other 7 were only
/// observed.`
pub fn contract_count(rows: &[FieldRow]) -> String {
    let contract = rows.iter().filter(|r| r.contract.is_some()).count();
    let total = rows.len();
    match total - contract {
        0 if total == 1 => "The one field is contract.".to_owned(),
        0 => format!("All {total} fields are contract."),
        observed if contract == 0 => format!(
            "No field is contract: {} only observed.",
            if observed == 1 { "it was" } else { "all were" }
        ),
        observed => format!(
            "{contract} of {total} fields are contract; the other {observed} {} only observed.",
            if observed == 1 { "was" } else { "were" }
        ),
    }
}

fn contract(c: &Contract) -> String {
    let literal = c.code.as_deref().map(code).unwrap_or_default();
    format!("{}{literal}{}", cell(&c.before), cell(&c.after))
}

fn json_block(out: &mut String, lang: &str, value: &serde_json::Value) {
    let _ = writeln!(out, "```{lang}\n{}\n```", pretty(value));
}

/// Text for a table cell: one line, `|` escaped.
fn cell(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

/// Text as inline code in a table cell (a longer backtick fence when the text has one).
fn code(text: &str) -> String {
    let text = cell(text);
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// The index page as Markdown.
pub fn index_markdown(index: &Index) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- {GENERATED_MARK}; do not edit: run `gws-contract docs`. -->\n\n\
         # Reference\n\n\
         What a GWS server must do, one page per scenario: each page shows the requests, the \
         responses and every actor's notifications as the reference server recorded them \
         (the goldens), a sequence diagram, and which fields are contract (the scenario's \
         inline expectations) and which were only observed. The pages are generated by \
         `gws-contract docs` from `scenarios/` and `golden/`, so they say what the suite \
         checks.\n"
    );
    out.push_str("## By operation\n");
    for (operation, entries) in &index.by_operation {
        let _ = writeln!(out, "\n### {operation}\n");
        for entry in entries {
            let _ = writeln!(out, "- [{}]({}) — {}", entry.title, entry.link, entry.summary);
        }
    }
    out.push_str("\n## By tag\n");
    for (tag, entries) in &index.by_tag {
        let _ = writeln!(out, "\n### `{tag}`\n");
        for entry in entries {
            let _ = writeln!(out, "- [{}]({}) — {}", entry.title, entry.link, entry.summary);
        }
    }
    out
}
