//! `/v1/financial_connections/sessions`: creating and retrieving sessions.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use relink::model::{AccountSubcategory, Permission, RelinkOptions};
use serde_json::Value;

use crate::auth::{Scope, SecretKey};
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::objects::account_holder::AccountHolder;
use crate::objects::session::{ClientSecret, DeliveryMethod, NewSession, Session, UiMode};
use crate::version::ApiVersion;
use crate::workflows::hosted_relink;

/// Routes under `/v1/financial_connections/sessions`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/financial_connections/sessions", post(create))
        .route("/v1/financial_connections/sessions/{id}", get(retrieve))
}

async fn create(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let new = read_new_session(&mut params)?;
    params.finish()?;
    let body = state.transaction(&scope, |tx| {
        let session = hosted_relink::create_and_launch(tx, &state.settings, new)?;
        session.to_json(tx, &version, true)
    })?;
    Ok(Json(body))
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
    let body = state.transaction(&scope, |tx| {
        tx.fetch::<Session>(&id, Some("id"))?
            .render(tx, &version, ClientSecret::Null)
    })?;
    Ok(Json(body))
}

/// Reads the create parameters, in the order Stripe reports their errors.
fn read_new_session(params: &mut Params) -> ApiResult<NewSession> {
    let account_holder = read_account_holder(params)?;
    let permissions = params.take_enum_list::<Permission>(&["permissions"])?;
    if permissions.is_empty() {
        return Err(ApiError::missing("permissions"));
    }
    let (account_subcategories, filter_country) = read_filters(params)?;
    let limit_accounts = read_limit(params)?;
    let relink_options = read_relink_options(params)?;
    let return_url = params.take_url(&["return_url"])?;
    let (ui_mode, hosted) = read_hosted(params, relink_options.as_ref())?;
    Ok(NewSession {
        account_holder,
        permissions,
        account_subcategories,
        filter_country,
        limit_accounts,
        relink_options,
        return_url,
        ui_mode,
        hosted,
        for_setup_intent: None,
    })
}

/// `account_holder`: a customer (`type=customer`, `customer`) or a connected account
/// (`type=account`, `account`), if any.
fn read_account_holder(params: &mut Params) -> ApiResult<Option<AccountHolder>> {
    let holder_type = params.take_str(&["account_holder", "type"])?;
    let customer = params.take_str(&["account_holder", "customer"])?;
    let account = params.take_str(&["account_holder", "account"])?;
    let only_with = |param: &str, kind: &str| {
        ApiError::invalid_param(
            format!("account_holder[{param}]"),
            format!("account_holder[{param}] is only allowed with account_holder[type]={kind}."),
        )
    };
    match holder_type.as_deref() {
        None if customer.is_none() && account.is_none() => Ok(None),
        None => Err(ApiError::missing("account_holder[type]")),
        Some("customer") => {
            if account.is_some() {
                return Err(only_with("account", "account"));
            }
            let customer = customer.ok_or_else(|| ApiError::missing("account_holder[customer]"))?;
            Ok(Some(AccountHolder::customer(customer)))
        }
        Some("account") => {
            if customer.is_some() {
                return Err(only_with("customer", "customer"));
            }
            let account = account.ok_or_else(|| ApiError::missing("account_holder[account]"))?;
            Ok(Some(AccountHolder::account(account)))
        }
        Some(other) => Err(ApiError::invalid_param(
            "account_holder[type]",
            format!(
                "Invalid account_holder[type]: must be one of customer, account (got {other})."
            ),
        )),
    }
}

/// `filters[account_subcategories][]` (sent empty, it filters nothing) and `filters[country]`.
fn read_filters(
    params: &mut Params,
) -> ApiResult<(Option<Vec<AccountSubcategory>>, Option<String>)> {
    let sent = params.contains(&["filters", "account_subcategories"]);
    let kinds =
        params.take_enum_list::<AccountSubcategory>(&["filters", "account_subcategories"])?;
    let country = params.take_str(&["filters", "country"])?;
    if let Some(country) = &country
        && !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(ApiError::invalid_param(
            "filters[country]",
            format!("Invalid filters[country] `{country}`: use a two-letter country code like US."),
        ));
    }
    Ok(((sent && !kinds.is_empty()).then_some(kinds), country))
}

/// `limits[accounts]`, 1 to 100.
fn read_limit(params: &mut Params) -> ApiResult<Option<u32>> {
    let limit_accounts = params.take_u32(&["limits", "accounts"])?;
    if let Some(limit) = limit_accounts
        && !(1..=100).contains(&limit)
    {
        return Err(ApiError::invalid_param(
            "limits[accounts]",
            "limits[accounts] must be between 1 and 100.",
        ));
    }
    Ok(limit_accounts)
}

/// `relink_options`: an account only ever together with its authorization.
fn read_relink_options(params: &mut Params) -> ApiResult<Option<RelinkOptions>> {
    let authorization = params.take_str(&["relink_options", "authorization"])?;
    let account = params.take_str(&["relink_options", "account"])?;
    match (authorization, account) {
        (Some(authorization), account) => Ok(Some(RelinkOptions {
            authorization,
            account,
        })),
        (None, Some(_)) => Err(ApiError::missing("relink_options[authorization]")),
        (None, None) => Ok(None),
    }
}

/// `ui_mode` and `hosted[delivery_method]`: hosted delivery needs a hosted session, and a
/// hosted session relinks exactly one named account.
fn read_hosted(
    params: &mut Params,
    relink_options: Option<&RelinkOptions>,
) -> ApiResult<(UiMode, Option<DeliveryMethod>)> {
    let ui_mode = params.take_enum_serde::<UiMode>(&["ui_mode"])?;
    let hosted = params.take_enum_serde::<DeliveryMethod>(&["hosted", "delivery_method"])?;
    let ui_mode = ui_mode.unwrap_or_default();
    match (ui_mode, hosted, relink_options) {
        (UiMode::Modal, Some(_), _) => {
            return Err(ApiError::invalid_param(
                "hosted[delivery_method]",
                "hosted[delivery_method] is only allowed with ui_mode=hosted.",
            ));
        }
        (UiMode::Hosted, None, _) => return Err(ApiError::missing("hosted[delivery_method]")),
        (UiMode::Hosted, Some(_), None) => {
            return Err(ApiError::missing("relink_options[authorization]"));
        }
        (UiMode::Hosted, Some(_), Some(options)) if options.account.is_none() => {
            // The hosted page relinks exactly the account the merchant named.
            return Err(ApiError::missing("relink_options[account]"));
        }
        _ => {}
    }
    Ok((ui_mode, hosted))
}
