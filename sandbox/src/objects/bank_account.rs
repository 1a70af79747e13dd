//! Bank accounts (`ba_…`, `Stripe.BankAccount`): what a bank account token carries, and what a
//! connected account's payouts go to once the token is attached as an external account.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ids;
use crate::objects::account::Account;
use crate::objects::payment_method::TEST_ROUTING_NUMBER;

/// A bank account (`Stripe.BankAccount`): a token's, or a connected account's external account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    /// `ba_…`.
    pub id: String,
    /// The connected account it is an external account of; `None` inside a token.
    pub account: Option<String>,
    /// `account_holder_name`.
    pub account_holder_name: Option<String>,
    /// `account_type`: `checking` or `savings`.
    pub account_type: String,
    /// `bank_name`.
    pub bank_name: String,
    /// `fingerprint`: the same bank account always has the same one.
    pub fingerprint: String,
    /// `last4`.
    pub last4: String,
    /// Whether it is the connected account's default for its currency.
    #[serde(default)]
    pub default_for_currency: bool,
}

impl BankAccount {
    /// The bank account behind a Financial Connections account, held by `holder_name`.
    pub fn of(account: &Account, holder_name: Option<&str>) -> Self {
        BankAccount {
            id: ids::new_id("ba"),
            account: None,
            account_holder_name: holder_name.map(str::to_owned),
            account_type: account.subcategory.to_string(),
            bank_name: account.institution_name.clone(),
            fingerprint: format!("fp_{}_{}", account.institution, account.last4),
            last4: account.last4.clone(),
            default_for_currency: false,
        }
    }

    /// The API representation.
    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "id": self.id,
            "object": "bank_account",
            "account_holder_name": self.account_holder_name,
            "account_holder_type": "individual",
            "account_type": self.account_type,
            "bank_name": self.bank_name,
            "country": "US",
            "currency": "usd",
            "fingerprint": self.fingerprint,
            "last4": self.last4,
            "routing_number": TEST_ROUTING_NUMBER,
            "status": "new",
        });
        // An external account also says whose it is and how payouts use it.
        if let Some(account) = &self.account {
            out["account"] = json!(account);
            out["available_payout_methods"] = json!(["standard"]);
            out["default_for_currency"] = json!(self.default_for_currency);
            out["metadata"] = json!({});
        }
        out
    }
}
