//! The HTML run report (`verify --report-html DIR`): a summary table, then every scenario —
//! failures first — with its swimlane diagram drawn from the transcript (each notification at
//! its arrival time, with its latency) and, below it, the diff of each failing expectation,
//! which the diagram's red marks link to.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_json::Value;

use super::markup::{code, escape, nowrap_table, page, pre};
use crate::golden::Drift;
use crate::report::docs::notification_title;
use crate::report::sink::RunReport;
use crate::report::swimlane::{Row, RowKind, Swimlane};
use crate::report::{render_drift, strip};
use crate::runner::{Action, Exchange, Transcript};
use crate::verdict::{Failure, FailureKind, ScenarioOutcome, Verdict};

/// The report page.
pub fn run_report_html(report: &RunReport) -> String {
    let order = failures_first(&report.outcomes);
    let mut body = String::from("<h1>gws-contract run report</h1>\n");
    let _ = writeln!(body, "<p>{}</p>", escape(&headline(report)));
    if let Some(notice) = &report.golden_notice {
        let _ = writeln!(body, "<p class=\"muted\">Goldens: {}</p>", escape(notice));
    }
    body.push_str("<h2>Summary</h2>\n");
    let mut rows: Vec<Vec<String>> = order
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let o = &report.outcomes[i];
            vec![
                format!("<a href=\"#s{}\">{}</a>", n + 1, escape(&o.name)),
                verdict(o.verdict),
                o.failures.len().to_string(),
                o.drifts.len().to_string(),
                format!("{} ms", o.duration_ms),
                code(&o.file.display().to_string()),
            ]
        })
        .collect();
    rows.extend(report.not_run.iter().map(|n| {
        vec![
            escape(&n.name),
            "<span class=\"verdict not-run\">not run</span>".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            code(&n.file.display().to_string()),
        ]
    }));
    body.push_str(&nowrap_table(
        &["Scenario", "Verdict", "Failures", "Drifts", "Time", "File"],
        &rows,
    ));
    body.push_str(
        "<p class=\"muted\">In the diagrams, time flows down: one row per request, response, \
         notification or state-hook call, in the order they happened. The left column is the time since \
         the scenario started; <code>+N ms</code> on a notification is its latency after its step's \
         request was sent. Red marks are failing expectations: follow one to its diff.</p>\n",
    );
    for (n, &i) in order.iter().enumerate() {
        scenario_section(&mut body, &report.outcomes[i], n + 1, report);
    }
    page(
        "gws-contract run report",
        "gws-contract verify --report-html",
        &body,
    )
}

/// Positions of `outcomes`: errors, then failures, then the rest, each in run order.
fn failures_first(outcomes: &[ScenarioOutcome]) -> Vec<usize> {
    let rank = |v: Verdict| match v {
        Verdict::Error => 0,
        Verdict::Failed => 1,
        Verdict::Interrupted => 2,
        Verdict::Skipped => 3,
        Verdict::Passed => 4,
    };
    let mut order: Vec<usize> = (0..outcomes.len()).collect();
    order.sort_by_key(|&i| rank(outcomes[i].verdict));
    order
}

fn headline(report: &RunReport) -> String {
    let total = report.outcomes.len() + report.not_run.len();
    let mut parts = vec![format!("{} passed", report.count(Verdict::Passed))];
    for (verdict, word) in [
        (Verdict::Failed, "failed"),
        (Verdict::Error, "errored"),
        (Verdict::Skipped, "skipped"),
        (Verdict::Interrupted, "interrupted"),
    ] {
        let n = report.count(verdict);
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    if !report.not_run.is_empty() {
        parts.push(format!("{} not run", report.not_run.len()));
    }
    format!(
        "{total} scenario{}: {}{}.",
        if total == 1 { "" } else { "s" },
        parts.join(", "),
        if report.interrupted {
            " (the run was interrupted)"
        } else {
            ""
        }
    )
}

fn verdict(v: Verdict) -> String {
    let (class, word) = match v {
        Verdict::Passed => ("passed", "passed"),
        Verdict::Failed => ("failed", "failed"),
        Verdict::Error => ("error", "error"),
        Verdict::Interrupted => ("interrupted", "interrupted"),
        Verdict::Skipped => ("skipped", "skipped"),
    };
    format!("<span class=\"verdict {class}\">{word}</span>")
}

fn scenario_section(body: &mut String, outcome: &ScenarioOutcome, n: usize, report: &RunReport) {
    let _ = writeln!(
        body,
        "<section class=\"scenario\" id=\"s{n}\" data-scenario=\"{}\">\n<h2>{} {}</h2>",
        escape(&outcome.name),
        escape(&outcome.name),
        verdict(outcome.verdict)
    );
    let t = &outcome.transcript;
    let _ = writeln!(
        body,
        "<p class=\"muted\">{} · {} ms{}</p>",
        code(&outcome.file.display().to_string()),
        outcome.duration_ms,
        if t.target.is_empty() {
            String::new()
        } else {
            format!(" · target {}", code(&t.target))
        }
    );
    let diagram = scenario_swimlane(outcome, n, report);
    if !diagram.rows.is_empty() {
        let _ = writeln!(
            body,
            "<div class=\"diagram\" id=\"s{n}-diagram\">{}</div>",
            diagram.to_svg()
        );
    }
    if !outcome.failures.is_empty() {
        body.push_str("<h3>Failures</h3>\n");
        for (k, failure) in outcome.failures.iter().enumerate() {
            let mut block = Vec::new();
            let _ = crate::report::terminal::render_failure(&mut block, outcome, failure);
            let text = strip(&String::from_utf8_lossy(&block));
            // The block's first line is the headline, shown above it.
            let details: Vec<&str> = text.lines().skip(1).collect();
            let _ = writeln!(
                body,
                "<div class=\"failure\" id=\"diff-{n}-{}\"><p><strong>{}</strong> · <a href=\"#s{n}-diagram\">back to \
                 the diagram</a></p>{}</div>",
                k + 1,
                escape(&crate::report::terminal::failure_headline(failure)),
                pre(&dedent(&details.join("\n")), true)
            );
        }
    }
    if !outcome.drifts.is_empty() {
        body.push_str("<h3>Drifts from the golden</h3>\n");
        for (k, drift) in outcome.drifts.iter().enumerate() {
            let mut block = Vec::new();
            let _ = render_drift(&mut block, drift);
            let _ = writeln!(
                body,
                "<div class=\"drift\" id=\"drift-{n}-{}\">{}</div>",
                k + 1,
                pre(&dedent(&strip(&String::from_utf8_lossy(&block))), true)
            );
        }
    }
    if !outcome.notes.is_empty() {
        let mut block = Vec::new();
        let _ = crate::report::render_notes(&mut block, outcome);
        let _ = writeln!(
            body,
            "<h3>Notes</h3>\n<div class=\"note-block\">{}</div>",
            pre(&dedent(&strip(&String::from_utf8_lossy(&block))), false)
        );
    }
    if let Some(error) = &outcome.error {
        let _ = writeln!(
            body,
            "<h3>Error</h3>\n<div class=\"failure\">{}</div>",
            pre(&error.to_string(), false)
        );
    }
    body.push_str("</section>\n");
}

/// The common leading spaces of `text`'s lines removed (the terminal indents its blocks).
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where a failure or drift shows on the diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Spot {
    /// The response (or hook reply) of exchange `.0`.
    Reply(usize),
    /// Notification `.2` (0-based) that actor `.1` received in exchange `.0`.
    Notification(usize, String, usize),
    /// Notifications actor `.1` never received in exchange `.0`.
    Missing(usize, String),
}

/// The swimlane of one scenario run; `n` numbers the scenario's anchors.
pub fn scenario_swimlane(outcome: &ScenarioOutcome, n: usize, report: &RunReport) -> Swimlane {
    let t = &outcome.transcript;
    let actors = actors(t);
    let lane = |actor: &str| actors.iter().position(|a| a == actor);
    let mut marks: Vec<(Spot, String)> = Vec::new();
    for (k, failure) in outcome.failures.iter().enumerate() {
        if let Some(spot) = failure_spot(t, failure) {
            marks.push((spot, format!("#diff-{n}-{}", k + 1)));
        }
    }
    for (k, drift) in outcome.drifts.iter().enumerate() {
        let fails = report.fail_on.is_some_and(|at| drift.class >= at);
        if fails && let Some(spot) = drift_spot(t, drift) {
            marks.push((spot, format!("#drift-{n}-{}", k + 1)));
        }
    }
    let mark = |spot: &Spot| {
        marks
            .iter()
            .find(|(s, _)| s == spot)
            .map(|(_, href)| href.clone())
    };
    let mut rows = Vec::new();
    for (e, exchange) in t.exchanges.iter().enumerate() {
        let start = exchange.started_ms;
        let mut events: Vec<(f64, Row)> = Vec::new();
        let reply_mark = mark(&Spot::Reply(e));
        match &exchange.action {
            Action::Hook { state, reply, .. } => {
                let what = if exchange.step.is_given() {
                    format!("given {state}")
                } else {
                    format!("step {}: state hook {state}", exchange.step.number)
                };
                let status = reply
                    .as_ref()
                    .map_or_else(|| "no reply".to_owned(), |r| r.status.to_string());
                events.push((
                    start,
                    row(
                        RowKind::Note,
                        what.clone(),
                        format!("{what} → {status}"),
                        start,
                        reply_mark,
                    ),
                ));
            }
            Action::Http {
                actor,
                request,
                response,
            } => {
                let Some(from) = lane(actor) else { continue };
                let op = request
                    .body
                    .as_ref()
                    .and_then(|b| b.get("operationName"))
                    .and_then(Value::as_str)
                    .map(|o| format!(" {o}"))
                    .unwrap_or_default();
                let label = format!(
                    "{}. {} {}{op}",
                    exchange.step.number,
                    request.method.to_ascii_uppercase(),
                    request.path
                );
                events.push((
                    start,
                    row(
                        RowKind::Request { from },
                        label.clone(),
                        format!("step {}: {label}", exchange.step.number),
                        start,
                        None,
                    ),
                ));
                let at = start + exchange.response_ms.unwrap_or(0.0);
                let (label, detail) = match response {
                    Some(r) => {
                        let code = r
                            .body
                            .get("statusCode")
                            .map(|c| format!(" statusCode {c}"))
                            .unwrap_or_default();
                        (
                            format!("{}{code}", r.status),
                            format!(
                                "{}{code}, {:.1} ms after the request",
                                r.status,
                                exchange.response_ms.unwrap_or(0.0)
                            ),
                        )
                    }
                    None => ("no response".to_owned(), "no response".to_owned()),
                };
                events.push((
                    at,
                    row(RowKind::Response { to: from }, label, detail, at, reply_mark),
                ));
            }
        }
        for (actor, list) in &exchange.notifications {
            let Some(to) = lane(actor) else { continue };
            for (i, observed) in list.iter().enumerate() {
                let at = start + observed.at_ms;
                let title = notification_title(&observed.data);
                let late = observed.at_ms > exchange.wait.deadline_ms && exchange.wait.deadline_ms > 0.0;
                let label = format!("{title} +{:.1} ms", observed.at_ms);
                let detail = format!(
                    "{actor}, notification {} of this step: {title}, {:.1} ms after the request{} (channel {})",
                    i + 1,
                    observed.at_ms,
                    if late { ", after the timeout" } else { "" },
                    observed.channel
                );
                let href = mark(&Spot::Notification(e, actor.clone(), i));
                events.push((at, row(RowKind::Notification { to }, label, detail, at, href)));
            }
        }
        for (spot, href) in &marks {
            if let Spot::Missing(x, actor) = spot
                && *x == e
                && let Some(lane) = lane(actor)
            {
                let at = start + exchange.wait.deadline_ms;
                let label = format!("{actor}: expected notifications missing");
                let detail = format!("{label} when the step's {} ms ran out", exchange.wait.timeout_ms);
                events.push((
                    at,
                    row(RowKind::Missing { lane }, label, detail, at, Some(href.clone())),
                ));
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        rows.extend(events.into_iter().map(|(_, r)| r));
    }
    Swimlane {
        id: format!("s{n}-svg"),
        title: format!("{}: {} and the server", outcome.name, actors.join(", ")),
        actors,
        server: "GWS server".to_owned(),
        rows,
    }
}

fn row(kind: RowKind, label: String, detail: String, at_ms: f64, href: Option<String>) -> Row {
    Row {
        kind,
        label,
        detail,
        time: Some(format!("{at_ms:.1} ms")),
        failed: href.is_some(),
        href,
    }
}

/// The run's actors: those who sent requests or had notification streams, by name.
fn actors(t: &Transcript) -> Vec<String> {
    let mut names = BTreeSet::new();
    for exchange in &t.exchanges {
        names.extend(exchange.notifications.keys().cloned());
        if let Action::Http { actor, .. } = &exchange.action {
            names.insert(actor.clone());
        }
    }
    names.into_iter().collect()
}

/// The exchange a failure belongs to: the step with its number, or for `given:` (number 0)
/// the first state whose stream concerns the failure's actor.
fn exchange_of(t: &Transcript, failure: &Failure) -> Option<usize> {
    if failure.step.number > 0 {
        return t
            .exchanges
            .iter()
            .position(|e| !e.step.is_given() && e.step.number == failure.step.number);
    }
    let has = |e: &Exchange| {
        failure
            .actor
            .as_ref()
            .is_some_and(|a| e.notifications.get(a).is_some_and(|l| !l.is_empty()))
    };
    t.exchanges
        .iter()
        .position(|e| e.step.is_given() && has(e))
        .or_else(|| t.exchanges.iter().position(|e| e.step.is_given()))
}

fn failure_spot(t: &Transcript, failure: &Failure) -> Option<Spot> {
    let e = exchange_of(t, failure)?;
    let actor = failure.actor.clone();
    Some(match &failure.kind {
        FailureKind::Notification { index, .. } => Spot::Notification(e, actor?, *index),
        FailureKind::Unexpected { actual } => {
            let actor = actor?;
            let i = t.exchanges[e]
                .notifications
                .get(&actor)?
                .iter()
                .position(|n| &n.data == actual)?;
            Spot::Notification(e, actor, i)
        }
        FailureKind::Missing { .. } => Spot::Missing(e, actor?),
        _ => Spot::Reply(e),
    })
}

fn drift_spot(t: &Transcript, drift: &Drift) -> Option<Spot> {
    let segments: Vec<&str> = drift.pointer.split('/').skip(1).collect();
    let index: usize = segments.get(1)?.parse().ok()?;
    let e = match *segments.first()? {
        "given" => t.exchanges.iter().position(|x| x.given == Some(index))?,
        "steps" => t
            .exchanges
            .iter()
            .position(|x| !x.step.is_given() && x.step.number == index + 1)?,
        _ => return None,
    };
    match (segments.get(2).copied(), segments.get(3), segments.get(4)) {
        (Some("notifications"), Some(actor), Some(i)) => {
            let actor = actor.replace("~1", "/").replace("~0", "~");
            let i: usize = i.parse().ok()?;
            let received = t.exchanges[e].notifications.get(&actor).map_or(0, Vec::len);
            Some(if i < received {
                Spot::Notification(e, actor, i)
            } else {
                Spot::Missing(e, actor)
            })
        }
        _ => Some(Spot::Reply(e)),
    }
}
