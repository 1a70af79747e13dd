//! How accounts change status, and the `financial_connections.account.*` event each change
//! records: the bank breaking a link, the merchant disconnecting, a relink repairing an
//! authorization.

use relink::model::{AccountStatus, InactiveCause};
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::objects::account::Account;
use crate::objects::authorization::Authorization;
use crate::objects::event::{self, Event};
use crate::objects::status_details::Upcoming;
use crate::store::Tx;
use crate::version::ApiVersion;

/// Saves `after` and, when its status changed from `before`'s, records the matching
/// `financial_connections.account.*` event.
pub fn save_with_event(tx: &Tx<'_>, before: &Account, after: &Account) -> ApiResult<()> {
    tx.put(after)?;
    let event_type = match (before.status, after.status) {
        (AccountStatus::Active, AccountStatus::Inactive) => event::ACCOUNT_DEACTIVATED,
        (AccountStatus::Inactive, AccountStatus::Active) => event::ACCOUNT_REACTIVATED,
        (AccountStatus::Active | AccountStatus::Inactive, AccountStatus::Disconnected) => {
            event::ACCOUNT_DISCONNECTED
        }
        _ => return Ok(()),
    };
    Event::record(
        tx,
        event_type,
        after.to_json(&ApiVersion::preview()),
        Some(json!({
            "status": before.status,
            "status_details": before.status_details(),
        })),
    )
}

/// Breaks an account the way the bank would.
///
/// Authorization-level causes break the credentials, so the authorization and every account on
/// it go inactive with `relink_required`; `account_closed` and `account_unavailable` affect only
/// this account, with action `none`.
pub fn deactivate(tx: &Tx<'_>, account_id: &str, cause: InactiveCause) -> ApiResult<Account> {
    let mut account = tx.fetch::<Account>(account_id, Some("id"))?;
    if account.status == AccountStatus::Disconnected {
        return Err(ApiError::invalid(format!(
            "Account {account_id} is disconnected and cannot be deactivated."
        )));
    }
    if !cause.is_authorization_level() {
        let before = account.clone();
        account.deactivate(cause);
        save_with_event(tx, &before, &account)?;
        return Ok(account);
    }
    deactivate_authorization(tx, &account.authorization, cause)?;
    tx.fetch::<Account>(account_id, Some("id"))
}

/// Breaks the credentials: the authorization and every account on it go inactive for an
/// authorization-level `cause`, except accounts the bank closed, whose own cause is the more
/// specific one.
pub fn deactivate_authorization(
    tx: &Tx<'_>,
    authorization_id: &str,
    cause: InactiveCause,
) -> ApiResult<()> {
    let mut authorization = tx.fetch::<Authorization>(authorization_id, None)?;
    authorization.deactivate(cause);
    tx.put(&authorization)?;
    for mut sibling in tx.by_authorization::<Account>(authorization_id)? {
        let closed_at_bank = sibling
            .inactive
            .is_some_and(|i| !i.cause.is_authorization_level());
        if sibling.status != AccountStatus::Disconnected && !closed_at_bank {
            let before = sibling.clone();
            sibling.deactivate(cause);
            save_with_event(tx, &before, &sibling)?;
        }
    }
    Ok(())
}

/// Disconnects an account for good. Disconnecting is final and idempotent: a second call
/// changes nothing and records no second event.
pub fn disconnect(tx: &Tx<'_>, account_id: &str) -> ApiResult<Account> {
    let before = tx.fetch::<Account>(account_id, Some("id"))?;
    let mut account = before.clone();
    account.status = AccountStatus::Disconnected;
    account.inactive = None;
    account.active = None;
    save_with_event(tx, &before, &account)?;
    Ok(account)
}

/// Reactivates a repaired authorization and the sibling accounts whose trouble was the
/// authorization's; accounts closed or unavailable at the bank stay inactive. `linked` are the
/// accounts the relink itself just saved; `upcoming` is when the renewed consent lapses, if it
/// does, which what comes back carries from the start.
pub fn repair_authorization(
    tx: &Tx<'_>,
    authorization_id: &str,
    linked: &[String],
    upcoming: Option<Upcoming>,
) -> ApiResult<()> {
    let mut authorization = tx.fetch::<Authorization>(authorization_id, None)?;
    if authorization.status != AccountStatus::Active {
        authorization.reactivate(upcoming);
        tx.put(&authorization)?;
    }
    for mut sibling in tx.by_authorization::<Account>(authorization_id)? {
        let repairable = sibling.status == AccountStatus::Inactive
            && sibling
                .inactive
                .is_some_and(|i| i.cause.is_authorization_level());
        if repairable && !linked.contains(&sibling.id) {
            let before = sibling.clone();
            sibling.reactivate(upcoming);
            save_with_event(tx, &before, &sibling)?;
        }
    }
    Ok(())
}
