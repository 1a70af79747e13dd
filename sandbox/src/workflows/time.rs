//! The sandbox clock moving, and everything that falls due with it: tokenized account numbers
//! expiring ([`tan_expiry`]) and connections reaching their expected deactivation date
//! ([`expected_deactivation`]), for the platform and every connected account alike.

use crate::clock;
use crate::error::ApiResult;
use crate::objects::connected_account::ConnectedAccount;
use crate::store::{PLATFORM, Tx};
use crate::workflows::{expected_deactivation, tan_expiry};

/// Advances the sandbox clock and applies what the new time means, in the caller's
/// transaction: a test that jumps a week sees every notice and expiry of that week at once.
pub fn advance_clock(tx: &Tx<'_>, seconds: u32) -> ApiResult<()> {
    clock::advance(tx, seconds)?;
    let now = clock::now(tx)?;
    // The platform, and each connected account (they are the platform's objects).
    let connected: Vec<String> = tx
        .platform()
        .all::<ConnectedAccount>()?
        .into_iter()
        .map(|account| account.id)
        .collect();
    let owners = std::iter::once(PLATFORM).chain(connected.iter().map(String::as_str));
    for owner in owners {
        let tx = tx.as_owner(owner);
        tan_expiry::expire_due_account_numbers(&tx, now)?;
        expected_deactivation::apply_due(&tx, now)?;
    }
    Ok(())
}
