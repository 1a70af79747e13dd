//! The responses `Idempotency-Key` replays: claimed when a keyed request starts, filled in when
//! it ends, forgotten after 24 hours of sandbox time.
//!
//! The HTTP middleware that reads the header and replays responses is
//! `http::idempotency`; this module is the table it keeps, so that starting the sandbox can clear
//! claims a crash left behind without going through the HTTP layer.

use rusqlite::{OptionalExtension, params};

use crate::error::ApiResult;
use crate::store::Tx;

/// How long a stored response is replayed.
pub const KEY_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// What a key already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// The first request with this key is still running.
    InFlight {
        /// The first request's fingerprint.
        request: String,
    },
    /// Its response.
    Done {
        /// The first request's fingerprint.
        request: String,
        /// HTTP status of the response.
        status: u16,
        /// The response body.
        body: Vec<u8>,
    },
}

impl Stored {
    /// The fingerprint of the request that first used the key.
    pub fn request(&self) -> &str {
        match self {
            Stored::InFlight { request } | Stored::Done { request, .. } => request,
        }
    }
}

/// Forgets expired keys, then either returns what `scope` already holds or claims it for the
/// request `fingerprint` (returning `None`).
pub fn claim(tx: &Tx<'_>, scope: &str, fingerprint: &str, now: i64) -> ApiResult<Option<Stored>> {
    if let Some(stored) = load(tx, scope, now)? {
        return Ok(Some(stored));
    }
    tx.conn().execute(
        "INSERT INTO idempotency (scope, request, created) VALUES (?1, ?2, ?3)",
        params![scope, fingerprint, now],
    )?;
    Ok(None)
}

fn load(tx: &Tx<'_>, scope: &str, now: i64) -> ApiResult<Option<Stored>> {
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

/// Stores the response to a claimed key, for replay.
pub fn fulfil(tx: &Tx<'_>, scope: &str, status: u16, body: &[u8]) -> ApiResult<()> {
    tx.conn().execute(
        "UPDATE idempotency SET status = ?2, body = ?3 WHERE scope = ?1",
        params![scope, status, body],
    )?;
    Ok(())
}

/// Gives a claimed key back, so a corrected retry with it can run.
pub fn release(tx: &Tx<'_>, scope: &str) -> ApiResult<()> {
    tx.conn()
        .execute("DELETE FROM idempotency WHERE scope = ?1", [scope])?;
    Ok(())
}

/// Forgets claims left by requests that never finished (the sandbox stopped mid-request), so
/// their keys do not answer 409 for a day.
pub fn forget_interrupted(tx: &Tx<'_>) -> ApiResult<()> {
    tx.conn()
        .execute("DELETE FROM idempotency WHERE status IS NULL", [])?;
    Ok(())
}
