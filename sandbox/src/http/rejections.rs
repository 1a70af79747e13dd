//! Every refused request gets Stripe's JSON error envelope, even when the refusal comes from
//! below the handlers: a path axum cannot decode, a file the static server cannot open.
//!
//! Handlers already answer with [`ApiError`]; these middlewares cover what they never see, so
//! that a client (and the SDK parsing its responses) meets no plain-text error, no empty 500
//! and no HTML page, whatever it sends.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{Method, StatusCode, Uri, header};
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

/// Whether a response already carries a JSON body.
fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Stripe's envelope for an error answered without a JSON body, as sent to `method` `uri`.
fn envelope(method: &Method, uri: &Uri, response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&response) {
        return response;
    }
    let mut fixed = if status == StatusCode::NOT_FOUND
        || status == StatusCode::METHOD_NOT_ALLOWED
        || status.is_server_error()
    {
        if status.is_server_error() {
            tracing::warn!(%status, "a non-JSON server error became the unknown-URL 404");
        }
        unrecognized_url(method, uri.path())
    } else {
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
    };
    // What the layers outside added (CORS, say) stays; only the body and its type change.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            fixed.headers_mut().append(name, value.clone());
        }
    }
    fixed
}

/// Refuses a path that is not UTF-8 once percent-decoded (`/v1/customers/%FF`) before
/// routing, since an ID is text and axum would answer in plain text; then turns any error
/// answered without a JSON body into Stripe's envelope with a fitting status. Only the static
/// file server and axum's own extractors answer that way: a file it cannot serve (a name too
/// long for the file system, say) is an unknown URL, as a missing one is. A plain tower layer
/// rather than an axum `from_fn` middleware: it runs on every request, and this way allocates
/// nothing on the way through.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonRejectionsLayer;

impl<S> tower::Layer<S> for JsonRejectionsLayer {
    type Service = JsonRejections<S>;

    fn layer(&self, inner: S) -> JsonRejections<S> {
        JsonRejections { inner }
    }
}

/// The service [`JsonRejectionsLayer`] wraps around the app.
#[derive(Debug, Clone)]
pub struct JsonRejections<S> {
    inner: S,
}

impl<S> tower::Service<Request> for JsonRejections<S>
where
    S: tower::Service<Request, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = JsonRejectionsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if req.uri().path().contains('%') && !decodes_to_utf8(req.uri().path()) {
            let refused = ApiError::invalid(
                "Invalid URL: the request path is not valid UTF-8 once percent-decoded.",
            )
            .into_response();
            return JsonRejectionsFuture::Refused {
                response: Some(refused),
            };
        }
        // Both are reference-counted: keeping them copies nothing.
        let method = req.method().clone();
        let uri = req.uri().clone();
        JsonRejectionsFuture::Passed {
            inner: self.inner.call(req),
            method,
            uri,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response of [`JsonRejections`]: refused at once, or the app's, in the envelope.
    #[project = Projected]
    pub enum JsonRejectionsFuture<F> {
        /// Refused before routing.
        Refused { response: Option<Response> },
        /// Passed on to the app.
        Passed { #[pin] inner: F, method: Method, uri: Uri },
    }
}

impl<F, E> Future for JsonRejectionsFuture<F>
where
    F: Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            Projected::Refused { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after completion: a caller's bug, answered harmlessly.
                None => Poll::Ready(Ok(StatusCode::INTERNAL_SERVER_ERROR.into_response())),
            },
            Projected::Passed { inner, method, uri } => match inner.poll(cx) {
                Poll::Ready(Ok(response)) => Poll::Ready(Ok(envelope(method, uri, response))),
                Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
                Poll::Pending => Poll::Pending,
            },
        }
    }
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
