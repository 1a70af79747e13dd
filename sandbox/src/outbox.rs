//! The outbox: everything the sandbox sends out, written down before it goes.
//!
//! Webhook deliveries (one row per event and endpoint, with a log of every attempt) and hosted
//! relink emails are queued in the same transaction as the change that caused them, so a crash
//! or a restart loses neither. Callers hand over data that is already rendered (IDs, an email's
//! text), so the outbox needs none of the objects and every layer above may use it.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::store::{Document, Tx};

/// Stripe stops retrying after about three days; at an hour apart that is this many tries.
pub const MAX_ATTEMPTS: u32 = 80;

/// Seconds to wait before retry number `attempts` (1-based): 5 s doubling to at most an hour.
pub fn backoff_secs(attempts: u32) -> i64 {
    (5_i64 << attempts.min(10)).min(3600)
}

/// Whether an endpoint's answer counts as delivered: any 2xx, as Stripe counts it.
pub fn is_accepted(status: Option<u16>) -> bool {
    status.is_some_and(|s| (200..300).contains(&s))
}

/// Queues one event for one endpoint, due at `due_at` (sandbox clock).
pub fn queue_delivery(
    tx: &Tx<'_>,
    endpoint_id: &str,
    event_id: &str,
    due_at: i64,
) -> ApiResult<()> {
    tx.conn()
        .prepare_cached(
            "INSERT INTO webhook_deliveries (endpoint_id, event_id, next_attempt_at)
             VALUES (?1, ?2, ?3)",
        )?
        .execute(params![endpoint_id, event_id, due_at])?;
    Ok(())
}

/// A queued delivery that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The queue row.
    pub row: i64,
    /// `we_…`.
    pub endpoint_id: String,
    /// `evt_…`.
    pub event_id: String,
    /// Attempts made so far.
    pub attempts: u32,
}

/// Up to 50 undelivered deliveries due by `now` that have retries left, oldest first.
pub fn due_deliveries(tx: &Tx<'_>, now: i64) -> ApiResult<Vec<Delivery>> {
    let mut stmt = tx.conn().prepare_cached(
        "SELECT id, endpoint_id, event_id, attempts FROM webhook_deliveries
         WHERE delivered_at IS NULL AND next_attempt_at <= ?1 AND attempts < ?2
         ORDER BY id LIMIT 50",
    )?;
    let rows = stmt
        .query_map(params![now, MAX_ATTEMPTS], |row| {
            Ok(Delivery {
                row: row.get(0)?,
                endpoint_id: row.get(1)?,
                event_id: row.get(2)?,
                attempts: row.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Drops a delivery that can never go out (its endpoint or event is gone).
pub fn discard(tx: &Tx<'_>, delivery: &Delivery) -> ApiResult<()> {
    tx.conn().execute(
        "DELETE FROM webhook_deliveries WHERE id = ?1",
        [delivery.row],
    )?;
    Ok(())
}

/// Logs one attempt at `now` — the endpoint's HTTP status, or why there was none (`error`: a
/// refused connection, an untrusted certificate, a timeout) — and schedules the retry if the
/// endpoint did not accept it.
pub fn record_attempt(
    tx: &Tx<'_>,
    delivery: &Delivery,
    status: Option<u16>,
    error: Option<&str>,
    now: i64,
) -> ApiResult<()> {
    let attempts = delivery.attempts + 1;
    tx.conn().execute(
        "UPDATE webhook_deliveries SET attempts = ?2, last_status = ?3,
             delivered_at = CASE WHEN ?4 THEN ?5 ELSE NULL END,
             next_attempt_at = ?6
         WHERE id = ?1",
        params![
            delivery.row,
            attempts,
            status,
            is_accepted(status),
            now,
            now + backoff_secs(attempts)
        ],
    )?;
    tx.conn().execute(
        "INSERT INTO webhook_attempts (delivery_id, attempted_at, status, error)
         VALUES (?1, ?2, ?3, ?4)",
        params![delivery.row, now, status, error],
    )?;
    Ok(())
}

/// Forgets what was still to be delivered to an endpoint that is being deleted.
pub fn cancel_undelivered(tx: &Tx<'_>, endpoint_id: &str) -> ApiResult<()> {
    tx.conn().execute(
        "DELETE FROM webhook_deliveries WHERE endpoint_id = ?1 AND delivered_at IS NULL",
        [endpoint_id],
    )?;
    Ok(())
}

/// One attempt in the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When (sandbox clock).
    pub attempted_at: i64,
    /// The endpoint's HTTP status; `None` when it could not be reached.
    pub status: Option<u16>,
    /// Why there was no status: the connection or TLS error, or the timeout.
    pub error: Option<String>,
}

/// The story of one event's delivery to one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedDelivery {
    /// `we_…`.
    pub endpoint_id: String,
    /// When an attempt was accepted, if one was.
    pub delivered_at: Option<i64>,
    /// When the next attempt is due; `None` once delivered or out of retries.
    pub next_attempt_at: Option<i64>,
    /// Every attempt, oldest first.
    pub attempts: Vec<Attempt>,
}

/// The delivery log of one event: per endpoint it was queued for, every attempt.
pub fn delivery_log(tx: &Tx<'_>, event_id: &str) -> ApiResult<Vec<LoggedDelivery>> {
    let mut deliveries = tx.conn().prepare(
        "SELECT id, endpoint_id, attempts, delivered_at, next_attempt_at
         FROM webhook_deliveries WHERE event_id = ?1 ORDER BY id",
    )?;
    let rows = deliveries
        .query_map([event_id], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, u32>(2)?,
                row.get::<_, Option<i64>>(3)?,
                row.get::<_, i64>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut attempts = tx.conn().prepare(
        "SELECT attempted_at, status, error FROM webhook_attempts WHERE delivery_id = ?1
         ORDER BY rowid",
    )?;
    let mut log = Vec::with_capacity(rows.len());
    for (row, endpoint_id, count, delivered_at, next_attempt_at) in rows {
        let attempts = attempts
            .query_map([row], |r| {
                Ok(Attempt {
                    attempted_at: r.get(0)?,
                    status: r.get(1)?,
                    error: r.get(2)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let finished = delivered_at.is_some() || count >= MAX_ATTEMPTS;
        log.push(LoggedDelivery {
            endpoint_id,
            delivered_at,
            next_attempt_at: (!finished).then_some(next_attempt_at),
            attempts,
        });
    }
    Ok(log)
}

/// A hosted relink email in the outbox. The sandbox sends no mail: tests and the dashboard
/// read the outbox instead.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Email {
    /// `email_…`.
    pub id: String,
    /// Unix seconds (sandbox clock).
    pub created: i64,
    /// Recipient.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// The hosted relink link.
    pub url: String,
    /// The account to relink.
    pub account: String,
    /// The hosted session.
    pub session: String,
}

impl Document for Email {
    const KIND: &'static str = "email";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Email {
    /// The `test_helpers.email` object the outbox endpoints list.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "test_helpers.email",
            "created": self.created,
            "to": self.to,
            "subject": self.subject,
            "text": self.text,
            "url": self.url,
            "financial_connections_account": self.account,
            "financial_connections_session": self.session,
        })
    }
}

/// Queues a relink email.
pub fn queue_email(tx: &Tx<'_>, email: &Email) -> ApiResult<()> {
    tx.put(email)
}

/// Every email in the outbox, newest first.
pub fn emails(tx: &Tx<'_>) -> ApiResult<Vec<Email>> {
    tx.all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_then_caps() {
        assert_eq!(backoff_secs(1), 10);
        assert_eq!(backoff_secs(2), 20);
        assert_eq!(backoff_secs(30), 3600);
    }
}
