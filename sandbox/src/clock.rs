//! The sandbox clock: wall-clock time plus an offset tests can advance.
//!
//! Everything time-based (object `created` stamps, TAN expiry, the idempotency TTL) reads this
//! clock, so a test can jump a day ahead instead of sleeping through it.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::{AccountNumberStatus, IdentifierType, expire_due_account_numbers};
use crate::auth::SecretKey;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::ids;
use crate::store::Tx;

const OFFSET_KEY: &str = "clock_offset_secs";

/// How far the clock may jump in one call: ten years, far beyond any expiry the sandbox knows.
const MAX_ADVANCE_SECS: u32 = 10 * 365 * 24 * 60 * 60;

fn offset(tx: &Tx<'_>) -> ApiResult<i64> {
    match tx.meta(OFFSET_KEY)? {
        Some(raw) => raw
            .parse()
            .map_err(|_| ApiError::internal("the stored clock offset is not a number")),
        None => Ok(0),
    }
}

/// The sandbox's current time, in Unix seconds.
pub fn now(tx: &Tx<'_>) -> ApiResult<i64> {
    Ok(ids::now().saturating_add(offset(tx)?))
}

fn clock_json(tx: &Tx<'_>) -> ApiResult<Value> {
    Ok(json!({
        "object": "test_helpers.sandbox_clock",
        "now": now(tx)?,
        "offset_seconds": offset(tx)?,
    }))
}

/// Routes under `/v1/test_helpers/clock`.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/test_helpers/clock", get(read).post(advance))
}

async fn read(
    _: SecretKey,
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    Ok(Json(state.store.transaction(clock_json)?))
}

async fn advance(
    _: SecretKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let seconds = params
        .take_u32(&["seconds"])?
        .ok_or_else(|| ApiError::missing("seconds"))?;
    params.finish()?;
    if seconds > MAX_ADVANCE_SECS {
        return Err(ApiError::invalid_param(
            "seconds",
            format!("The clock advances at most {MAX_ADVANCE_SECS} seconds at a time."),
        ));
    }
    let body = state.store.transaction(|tx| {
        let moved = offset(tx)?.saturating_add(i64::from(seconds));
        tx.set_meta(OFFSET_KEY, &moved.to_string())?;
        expire_due_account_numbers(tx, now(tx)?)?;
        clock_json(tx)
    })?;
    Ok(Json(body))
}

/// Whether an account number is a TAN that has expired by `now`.
pub fn is_expired_tan(
    identifier_type: IdentifierType,
    status: AccountNumberStatus,
    expected_expiry_date: Option<i64>,
    now: i64,
) -> bool {
    identifier_type == IdentifierType::TokenizedAccountNumber
        && status == AccountNumberStatus::Transactable
        && expected_expiry_date.is_some_and(|at| at <= now)
}
