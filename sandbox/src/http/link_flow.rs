//! The browser-facing link flow: what the relink component calls while the customer logs in.
//!
//! Every call carries the publishable key in `Authorization` and the session's client secret in
//! the form body (never in a URL, where it would end up in logs and history). The flow records
//! on the session how far the customer got; `workflows::finish_session` turns that record, not
//! anything the browser claims, into the result.
//!
//! The Stripe.js drop-in calls two more: `for_setup_intent` opens the session that collects a
//! SetupIntent's bank account (`collectBankAccountForSetup`), and `bank_account_token` makes a
//! token of the account a finished session linked (`collectBankAccountToken`).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use relink::model::SessionStatus;
use relink::wire::{self, Authentication as Answer, Endpoint};
use serde_json::Value;

use crate::auth::PublishableKey;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::objects::account::Account;
use crate::objects::billing_details::BillingDetails;
use crate::objects::institutions::{self, Institution};
use crate::objects::relink_rules::Authentication;
use crate::objects::session::Session;
use crate::objects::setup_intent::SetupIntent;
use crate::objects::token;
use crate::store::Tx;
use crate::version::ApiVersion;
use crate::workflows::finish_session::{self, Attempt};
use crate::workflows::payment_setup;

/// The link flow's routes, at the paths [`wire::Endpoint`] gives them.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(Endpoint::Manifest.path(), post(manifest))
        .route(Endpoint::Authenticate.path(), post(authenticate))
        .route(Endpoint::Complete.path(), post(complete))
        .route(Endpoint::ForSetupIntent.path(), post(for_setup_intent))
        .route(Endpoint::BankAccountToken.path(), post(bank_account_token))
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
) -> ApiResult<Json<wire::Manifest<Value>>> {
    let client_secret = params.require_str(&["client_secret"])?;
    params.finish()?;
    let merchant_name = state.settings.merchant_name.clone();
    let manifest = state.transaction_for_client_secret::<Session, _>(&client_secret, |tx| {
        let session = pending_session(tx, &client_secret)?;
        let fixed = session.fixed_institution(tx)?;
        // Outages a test helper started show as they would at Down Bank.
        let institutions = match fixed {
            Some(institution) => vec![institutions::describe(tx, institution)?],
            None => institutions::ALL
                .iter()
                .map(|institution| institutions::describe(tx, institution))
                .collect::<ApiResult<Vec<_>>>()?,
        };
        let relink = match (fixed, &session.relink_options) {
            (Some(institution), Some(options)) => Some(wire::RelinkTarget {
                institution: institutions::describe(tx, institution)?,
                account: expected_account(tx, options.account.as_deref())?,
            }),
            _ => None,
        };
        Ok(wire::Manifest {
            session: session.to_json(tx, &ApiVersion::preview(), false)?,
            merchant_name,
            institutions,
            relink,
        })
    })?;
    Ok(Json(manifest))
}

/// The account an exact relink asks for, as the flow shows it.
fn expected_account(tx: &Tx<'_>, id: Option<&str>) -> ApiResult<Option<wire::ExpectedAccount>> {
    let Some(id) = id else {
        return Ok(None);
    };
    let account = tx.fetch::<Account>(id, None)?;
    Ok(Some(wire::ExpectedAccount {
        id: account.id,
        display_name: account.display_name,
        last4: account.last4,
        subcategory: Some(account.subcategory),
    }))
}

async fn authenticate(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Answer>> {
    let client_secret = params.require_str(&["client_secret"])?;
    let institution_id = params.require_str(&["institution"])?;
    let password = params.take_str(&["password"])?;
    let mfa_code = params.take_str(&["mfa_code"])?;
    params.finish()?;
    let answer = state.transaction_for_client_secret::<Session, _>(&client_secret, |tx| {
        let mut session = pending_session(tx, &client_secret)?;
        let institution = choose_institution(tx, &mut session, &institution_id)?;
        let answer = if institutions::is_down(tx, institution)? {
            institution.unavailable()
        } else {
            institution.log_in(password.as_deref(), mfa_code.as_deref(), || {
                offered_accounts(tx, &session)
            })?
        };
        // What the rules later decide from: how far the customer got, never what they claim.
        match &answer {
            Answer::Authenticated { .. } => session.progress.authenticated = true,
            Answer::LoginFailed { .. } => session.progress.login_failed = true,
            Answer::InstitutionUnavailable { .. } => session.progress.institution_down = true,
            Answer::MfaRequired => {}
        }
        tx.put(&session)?;
        Ok(answer)
    })?;
    Ok(Json(answer))
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
fn offered_accounts(tx: &Tx<'_>, session: &Session) -> ApiResult<Vec<wire::BankAccount>> {
    let known: Vec<Account> = match &session.relink_options {
        Some(options) => tx.by_authorization(&options.authorization)?,
        None => Vec::new(),
    };
    Ok(institutions::BANK_ACCOUNTS
        .iter()
        .map(|offered| wire::BankAccount {
            last4: offered.last4.to_owned(),
            display_name: offered.display_name.to_owned(),
            category: Some(offered.category),
            subcategory: Some(offered.subcategory),
            eligible: session.is_eligible(offered.subcategory),
            existing_account: known
                .iter()
                .find(|a| a.last4 == offered.last4)
                .map(|a| a.id.clone()),
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
    let body = state.transaction_for_client_secret::<Session, _>(&client_secret, |tx| {
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

/// Stripe.js's `collectBankAccountForSetup`, first half: opens the session in which the
/// customer links the account for the SetupIntent whose `client_secret` the browser sends.
/// Answers the session's client secret, for the link flow above; when it links an account, the
/// SetupIntent gets its payment method and `requires_confirmation`. Every billing detail
/// Stripe.js sends goes on that payment method; `name` is required, as Stripe.js requires it for
/// a `us_bank_account`.
async fn for_setup_intent(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<wire::SetupSession>> {
    const BILLING: [&str; 2] = ["payment_method_data", "billing_details"];
    let client_secret = params.require_str(&["client_secret"])?;
    let name = params.require_str(&[BILLING[0], BILLING[1], "name"])?;
    let billing_details = BillingDetails {
        name: Some(name),
        ..BillingDetails::take(&mut params, &BILLING)?
    };
    params.finish()?;
    let session = state.transaction_for_client_secret::<SetupIntent, _>(&client_secret, |tx| {
        payment_setup::start_collecting(tx, &client_secret, billing_details)
    })?;
    Ok(Json(wire::SetupSession {
        id: session.id,
        client_secret: session.client_secret,
    }))
}

/// Stripe.js's `collectBankAccountToken`, second half: a bank account token (`btok_…`) for the
/// account the finished session linked, for the browser holding the session's client secret.
async fn bank_account_token(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let client_secret = params.require_str(&["client_secret"])?;
    params.finish()?;
    let body = state.transaction_for_client_secret::<Session, _>(&client_secret, |tx| {
        let session = tx
            .by_client_secret::<Session>(&client_secret)?
            .ok_or_else(|| {
                ApiError::no_such("financial_connections.session", "<client_secret>", None)
                    .with_param("client_secret")
            })?;
        Ok(token::for_linked_account(tx, &session)?.to_json())
    })?;
    Ok(Json(body))
}
