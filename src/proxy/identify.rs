//! Who sent each request: the user of its HTTP Basic credentials; failing that, the user who
//! was given the cookie it carries (JSESSIONID, BAYEUX_BROWSER or any other cookie the target
//! set); failing that, for Bayeux, the user whose handshake was answered with its clientId.
//!
//! Only user names are kept: the password half of Basic credentials is dropped as soon as the
//! header is decoded, and cookie values serve as keys in memory only.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};
use base64::Engine;

use super::classify::Kind;
use super::traffic::Seen;

/// The user of each of `seen` (whose kinds are `kinds`), where it can be told.
pub(crate) fn identify(seen: &[Seen], kinds: &[Kind]) -> Vec<Option<String>> {
    let mut learned = Learned::default();
    let mut of: Vec<Option<String>> = seen.iter().map(|s| basic_user(&s.request_headers)).collect();
    // What a request teaches (a cookie, a clientId) can identify requests before it (a
    // browser may reuse a cookie in a request that started first), so repeat until stable.
    loop {
        let mut changed = false;
        for (i, s) in seen.iter().enumerate() {
            if of[i].is_none() {
                of[i] = learned.user_of(s, &kinds[i]);
                changed |= of[i].is_some();
            }
            if let Some(user) = &of[i] {
                changed |= learned.learn(s, &kinds[i], user);
            }
        }
        if !changed {
            break;
        }
    }
    of
}

/// What identifies a user besides Basic auth.
#[derive(Debug, Default)]
struct Learned {
    /// (cookie name, value) → user; `None` once two users were given the same cookie.
    cookies: HashMap<(String, String), Option<String>>,
    /// Bayeux clientId → user.
    clients: HashMap<String, String>,
}

impl Learned {
    fn user_of(&self, seen: &Seen, kind: &Kind) -> Option<String> {
        let by_cookie = cookies(&seen.request_headers)
            .into_iter()
            .find_map(|pair| self.cookies.get(&pair).cloned().flatten());
        by_cookie.or_else(|| match kind {
            Kind::Bayeux { request, .. } => request
                .iter()
                .filter_map(|m| m.client_id.as_ref())
                .find_map(|id| self.clients.get(id).cloned()),
            _ => None,
        })
    }

    /// Learns what `user`'s exchange handed out; returns whether anything was new.
    fn learn(&mut self, seen: &Seen, kind: &Kind, user: &str) -> bool {
        let mut changed = false;
        if let Some(reply) = &seen.reply {
            for pair in set_cookies(&reply.headers) {
                match self.cookies.get(&pair) {
                    None => {
                        self.cookies.insert(pair, Some(user.to_owned()));
                        changed = true;
                    }
                    Some(Some(known)) if known != user => {
                        self.cookies.insert(pair, None);
                        changed = true;
                    }
                    Some(_) => {}
                }
            }
        }
        if let Kind::Bayeux { response, .. } = kind {
            for message in response {
                if message.channel == "/meta/handshake"
                    && message.successful == Some(true)
                    && let Some(id) = &message.client_id
                    && !self.clients.contains_key(id)
                {
                    self.clients.insert(id.clone(), user.to_owned());
                    changed = true;
                }
            }
        }
        changed
    }
}

/// The user name of HTTP Basic credentials (ISO-8859-1, as GWS clients encode them).
pub(crate) fn basic_user(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let user: String = bytes
        .iter()
        .take_while(|&&b| b != b':')
        .map(|&b| char::from(b))
        .collect();
    (!user.is_empty()).then_some(user)
}

/// The (name, value) pairs of the `Cookie` headers.
fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// The (name, value) pairs set by `Set-Cookie` headers.
fn set_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::body::Bytes;
    use axum::http::{HeaderName, HeaderValue, Method};

    use super::*;
    use crate::bayeux::Message;
    use crate::proxy::traffic::Reply;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn seen(request: &[(&'static str, &str)], response: &[(&'static str, &str)]) -> Seen {
        Seen {
            started: Instant::now(),
            finished: Instant::now(),
            method: Method::GET,
            path: "/".to_owned(),
            request_headers: headers(request),
            request_body: Bytes::new(),
            reply: Some(Reply {
                status: 200,
                headers: headers(response),
                body: Bytes::new(),
            }),
        }
    }

    fn bayeux(client: Option<&str>, handshake_reply: Option<&str>) -> Kind {
        Kind::Bayeux {
            request: vec![Message {
                channel: "/meta/connect".to_owned(),
                client_id: client.map(str::to_owned),
                ..Message::default()
            }],
            response: handshake_reply
                .map(|id| Message {
                    channel: "/meta/handshake".to_owned(),
                    successful: Some(true),
                    client_id: Some(id.to_owned()),
                    ..Message::default()
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn users_come_from_basic_auth_then_cookies_then_client_ids() {
        // "alice:secret" and "bob:pw".
        let alice = "Basic YWxpY2U6c2VjcmV0";
        let bob = "Basic Ym9iOnB3";
        let seen = vec![
            seen(
                &[("authorization", bob)],
                &[("set-cookie", "JSESSIONID=B1; Path=/")],
            ),
            seen(
                &[("authorization", alice)],
                &[("set-cookie", "JSESSIONID=A1; Path=/; HttpOnly")],
            ),
            seen(&[("cookie", "x=1; JSESSIONID=A1")], &[]),
            seen(&[("cookie", "JSESSIONID=B1")], &[]),
            seen(&[], &[]),
            seen(&[], &[]),
        ];
        let kinds = vec![
            Kind::Login,
            bayeux(None, Some("client-a")),
            Kind::Operation,
            Kind::Operation,
            bayeux(Some("client-a"), None),
            Kind::Operation,
        ];
        let users = identify(&seen, &kinds);
        let of: Vec<Option<&str>> = users.iter().map(Option::as_deref).collect();
        assert_eq!(
            of,
            [
                Some("bob"),
                Some("alice"),
                Some("alice"),
                Some("bob"),
                Some("alice"),
                None
            ]
        );
    }

    #[test]
    fn a_cookie_given_to_two_users_identifies_neither() {
        let seen = vec![
            seen(&[("authorization", "Basic YTpw")], &[("set-cookie", "LB=same")]),
            seen(&[("authorization", "Basic Yjpw")], &[("set-cookie", "LB=same")]),
            seen(&[("cookie", "LB=same")], &[]),
        ];
        let kinds = vec![Kind::Login, Kind::Login, Kind::Operation];
        assert_eq!(identify(&seen, &kinds)[2], None);
    }
}
