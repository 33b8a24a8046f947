//! What a scenario did, step by step, from its transcript: `-v` prints one line per `given:`
//! state and step (what was done, the reply and its time, how many notifications each actor
//! got); `-vv` adds the wire log below each line — every HTTP request and response, every
//! hook call and every notification per actor, stamped with milliseconds since the scenario
//! started. Secret header values are shown as the transport redacts them everywhere else.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::Value;

use super::style::DIM;
use crate::runner::{Action, Exchange, Teardown, Transcript};
use crate::transport::{HttpResponse, redact_headers};

/// One line per exchange, and with `wire` each exchange's traffic below it.
pub fn render_steps(w: &mut dyn Write, transcript: &Transcript, wire: bool) -> io::Result<()> {
    for exchange in &transcript.exchanges {
        render_step_line(w, exchange)?;
        if wire {
            render_wire(w, exchange)?;
        }
    }
    if wire {
        for teardown in &transcript.teardown {
            render_teardown(w, teardown)?;
        }
    }
    Ok(())
}

/// `  step 1: agent1 POST /path -> 200 in 8 ms; notifications: agent1 1 (last at 25 ms)`.
fn render_step_line(w: &mut dyn Write, exchange: &Exchange) -> io::Result<()> {
    let (name, what) = match (&exchange.given, &exchange.action) {
        (Some(given), Action::Hook { state, .. }) => {
            (format!("given {}", given + 1), format!("state `{state}`"))
        }
        (_, _) => (
            format!("step {}", exchange.step.number),
            exchange.step.label.clone(),
        ),
    };
    let reply = match (exchange.reply(), exchange.response_ms) {
        (Some(reply), Some(ms)) => format!("{} in {ms:.0} ms", reply.status),
        (Some(reply), None) => reply.status.to_string(),
        (None, _) => "no reply".to_owned(),
    };
    let counts: Vec<String> = exchange
        .notifications
        .iter()
        .map(|(actor, received)| {
            let ignored = exchange.ignored.get(actor).copied().unwrap_or(0);
            let mut text = format!("{actor} {}", received.len());
            if let Some(last) = received.iter().map(|n| n.at_ms).reduce(f64::max) {
                let _ = write!(text, " (last at {last:.0} ms)");
            }
            if ignored > 0 {
                let _ = write!(text, ", {ignored} ignored");
            }
            text
        })
        .collect();
    let counts = if counts.is_empty() {
        "none".to_owned()
    } else {
        counts.join(", ")
    };
    writeln!(w, "  {name}: {what} -> {reply}; notifications: {counts}")
}

fn render_wire(w: &mut dyn Write, exchange: &Exchange) -> io::Result<()> {
    let start = exchange.started_ms;
    let answered = exchange.response_ms.map(|ms| start + ms);
    match &exchange.action {
        Action::Hook { state, params, reply } => {
            stamp(w, start, &format!("hook > setup `{state}`"))?;
            body(w, Some(params))?;
            if let Some(reply) = reply {
                render_response(w, "hook", answered.unwrap_or(start), reply)?;
            }
        }
        Action::Http {
            actor,
            request,
            response,
        } => {
            stamp(
                w,
                start,
                &format!("{actor} > {} {}", request.method, request.path),
            )?;
            headers(w, &request.headers)?;
            body(w, request.body.as_ref())?;
            if let Some(response) = response {
                render_response(w, actor, answered.unwrap_or(start), response)?;
            }
        }
    }
    for (actor, received) in &exchange.notifications {
        for notification in received {
            stamp(
                w,
                start + notification.at_ms,
                &format!("{actor} notified on {}", notification.channel),
            )?;
            body(w, Some(&notification.data))?;
        }
    }
    for (actor, ignored) in &exchange.ignored {
        if *ignored > 0 {
            writeln!(
                w,
                "    {actor}: {ignored} other deliver{} ignored (about none of this scenario's sessions, \
                 or on another channel)",
                if *ignored == 1 { "y" } else { "ies" }
            )?;
        }
    }
    Ok(())
}

fn render_response(w: &mut dyn Write, who: &str, at_ms: f64, response: &HttpResponse) -> io::Result<()> {
    stamp(w, at_ms, &format!("{who} < {}", response.status))?;
    headers(w, &response.headers)?;
    body(w, Some(&response.body))
}

fn render_teardown(w: &mut dyn Write, teardown: &Teardown) -> io::Result<()> {
    let result = match &teardown.result {
        Ok(reply) => reply.status.to_string(),
        Err(reason) => format!("failed: {reason}"),
    };
    writeln!(w, "  teardown: state `{}` -> {result}", teardown.state)
}

/// `    [+   12.3 ms] text`.
fn stamp(w: &mut dyn Write, at_ms: f64, text: &str) -> io::Result<()> {
    writeln!(w, "    {DIM}[+{at_ms:>8.1} ms]{DIM:#} {text}")
}

/// Header lines, secrets redacted (again: responses come redacted from the transport, but the
/// requests' own headers are only redacted when they are shown).
fn headers(w: &mut dyn Write, headers: &[(String, String)]) -> io::Result<()> {
    for (name, value) in redact_headers(headers) {
        writeln!(w, "{PAD}{name}: {value}")?;
    }
    Ok(())
}

/// A JSON body on one line; nothing for none.
fn body(w: &mut dyn Write, body: Option<&Value>) -> io::Result<()> {
    match body {
        None | Some(Value::Null) => Ok(()),
        Some(value) => writeln!(w, "{PAD}{value}"),
    }
}

/// Indentation of the lines under a stamped one.
const PAD: &str = "                   ";
