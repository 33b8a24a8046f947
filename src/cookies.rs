//! One actor's browser: a cookie jar of its own over an HTTP connection pool that every actor
//! of a run shares.
//!
//! Building a `reqwest::Client` loads the platform's root certificates (hundreds of PEM files
//! on Linux) and gives the client a connection pool of its own: milliseconds of CPU and
//! hundreds of kilobytes per client. One client per actor made that the largest cost of a
//! scenario and of a run at high `--jobs`. So a run builds one client ([`shared_client`]) and
//! each actor keeps only a [`CookieClient`]: that client plus its own jar, applied to each
//! request by hand (reqwest's cookie store belongs to a client, not to a request).
//!
//! What the jar does not see: the cookies of a redirect's intermediate responses (reqwest
//! follows redirects inside one `execute`). GWS answers its API without redirects; a redirected
//! request still authenticates with Basic auth, which every actor request carries.

use std::sync::Arc;
use std::time::Duration;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::{COOKIE, SET_COOKIE};

/// The client every actor of a run shares. HTTP/1.1 only: a long-poll holds a request for up
/// to the server's hold time, and over HTTP/2 every actor's long-poll would share one
/// connection and its concurrent-stream limit (often 100-250), so requests beyond it would
/// wait for a long-poll to end.
pub fn shared_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        // Node-based servers close idle keep-alive connections after 5 s; reusing one they
        // are closing makes a POST fail, and POSTs are not retried.
        .pool_idle_timeout(Duration::from_secs(4))
        .http1_only()
        .build()
}

/// An HTTP client with its own cookie jar. Clones share the jar.
#[derive(Clone)]
pub struct CookieClient {
    client: reqwest::Client,
    jar: Arc<Jar>,
}

impl std::fmt::Debug for CookieClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Cookies are session secrets: never printed.
        f.debug_struct("CookieClient").finish_non_exhaustive()
    }
}

impl From<reqwest::Client> for CookieClient {
    /// An empty jar over `client`.
    fn from(client: reqwest::Client) -> Self {
        CookieClient::new(client)
    }
}

impl CookieClient {
    /// An empty jar over `client` (usually [`shared_client`]).
    pub fn new(client: reqwest::Client) -> Self {
        CookieClient {
            client,
            jar: Arc::new(Jar::default()),
        }
    }

    /// The client, to build requests with.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `builder` (made with [`CookieClient::client`]) with the jar's cookies for its URL,
    /// unless it sets a `Cookie` header itself, and keeps the cookies the response sets.
    pub async fn send(&self, builder: reqwest::RequestBuilder) -> Result<reqwest::Response, reqwest::Error> {
        let mut request = builder.build()?;
        if !request.headers().contains_key(COOKIE)
            && let Some(cookies) = self.jar.cookies(request.url())
        {
            request.headers_mut().insert(COOKIE, cookies);
        }
        let url = request.url().clone();
        let response = self.client.execute(request).await?;
        let mut set = response.headers().get_all(SET_COOKIE).iter().peekable();
        if set.peek().is_some() {
            self.jar.set_cookies(&mut set, &url);
        }
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_jar_and_new_clients_start_empty() {
        let client = reqwest::Client::new();
        let url = url::Url::parse("http://127.0.0.1:1/api").expect("url");
        let a = CookieClient::new(client.clone());
        a.jar.add_cookie_str("JSESSIONID=a1", &url);
        let clone = a.clone();
        assert!(clone.jar.cookies(&url).is_some());
        let b = CookieClient::new(client);
        assert!(b.jar.cookies(&url).is_none(), "another actor's jar is its own");
        assert!(!format!("{a:?}").contains("a1"), "cookies are never printed");
    }
}
