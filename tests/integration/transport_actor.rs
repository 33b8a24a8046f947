//! Per-actor HTTP: separate cookie jars, Basic auth on every request, the CSRF header only on
//! modifying requests and only when the target asks for it, refused logins that name the user
//! but never the password, and `Debug` output without secrets.
//!
//! A small recording server stands in for GWS so every request's headers can be inspected.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use gws_contract::server::ServerConfig;
use gws_contract::target::{Login, Secret, Target};
use gws_contract::transport::{ActorHttp, HttpRequest, RequestAuth, TransportError};
use serde_json::json;

use crate::support::{start_server, target_for};

/// One request as the recorder saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    user: Option<String>,
    password: Option<String>,
    cookie: Option<String>,
    csrf: Option<String>,
}

#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Seen>>,
    sessions: AtomicU64,
}

/// Starts the recorder; returns its base URL and its log.
async fn start_recorder() -> (url::Url, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let app = axum::Router::new()
        .fallback(record)
        .with_state(Arc::clone(&recorder));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = url::Url::parse(&format!("http://{}", listener.local_addr().expect("address"))).expect("URL");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, recorder)
}

fn basic_user(headers: &HeaderMap) -> Option<String> {
    basic_credentials(headers).map(|(user, _)| user)
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(value).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// `GET /api/v2/me` opens a session (cookie `JSESSIONID=s<n>`) and offers a CSRF token;
/// everything else answers `{}`.
async fn record(
    State(recorder): State<Arc<Recorder>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let seen = Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        user: basic_user(&headers),
        password: basic_credentials(&headers).map(|(_, p)| p),
        cookie: header("cookie"),
        csrf: header("x-csrf-token"),
    };
    recorder.seen.lock().expect("log lock").push(seen.clone());
    if uri.path() != "/api/v2/me" || method != Method::GET {
        return axum::Json(json!({})).into_response();
    }
    if seen.cookie.is_some() {
        return axum::Json(json!({"statusCode": 0})).into_response();
    }
    let n = recorder.sessions.fetch_add(1, Ordering::Relaxed) + 1;
    let user = seen.user.unwrap_or_default();
    (
        StatusCode::OK,
        [
            ("set-cookie", format!("JSESSIONID=s{n}; Path=/; HttpOnly")),
            ("x-csrf-header", "X-CSRF-TOKEN".to_owned()),
            ("x-csrf-token", format!("token-of-{user}")),
        ],
        axum::Json(json!({"statusCode": 0})),
    )
        .into_response()
}

fn request(method: &str, path: &str) -> HttpRequest {
    HttpRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        headers: Vec::new(),
        body: (method != "GET").then(|| json!({"operationName": "Complete"})),
        auth: RequestAuth::Actor,
    }
}

async fn logged_in(actor: &str, target: &Arc<Target>) -> ActorHttp {
    let http = ActorHttp::new(actor, Arc::clone(target)).expect("actor client");
    http.login().await.expect("login succeeds");
    http
}

#[tokio::test]
async fn transport_actors_have_separate_cookie_jars_and_send_basic_auth_on_every_request() {
    let (base, recorder) = start_recorder().await;
    let target = Arc::new(Target::with_defaults(base, Secret::new("password")));
    let agent1 = logged_in("agent1", &target).await;
    let agent2 = logged_in("agent2", &target).await;
    for http in [&agent1, &agent2, &agent1] {
        http.send(&request("GET", "/api/v2/me/facebooksessions"))
            .await
            .expect("GET");
        http.send(&request("POST", "/api/v2/me/facebooksessions/x"))
            .await
            .expect("POST");
    }
    let seen = recorder.seen.lock().expect("log lock").clone();
    assert_eq!(seen.len(), 8, "{seen:#?}");
    // Each actor's login opened its own session, and only that actor sends its cookie.
    let session_of = |user: &str| {
        let login = seen
            .iter()
            .position(|s| s.user.as_deref() == Some(user))
            .expect("a login");
        assert_eq!(seen[login].path, "/api/v2/me");
        assert_eq!(seen[login].cookie, None, "{user}'s jar starts empty");
        seen.iter()
            .skip(login + 1)
            .filter(|s| s.user.as_deref() == Some(user))
            .map(|s| s.cookie.clone().expect("the session cookie is sent"))
            .collect::<Vec<_>>()
    };
    let cookies1 = session_of("agent1");
    let cookies2 = session_of("agent2");
    assert_eq!(cookies1, ["JSESSIONID=s1"; 4]);
    assert_eq!(cookies2, ["JSESSIONID=s2"; 2]);
    assert!(
        seen.iter().all(|s| s.user.is_some()),
        "Basic auth on every request: {seen:#?}"
    );
}

#[tokio::test]
async fn transport_csrf_header_only_on_modifying_requests_and_only_when_the_target_asks() {
    let (base, recorder) = start_recorder().await;
    let mut with_csrf = Target::with_defaults(base.clone(), Secret::new("password"));
    with_csrf.csrf = true;
    let with_csrf = Arc::new(with_csrf);
    let without_csrf = Arc::new(Target::with_defaults(base, Secret::new("password")));

    let agent1 = logged_in("agent1", &with_csrf).await;
    let agent2 = logged_in("agent2", &without_csrf).await;
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
        agent1
            .send(&request(method, "/api/v2/me/x"))
            .await
            .expect("agent1 request");
        agent2
            .send(&request(method, "/api/v2/me/x"))
            .await
            .expect("agent2 request");
    }
    let seen = recorder.seen.lock().expect("log lock").clone();
    let csrf = |user: &str| -> Vec<(String, Option<String>)> {
        seen.iter()
            .filter(|s| s.user.as_deref() == Some(user) && s.path == "/api/v2/me/x")
            .map(|s| (s.method.to_string(), s.csrf.clone()))
            .collect()
    };
    let token = Some("token-of-agent1".to_owned());
    assert_eq!(
        csrf("agent1"),
        [
            ("GET".to_owned(), None),
            ("POST".to_owned(), token.clone()),
            ("PUT".to_owned(), token.clone()),
            ("DELETE".to_owned(), token.clone()),
            ("PATCH".to_owned(), token),
            ("HEAD".to_owned(), None),
            ("OPTIONS".to_owned(), None),
        ]
    );
    assert!(
        csrf("agent2").iter().all(|(_, t)| t.is_none()),
        "the token is offered but the target does not ask for CSRF: {:?}",
        csrf("agent2")
    );
}

#[tokio::test]
async fn transport_refused_login_names_the_user_but_never_the_password() {
    let server = start_server(ServerConfig::default()).await;
    let mut target = (*target_for(&server)).clone();
    target.logins.insert(
        "agent1".to_owned(),
        Login {
            user: "agent1".to_owned(),
            password: Secret::new("Wr0ng-Secret-Value"),
        }
        .into(),
    );
    let http = ActorHttp::new("agent1", Arc::new(target)).expect("actor client");
    let error = http.login().await.expect_err("a wrong password is refused");
    let TransportError::LoginRefused { user, status, url } = &error else {
        panic!("expected LoginRefused, got {error:?}");
    };
    assert_eq!((user.as_str(), *status), ("agent1", 401));
    assert!(url.ends_with("/api/v2/me"), "{url}");
    for text in [error.to_string(), format!("{error:?}"), format!("{http:?}")] {
        assert!(!text.contains("Wr0ng-Secret-Value"), "password leaked: {text}");
    }
    assert!(error.to_string().contains("`agent1`"), "{error}");
}

#[tokio::test]
async fn transport_debug_output_never_shows_a_secret() {
    let (base, _recorder) = start_recorder().await;
    let mut target = Target::with_defaults(base, Secret::new("Default-Secret-1"));
    target.logins.insert(
        "agent1".to_owned(),
        Login {
            user: "alice".to_owned(),
            password: Secret::new("Alice-Secret-2"),
        }
        .into(),
    );
    target
        .state_hook_headers
        .push(("Authorization".to_owned(), Secret::new("Hook-Secret-3")));
    let target = Arc::new(target);
    let http = logged_in("agent1", &target).await;
    let texts = [
        format!("{target:?}"),
        format!("{target:#?}"),
        format!("{http:?}"),
        format!("{:?}", target.login_for("agent1")),
        format!("{:?}", target.login_for("agent2")),
    ];
    for text in texts {
        for secret in [
            "Default-Secret-1",
            "Alice-Secret-2",
            "Hook-Secret-3",
            "token-of-alice",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }
    assert!(
        format!("{http:?}").contains("alice"),
        "Debug still says who it is"
    );
}

#[tokio::test]
async fn transport_deliberately_wrong_requests_leave_out_what_they_say_and_never_send_the_real_password() {
    let (base, recorder) = start_recorder().await;
    let mut target = Target::with_defaults(base, Secret::new("password"));
    target.csrf = true;
    let target = Arc::new(target);
    let agent1 = logged_in("agent1", &target).await;
    for auth in [
        RequestAuth::Actor,
        RequestAuth::None,
        RequestAuth::WrongPassword,
        RequestAuth::WrongPassword,
        RequestAuth::NoCsrf,
    ] {
        let request = HttpRequest {
            auth,
            ..request("POST", "/api/v2/me/x")
        };
        agent1.send(&request).await.expect("request sent");
    }
    let seen = recorder.seen.lock().expect("log lock").clone();
    let sent: Vec<(Option<&str>, bool, Option<&str>)> = seen[1..]
        .iter()
        .map(|s| (s.user.as_deref(), s.cookie.is_some(), s.csrf.as_deref()))
        .collect();
    let token = Some("token-of-agent1");
    assert_eq!(
        sent,
        [
            (Some("agent1"), true, token),
            (None, false, None),
            (Some("agent1"), false, None),
            (Some("agent1"), false, None),
            (Some("agent1"), true, None),
        ],
        "the actor's session, anonymous, wrong password (twice), no CSRF token"
    );
    let wrong: Vec<&str> = seen[3..5].iter().filter_map(|s| s.password.as_deref()).collect();
    assert_eq!(wrong.len(), 2);
    assert!(wrong.iter().all(|p| *p != "password"), "{wrong:?}");
    assert_ne!(
        wrong[0], wrong[1],
        "made up afresh, not a fixed string a server could allow"
    );
    let reported = serde_json::to_value(HttpRequest {
        auth: RequestAuth::WrongPassword,
        ..request("POST", "/x")
    })
    .expect("serialises");
    assert_eq!(reported["auth"], "wrong-password");
    assert!(
        serde_json::to_value(request("POST", "/x"))
            .expect("serialises")
            .get("auth")
            .is_none()
    );
}
