//! The long-poll loop's decisions, kept pure so they can be tested without a server: how
//! advice accumulates, what to do after each `/meta/connect` reply, how long to back off, and
//! how a response body becomes messages.
//!
//! The rules follow Bayeux 1.0 §5.2 and what the CometD JS client does: a successful connect
//! is followed by another after `advice.interval`; a failed one is decided by the accumulated
//! `advice.reconnect` (`handshake`: start a new session; `none`: give up; otherwise retry with
//! a bounded backoff). Error codes are never interpreted, because servers spell "unknown
//! client" differently (`402::session_unknown`, `402::Unknown client`, `401:<id>:Unknown client`).

use std::time::Duration;

use serde_json::Value;

use super::message::{Advice, Message};
use crate::elide::{MESSAGE_CHARS, elide};
use crate::limits::{MAX_JSON_DEPTH, json_too_deep};

/// Failures in a row (transport errors, HTTP errors, unusable bodies, unsuccessful connects)
/// after which the client gives up and reports `Delivery::Failed`.
pub(crate) const MAX_CONSECUTIVE_ERRORS: u32 = 3;

/// What the loop does after a `/meta/connect` exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// The connect succeeded: connect again after `wait` (the advised interval).
    Connect {
        /// The advised interval.
        wait: Duration,
    },
    /// The server forgot the session: handshake and subscribe again.
    Rehandshake {
        /// The server's error string, for the report.
        reason: String,
    },
    /// The connect failed without advice to re-handshake: try again after `wait`, unless too
    /// many failures happened in a row.
    Retry {
        /// Why this attempt failed.
        reason: String,
    },
    /// The server told us to stop (`advice.reconnect = none`).
    Fail {
        /// Why.
        reason: String,
    },
}

/// The longest hold of a `/meta/connect` the client accepts from advice: far beyond CometD's
/// 30 s default, short enough that a server cannot park a client for hours.
pub(crate) const MAX_ADVICE_TIMEOUT_MS: u64 = 5 * 60 * 1000;
/// The longest wait between connects the client accepts from advice.
pub(crate) const MAX_ADVICE_INTERVAL_MS: i64 = 60 * 1000;

/// An advised value the client replaced with its bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdviceClamp {
    /// `timeout` or `interval`.
    pub field: &'static str,
    /// What the server advised, in milliseconds.
    pub advised_ms: i128,
    /// What the client uses instead, in milliseconds.
    pub used_ms: u64,
}

impl std::fmt::Display for AdviceClamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server advised {} {} ms; the client uses {} ms, its bound",
            self.field, self.advised_ms, self.used_ms
        )
    }
}

/// `advice` with `timeout` at most [`MAX_ADVICE_TIMEOUT_MS`] and `interval` at most
/// [`MAX_ADVICE_INTERVAL_MS`], and what was replaced. Obeying 2^64−1 ms blindly would hang
/// the run (or overflow a deadline).
pub(crate) fn clamp_advice(mut advice: Advice) -> (Advice, Vec<AdviceClamp>) {
    let mut clamps = Vec::new();
    if let Some(timeout) = advice.timeout.filter(|t| *t > MAX_ADVICE_TIMEOUT_MS) {
        clamps.push(AdviceClamp {
            field: "timeout",
            advised_ms: i128::from(timeout),
            used_ms: MAX_ADVICE_TIMEOUT_MS,
        });
        advice.timeout = Some(MAX_ADVICE_TIMEOUT_MS);
    }
    if let Some(interval) = advice.interval.filter(|i| *i > MAX_ADVICE_INTERVAL_MS) {
        clamps.push(AdviceClamp {
            field: "interval",
            advised_ms: i128::from(interval),
            used_ms: MAX_ADVICE_INTERVAL_MS.unsigned_abs(),
        });
        advice.interval = Some(MAX_ADVICE_INTERVAL_MS);
    }
    (advice, clamps)
}

/// Later advice supersedes earlier advice field by field (Bayeux §5.2: advice stays in force
/// until new advice replaces it).
pub(crate) fn merge_advice(old: &Advice, new: Advice) -> Advice {
    Advice {
        reconnect: new.reconnect.or_else(|| old.reconnect.clone()),
        interval: new.interval.or(old.interval),
        timeout: new.timeout.or(old.timeout),
        max_interval: new.max_interval.or(old.max_interval),
        multiple_clients: new.multiple_clients.or(old.multiple_clients),
    }
}

/// Decides what follows a connect whose reply (if any) was `reply`, under `advice` (already
/// merged with the reply's own advice).
pub(crate) fn decide(advice: &Advice, reply: Option<&Message>) -> Next {
    let successful = reply.is_some_and(|r| r.successful == Some(true));
    let error = || {
        reply.map_or_else(
            || "the response held no /meta/connect reply".to_owned(),
            |r| {
                r.error
                    .clone()
                    .unwrap_or_else(|| "unsuccessful /meta/connect without an error".to_owned())
            },
        )
    };
    match (successful, advice.reconnect.as_deref()) {
        (true, Some("none")) => Next::Fail {
            reason: "the server advised reconnect: none".to_owned(),
        },
        (true, _) => Next::Connect {
            wait: interval(advice),
        },
        (false, Some("handshake")) => Next::Rehandshake { reason: error() },
        (false, Some("none")) => Next::Fail {
            reason: format!("{} (advice reconnect: none)", error()),
        },
        (false, _) => Next::Retry { reason: error() },
    }
}

/// The advised wait between connects; negative values (seen from misconfigured servers) mean
/// no wait.
pub(crate) fn interval(advice: &Advice) -> Duration {
    Duration::from_millis(advice.interval.and_then(|i| u64::try_from(i).ok()).unwrap_or(0))
}

/// The pause before the `errors`-th retry in a row: 100 ms doubling, at most 2 s, so a
/// flapping server is not hammered and a dead one is given up on within seconds.
pub(crate) fn backoff(errors: u32) -> Duration {
    let exponent = errors.saturating_sub(1).min(5);
    Duration::from_millis(100u64 << exponent).min(Duration::from_secs(2))
}

/// Parses a response body: a JSON array of messages (or, leniently, a single message).
pub fn parse_messages(bytes: &[u8]) -> Result<Vec<Message>, String> {
    if json_too_deep(bytes, MAX_JSON_DEPTH) {
        return Err(format!(
            "the body nests JSON more than {MAX_JSON_DEPTH} levels deep; it was not read"
        ));
    }
    // serde_json's messages quote the offending value, which a target may make megabytes long.
    let reason = |e: serde_json::Error| elide(&e.to_string(), MESSAGE_CHARS).into_owned();
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| format!("invalid JSON ({}) in body {}", reason(e), excerpt(bytes)))?;
    match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                serde_json::from_value(v)
                    .map_err(|e| format!("message {i} is not a Bayeux message: {}", reason(e)))
            })
            .collect(),
        Value::Object(_) => serde_json::from_value(value)
            .map(|m| vec![m])
            .map_err(|e| format!("the body is not a Bayeux message: {}", reason(e))),
        _ => Err(format!(
            "expected a JSON array of messages, got {}",
            excerpt(bytes)
        )),
    }
}

/// The start of a body, quoted, so an HTML error page or a proxy's text is recognisable in a
/// one-line error.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    const LIMIT: usize = 80;
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim();
    if text.is_empty() {
        return "(empty)".to_owned();
    }
    let mut cut: String = text.chars().take(LIMIT).collect();
    if text.chars().count() > LIMIT {
        cut.push('…');
    }
    format!("{cut:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(successful: bool, error: Option<&str>) -> Message {
        Message {
            channel: "/meta/connect".into(),
            successful: Some(successful),
            error: error.map(str::to_owned),
            ..Message::default()
        }
    }

    fn advice(reconnect: Option<&str>, interval: Option<i64>) -> Advice {
        Advice {
            reconnect: reconnect.map(str::to_owned),
            interval,
            ..Advice::default()
        }
    }

    #[test]
    fn parses_arrays_and_single_messages() {
        let msgs = parse_messages(
            br#"[{"channel":"/a","data":{"x":1}},{"channel":"/meta/connect","successful":true}]"#,
        )
        .unwrap();
        assert_eq!(msgs.len(), 2);
        assert_eq!(
            parse_messages(br#"{"channel":"/meta/connect"}"#).unwrap().len(),
            1
        );
    }

    #[test]
    fn malformed_bodies_are_explained() {
        let err = parse_messages(b"<html>502 Bad Gateway</html>").unwrap_err();
        assert!(err.starts_with("invalid JSON"), "{err}");
        assert!(err.contains("\"<html>502 Bad Gateway</html>\""), "{err}");
        assert_eq!(
            parse_messages(b"").unwrap_err(),
            "invalid JSON (EOF while parsing a value at line 1 column 0) in body (empty)"
        );
        assert_eq!(
            parse_messages(b"3").unwrap_err(),
            "expected a JSON array of messages, got \"3\""
        );
        let err = parse_messages(br#"[{"channel":"/meta/connect"},{"data":1}]"#).unwrap_err();
        assert!(
            err.starts_with("message 1 is not a Bayeux message: missing field `channel`"),
            "{err}"
        );
        let long = "x".repeat(500);
        assert!(excerpt(long.as_bytes()).ends_with("…\""));
    }

    /// Found by `fuzz/run.sh` (bayeux_decoder): serde_json quotes the value it could not
    /// decode, so a long string where a message belongs made a 4 KB error line.
    #[test]
    fn errors_about_long_values_are_bounded() {
        let long = "x".repeat(100_000);
        for body in [
            format!("[\"{long}\"]"),
            format!("{{\"channel\": 1, \"data\": \"{long}\"}}"),
            format!("[{{\"channel\": \"{long}\", \"successful\": \"{long}\"}}]"),
        ] {
            let err = parse_messages(body.as_bytes()).unwrap_err();
            assert!(err.len() < 600, "{} bytes: {err}", err.len());
        }
        let err = parse_messages(format!("[\"{long}\"]").as_bytes()).unwrap_err();
        assert!(err.contains("more characters)"), "{err}");
    }

    #[test]
    fn deep_bodies_are_refused_before_parsing() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            parse_messages(deep.as_bytes()).unwrap_err(),
            "the body nests JSON more than 127 levels deep; it was not read"
        );
    }

    #[test]
    fn absurd_advice_is_clamped_and_said_so() {
        let (clamped, clamps) = clamp_advice(Advice {
            timeout: Some(u64::MAX),
            interval: Some(i64::MAX),
            ..Advice::default()
        });
        assert_eq!(clamped.timeout, Some(MAX_ADVICE_TIMEOUT_MS));
        assert_eq!(clamped.interval, Some(MAX_ADVICE_INTERVAL_MS));
        let said: Vec<String> = clamps.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "the server advised timeout 18446744073709551615 ms; the client uses 300000 ms, its bound",
                "the server advised interval 9223372036854775807 ms; the client uses 60000 ms, its bound",
            ]
        );
        let sane = Advice {
            timeout: Some(30_000),
            interval: Some(0),
            ..Advice::default()
        };
        assert_eq!(clamp_advice(sane.clone()), (sane, Vec::new()));
    }

    #[test]
    fn later_advice_wins_field_by_field() {
        let old = Advice {
            reconnect: Some("retry".into()),
            timeout: Some(30_000),
            interval: Some(0),
            ..Advice::default()
        };
        let merged = merge_advice(&old, advice(Some("handshake"), None));
        assert_eq!(merged.reconnect.as_deref(), Some("handshake"));
        assert_eq!(merged.timeout, Some(30_000));
        assert_eq!(merged.interval, Some(0));
        let merged = merge_advice(&merged, advice(None, Some(2000)));
        assert_eq!(merged.reconnect.as_deref(), Some("handshake"));
        assert_eq!(merged.interval, Some(2000));
    }

    #[test]
    fn successful_connects_continue_after_the_interval() {
        let r = reply(true, None);
        assert_eq!(
            decide(&advice(Some("retry"), Some(250)), Some(&r)),
            Next::Connect {
                wait: Duration::from_millis(250)
            }
        );
        assert_eq!(
            decide(&advice(None, Some(-5)), Some(&r)),
            Next::Connect { wait: Duration::ZERO }
        );
        assert!(matches!(
            decide(&advice(Some("none"), None), Some(&r)),
            Next::Fail { .. }
        ));
    }

    #[test]
    fn failed_connects_follow_the_reconnect_advice_not_the_error_code() {
        for error in [
            "402::Unknown client",
            "402::session_unknown",
            "401:abc:Unknown client",
        ] {
            let r = reply(false, Some(error));
            assert_eq!(
                decide(&advice(Some("handshake"), Some(0)), Some(&r)),
                Next::Rehandshake { reason: error.into() }
            );
            assert_eq!(
                decide(&advice(Some("retry"), Some(0)), Some(&r)),
                Next::Retry { reason: error.into() }
            );
        }
        let r = reply(false, Some("403::denied"));
        assert_eq!(
            decide(&advice(Some("none"), None), Some(&r)),
            Next::Fail {
                reason: "403::denied (advice reconnect: none)".into()
            }
        );
        assert_eq!(
            decide(&advice(None, None), None),
            Next::Retry {
                reason: "the response held no /meta/connect reply".into()
            }
        );
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert_eq!(backoff(1), Duration::from_millis(100));
        assert_eq!(backoff(2), Duration::from_millis(200));
        assert_eq!(backoff(3), Duration::from_millis(400));
        assert_eq!(backoff(50), Duration::from_secs(2));
        assert_eq!(backoff(0), Duration::from_millis(100));
    }
}
