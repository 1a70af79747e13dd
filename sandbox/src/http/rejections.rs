//! Every refused request gets Stripe's JSON error envelope, even when the refusal comes from
//! below the handlers: a path axum cannot decode, a file the static server cannot open.
//!
//! Handlers already answer with [`ApiError`]; these middlewares cover what they never see, so
//! that a client (and the SDK parsing its responses) meets no plain-text error, no empty 500
//! and no HTML page, whatever it sends.

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, ErrorType};

/// Stripe's answer to a URL it does not know: a JSON 404.
pub fn unrecognized_url(method: &Method, path: &str) -> Response {
    let shown: String = path.chars().take(300).collect();
    ApiError::invalid(format!("Unrecognized request URL ({method}: {shown})."))
        .with_status(StatusCode::NOT_FOUND)
        .into_response()
}

/// Whether `path` is UTF-8 once percent-decoded (so every path parameter is text).
fn decodes_to_utf8(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                // Two hex digits make one byte.
                decoded.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&decoded).is_ok()
}

/// Refuses a path that is not UTF-8 once percent-decoded (`/v1/customers/%FF`), before
/// routing: an ID is text, and axum would answer in plain text.
pub async fn utf8_paths(req: Request, next: Next) -> Response {
    if req.uri().path().contains('%') && !decodes_to_utf8(req.uri().path()) {
        return ApiError::invalid(
            "Invalid URL: the request path is not valid UTF-8 once percent-decoded.",
        )
        .into_response();
    }
    next.run(req).await
}

/// Whether a response already carries a JSON body.
fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Turns any error answered without a JSON body into Stripe's envelope with a fitting status.
/// Only the static file server and axum's own extractors answer that way: a file it cannot
/// serve (a name too long for the file system, say) is an unknown URL, as a missing one is.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    if status == StatusCode::NOT_FOUND
        || status == StatusCode::METHOD_NOT_ALLOWED
        || status.is_server_error()
    {
        if status.is_server_error() {
            tracing::warn!(%status, "a non-JSON server error became the unknown-URL 404");
        }
        return unrecognized_url(&method, &path);
    }
    let (kind, message) = match status {
        StatusCode::UNAUTHORIZED => (ErrorType::Authentication, "Invalid authentication."),
        StatusCode::TOO_MANY_REQUESTS => (ErrorType::RateLimit, "Too many requests."),
        _ => (ErrorType::InvalidRequest, "Invalid request."),
    };
    ApiError {
        status,
        kind,
        code: None,
        message: message.to_owned(),
        param: None,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decode_to_utf8_or_not() {
        assert!(decodes_to_utf8("/v1/customers/cus_1"));
        assert!(decodes_to_utf8("/v1/customers/%C3%A9"));
        assert!(decodes_to_utf8("/v1/customers/100%"));
        assert!(decodes_to_utf8("/v1/customers/%zz"));
        assert!(!decodes_to_utf8("/v1/customers/%FF"));
        assert!(!decodes_to_utf8("/v1/customers/%C3"));
    }
}
