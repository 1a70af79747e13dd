//! The sandbox clock: wall-clock time plus an offset tests can advance.
//!
//! Everything time-based (object `created` stamps, TAN expiry, the idempotency TTL, webhook
//! retries) reads this clock, so a test can jump a day ahead instead of sleeping through it.
//! What else happens when the clock moves (TANs expiring) is a workflow above the objects; this
//! module only keeps the time.

use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::store::Tx;

const OFFSET_KEY: &str = "clock_offset_secs";

/// How far the clock may jump in one call: ten years, far beyond any expiry the sandbox knows.
pub const MAX_ADVANCE_SECS: u32 = 10 * 365 * 24 * 60 * 60;

/// How far the sandbox clock runs ahead of the wall clock, in seconds.
pub fn offset(tx: &Tx<'_>) -> ApiResult<i64> {
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

/// Moves the sandbox clock `seconds` ahead; it never goes back.
pub fn advance(tx: &Tx<'_>, seconds: u32) -> ApiResult<()> {
    let moved = offset(tx)?.saturating_add(i64::from(seconds));
    tx.set_meta(OFFSET_KEY, &moved.to_string())
}
