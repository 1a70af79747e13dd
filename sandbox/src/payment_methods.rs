//! `us_bank_account` payment methods (`pm_…`) made from Financial Connections accounts, and the
//! mandates (`mandate_…`) that authorise debiting them.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::{Account, AccountNumberStatus, IdentifierType};
use crate::auth::SecretKey;
use crate::error::ApiResult;
use crate::form::Params;
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
    /// `billing_details.name`.
    pub billing_name: Option<String>,
    /// `billing_details.email`.
    pub billing_email: Option<String>,
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
            "billing_details": {
                "address": null,
                "email": self.billing_email,
                "name": self.billing_name,
                "phone": null,
            },
            "created": self.created,
            "customer": self.customer,
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

/// Whether the account's tokenized account number no longer works.
pub fn tan_deactivated(account: &Account) -> bool {
    account.account_numbers.iter().any(|n| {
        n.identifier_type == IdentifierType::TokenizedAccountNumber
            && n.status == AccountNumberStatus::Deactivated
    })
}

fn status_details(account: &Account) -> Value {
    if tan_deactivated(account) {
        json!({"blocked": {
            "network_code": null,
            "reason": "tokenized_account_number_deactivated",
        }})
    } else {
        json!({})
    }
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
                "us_bank_account": {"collection_method": null},
            },
            "status": "active",
            "type": "multi_use",
        })
    }
}

/// Routes under `/v1/payment_methods` and `/v1/mandates`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/payment_methods/{id}", get(retrieve))
        .route("/v1/mandates/{id}", get(retrieve_mandate))
}

async fn retrieve(
    _: SecretKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let body = state
        .store
        .transaction(|tx| tx.fetch::<PaymentMethod>(&id, Some("id"))?.to_json(tx))?;
    Ok(Json(body))
}

async fn retrieve_mandate(
    _: SecretKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let mandate = state
        .store
        .transaction(|tx| tx.fetch::<Mandate>(&id, Some("mandate")))?;
    Ok(Json(mandate.to_json()))
}
