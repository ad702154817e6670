//! Helpers shared by the integration tests: a started mock, an HTTP client and JSON requests.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use mock_zoom::{MockConfig, MockZoom};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// Builds a client for plain HTTP to 127.0.0.1. reqwest is built without a rustls crypto
/// provider, and building any client needs one, so ring's is installed first.
pub fn client() -> reqwest::Client {
    // Installing fails only when a provider is already installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .build()
        .expect("building the reqwest client")
}

/// Builds a client that returns redirects instead of following them, for `/oauth/authorize`.
pub fn client_without_redirects() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("building the reqwest client")
}

pub async fn start(config: MockConfig) -> MockZoom {
    MockZoom::start(config).await.expect("starting the mock")
}

/// A response read whole: status, headers and the body as text.
pub struct TextResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl TextResponse {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

pub async fn read(response: reqwest::Response) -> TextResponse {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("reading the body");
    TextResponse {
        status,
        headers,
        text,
    }
}

/// Sends a token request with Basic credentials and the parameters in the query.
pub async fn request_token(
    client: &reqwest::Client,
    zoom: &MockZoom,
    id: &str,
    secret: &str,
    query: &str,
) -> TextResponse {
    let response = client
        .post(format!("{}/oauth/token?{query}", zoom.url()))
        .basic_auth(id, Some(secret))
        .send()
        .await
        .expect("sending the token request");
    read(response).await
}

/// Gets a working access token with the configured client credentials.
pub async fn token(client: &reqwest::Client, zoom: &MockZoom) -> String {
    let config = zoom.config();
    let query = format!(
        "grant_type=account_credentials&account_id={}",
        config.account_id
    );
    let response = request_token(
        client,
        zoom,
        &config.client_id,
        &config.client_secret,
        &query,
    )
    .await;
    assert_eq!(
        response.status,
        StatusCode::OK,
        "token grant failed: {}",
        response.text
    );
    response.json()["access_token"]
        .as_str()
        .expect("access_token is a string")
        .to_owned()
}

/// Sends `GET path_and_query` to the API, with a bearer token when one is given.
pub async fn get(
    client: &reqwest::Client,
    zoom: &MockZoom,
    token: Option<&str>,
    path_and_query: &str,
) -> TextResponse {
    let mut request = client.get(format!("{}{path_and_query}", zoom.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    read(request.send().await.expect("sending the API request")).await
}

/// Pages through `GET /v2/users?{query}` by `next_page_token` and returns every page body.
/// Stops after `max_pages` so a paging bug fails the test instead of hanging it.
pub async fn all_pages(
    client: &reqwest::Client,
    zoom: &MockZoom,
    token: &str,
    query: &str,
    max_pages: usize,
) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut next_page_token = String::new();
    for _ in 0..max_pages {
        let path = if next_page_token.is_empty() {
            format!("/v2/users?{query}")
        } else {
            format!("/v2/users?{query}&next_page_token={next_page_token}")
        };
        let response = get(client, zoom, Some(token), &path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}: {}", response.text);
        let page = response.json();
        next_page_token = page["next_page_token"]
            .as_str()
            .expect("next_page_token is a string")
            .to_owned();
        pages.push(page);
        if next_page_token.is_empty() {
            return pages;
        }
    }
    panic!("listing {query} did not end within {max_pages} pages");
}

/// Redirect URI of the authorization-code tests. Nothing listens there: the tests read the
/// redirect instead of following it.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/oauth/callback";

/// Sends `GET /oauth/authorize?{query}` without following the redirect.
pub async fn authorize(zoom: &MockZoom, query: &str) -> TextResponse {
    let response = client_without_redirects()
        .get(format!("{}/oauth/authorize?{query}", zoom.url()))
        .send()
        .await
        .expect("sending the authorization request");
    read(response).await
}

/// Returns the query parameters of a redirect's `Location`, after checking that it points at
/// `REDIRECT_URI`.
pub fn redirect_params(response: &TextResponse) -> Vec<(String, String)> {
    let location = response
        .header("location")
        .unwrap_or_else(|| panic!("no location header: {} {}", response.status, response.text));
    let (target, query) = location.split_once('?').unwrap_or((location, ""));
    assert_eq!(target, REDIRECT_URI, "{location}");
    form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

/// Returns the value of `name` in `params`.
pub fn value<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Gets an authorization code for `REDIRECT_URI` with `extra` appended to the query.
pub async fn code(zoom: &MockZoom, extra: &str) -> String {
    let query = format!(
        "response_type=code&client_id={}&redirect_uri={}{extra}",
        zoom.config().client_id,
        form_urlencoded::byte_serialize(REDIRECT_URI.as_bytes()).collect::<String>(),
    );
    let response = authorize(zoom, &query).await;
    assert_eq!(response.status, StatusCode::FOUND, "{}", response.text);
    value(&redirect_params(&response), "code")
        .expect("the redirect carries a code")
        .to_owned()
}

/// Sends a token request with the configured client credentials and `params` as a form body.
pub async fn post_token_form(
    client: &reqwest::Client,
    zoom: &MockZoom,
    params: &[(&str, &str)],
) -> TextResponse {
    let config = zoom.config();
    let response = client
        .post(format!("{}/oauth/token", zoom.url()))
        .basic_auth(&config.client_id, Some(&config.client_secret))
        .form(params)
        .send()
        .await
        .expect("sending the token request");
    read(response).await
}

/// Redeems `code` for `REDIRECT_URI` without a verifier, and returns the access and refresh
/// tokens.
pub async fn redeem(client: &reqwest::Client, zoom: &MockZoom, code: &str) -> (String, String) {
    let response = post_token_form(
        client,
        zoom,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
        ],
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    token_pair(&response)
}

/// Returns the `access_token` and `refresh_token` of a token response.
pub fn token_pair(response: &TextResponse) -> (String, String) {
    let body = response.json();
    let access = body["access_token"]
        .as_str()
        .expect("access_token is a string");
    let refresh = body["refresh_token"]
        .as_str()
        .expect("refresh_token is a string");
    (access.to_owned(), refresh.to_owned())
}

/// Sends `method path_and_query` to the API with a bearer token and, when given, a JSON body.
pub async fn send(
    client: &reqwest::Client,
    zoom: &MockZoom,
    token: &str,
    method: reqwest::Method,
    path_and_query: &str,
    body: Option<&Value>,
) -> TextResponse {
    let mut request = client
        .request(method, format!("{}{path_and_query}", zoom.url()))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    read(request.send().await.expect("sending the API request")).await
}

/// Returns a configuration whose clock and generated dates start at `FIXTURE_NOW`, so the
/// first seven users match the recorded fixtures.
pub fn fixture_config(users: usize) -> MockConfig {
    MockConfig {
        users,
        now: mock_zoom::FIXTURE_NOW
            .parse()
            .expect("FIXTURE_NOW is a timestamp"),
        ..MockConfig::default()
    }
}

/// Parses a fixture's text as JSON.
pub fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

/// Returns the sorted keys of a JSON object, to compare a response's shape with a fixture's.
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}
