//! Bank account tokens (`btok_…`) made from payment methods, for Connect payouts.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::Account;
use crate::auth::SecretKey;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::ids;
use crate::payment_methods::{PaymentMethod, TEST_ROUTING_NUMBER};

/// Routes under `/v1/tokens`.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/tokens", post(create))
}

pub(crate) async fn create(
    _: SecretKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let customer = params.take_str(&["customer"])?;
    let payment_method = params.require_str(&["bank_account", "payment_method"])?;
    params.finish()?;
    let body = state.store.transaction(|tx| {
        let pm =
            tx.fetch::<PaymentMethod>(&payment_method, Some("bank_account[payment_method]"))?;
        if pm.customer.is_some() && pm.customer != customer {
            return Err(ApiError::invalid_param(
                "customer",
                format!(
                    "Payment method {payment_method} is attached to another customer; \
                     pass the customer it is attached to."
                ),
            ));
        }
        let account = tx.fetch::<Account>(&pm.financial_connections_account, None)?;
        let created = crate::clock::now(tx)?;
        Ok(json!({
            "id": ids::new_id("btok"),
            "object": "token",
            "bank_account": {
                "id": ids::new_id("ba"),
                "object": "bank_account",
                "account_holder_name": pm.billing_name,
                "account_holder_type": "individual",
                "account_type": account.subcategory,
                "bank_name": account.institution_name,
                "country": "US",
                "currency": "usd",
                "fingerprint": format!("fp_{}_{}", account.institution, account.last4),
                "last4": account.last4,
                "routing_number": TEST_ROUTING_NUMBER,
                "status": "new",
            },
            "client_ip": null,
            "created": created,
            "livemode": false,
            "type": "bank_account",
            "used": false,
        }))
    })?;
    Ok(Json(body))
}
