//! The test-only control plane under `/v1/test_helpers/`: act as the end user or the bank.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use relink::model::{AccountStatus, InactiveCause};
use serde_json::Value;

use crate::AppState;
use crate::accounts::{
    self, Account, AccountNumber, AccountNumberStatus, Authorization, IdentifierType, Inactive,
    save_with_event,
};
use crate::auth::SecretKey;
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::form::{Params, parse_enum};
use crate::institutions::{self, Behaviour};
use crate::relink::Authentication;
use crate::sessions::{self, Attempt, Session};
use crate::store::Tx;
use crate::version::ApiVersion;

/// Routes under `/v1/test_helpers/financial_connections`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/test_helpers/financial_connections/sessions/{id}/complete",
            post(complete_session),
        )
        .route(
            "/v1/test_helpers/financial_connections/accounts/{id}/deactivate",
            post(deactivate_account),
        )
        .route(
            "/v1/test_helpers/financial_connections/accounts/{id}/expire_account_numbers",
            post(expire_account_numbers),
        )
}

async fn complete_session(
    _: SecretKey,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let institution = params.take_str(&["institution"])?;
    let authentication = match params.take_str(&["authentication"])?.as_deref() {
        None | Some("succeeded") => Authentication::Succeeded,
        Some("failed") => Authentication::Failed,
        Some("abandoned") => Authentication::Abandoned,
        // A sandbox extension: the bank is down during this attempt, at any institution, so
        // that `failure_reason: "other"` can be tested on accounts linked anywhere.
        Some("institution_down") => Authentication::InstitutionDown,
        Some(other) => {
            return Err(ApiError::invalid_param(
                "authentication",
                format!(
                    "Invalid authentication: must be one of succeeded, failed, abandoned, \
                     institution_down (got {other})."
                ),
            ));
        }
    };
    let picked = params.take_list(&["accounts"])?;
    params.finish()?;
    let body = state.store.transaction(|tx| {
        let session = tx.fetch::<Session>(&id, Some("id"))?;
        let institution = match (session.fixed_institution(tx)?, institution.as_deref()) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid_param(
                    "institution",
                    "Relink sessions are fixed to their authorization's institution; \
                     omit institution.",
                ));
            }
            (Some(fixed), None) => fixed,
            (None, Some(wanted)) => institutions::find(wanted)
                .ok_or_else(|| ApiError::no_such("institution", wanted, Some("institution")))?,
            (None, None) => &institutions::ALL[0],
        };
        // Down Bank never answers, whatever the customer would have done.
        let authentication = if institution.behaviour == Behaviour::Down {
            Authentication::InstitutionDown
        } else {
            authentication
        };
        let session = sessions::finish(
            tx,
            session,
            Attempt {
                institution,
                authentication,
                picked,
            },
        )?;
        session.to_json(tx, &version, true)
    })?;
    Ok(Json(body))
}

async fn deactivate_account(
    _: SecretKey,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let cause = read_cause(&mut params)?;
    params.finish()?;
    let account = state.store.transaction(|tx| deactivate(tx, &id, cause))?;
    Ok(Json(account.to_json(&version)))
}

/// Reads the optional `cause` parameter, defaulting to `access_expired`.
pub fn read_cause(params: &mut Params) -> ApiResult<InactiveCause> {
    Ok(params
        .take_str(&["cause"])?
        .map(|raw| parse_enum::<InactiveCause>("cause", &raw))
        .transpose()?
        .unwrap_or(InactiveCause::AccessExpired))
}

/// Breaks an account the way the bank would.
///
/// Authorization-level causes break the credentials, so the authorization and every account on
/// it go inactive with `relink_required`; `account_closed` and `account_unavailable` affect only
/// this account, with action `none`.
pub fn deactivate(tx: &Tx<'_>, account_id: &str, cause: InactiveCause) -> ApiResult<Account> {
    let mut account = tx.fetch::<Account>(account_id, Some("id"))?;
    if account.status == AccountStatus::Disconnected {
        return Err(ApiError::invalid(format!(
            "Account {account_id} is disconnected and cannot be deactivated."
        )));
    }
    if !cause.is_authorization_level() {
        let before = account.clone();
        account.deactivate(cause);
        save_with_event(tx, &before, &account)?;
        return Ok(account);
    }
    let mut authorization = tx.fetch::<Authorization>(&account.authorization, None)?;
    authorization.status = AccountStatus::Inactive;
    authorization.inactive = Some(Inactive::because(cause));
    tx.put(&authorization)?;
    for mut sibling in tx.by_authorization::<Account>(&authorization.id)? {
        // An account the bank closed stays closed: that cause is the more specific one.
        let closed_at_bank = sibling
            .inactive
            .is_some_and(|i| !i.cause.is_authorization_level());
        if sibling.status != AccountStatus::Disconnected && !closed_at_bank {
            let before = sibling.clone();
            sibling.deactivate(cause);
            save_with_event(tx, &before, &sibling)?;
        }
    }
    tx.fetch::<Account>(account_id, Some("id"))
}

/// What `expire_account_numbers` does to an account's TANs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TanChange {
    /// Move the expiry to this time (Unix seconds).
    ExpireAt(i64),
    /// Deactivate now.
    Deactivate,
}

async fn expire_account_numbers(
    _: SecretKey,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let expiry = params
        .take_str(&["expected_expiry_date"])?
        .map(|raw| {
            raw.parse::<i64>().map_err(|_| {
                ApiError::invalid_param("expected_expiry_date", format!("Invalid integer: {raw}"))
                    .with_code("parameter_invalid_integer")
            })
        })
        .transpose()?;
    let status = params.take_str(&["status"])?;
    params.finish()?;
    let change = match (expiry, status.as_deref()) {
        (Some(at), None) => TanChange::ExpireAt(at),
        (None, Some("deactivated")) => TanChange::Deactivate,
        (None, Some(other)) => {
            return Err(ApiError::invalid_param(
                "status",
                format!("Invalid status: must be deactivated (got {other})."),
            ));
        }
        _ => {
            return Err(ApiError::invalid(
                "Provide exactly one of expected_expiry_date and status.",
            ));
        }
    };
    let account = state.store.transaction(|tx| {
        let mut account = tx.fetch::<Account>(&id, Some("id"))?;
        let mut tans: Vec<&mut AccountNumber> = account
            .account_numbers
            .iter_mut()
            .filter(|n| n.identifier_type == IdentifierType::TokenizedAccountNumber)
            .collect();
        if tans.is_empty() {
            return Err(ApiError::invalid(format!(
                "Account {id} has no tokenized account numbers; link one at the \
                 Tokenized Account Numbers institution."
            )));
        }
        for tan in &mut tans {
            match change {
                TanChange::ExpireAt(at) => tan.expected_expiry_date = Some(at),
                TanChange::Deactivate => tan.status = AccountNumberStatus::Deactivated,
            }
        }
        tx.put(&account)?;
        if change == TanChange::Deactivate {
            events::emit(
                tx,
                events::ACCOUNT_NUMBERS_UPDATED,
                account.to_json(&ApiVersion::preview()),
                None,
            )?;
        }
        // An expiry already in the past takes effect at once.
        accounts::expire_due_account_numbers(tx, crate::clock::now(tx)?)?;
        tx.fetch::<Account>(&id, Some("id"))
    })?;
    Ok(Json(account.to_json(&version)))
}
