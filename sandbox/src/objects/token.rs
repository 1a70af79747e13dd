//! Bank account tokens (`btok_…`) for Connect payouts, made from payment methods or, as
//! Stripe.js's `collectBankAccountToken` does, from the account a session linked. A token is
//! used once: attaching it to a connected account as an external account spends it.

use relink::model::{Permission, SessionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::Account;
use crate::objects::account_holder::AccountHolder;
use crate::objects::bank_account::BankAccount;
use crate::objects::customer::Customer;
use crate::objects::session::Session;
use crate::store::{Document, Tx};

/// A bank account token (`btok_…`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    /// `btok_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// The bank account it stands for.
    pub bank_account: BankAccount,
    /// Whether it has been spent.
    pub used: bool,
}

impl Document for Token {
    const KIND: &'static str = "token";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Token {
    /// A fresh token for the bank account behind `account`, held by `holder_name`.
    pub fn new(account: &Account, holder_name: Option<&str>, created: i64) -> Self {
        Token {
            id: ids::new_id("btok"),
            created,
            bank_account: BankAccount::of(account, holder_name),
            used: false,
        }
    }

    /// The API representation.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "token",
            "bank_account": self.bank_account.to_json(),
            "client_ip": null,
            "created": self.created,
            "livemode": false,
            "type": "bank_account",
            "used": self.used,
        })
    }
}

/// A token for the bank account a finished session linked, stored so that it can be attached
/// once. The session must have linked a checking or savings account with the `payment_method`
/// permission, as on Stripe.
pub fn for_linked_account(tx: &Tx<'_>, session: &Session) -> ApiResult<Token> {
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
    // A customer's name is the holder's; a connected account has none to give.
    let holder = match &account.account_holder {
        Some(AccountHolder::Customer { customer }) => {
            tx.get::<Customer>(customer)?.and_then(|c| c.name)
        }
        Some(AccountHolder::Account { .. }) | None => None,
    };
    let token = Token::new(&account, holder.as_deref(), clock::now(tx)?);
    tx.put(&token)?;
    Ok(token)
}
