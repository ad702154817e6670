//! Sends requests to Zoom through the host's `http` import.

use crate::bindings::roster::connector::http::{self, Method, Request};
use crate::bindings::roster::connector::types::ConnectorError;
use crate::describe::API;
use crate::errors::{classify, ZoomError};

/// Sends `GET {path_and_query}` to the API upstream and returns the body of a 2xx response.
pub fn get(path_and_query: &str, rate_class: Option<&str>) -> Result<Vec<u8>, ConnectorError> {
    send(Method::Get, path_and_query, None, rate_class).map(|(_, body)| body)
}

/// Sends a request to the API upstream and returns the status and body of a 2xx response.
///
/// The host already refreshes the token and replays once on HTTP 401. Zoom's specification
/// also documents its code 124 under HTTP 400, which the host cannot recognise, so that case
/// is replayed here once with `fresh-credentials`.
pub fn send(method: Method, path_and_query: &str, body: Option<&serde_json::Value>, rate_class: Option<&str>) -> Result<(u16, Vec<u8>), ConnectorError> {
    let had_page_token = path_and_query.contains("next_page_token=");
    let mut headers = vec![("accept".to_string(), "application/json".to_string())];
    if body.is_some() {
        headers.push(("content-type".to_string(), "application/json".to_string()));
    }
    let mut request = Request {
        method,
        upstream: API.to_string(),
        path_and_query: path_and_query.to_string(),
        headers,
        body: body.map(|body| body.to_string().into_bytes()),
        rate_class: rate_class.map(str::to_string),
        fresh_credentials: false,
    };

    let mut response = http::send(&request).map_err(ConnectorError::Transport)?;
    if response.status == 400 && ZoomError::parse(400, &response.body).is_token_rejected() {
        request.fresh_credentials = true;
        response = http::send(&request).map_err(ConnectorError::Transport)?;
    }

    if (200..300).contains(&response.status) {
        Ok((response.status, response.body))
    } else {
        Err(classify(response.status, &response.headers, &response.body, had_page_token))
    }
}

/// Percent-encodes a query value; Zoom's page tokens are alphanumeric, but nothing promises it.
pub fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_keeps_unreserved_and_escapes_rest() {
        assert_eq!(encode_query_value("abcXYZ019-_.~"), "abcXYZ019-_.~");
        assert_eq!(encode_query_value("a b+c/="), "a%20b%2Bc%2F%3D");
    }
}
