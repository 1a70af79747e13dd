//! SetupIntents (`seti_…`): the merchant's intent to save a linked account as a payment method,
//! and how it renders.

use relink::model::Permission;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::store::{Document, Index};

/// `status` of a SetupIntent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SetupIntentStatus {
    /// No payment method yet.
    RequiresPaymentMethod,
    /// Ready to confirm.
    RequiresConfirmation,
    /// Confirmed: the payment method is attached and the mandate active.
    Succeeded,
}

/// `usage`: whether the payment method will be used while the customer is present.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage {
    /// Charged later, without the customer (Stripe's default).
    #[default]
    OffSession,
    /// Charged while the customer is in the checkout flow.
    OnSession,
}

/// A SetupIntent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SetupIntent {
    /// `seti_…`.
    pub id: String,
    /// `seti_…_secret_…`, the browser's credential.
    pub client_secret: String,
    /// Unix seconds.
    pub created: i64,
    /// The customer the payment method is for.
    pub customer: Option<String>,
    /// `pm_…`.
    pub payment_method: Option<String>,
    /// `inbound` (debits) and/or `outbound` (payouts).
    pub flow_directions: Option<Vec<String>>,
    /// `status`.
    pub status: SetupIntentStatus,
    /// `mandate_…`, once confirmed.
    pub mandate: Option<String>,
    /// `payment_method_options[us_bank_account][financial_connections][permissions]`: what the
    /// session that collects the account (Stripe.js's `collectBankAccountForSetup`) asks for.
    #[serde(default = "default_permissions")]
    pub financial_connections_permissions: Vec<Permission>,
    /// `usage`.
    #[serde(default)]
    pub usage: Usage,
}

/// Stripe's default: a bank account collected for a SetupIntent is shared for payments only.
pub fn default_permissions() -> Vec<Permission> {
    vec![Permission::PaymentMethod]
}

impl Document for SetupIntent {
    const KIND: &'static str = "setup_intent";
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Index<'_> {
        Index {
            customer: self.customer.as_deref(),
            authorization: None,
            client_secret: Some(&self.client_secret),
        }
    }
}

impl SetupIntent {
    /// The API representation.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "setup_intent",
            "allowed_payment_method_types": null,
            "application": null,
            "automatic_payment_methods": null,
            "cancellation_reason": null,
            "client_secret": self.client_secret,
            "created": self.created,
            "customer": self.customer,
            "description": null,
            "excluded_payment_method_types": null,
            "flow_directions": self.flow_directions,
            "last_setup_error": null,
            "latest_attempt": null,
            "livemode": false,
            "mandate": self.mandate,
            "metadata": {},
            "next_action": null,
            "on_behalf_of": null,
            "payment_method": self.payment_method,
            "payment_method_configuration_details": null,
            "payment_method_options": {
                "us_bank_account": {
                    "financial_connections": {
                        "permissions": self.financial_connections_permissions,
                        "prefetch": [],
                    },
                    "verification_method": "automatic",
                },
            },
            "payment_method_types": ["us_bank_account"],
            "single_use_mandate": null,
            "status": self.status,
            "usage": self.usage,
        })
    }
}

/// Whether confirming needs a debit mandate: payouts-only (`outbound`) intents move money to the
/// customer and need none, which is why the seeds' payouts example confirms without one.
pub fn debits(flow_directions: Option<&[String]>) -> bool {
    flow_directions.is_none_or(|directions| directions.iter().any(|d| d == "inbound"))
}
