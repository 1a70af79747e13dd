//! `/v1/tokens`: bank account tokens for Connect payouts.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::{Scope, SecretKey};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::objects::account::Account;
use crate::objects::payment_method::PaymentMethod;
use crate::objects::token::Token;

/// Routes under `/v1/tokens`.
pub fn router() -> Router<AppState> {
    Router::new().route("/v1/tokens", post(create))
}

pub(crate) async fn create(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let customer = params.take_str(&["customer"])?;
    let payment_method = params.require_str(&["bank_account", "payment_method"])?;
    params.finish()?;
    let token = state.transaction(&scope, |tx| {
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
        let token = Token::new(
            &account,
            pm.billing_details.name.as_deref(),
            clock::now(tx)?,
        );
        tx.put(&token)?;
        Ok(token)
    })?;
    Ok(Json(token.to_json()))
}
