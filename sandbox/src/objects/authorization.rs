//! Financial Connections authorizations (`fcauth_…`): the credentials behind a group of
//! accounts at one institution. Relinking repairs an authorization, which is why one relink can
//! bring back every account on it.

use relink::model::{AccountStatus, InactiveCause};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::objects::account::{AccountHolder, Inactive, status_details};
use crate::store::{Document, Index};

/// A Financial Connections authorization: the credentials behind a group of accounts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Authorization {
    /// `fcauth_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Owner of its accounts.
    pub account_holder: Option<AccountHolder>,
    /// `fcinst_…`.
    pub institution: String,
    /// Name of the institution.
    pub institution_name: String,
    /// `status`.
    pub status: AccountStatus,
    /// `status_details.inactive`, set while inactive.
    pub inactive: Option<Inactive>,
}

impl Document for Authorization {
    const KIND: &'static str = "financial_connections.authorization";
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Index<'_> {
        Index {
            customer: self.account_holder.as_ref().map(|h| h.customer.as_str()),
            authorization: Some(&self.id),
            client_secret: None,
        }
    }
}

impl Authorization {
    /// Marks the credentials working again.
    pub fn reactivate(&mut self) {
        self.status = AccountStatus::Active;
        self.inactive = None;
    }

    /// Marks the credentials broken.
    pub fn deactivate(&mut self, cause: InactiveCause) {
        self.status = AccountStatus::Inactive;
        self.inactive = Some(Inactive::because(cause));
    }

    /// The API representation (a preview-only object).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "financial_connections.authorization",
            "account_holder": AccountHolder::to_json(self.account_holder.as_ref()),
            "created": self.created,
            "institution": self.institution,
            "institution_name": self.institution_name,
            "livemode": false,
            "status": self.status,
            "status_details": status_details(self.inactive.as_ref()),
        })
    }
}
