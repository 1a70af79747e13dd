//! A Financial Connections session as relink receives it: the object exactly as the server (or
//! Stripe.js) rendered it, which the merchant gets unchanged, and the few fields relink decides
//! with, read once by [`crate::decode::session`].

use crate::model::{AccountSubcategory, Permission, RelinkOptions, RelinkResult, SessionStatus};

/// A session as received, in whatever representation `R` the reader uses (a JS object in the
/// browser, a `serde_json::Value` in native tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Session<R> {
    /// The object as it was sent; the merchant receives this.
    pub raw: R,
    /// What relink reads of it.
    pub summary: SessionSummary,
}

/// The parts of a session that shape the flow and decide its outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionSummary {
    /// `fcsess_…`.
    pub id: String,
    /// What the merchant asks the customer to share.
    pub permissions: Vec<Permission>,
    /// `filters.account_subcategories`: only these kinds may be linked; `None` allows all.
    pub account_subcategories: Option<Vec<AccountSubcategory>>,
    /// `limits.accounts`: the most accounts the customer may link; `None` for no limit.
    pub account_limit: Option<u32>,
    /// Present on relink sessions.
    pub relink_options: Option<RelinkOptions>,
    /// Present on finished relink sessions.
    pub relink_result: Option<RelinkResult>,
    /// The session's own `status` (preview API), when the server rendered it.
    pub status: Option<SessionStatus>,
    /// The linked accounts, in the server's order; empty when the customer linked nothing.
    pub accounts: Vec<LinkedAccount>,
}

/// A linked account as the success screen shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkedAccount {
    /// `fca_…`.
    pub id: String,
    /// Untrusted text.
    pub display_name: String,
    /// Last four digits of the account number.
    pub last4: String,
}

impl SessionSummary {
    /// The first linked account's ID, which decides `isNew`.
    pub fn linked_account(&self) -> Option<&str> {
        self.accounts.first().map(|account| account.id.as_str())
    }
}
