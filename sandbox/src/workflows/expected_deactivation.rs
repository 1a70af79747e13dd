//! Proactive relink: connections known to stop working on a date, before they do.
//!
//! The date belongs to the authorization (a bank consent lapses for every account it covers);
//! its working accounts mirror it as `status_details.active`. What happens, and the events:
//!
//! - the date is set, moved or cleared on a working authorization (the test helper, or a relink
//!   that renews the consent): `…expected_deactivation_date_updated` for the authorization and
//!   for each working account whose date changed;
//! - the date comes within [`NOTICE_SECS`] (as the clock moves, or at once when it is set that
//!   close): `…upcoming_deactivation`, once per date, for the authorization and its accounts;
//! - the date passes: the authorization and its accounts go inactive with the date's cause
//!   (`relink_required`), each account recording `financial_connections.account.deactivated`.
//!
//! A clock that jumps over the whole notice window deactivates without announcing first, as TAN
//! expiry does.

use relink::model::AccountStatus;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::objects::account::Account;
use crate::objects::authorization::Authorization;
use crate::objects::event::{self, Event};
use crate::objects::status_details::Upcoming;
use crate::store::Tx;
use crate::version::ApiVersion;
use crate::workflows::account_status;

/// How long before the expected deactivation date `upcoming_deactivation` is sent: a week.
pub const NOTICE_SECS: i64 = 7 * 24 * 60 * 60;

/// Sets (or, with `None`, clears) when a working authorization is expected to stop, on it and
/// its working accounts, recording `expected_deactivation_date_updated` for each whose date
/// changed. What the date means at `now` (a notice, or a deactivation when it is past) applies
/// at once.
pub fn schedule(
    tx: &Tx<'_>,
    authorization_id: &str,
    upcoming: Option<Upcoming>,
    now: i64,
) -> ApiResult<Authorization> {
    let authorization = tx.fetch::<Authorization>(authorization_id, Some("id"))?;
    if authorization.status != AccountStatus::Active {
        return Err(ApiError::invalid(format!(
            "Authorization {authorization_id} is {}; only a working authorization can be \
             expected to stop. Relink it first.",
            authorization.status
        )));
    }
    set(tx, authorization_id, upcoming)?;
    apply(tx, authorization_id, now)?;
    tx.fetch::<Authorization>(authorization_id, Some("id"))
}

/// Gives a working authorization and its working accounts the expected deactivation `upcoming`,
/// recording `expected_deactivation_date_updated` for each whose date changed.
pub fn set(tx: &Tx<'_>, authorization_id: &str, upcoming: Option<Upcoming>) -> ApiResult<()> {
    let before = tx.fetch::<Authorization>(authorization_id, None)?;
    if before.upcoming != upcoming {
        let mut authorization = before.clone();
        authorization.upcoming = upcoming;
        tx.put(&authorization)?;
        if date(before.upcoming) != date(upcoming) {
            Event::record(
                tx,
                event::AUTHORIZATION_EXPECTED_DEACTIVATION_DATE_UPDATED,
                authorization.to_json(&ApiVersion::preview()),
                Some(json!({"status_details": before.status_details()})),
            )?;
        }
    }
    for before in tx.by_authorization::<Account>(authorization_id)? {
        if before.status != AccountStatus::Active || before.active == upcoming {
            continue;
        }
        let mut account = before.clone();
        account.active = upcoming;
        tx.put(&account)?;
        if date(before.active) != date(upcoming) {
            Event::record(
                tx,
                event::ACCOUNT_EXPECTED_DEACTIVATION_DATE_UPDATED,
                account.to_json(&ApiVersion::preview()),
                Some(json!({"status_details": before.status_details()})),
            )?;
        }
    }
    Ok(())
}

fn date(upcoming: Option<Upcoming>) -> Option<i64> {
    upcoming.map(|u| u.expected_deactivation_date)
}

/// What `now` means for every authorization expected to stop: see [`apply`].
pub fn apply_due(tx: &Tx<'_>, now: i64) -> ApiResult<()> {
    for authorization in tx.all::<Authorization>()? {
        if authorization.upcoming.is_some() {
            apply(tx, &authorization.id, now)?;
        }
    }
    Ok(())
}

/// Deactivates the authorization (and its accounts) if its expected deactivation date has
/// passed by `now`, or announces it once when the date is within the notice window.
pub fn apply(tx: &Tx<'_>, authorization_id: &str, now: i64) -> ApiResult<()> {
    let mut authorization = tx.fetch::<Authorization>(authorization_id, None)?;
    let Some(upcoming) = authorization.upcoming else {
        return Ok(());
    };
    if authorization.status != AccountStatus::Active {
        return Ok(());
    }
    let at = upcoming.expected_deactivation_date;
    if at <= now {
        return account_status::deactivate_authorization(tx, authorization_id, upcoming.cause);
    }
    if at - now > NOTICE_SECS || authorization.announced == Some(at) {
        return Ok(());
    }
    authorization.announced = Some(at);
    tx.put(&authorization)?;
    Event::record(
        tx,
        event::AUTHORIZATION_UPCOMING_DEACTIVATION,
        authorization.to_json(&ApiVersion::preview()),
        None,
    )?;
    for account in tx.by_authorization::<Account>(authorization_id)? {
        if account.status == AccountStatus::Active
            && account.expected_deactivation_date() == Some(at)
        {
            Event::record(
                tx,
                event::ACCOUNT_UPCOMING_DEACTIVATION,
                account.to_json(&ApiVersion::preview()),
                None,
            )?;
        }
    }
    Ok(())
}
