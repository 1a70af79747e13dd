//! `Idempotency-Key` on POST, as Stripe does it.
//!
//! The first response to a key is stored and replayed for 24 hours with
//! `Idempotent-Replayed: true`, so a client that lost a response (a timeout, a crash) can retry
//! without creating a second object. Reusing a key for a different request is a 400
//! `idempotency_error`; using it while the first request still runs is a 409
//! `idempotency_key_in_use`. Responses to requests that were rejected before doing anything
//! (400 validation errors, 401) are not stored, so a fixed retry can succeed.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rusqlite::{OptionalExtension, params};

use crate::AppState;
use crate::error::{ApiError, ErrorType};
use crate::form::MAX_BODY_BYTES;
use crate::store::Tx;

/// How long a stored response is replayed.
pub const KEY_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// Longest key accepted, as Stripe's.
const MAX_KEY_LEN: usize = 255;

/// What a key already holds.
enum Stored {
    /// The first request with this key is still running.
    InFlight { request: String },
    /// Its response.
    Done {
        request: String,
        status: u16,
        body: Vec<u8>,
    },
}

fn load(tx: &Tx<'_>, scope: &str, now: i64) -> Result<Option<Stored>, ApiError> {
    let conn = tx.conn();
    conn.execute(
        "DELETE FROM idempotency WHERE created < ?1",
        [now - KEY_LIFETIME_SECS],
    )?;
    let row = conn
        .query_row(
            "SELECT request, status, body FROM idempotency WHERE scope = ?1",
            [scope],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<u16>>(1)?,
                    row.get::<_, Option<Vec<u8>>>(2)?,
                ))
            },
        )
        .optional()?;
    Ok(row.map(|(request, status, body)| match status {
        Some(status) => Stored::Done {
            request,
            status,
            body: body.unwrap_or_default(),
        },
        None => Stored::InFlight { request },
    }))
}

/// Forgets claims left by requests that never finished (the sandbox stopped mid-request), so
/// their keys do not answer 409 for a day.
pub fn forget_interrupted(tx: &Tx<'_>) -> Result<(), ApiError> {
    tx.conn()
        .execute("DELETE FROM idempotency WHERE status IS NULL", [])?;
    Ok(())
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

/// Middleware: replays, rejects or records POSTs that carry an `Idempotency-Key`.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req.headers().get("idempotency-key").cloned() else {
        return next.run(req).await;
    };
    let Ok(key) = key.to_str().map(str::to_owned) else {
        return ApiError::invalid("The Idempotency-Key header must be ASCII text.").into_response();
    };
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return ApiError::invalid(format!(
            "Idempotency-Key must be 1 to {MAX_KEY_LEN} characters."
        ))
        .into_response();
    }
    // Keys belong to whoever sent them: the same key from another API key is another key.
    let credential = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let scope = format!("{credential}\n{key}");

    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::invalid(format!(
            "The request body is larger than {MAX_BODY_BYTES} bytes."
        ))
        .with_status(StatusCode::PAYLOAD_TOO_LARGE)
        .into_response();
    };
    let fingerprint = format!(
        "{} {}\n{}",
        parts.method,
        parts.uri,
        String::from_utf8_lossy(&bytes)
    );

    let claimed = state.store.transaction(|tx| {
        let now = crate::clock::now(tx)?;
        match load(tx, &scope, now)? {
            None => {
                tx.conn().execute(
                    "INSERT INTO idempotency (scope, request, created) VALUES (?1, ?2, ?3)",
                    params![scope, fingerprint, now],
                )?;
                Ok(None)
            }
            Some(stored) => Ok(Some(stored)),
        }
    });
    match claimed {
        Err(err) => return err.into_response(),
        Ok(Some(Stored::InFlight { request }) | Some(Stored::Done { request, .. }))
            if request != fingerprint =>
        {
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
        Ok(Some(Stored::InFlight { .. })) => {
            return idempotency_error(
                StatusCode::CONFLICT,
                Some("idempotency_key_in_use"),
                "There is currently another in-progress request using this Idempotency-Key. \
                 Retry after the first request has completed.",
            );
        }
        Ok(Some(Stored::Done { status, body, .. })) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
            return response;
        }
        Ok(None) => {}
    }

    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = response.status();
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let keep = !matches!(
        status,
        StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED | StatusCode::PAYLOAD_TOO_LARGE
    );
    let recorded = state.store.transaction(|tx| {
        if keep {
            tx.conn().execute(
                "UPDATE idempotency SET status = ?2, body = ?3 WHERE scope = ?1",
                params![scope, status.as_u16(), bytes.as_ref()],
            )?;
        } else {
            tx.conn()
                .execute("DELETE FROM idempotency WHERE scope = ?1", [&scope])?;
        }
        Ok(())
    });
    if let Err(err) = recorded {
        tracing::error!(%err, "could not record an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}
