//! Bank account tokens (`btok_…`) made from payment methods, for Connect payouts, and the bank
//! accounts (`ba_…`) they carry. A token is used once: attaching it to a connected account as
//! an external account spends it.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::ids;
use crate::objects::account::Account;
use crate::objects::payment_method::TEST_ROUTING_NUMBER;
use crate::store::Document;

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
