//! Tokenized account numbers running out: what happens when the sandbox clock moves (see
//! [`time`](crate::workflows::time)), or a test helper moves a TAN's expiry.
//!
//! A TAN that will expire within the notice window is announced once
//! (`financial_connections.account.upcoming_account_number_expiry`); one whose expiry has
//! passed is deactivated (`financial_connections.account.account_numbers_updated`).

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::objects::account::Account;
use crate::objects::account_numbers::{AccountNumberStatus, IdentifierType};
use crate::objects::event::{self, Event};
use crate::store::Tx;
use crate::version::ApiVersion;

/// Announces, once per TAN, those that will expire within the notice window, and deactivates
/// every TAN whose expiry `now` has passed.
pub fn expire_due_account_numbers(tx: &Tx<'_>, now: i64) -> ApiResult<()> {
    for mut account in tx.all::<Account>()? {
        announce_upcoming_expiry(tx, &account, now)?;
        if account.deactivate_expired_tans(now) {
            tx.put(&account)?;
            record_numbers_updated(tx, &account)?;
        }
    }
    Ok(())
}

/// Records `upcoming_account_number_expiry` for each of the account's TANs that expires soon
/// and has not been announced (the notice is remembered per account and expiry date, so a
/// TAN whose expiry moves is announced again).
fn announce_upcoming_expiry(tx: &Tx<'_>, account: &Account, now: i64) -> ApiResult<()> {
    for number in &account.account_numbers {
        let Some(expiry) = number.expected_expiry_date else {
            continue;
        };
        let notice = format!("expiry_notice:{}:{expiry}", account.id);
        if number.expires_soon(now) && tx.meta(&notice)?.is_none() {
            tx.set_meta(&notice, &now.to_string())?;
            Event::record(
                tx,
                event::UPCOMING_ACCOUNT_NUMBER_EXPIRY,
                account.to_json(&ApiVersion::preview()),
                None,
            )?;
        }
    }
    Ok(())
}

fn record_numbers_updated(tx: &Tx<'_>, account: &Account) -> ApiResult<()> {
    Event::record(
        tx,
        event::ACCOUNT_NUMBERS_UPDATED,
        account.to_json(&ApiVersion::preview()),
        None,
    )
}

/// What the `expire_account_numbers` test helper does to an account's TANs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TanChange {
    /// Move the expiry to this time (Unix seconds).
    ExpireAt(i64),
    /// Deactivate now.
    Deactivate,
}

/// Applies `change` to every TAN of the account, as the bank would; an expiry already in the
/// past takes effect at once.
pub fn change_tans(tx: &Tx<'_>, account_id: &str, change: TanChange) -> ApiResult<Account> {
    let mut account = tx.fetch::<Account>(account_id, Some("id"))?;
    let mut tans = account
        .account_numbers
        .iter_mut()
        .filter(|n| n.identifier_type == IdentifierType::TokenizedAccountNumber)
        .peekable();
    if tans.peek().is_none() {
        return Err(ApiError::invalid(format!(
            "Account {account_id} has no tokenized account numbers; link one at the \
             Tokenized Account Numbers institution."
        )));
    }
    for tan in tans {
        match change {
            TanChange::ExpireAt(at) => tan.expected_expiry_date = Some(at),
            TanChange::Deactivate => tan.status = AccountNumberStatus::Deactivated,
        }
    }
    tx.put(&account)?;
    if change == TanChange::Deactivate {
        record_numbers_updated(tx, &account)?;
    }
    expire_due_account_numbers(tx, clock::now(tx)?)?;
    tx.fetch::<Account>(account_id, Some("id"))
}
