//! The browser-facing link flow: what the relink component calls while the customer logs in.
//!
//! Every call carries the publishable key in `Authorization` and the session's client secret in
//! the form body (never in a URL, where it would end up in logs and history). The flow records
//! on the session how far the customer got; `workflows::finish_session` turns that record, not
//! anything the browser claims, into the result.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use relink::model::SessionStatus;
use serde_json::{Value, json};

use crate::auth::PublishableKey;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::objects::account::Account;
use crate::objects::institutions::{self, Institution, LogIn};
use crate::objects::relink_rules::Authentication;
use crate::objects::session::Session;
use crate::store::Tx;
use crate::version::ApiVersion;
use crate::workflows::finish_session::{self, Attempt};

/// Routes under `/v1/link_account_sessions`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/link_account_sessions/manifest", post(manifest))
        .route("/v1/link_account_sessions/authenticate", post(authenticate))
        .route("/v1/link_account_sessions/complete", post(complete))
}

/// Finds the pending session a client secret belongs to.
fn pending_session(tx: &Tx<'_>, client_secret: &str) -> ApiResult<Session> {
    let session = tx
        .by_client_secret::<Session>(client_secret)?
        .ok_or_else(|| {
            // Never echo the secret back: error messages end up in logs.
            ApiError::no_such("financial_connections.session", "<client_secret>", None)
                .with_param("client_secret")
        })?;
    if session.status != SessionStatus::Pending {
        return Err(ApiError::token_already_used());
    }
    Ok(session)
}

async fn manifest(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let client_secret = params.require_str(&["client_secret"])?;
    params.finish()?;
    let merchant_name = state.settings.merchant_name.clone();
    let body = state.transaction_for_session(&client_secret, |tx| {
        let session = pending_session(tx, &client_secret)?;
        let fixed = session.fixed_institution(tx)?;
        let institutions: Vec<Value> = match fixed {
            Some(institution) => vec![institution.to_json()],
            None => institutions::ALL.iter().map(Institution::to_json).collect(),
        };
        let relink = match (fixed, &session.relink_options) {
            (Some(institution), Some(options)) => {
                let account = options
                    .account
                    .as_deref()
                    .map(|id| tx.fetch::<Account>(id, None))
                    .transpose()?
                    .map(|a| {
                        json!({
                            "id": a.id,
                            "display_name": a.display_name,
                            "last4": a.last4,
                            "subcategory": a.subcategory,
                        })
                    });
                json!({"institution": institution.to_json(), "account": account})
            }
            _ => Value::Null,
        };
        Ok(json!({
            "object": "link_account_session_manifest",
            "session": session.to_json(tx, &ApiVersion::preview(), false)?,
            "merchant_name": merchant_name,
            "institutions": institutions,
            "relink": relink,
        }))
    })?;
    Ok(Json(body))
}

async fn authenticate(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let client_secret = params.require_str(&["client_secret"])?;
    let institution_id = params.require_str(&["institution"])?;
    let password = params.take_str(&["password"])?;
    let mfa_code = params.take_str(&["mfa_code"])?;
    params.finish()?;
    let body = state.transaction_for_session(&client_secret, |tx| {
        let mut session = pending_session(tx, &client_secret)?;
        let institution = choose_institution(tx, &mut session, &institution_id)?;
        let outcome = institution.log_in(password.as_deref(), mfa_code.as_deref());
        let body = match outcome {
            LogIn::Authenticated => {
                session.progress.authenticated = true;
                json!({
                    "status": "authenticated",
                    "accounts": offered_accounts(tx, &session)?,
                })
            }
            LogIn::MfaRequired => json!({"status": "mfa_required"}),
            LogIn::Failed(message) => {
                session.progress.login_failed = true;
                json!({"status": "login_failed", "message": message})
            }
            LogIn::Unavailable => {
                session.progress.institution_down = true;
                json!({
                    "status": "institution_unavailable",
                    "message": format!(
                        "{} is not responding right now. Try again later.",
                        institution.name
                    ),
                })
            }
        };
        tx.put(&session)?;
        Ok(body)
    })?;
    Ok(Json(body))
}

/// The institution the customer picked, which a relink session fixes in advance.
fn choose_institution(
    tx: &Tx<'_>,
    session: &mut Session,
    institution_id: &str,
) -> ApiResult<&'static Institution> {
    let institution = institutions::find(institution_id)
        .ok_or_else(|| ApiError::no_such("institution", institution_id, Some("institution")))?;
    if let Some(fixed) = session.fixed_institution(tx)?
        && fixed.id != institution.id
    {
        return Err(ApiError::invalid_param(
            "institution",
            format!(
                "This relink session is for {}; choose that institution.",
                fixed.name
            ),
        ));
    }
    session.progress.choose(institution.id);
    Ok(institution)
}

/// The bank's accounts as the account picker shows them.
fn offered_accounts(tx: &Tx<'_>, session: &Session) -> ApiResult<Vec<Value>> {
    let known: Vec<Account> = match &session.relink_options {
        Some(options) => tx.by_authorization(&options.authorization)?,
        None => Vec::new(),
    };
    Ok(institutions::BANK_ACCOUNTS
        .iter()
        .map(|offered| {
            let existing = known
                .iter()
                .find(|a| a.last4 == offered.last4)
                .map(|a| a.id.clone());
            json!({
                "last4": offered.last4,
                "display_name": offered.display_name,
                "category": offered.category,
                "subcategory": offered.subcategory,
                "eligible": session.is_eligible(offered.subcategory),
                "existing_account": existing,
            })
        })
        .collect())
}

async fn complete(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let client_secret = params.require_str(&["client_secret"])?;
    let picked = params.take_list(&["accounts"])?;
    params.finish()?;
    let body = state.transaction_for_session(&client_secret, |tx| {
        let session = pending_session(tx, &client_secret)?;
        let authentication = session.progress.authentication();
        let institution = match (
            &session.progress.institution,
            session.fixed_institution(tx)?,
        ) {
            (_, Some(fixed)) => fixed,
            (Some(chosen), None) => institutions::find(chosen)
                .ok_or_else(|| ApiError::internal("progress names an unknown institution"))?,
            // The customer left before choosing a bank; which one does not matter.
            (None, None) => &institutions::ALL[0],
        };
        // Picks without a login are a forged request; the rules ignore them.
        let picked = if authentication == Authentication::Succeeded {
            picked
        } else {
            Vec::new()
        };
        let session = finish_session::finish(
            tx,
            session,
            Attempt {
                institution,
                authentication,
                picked,
            },
        )?;
        session.to_json(tx, &ApiVersion::preview(), false)
    })?;
    Ok(Json(body))
}
