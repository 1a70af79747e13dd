//! `/v1/accounts`: Connect's connected accounts and their external accounts.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::{Scope, SecretKey};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::ids;
use crate::list::list_object;
use crate::objects::connected_account::{self, ACCOUNT_TYPES, BUSINESS_TYPES, ConnectedAccount};
use crate::objects::customer;
use crate::store::Tx;
use crate::workflows::payouts;

/// Routes under `/v1/accounts`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/accounts", post(create))
        .route("/v1/accounts/{id}", get(retrieve))
        .route(
            "/v1/accounts/{id}/external_accounts",
            post(create_external_account).get(list_external_accounts),
        )
}

/// A scalar that must be one of `allowed`.
fn take_one_of(params: &mut Params, name: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
    let Some(value) = params.take_str(&[name])? else {
        return Ok(None);
    };
    if !allowed.contains(&value.as_str()) {
        return Err(ApiError::invalid_param(
            name,
            format!(
                "Invalid {name}: must be one of {} (got {value}).",
                allowed.join(", ")
            ),
        ));
    }
    Ok(Some(value))
}

/// A code of `len` letters, e.g. a country (`US`) or a currency (`usd`).
fn take_code(params: &mut Params, name: &str, len: usize) -> ApiResult<Option<String>> {
    let Some(value) = params.take_str(&[name])? else {
        return Ok(None);
    };
    if value.len() != len || !value.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(ApiError::invalid_param(
            name,
            format!("Invalid {name}: expected a {len}-letter code (got {value})."),
        ));
    }
    Ok(Some(value))
}

async fn create(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let email = params.take_str(&["email"])?;
    let account_type = take_one_of(&mut params, "type", ACCOUNT_TYPES)?;
    let business_type = take_one_of(&mut params, "business_type", BUSINESS_TYPES)?;
    let country = take_code(&mut params, "country", 2)?;
    let default_currency = take_code(&mut params, "default_currency", 3)?;
    params.finish()?;
    if scope.account().is_some() {
        return Err(ApiError::invalid(
            "Connected accounts cannot create connected accounts; create it as the platform, \
             without the Stripe-Account header.",
        ));
    }
    // Stripe would take an account without one; the sandbox needs it, because hosted relink
    // emails a connected account holder at this address.
    let email = email.ok_or_else(|| ApiError::missing("email"))?;
    customer::check_email(&email)?;
    let account = state.store.transaction(|tx| {
        let account = ConnectedAccount {
            id: ids::new_id("acct"),
            created: clock::now(tx)?,
            email,
            account_type: account_type.unwrap_or_else(|| "standard".into()),
            country: country.map_or_else(|| "US".into(), |c| c.to_ascii_uppercase()),
            default_currency: default_currency.map_or_else(|| "usd".into(), |c| c.to_lowercase()),
            business_type,
            external_accounts: Vec::new(),
        };
        tx.put(&account)?;
        Ok(account)
    })?;
    Ok(Json(account.to_json()))
}

/// The connected account `id`, as the request may see it: any of the platform's, or, acting
/// for a connected account, only that one.
fn reachable(tx: &Tx<'_>, scope: &Scope, id: &str) -> ApiResult<ConnectedAccount> {
    let no_access = || scope.no_access_to(id);
    if scope.account().is_some_and(|acting| acting != id) {
        return Err(no_access());
    }
    connected_account::fetch(tx, id, no_access)
}

async fn retrieve(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let account = state.transaction(&scope, |tx| reachable(tx, &scope, &id))?;
    Ok(Json(account.to_json()))
}

async fn create_external_account(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let token = params.require_str(&["external_account"])?;
    params.finish()?;
    if !token.starts_with("btok_") {
        return Err(ApiError::invalid_param(
            "external_account",
            "The sandbox attaches bank account tokens (btok_…) made with POST /v1/tokens.",
        ));
    }
    let bank_account = state.transaction(&scope, |tx| {
        let account = reachable(tx, &scope, &id)?;
        payouts::attach_external_account(tx, account, &token)
    })?;
    Ok(Json(bank_account.to_json()))
}

async fn list_external_accounts(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    params.take_str(&["object"])?;
    params.take_u32(&["limit"])?;
    params.finish()?;
    let account = state.transaction(&scope, |tx| reachable(tx, &scope, &id))?;
    Ok(Json(list_object(
        account
            .external_accounts
            .iter()
            .map(|b| b.to_json())
            .collect(),
        false,
        &account.external_accounts_url(),
    )))
}
