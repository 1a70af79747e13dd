//! `/v1/financial_connections/accounts` and `…/authorizations`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::{Scope, SecretKey};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::list::{Cursor, Page, list_object, paginate};
use crate::objects::account::{self, Account, Feature};
use crate::objects::account_holder::AccountHolder;
use crate::objects::authorization::Authorization;
use crate::objects::session::Session;
use crate::objects::{connected_account, customer};
use crate::store::Tx;
use crate::version::ApiVersion;
use crate::workflows::account_status;

/// Routes under `/v1/financial_connections/accounts` and `…/authorizations`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/financial_connections/accounts", get(list))
        .route("/v1/financial_connections/accounts/{id}", get(retrieve))
        .route(
            "/v1/financial_connections/accounts/{id}/disconnect",
            post(disconnect),
        )
        .route(
            "/v1/financial_connections/accounts/{id}/refresh",
            post(refresh),
        )
        .route(
            "/v1/financial_connections/authorizations/{id}",
            get(retrieve_authorization),
        )
}

const ACCOUNTS_URL: &str = "/v1/financial_connections/accounts";

async fn list(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let customer = params.take_str(&["account_holder", "customer"])?;
    let holder_account = params.take_str(&["account_holder", "account"])?;
    if customer.is_some() && holder_account.is_some() {
        return Err(ApiError::invalid(
            "You may only specify one of account_holder[customer] and account_holder[account].",
        ));
    }
    let held_by_connected_account = holder_account.is_some();
    // Both name the holder, which is one indexed column.
    let customer = customer.or(holder_account);
    let session = params.take_str(&["session"])?;
    let cursor = Cursor::take(&mut params)?;
    params.finish()?;
    cursor.check()?;
    // An unknown holder is an error, not an empty list: Stripe says which ID is wrong.
    if let Some(holder) = &customer {
        state.transaction(&scope, |tx| {
            holder_exists(tx, holder, held_by_connected_account)
        })?;
    }
    let page = state.transaction(&scope, |tx| match &session {
        None => {
            let (items, has_more) = tx.page::<Account>(
                customer.as_deref(),
                cursor.limit,
                cursor.starting_after.as_deref(),
                cursor.ending_before.as_deref(),
            )?;
            Ok(Page { items, has_more })
        }
        Some(session) => linked_in_session(tx, session, customer.as_deref(), &cursor),
    })?;
    Ok(Json(list_object(
        page.items.iter().map(|a| a.to_json(&version)).collect(),
        page.has_more,
        ACCOUNTS_URL,
    )))
}

/// Fails with `resource_missing` unless `holder` is a customer or, when `connected`, one of
/// the platform's connected accounts.
fn holder_exists(tx: &Tx<'_>, holder: &str, connected: bool) -> ApiResult<()> {
    if connected {
        let param = "account_holder[account]";
        connected_account::fetch(tx, holder, || {
            ApiError::no_such("account", holder, Some(param))
        })?;
    } else {
        customer::ensure_exists(tx, holder, "account_holder[customer]")?;
    }
    Ok(())
}

/// The accounts a session linked (only `customer`'s, when given). A session links a handful of
/// accounts, so they are filtered and paged in memory.
fn linked_in_session(
    tx: &Tx<'_>,
    session_id: &str,
    customer: Option<&str>,
    cursor: &Cursor,
) -> ApiResult<Page<Account>> {
    let session = tx.fetch::<Session>(session_id, Some("session"))?;
    let linked = account::load_all(tx, &session.accounts)?
        .into_iter()
        .filter(|account| {
            customer.is_none() || account.account_holder.as_ref().map(AccountHolder::id) == customer
        })
        .collect();
    paginate(linked, cursor)
}

async fn retrieve(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let account = state.transaction(&scope, |tx| tx.fetch::<Account>(&id, Some("id")))?;
    Ok(Json(account.to_json(&version)))
}

async fn retrieve_authorization(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    if !version.is_preview() {
        // The authorization object only exists in the preview API.
        return Err(ApiError::invalid(
            "Unrecognized request URL (GET: /v1/financial_connections/authorizations/{id}). \
             Financial Connections authorizations need a preview Stripe-Version.",
        )
        .with_status(StatusCode::NOT_FOUND));
    }
    let authorization =
        state.transaction(&scope, |tx| tx.fetch::<Authorization>(&id, Some("id")))?;
    Ok(Json(authorization.to_json(&version)))
}

async fn disconnect(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let account = state.transaction(&scope, |tx| account_status::disconnect(tx, &id))?;
    Ok(Json(account.to_json(&version)))
}

async fn refresh(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let features = params.take_enum_list::<Feature>(&["features"])?;
    params.finish()?;
    if features.is_empty() {
        return Err(ApiError::missing("features"));
    }
    let account = state.transaction(&scope, |tx| {
        let mut account = tx.fetch::<Account>(&id, Some("id"))?;
        account.refresh(&features, clock::now(tx)?)?;
        tx.put(&account)?;
        Ok(account)
    })?;
    Ok(Json(account.to_json(&version)))
}
