//! The recording as a runner transcript, so its golden is written by the golden module
//! itself (`golden::record`: the same document, symbols and rules as `record` and `verify`)
//! and equals what a run of the recorded scenario against the same target observes.

use std::path::Path;
use std::time::Instant;

use serde_json::Value;

use super::recording::{Action, Entry, Recording};
use crate::matching::Vars;
use crate::runner::{self, Capture, Exchange, Observed, StepRef, Transcript, WaitRecord};
use crate::scenario::STATE_TO_FILL_IN;
use crate::transport::{HttpRequest, HttpResponse};

/// The transcript of `recording`, written to `file`.
pub fn transcript(recording: &Recording, file: &Path) -> Transcript {
    let origin = recording.began_at;
    let mut exchanges = Vec::new();
    let mut captured = Vec::new();
    let mut step = 0;
    for (index, entry) in recording.entries.iter().enumerate() {
        let number = if entry.given {
            0
        } else {
            step += 1;
            step
        };
        captured.extend(entry.captures.iter().map(|c| c.name.clone()));
        exchanges.push(exchange(entry, number, index, origin));
    }
    let end = recording
        .entries
        .iter()
        .map(|e| e.finished)
        .max()
        .unwrap_or(origin);
    Transcript {
        scenario: recording.name.clone(),
        file: file.to_path_buf(),
        target: recording.target.to_string(),
        duration_ms: u64::try_from(end.saturating_duration_since(origin).as_millis()).unwrap_or(u64::MAX),
        vars: Vars::new(),
        captured,
        exchanges,
        teardown: Vec::new(),
        stop: None,
    }
}

fn ms(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1000.0
}

fn exchange(entry: &Entry, number: usize, index: usize, origin: Instant) -> Exchange {
    let (label, action) = match &entry.action {
        Action::StateToFillIn => (
            format!("given {STATE_TO_FILL_IN}"),
            runner::Action::Hook {
                state: STATE_TO_FILL_IN.to_owned(),
                params: Value::Null,
                reply: None,
            },
        ),
        Action::Hook {
            state,
            params,
            status,
            reply,
            ..
        } => (
            if entry.given {
                format!("given {state}")
            } else {
                format!("state {state}")
            },
            runner::Action::Hook {
                state: state.clone(),
                params: params.clone(),
                reply: Some(HttpResponse {
                    status: *status,
                    headers: Vec::new(),
                    body: reply.clone(),
                }),
            },
        ),
        Action::Http(http) => (
            format!("{} {} {}", http.actor, http.method, http.path_template),
            runner::Action::Http {
                actor: http.actor.clone(),
                request: HttpRequest {
                    method: http.method.clone(),
                    path: http.path.clone(),
                    headers: http.headers.clone(),
                    body: http.body.clone(),
                    auth: crate::transport::RequestAuth::Actor,
                },
                response: Some(HttpResponse {
                    status: http.status,
                    headers: http.response_headers.clone(),
                    body: http.response.clone(),
                }),
            },
        ),
    };
    Exchange {
        step: StepRef { number, label },
        given: entry.given.then_some(index),
        action,
        started_ms: ms(origin, entry.started),
        response_ms: Some(ms(entry.started, entry.finished)),
        captures: entry
            .captures
            .iter()
            .map(|c| Capture {
                name: c.name.clone(),
                pointer: c.pointer.clone(),
                value: Some(Value::String(c.value.clone())),
            })
            .collect(),
        wait: WaitRecord::default(),
        notifications: entry
            .notifications
            .iter()
            .map(|(actor, list)| {
                let observed = list
                    .iter()
                    .map(|n| Observed {
                        channel: n.channel.clone(),
                        data: n.data.clone(),
                        at_ms: ms(entry.started, n.at),
                    })
                    .collect();
                (actor.clone(), observed)
            })
            .collect(),
        ignored: Default::default(),
        stream_events: Vec::new(),
    }
}
