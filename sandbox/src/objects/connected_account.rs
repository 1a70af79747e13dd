//! Connected accounts (`acct_…`): the platform's sellers or service providers, for Connect.
//!
//! They matter to Financial Connections in three ways: a session or an account can be held by
//! one (`account_holder[type]=account`), hosted relink then emails the account's address, and
//! the payouts flow ends with a bank account token attached to one as an external account.
//! They live on the platform; a request's `Stripe-Account` header names one to act for it.
//!
//! The sandbox has no onboarding: a connected account has no requirements, takes no charges,
//! and can receive payouts once it has a bank account.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::list::list_object;
use crate::objects::bank_account::BankAccount;
use crate::store::{Document, Tx};

/// `type` of a connected account.
pub const ACCOUNT_TYPES: &[&str] = &["custom", "express", "standard", "none"];
/// `business_type` of a connected account.
pub const BUSINESS_TYPES: &[&str] = &["company", "government_entity", "individual", "non_profit"];

/// A connected account (`acct_…`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectedAccount {
    /// `acct_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Where hosted relink emails for its bank accounts go.
    pub email: String,
    /// `type`: one of [`ACCOUNT_TYPES`].
    pub account_type: String,
    /// Two-letter country code.
    pub country: String,
    /// Three-letter currency code, lowercase.
    pub default_currency: String,
    /// `business_type`, one of [`BUSINESS_TYPES`].
    pub business_type: Option<String>,
    /// Bank accounts payouts go to, oldest first.
    #[serde(default)]
    pub external_accounts: Vec<BankAccount>,
}

impl Document for ConnectedAccount {
    const KIND: &'static str = "account";
    fn id(&self) -> &str {
        &self.id
    }
}

impl ConnectedAccount {
    /// The URL of its external accounts list.
    pub fn external_accounts_url(&self) -> String {
        format!("/v1/accounts/{}/external_accounts", self.id)
    }

    /// The API representation (`Stripe.Account`).
    pub fn to_json(&self) -> Value {
        let has_bank_account = !self.external_accounts.is_empty();
        json!({
            "id": self.id,
            "object": "account",
            "business_type": self.business_type,
            "capabilities": {},
            "charges_enabled": false,
            "country": self.country,
            "created": self.created,
            "default_currency": self.default_currency,
            "details_submitted": false,
            "email": self.email,
            "external_accounts": list_object(
                self.external_accounts.iter().map(BankAccount::to_json).collect(),
                false,
                &self.external_accounts_url(),
            ),
            "metadata": {},
            "payouts_enabled": has_bank_account,
            "type": self.account_type,
        })
    }
}

/// Loads the platform's connected account `id`, failing with `missing` when there is none.
pub fn fetch(
    tx: &Tx<'_>,
    id: &str,
    missing: impl FnOnce() -> ApiError,
) -> ApiResult<ConnectedAccount> {
    tx.platform()
        .get::<ConnectedAccount>(id)?
        .ok_or_else(missing)
}
