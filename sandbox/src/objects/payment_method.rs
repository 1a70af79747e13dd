//! `us_bank_account` payment methods (`pm_…`) made from Financial Connections accounts.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::objects::account::Account;
use crate::objects::billing_details::BillingDetails;
use crate::store::{Document, Index, Tx};

/// The routing number every sandbox bank account reports (Stripe's test routing number).
pub const TEST_ROUTING_NUMBER: &str = "110000000";

/// A `us_bank_account` payment method.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// `pm_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// The customer it is attached to, once a SetupIntent succeeds.
    pub customer: Option<String>,
    /// `billing_details`.
    #[serde(flatten)]
    pub billing_details: BillingDetails,
    /// The Financial Connections account (`fca_…`) it was made from.
    pub financial_connections_account: String,
}

impl Document for PaymentMethod {
    const KIND: &'static str = "payment_method";
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Index<'_> {
        Index {
            customer: self.customer.as_deref(),
            ..Index::default()
        }
    }
}

impl PaymentMethod {
    /// The API representation. Bank details come from the Financial Connections account as it
    /// is now, which is how a relink's fresh TAN reaches existing payment methods.
    pub fn to_json(&self, tx: &Tx<'_>) -> ApiResult<Value> {
        let account = tx.fetch::<Account>(&self.financial_connections_account, None)?;
        Ok(json!({
            "id": self.id,
            "object": "payment_method",
            "allow_redisplay": "unspecified",
            "billing_details": self.billing_details.to_json(),
            "created": self.created,
            "customer": self.customer,
            "customer_account": null,
            "livemode": false,
            "metadata": {},
            "type": "us_bank_account",
            "us_bank_account": {
                "account_holder_type": "individual",
                "account_type": account.subcategory,
                "bank_name": account.institution_name,
                "financial_connections_account": account.id,
                "fingerprint": format!("fp_{}_{}", account.institution, account.last4),
                "last4": account.last4,
                "networks": {"preferred": "ach", "supported": ["ach"]},
                "routing_number": TEST_ROUTING_NUMBER,
                "status_details": status_details(&account),
            },
        }))
    }
}

fn status_details(account: &Account) -> Value {
    if account.tan_deactivated() {
        json!({"blocked": {
            "network_code": null,
            "reason": "tokenized_account_number_deactivated",
        }})
    } else {
        json!({})
    }
}
