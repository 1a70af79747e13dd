//! Connect payouts' last step: the bank account token made from a linked account becomes a
//! connected account's external account, where its payouts go. A token is spent by this.

use crate::error::{ApiError, ApiResult};
use crate::objects::bank_account::BankAccount;
use crate::objects::connected_account::ConnectedAccount;
use crate::objects::token::Token;
use crate::store::Tx;

/// Attaches the bank account of the token `token_id` (one of the transaction's owner's) to
/// `account`, a connected account of the platform; returns the new external account. The
/// first bank account is the default for its currency.
pub fn attach_external_account(
    tx: &Tx<'_>,
    mut account: ConnectedAccount,
    token_id: &str,
) -> ApiResult<BankAccount> {
    let param = "external_account";
    let mut token = tx
        .get::<Token>(token_id)?
        .ok_or_else(|| ApiError::no_such("token", token_id, Some(param)))?;
    if token.used {
        return Err(ApiError::invalid(format!(
            "You cannot use a Stripe token more than once: {token_id}."
        ))
        .with_code("token_already_used")
        .with_param(param));
    }
    let duplicate = account
        .external_accounts
        .iter()
        .any(|existing| existing.fingerprint == token.bank_account.fingerprint);
    if duplicate {
        return Err(ApiError::invalid(
            "A bank account with that routing number and account number already exists for \
             this account.",
        )
        .with_code("bank_account_exists")
        .with_param(param));
    }
    let bank_account = BankAccount {
        account: Some(account.id.clone()),
        default_for_currency: account.external_accounts.is_empty(),
        ..token.bank_account.clone()
    };
    account.external_accounts.push(bank_account.clone());
    tx.platform().put(&account)?;
    token.used = true;
    tx.put(&token)?;
    Ok(bank_account)
}
