//! Mandates (`mandate_…`): the customer's authorisation to debit a payment method, accepted
//! online in the browser that confirmed the SetupIntent.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::store::Document;

/// Where and how a customer accepted a mandate: the browser's IP address and user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// IP address (from the socket, or `X-Forwarded-For` behind a proxy).
    pub ip_address: String,
    /// `User-Agent`.
    pub user_agent: String,
}

/// A mandate: the customer's authorisation to debit a payment method.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mandate {
    /// `mandate_…`.
    pub id: String,
    /// The payment method it authorises.
    pub payment_method: String,
    /// When the customer accepted (Unix seconds).
    pub accepted_at: i64,
    /// IP address of the browser that accepted.
    pub ip_address: String,
    /// User agent of the browser that accepted.
    pub user_agent: String,
}

impl Document for Mandate {
    const KIND: &'static str = "mandate";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Mandate {
    /// The API representation.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "mandate",
            "customer_acceptance": {
                "accepted_at": self.accepted_at,
                "online": {"ip_address": self.ip_address, "user_agent": self.user_agent},
                "type": "online",
            },
            "livemode": false,
            "multi_use": {},
            "payment_method": self.payment_method,
            "payment_method_details": {
                "type": "us_bank_account",
                // `collection_method` is `paper` for paper mandates and absent otherwise.
                "us_bank_account": {},
            },
            "status": "active",
            "type": "multi_use",
        })
    }
}
