//! Reference pages as HTML (`docs --format html`): the same content as the Markdown pages,
//! with the sequence drawn as an inline SVG swimlane instead of Mermaid.

use std::fmt::Write as _;

use super::markup::{code, escape, page, pre, table};
use crate::report::docs::{Action, FieldRow, GENERATED_MARK, Index, Links, Page, Reply, Stream, pretty};
use crate::report::swimlane::{Row, RowKind, Swimlane};

/// The HTML of one reference page.
pub fn docs_page_html(p: &Page, links: &Links) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", escape(&p.title));
    let scenario = match links.to_file(&p.scenario_file) {
        Some(link) => format!("<a href=\"{}\">{}</a>", escape(&link), code(&p.name)),
        None => code(&p.name),
    };
    let _ = write!(
        body,
        "<p>This page documents the scenario {scenario} of the <a href=\"{}\">reference</a>.",
        escape(&links.to_index())
    );
    if !p.tags.is_empty() {
        let tags: Vec<String> = p.tags.iter().map(|t| code(t)).collect();
        let _ = write!(body, " Tags: {}.", tags.join(", "));
    }
    body.push_str("</p>\n<h2>Overview</h2>\n");
    if let Some(summary) = &p.summary {
        let _ = writeln!(body, "<p>{}</p>", escape(summary));
    }
    let golden = links.display(&p.golden_file);
    let mut facts = Vec::new();
    let mut requests: Vec<(&str, &str)> = p
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Http { method, url, .. } => Some((method.as_str(), url.as_str())),
            Action::State { .. } => None,
        })
        .collect();
    requests.sort_unstable();
    requests.dedup();
    match requests.as_slice() {
        [] => {}
        [(method, url)] => {
            facts.push(vec!["Request URL".to_owned(), code(url)]);
            facts.push(vec!["HTTP Method".to_owned(), code(method)]);
        }
        more => facts.push(vec![
            "Requests".to_owned(),
            format!("{} different, see each step", more.len()),
        ]),
    }
    let mut operations: Vec<String> = p
        .steps
        .iter()
        .filter_map(|s| match &s.action {
            Action::Http {
                operation: Some(op), ..
            } => Some(code(op)),
            _ => None,
        })
        .collect();
    operations.dedup();
    if !operations.is_empty() {
        facts.push(vec!["Operation".to_owned(), operations.join(", ")]);
    }
    facts.push(vec!["Actors".to_owned(), escape(&p.actors.join(", "))]);
    if let Some(source) = &p.source {
        facts.push(vec!["Documented in".to_owned(), escape(source)]);
    }
    facts.push(vec![
        "Samples".to_owned(),
        if p.recorded {
            format!("recorded from the reference server ({})", code(&golden))
        } else {
            format!(
                "the scenario's expectations (no golden recorded at {})",
                code(&golden)
            )
        },
    ]);
    body.push_str(&table(&["", ""], &facts));
    body.push_str("<h2>Sequence</h2>\n<div class=\"diagram\">");
    body.push_str(&page_swimlane(p).to_svg());
    body.push_str("</div>\n");
    if !p.givens.is_empty() {
        body.push_str(
            "<h2>Given</h2>\n<p>The target is first brought into these states through its state hook \
             (DESIGN.md §5).</p>\n",
        );
        for (i, given) in p.givens.iter().enumerate() {
            let _ = writeln!(
                body,
                "<h3>Given {}: {}</h3>\n<p>Parameters:</p>",
                i + 1,
                escape(&given.state)
            );
            body.push_str(&pre(&pretty(&given.params), false));
            captures(&mut body, &given.captures);
            streams(&mut body, &given.streams);
        }
    }
    for step in &p.steps {
        let heading = step.title();
        let _ = writeln!(body, "<h2>Step {}: {}</h2>", step.number, escape(&heading));
        match &step.action {
            Action::Http {
                actor,
                method,
                url,
                parameters,
                auth,
                headers,
                body: sample,
                ..
            } => {
                let mut rows = vec![
                    vec!["Request URL".to_owned(), code(url)],
                    vec!["HTTP Method".to_owned(), code(method)],
                    vec!["Sent by".to_owned(), escape(actor)],
                ];
                if let Some(auth) = auth {
                    rows.push(vec!["Credentials".to_owned(), escape(auth)]);
                }
                for (name, value) in headers {
                    rows.push(vec![format!("Header {}", code(name)), code(value)]);
                }
                body.push_str(&table(&["", ""], &rows));
                if !parameters.is_empty() {
                    body.push_str("<h3>Parameters</h3>\n");
                    let rows: Vec<Vec<String>> = parameters
                        .iter()
                        .map(|(k, v)| vec![escape(k), escape(v)])
                        .collect();
                    body.push_str(&table(&["Parameter", "Value"], &rows));
                }
                body.push_str("<h3>Sample</h3>\n<h4>Request</h4>\n");
                let mut text = format!("{method} {url}");
                if let Some(sample) = sample {
                    text.push('\n');
                    text.push_str(&pretty(sample));
                }
                body.push_str(&pre(&text, false));
            }
            Action::State { state, params } => {
                let _ = writeln!(
                    body,
                    "<p>The harness calls the state hook with state {} (DESIGN.md §5) and these parameters:</p>",
                    code(state)
                );
                body.push_str(&pre(&pretty(params), false));
            }
        }
        if let Some(reply) = &step.reply {
            reply_html(&mut body, reply, matches!(step.action, Action::State { .. }));
        }
        captures(&mut body, &step.captures);
        body.push_str("<h3>Notifications</h3>\n");
        streams(&mut body, &step.streams);
    }
    let _ = writeln!(
        body,
        "<h2>Placeholders</h2>\n<p>Samples show what the target generated as placeholders: {} is a value \
         the scenario captured, {} an id the server made up (the same name is the same value throughout \
         this page), {} a value that differs from run to run (only its type is recorded), and {} the \
         server's own address.</p>",
        code("{session}"),
        code("{participant-1}"),
        code("<integer>"),
        code(crate::report::docs::HOST)
    );
    let mark = format!(
        "{GENERATED_MARK} from {} and {golden}; do not edit: change the scenario or re-record the golden, \
         then run gws-contract docs in the HTML format",
        links.display(&p.scenario_file)
    );
    page(&p.title, &mark, &body)
}

fn reply_html(body: &mut String, reply: &Reply, hook: bool) {
    let _ = writeln!(body, "<h4>{}</h4>", if hook { "Reply" } else { "Response" });
    let mut text = format!("HTTP {}", reply.status);
    if let Some(b) = &reply.body {
        text.push('\n');
        text.push_str(&pretty(b));
    }
    body.push_str(&pre(&text, false));
    field_table(body, &reply.fields);
}

fn captures(body: &mut String, captures: &[(String, String)]) {
    if captures.is_empty() {
        return;
    }
    let list: Vec<String> = captures
        .iter()
        .map(|(name, pointer)| format!("{} from {}", code(&format!("{{{name}}}")), code(pointer)))
        .collect();
    let _ = writeln!(body, "<p>Captured: {}.</p>", list.join(", "));
}

fn streams(body: &mut String, streams: &[Stream]) {
    let quiet: Vec<&str> = streams
        .iter()
        .filter(|s| s.notifications.is_empty())
        .map(|s| s.actor.as_str())
        .collect();
    for stream in streams.iter().filter(|s| !s.notifications.is_empty()) {
        let count = stream.notifications.len();
        for (i, n) in stream.notifications.iter().enumerate() {
            let _ = writeln!(
                body,
                "<h4>{} — notification {} of {count}: {}</h4>",
                escape(&stream.actor),
                i + 1,
                escape(&n.title)
            );
            if !n.expected {
                body.push_str(
                    "<p>Observed only: the scenario does not expect this one (its stream is lenient).</p>\n",
                );
            }
            body.push_str(&pre(&pretty(&n.sample), false));
            field_table(body, &n.fields);
        }
    }
    if !quiet.is_empty() {
        let _ = writeln!(body, "<p>No notifications for {}.</p>", escape(&quiet.join(", ")));
    }
}

fn field_table(body: &mut String, rows: &[FieldRow]) {
    let _ = writeln!(
        body,
        "<p>{}</p>",
        escape(&crate::report::docs::contract_count(rows))
    );
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                code(&row.pointer),
                row.contract.as_ref().map_or_else(
                    || "<em>observed only</em>".to_owned(),
                    |c| {
                        format!(
                            "{}{}{}",
                            escape(&c.before),
                            c.code.as_deref().map(code).unwrap_or_default(),
                            escape(&c.after)
                        )
                    },
                ),
                row.recorded.as_deref().map_or_else(|| "—".to_owned(), code),
            ]
        })
        .collect();
    body.push_str(&table(
        &["Field", "Contract (scenario)", "Recorded (golden)"],
        &cells,
    ));
}

/// The sequence of a reference page as a swimlane: the golden's order, no times.
pub fn page_swimlane(p: &Page) -> Swimlane {
    let lane = |actor: &str| p.actors.iter().position(|a| a == actor);
    let mut rows = Vec::new();
    let text_row = |kind: RowKind, label: String| Row {
        kind,
        detail: label.clone(),
        label,
        time: None,
        failed: false,
        href: None,
    };
    let notify = |rows: &mut Vec<Row>, streams: &[Stream]| {
        for stream in streams {
            let Some(to) = lane(&stream.actor) else { continue };
            for (i, n) in stream.notifications.iter().enumerate() {
                rows.push(text_row(
                    RowKind::Notification { to },
                    format!("{}. {}", i + 1, n.title),
                ));
            }
        }
    };
    for given in &p.givens {
        rows.push(text_row(RowKind::Note, format!("given {}", given.state)));
        notify(&mut rows, &given.streams);
    }
    for step in &p.steps {
        match &step.action {
            Action::Http {
                actor,
                method,
                url,
                operation,
                ..
            } => {
                let Some(from) = lane(actor) else { continue };
                let op = operation.as_deref().map(|o| format!(" {o}")).unwrap_or_default();
                rows.push(text_row(RowKind::Request { from }, format!("{method} {url}{op}")));
                if let Some(reply) = &step.reply {
                    let code = reply
                        .body
                        .as_ref()
                        .and_then(|b| b.get("statusCode"))
                        .map(|c| format!(" statusCode {c}"))
                        .unwrap_or_default();
                    rows.push(text_row(
                        RowKind::Response { to: from },
                        format!("{}{code}", reply.status),
                    ));
                }
            }
            Action::State { state, .. } => rows.push(text_row(RowKind::Note, format!("state hook {state}"))),
        }
        notify(&mut rows, &step.streams);
    }
    Swimlane {
        id: "sequence".to_owned(),
        title: format!("{}: {} and the server", p.name, p.actors.join(", ")),
        actors: p.actors.clone(),
        server: "GWS server".to_owned(),
        rows,
    }
}

/// The index page as HTML.
pub fn docs_index_html(index: &Index) -> String {
    let mut body = String::from(
        "<h1>Reference</h1>\n<p>What a GWS server must do, one page per scenario: each page shows the \
         requests, the responses and every actor's notifications as the reference server recorded them \
         (the goldens), a sequence diagram, and which fields are contract (the scenario's inline \
         expectations) and which were only observed. The pages are generated by <code>gws-contract \
         docs</code> from <code>scenarios/</code> and <code>golden/</code>, so they say what the suite \
         checks.</p>\n<h2>By operation</h2>\n",
    );
    let list = |body: &mut String, entries: &[crate::report::docs::Entry]| {
        body.push_str("<ul>\n");
        for e in entries {
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}</a> — {}</li>",
                escape(&e.link),
                escape(&e.title),
                escape(&e.summary)
            );
        }
        body.push_str("</ul>\n");
    };
    for (operation, entries) in &index.by_operation {
        let _ = writeln!(body, "<h3>{}</h3>", escape(operation));
        list(&mut body, entries);
    }
    body.push_str("<h2>By tag</h2>\n");
    for (tag, entries) in &index.by_tag {
        let _ = writeln!(body, "<h3>{}</h3>", code(tag));
        list(&mut body, entries);
    }
    page(
        "Reference",
        &format!("{GENERATED_MARK}; do not edit: run gws-contract docs in the HTML format"),
        &body,
    )
}
