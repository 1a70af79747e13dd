//! Bank account tokens (`btok_…`) for Connect payouts, made from payment methods or, as
//! Stripe.js's `collectBankAccountToken` does, from the account a session linked. The sandbox
//! does not keep them: a token is rendered once, when it is created.

use relink::model::{Permission, SessionStatus};
use serde_json::{Value, json};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::Account;
use crate::objects::customer::Customer;
use crate::objects::payment_method::TEST_ROUTING_NUMBER;
use crate::objects::session::Session;
use crate::store::Tx;

/// A fresh bank account token for `account` at `created`, held by `holder_name`.
pub fn to_json(holder_name: Option<&str>, account: &Account, created: i64) -> Value {
    json!({
        "id": ids::new_id("btok"),
        "object": "token",
        "bank_account": {
            "id": ids::new_id("ba"),
            "object": "bank_account",
            "account_holder_name": holder_name,
            "account_holder_type": "individual",
            "account_type": account.subcategory,
            "bank_name": account.institution_name,
            "country": "US",
            "currency": "usd",
            "fingerprint": format!("fp_{}_{}", account.institution, account.last4),
            "last4": account.last4,
            "routing_number": TEST_ROUTING_NUMBER,
            "status": "new",
        },
        "client_ip": null,
        "created": created,
        "livemode": false,
        "type": "bank_account",
        "used": false,
    })
}

/// A token for the bank account a finished session linked. The session must have linked a
/// checking or savings account with the `payment_method` permission, as on Stripe.
pub fn for_linked_account(tx: &Tx<'_>, session: &Session) -> ApiResult<Value> {
    if session.status == SessionStatus::Pending {
        return Err(ApiError::invalid(
            "This Financial Connections session has not finished: link an account first.",
        ));
    }
    if !session.permissions.contains(&Permission::PaymentMethod) {
        return Err(ApiError::invalid(
            "A bank account token needs a session created with permissions[]=payment_method.",
        )
        .with_param("permissions"));
    }
    let id = session.accounts.first().ok_or_else(|| {
        ApiError::invalid("The Financial Connections session linked no account to make a token of.")
    })?;
    let account = tx.fetch::<Account>(id, None)?;
    if !account.subcategory.is_payment_eligible() {
        return Err(ApiError::invalid(format!(
            "Account {} is a {} account; only checking and savings accounts can receive payouts.",
            account.id, account.subcategory
        )));
    }
    let holder = match &account.account_holder {
        Some(holder) => tx.get::<Customer>(&holder.customer)?.and_then(|c| c.name),
        None => None,
    };
    Ok(to_json(holder.as_deref(), &account, clock::now(tx)?))
}
