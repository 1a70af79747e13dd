//! `Idempotency-Key` on POST, as Stripe does it.
//!
//! The first response to a key is stored and replayed for 24 hours with
//! `Idempotent-Replayed: true`, so a client that lost a response (a timeout, a crash) can retry
//! without creating a second object. Reusing a key for a different request is a 400
//! `idempotency_error`; using it while the first request still runs is a 409
//! `idempotency_key_in_use`. Responses to requests that were rejected before doing anything
//! (400 validation errors, 401) are not stored, so a fixed retry can succeed.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::clock;
use crate::error::{ApiError, ErrorType};
use crate::form::MAX_BODY_BYTES;
use crate::http::state::AppState;
use crate::idempotency::{self, Stored};
use crate::store::Store;

/// Longest key accepted, as Stripe's.
const MAX_KEY_LEN: usize = 255;

/// Middleware: replays, rejects or records POSTs that carry an `Idempotency-Key`.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let key = match idempotency_key(&req) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(req).await,
        Err(refusal) => return refusal.into_response(),
    };
    let scope = scope_of(&req, &key);
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large().into_response();
    };
    let fingerprint = fingerprint(&parts, &body);
    let claimed = state
        .store
        .transaction(|tx| idempotency::claim(tx, &scope, &fingerprint, clock::now(tx)?));
    match claimed {
        Err(err) => return err.into_response(),
        Ok(Some(stored)) => return answer_from(stored, &fingerprint, &key),
        Ok(None) => {}
    }
    let response = next.run(Request::from_parts(parts, Body::from(body))).await;
    remember(&state.store, &scope, response).await
}

/// The request's key, if it is a POST that carries a usable one.
fn idempotency_key(req: &Request) -> Result<Option<String>, ApiError> {
    if req.method() != Method::POST {
        return Ok(None);
    }
    let Some(key) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = key
        .to_str()
        .map_err(|_| ApiError::invalid("The Idempotency-Key header must be ASCII text."))?;
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(ApiError::invalid(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_LEN} characters."
        )));
    }
    Ok(Some(key.to_owned()))
}

/// Keys belong to whoever sent them: the same key from another API key, or for another
/// connected account (`Stripe-Account`), is another key.
fn scope_of(req: &Request, key: &str) -> String {
    let header = |name| {
        req.headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default()
    };
    let account = match header("stripe-account") {
        account if account.is_empty() => header("stripe-context"),
        account => account,
    };
    let credential = header(header::AUTHORIZATION.as_str());
    if account.is_empty() {
        // The platform's keys read as they did before connected accounts.
        format!("{credential}\n{key}")
    } else {
        format!("{credential}\n{account}\n{key}")
    }
}

/// What makes two requests "the same request": method, URL and body.
/// What tells a key's first request from a different one: a SHA-256 of the method, the URI and
/// the body. A hash rather than the request itself, so that what is stored for a replay holds no
/// client secret or other parameter.
fn fingerprint(parts: &Parts, body: &Bytes) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(parts.method.as_str());
    hash.update(b" ");
    hash.update(parts.uri.to_string());
    hash.update(b"\n");
    hash.update(body);
    hex::encode(hash.finalize())
}

fn too_large() -> ApiError {
    ApiError::invalid(format!(
        "The request body is larger than {MAX_BODY_BYTES} bytes."
    ))
    .with_status(StatusCode::PAYLOAD_TOO_LARGE)
}

/// The answer to a request whose key is already taken: a replay of the stored response, or the
/// error saying why there is none.
fn answer_from(stored: Stored, fingerprint: &str, key: &str) -> Response {
    if stored.request() != fingerprint {
        return idempotency_error(
            StatusCode::BAD_REQUEST,
            None,
            &format!(
                "Keys for idempotent requests can only be used with the same parameters \
                 they were first used with. Try using a key other than '{key}' if you \
                 meant to execute a different request."
            ),
        );
    }
    match stored {
        Stored::InFlight { .. } => idempotency_error(
            StatusCode::CONFLICT,
            Some("idempotency_key_in_use"),
            "There is currently another in-progress request using this Idempotency-Key. \
             Retry after the first request has completed.",
        ),
        Stored::Done { status, body, .. } => replay(status, body),
    }
}

fn replay(status: u16, body: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

fn idempotency_error(status: StatusCode, code: Option<&'static str>, message: &str) -> Response {
    ApiError {
        status,
        kind: if status == StatusCode::CONFLICT {
            ErrorType::InvalidRequest
        } else {
            ErrorType::Idempotency
        },
        code,
        message: message.to_owned(),
        param: None,
    }
    .into_response()
}

/// Stores the response for replay, or gives the key back when the request was refused before
/// it did anything; returns the response either way.
async fn remember(store: &Store, scope: &str, response: Response) -> Response {
    let status = response.status();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let refused_before_acting = matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::PAYLOAD_TOO_LARGE
    );
    let recorded = store.transaction(|tx| {
        if refused_before_acting {
            idempotency::release(tx, scope)
        } else {
            idempotency::fulfil(tx, scope, status.as_u16(), &bytes)
        }
    });
    if let Err(err) = recorded {
        tracing::error!(%err, "could not record an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str) -> Parts {
        let (parts, ()) = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .body(())
            .unwrap()
            .into_parts();
        parts
    }

    #[test]
    fn fingerprints_tell_requests_apart_and_hold_no_parameter() {
        let secret = "seti_1_secret_abc";
        let body = Bytes::from(format!("client_secret={secret}"));
        let first = fingerprint(&parts("/v1/setup_intents/seti_1/confirm"), &body);
        assert_eq!(
            first,
            fingerprint(&parts("/v1/setup_intents/seti_1/confirm"), &body)
        );
        assert!(!first.contains(secret) && !first.contains("seti_1"));
        let other_body = Bytes::from_static(b"client_secret=seti_1_secret_xyz");
        assert_ne!(
            first,
            fingerprint(&parts("/v1/setup_intents/seti_1/confirm"), &other_body)
        );
        assert_ne!(
            first,
            fingerprint(&parts("/v1/setup_intents/seti_2/confirm"), &body)
        );
    }
}
