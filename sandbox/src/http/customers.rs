//! `/v1/customers`.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::{Scope, SecretKey};
use crate::clock;
use crate::error::ApiResult;
use crate::form::Params;
use crate::http::state::AppState;
use crate::ids;
use crate::objects::customer::{self, Customer};

/// Routes under `/v1/customers`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/customers", post(create))
        .route("/v1/customers/{id}", get(retrieve))
}

async fn create(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let email = params.take_str(&["email"])?;
    let name = params.take_str(&["name"])?;
    let preferred_locales = params.take_list(&["preferred_locales"])?;
    params.finish()?;
    if let Some(email) = &email {
        customer::check_email(email)?;
    }
    let customer = state.transaction(&scope, |tx| {
        let customer = Customer {
            id: ids::new_id("cus"),
            created: clock::now(tx)?,
            email,
            name,
            preferred_locales,
        };
        tx.put(&customer)?;
        Ok(customer)
    })?;
    Ok(Json(customer.to_json()))
}

async fn retrieve(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let customer = state.transaction(&scope, |tx| tx.fetch::<Customer>(&id, Some("id")))?;
    Ok(Json(customer.to_json()))
}
