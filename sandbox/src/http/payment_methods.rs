//! `/v1/payment_methods` and `/v1/mandates`.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::{Scope, SecretKey};
use crate::error::ApiResult;
use crate::form::Params;
use crate::http::state::AppState;
use crate::objects::mandate::Mandate;
use crate::objects::payment_method::PaymentMethod;

/// Routes under `/v1/payment_methods` and `/v1/mandates`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/payment_methods/{id}", get(retrieve))
        .route("/v1/mandates/{id}", get(retrieve_mandate))
}

async fn retrieve(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let body = state.transaction(&scope, |tx| {
        tx.fetch::<PaymentMethod>(&id, Some("id"))?.to_json(tx)
    })?;
    Ok(Json(body))
}

async fn retrieve_mandate(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let mandate = state.transaction(&scope, |tx| tx.fetch::<Mandate>(&id, Some("mandate")))?;
    Ok(Json(mandate.to_json()))
}
