//! `account_holder`: who owns a Financial Connections account, a session's accounts or an
//! authorization — a customer, or a connected account.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// `account_holder`: who owns an account or a session's accounts.
///
/// Stored as `{"customer": …}` or `{"account": …}`; documents written before connected
/// accounts existed hold the first form, so they still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AccountHolder {
    /// `type: "customer"`: a customer (`cus_…`).
    Customer {
        /// `cus_…`.
        customer: String,
    },
    /// `type: "account"`: a connected account (`acct_…`), for Connect payouts.
    Account {
        /// `acct_…`.
        account: String,
    },
}

impl AccountHolder {
    /// A customer holder.
    pub fn customer(id: impl Into<String>) -> Self {
        AccountHolder::Customer {
            customer: id.into(),
        }
    }

    /// A connected account holder.
    pub fn account(id: impl Into<String>) -> Self {
        AccountHolder::Account { account: id.into() }
    }

    /// The holder's ID, a `cus_…` or an `acct_…`: what the store indexes.
    pub fn id(&self) -> &str {
        match self {
            AccountHolder::Customer { customer } => customer,
            AccountHolder::Account { account } => account,
        }
    }

    /// The customer, for customer holders.
    pub fn customer_id(&self) -> Option<&str> {
        match self {
            AccountHolder::Customer { customer } => Some(customer),
            AccountHolder::Account { .. } => None,
        }
    }

    /// The API representation.
    pub fn to_json(holder: Option<&AccountHolder>) -> Value {
        match holder {
            Some(AccountHolder::Customer { customer }) => {
                json!({"type": "customer", "customer": customer})
            }
            Some(AccountHolder::Account { account }) => {
                json!({"type": "account", "account": account})
            }
            None => Value::Null,
        }
    }
}
