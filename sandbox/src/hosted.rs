//! Hosted relink: relink sessions the customer completes on a page the sandbox links to, by
//! email or by a URL the merchant passes on.
//!
//! The link carries an opaque single-use token (in the URL fragment, so it never reaches a
//! server log), never the client secret; the hosted page trades the token for the client secret
//! once and then runs the ordinary link flow. Emails are not sent: they land in an outbox that
//! `GET /v1/test_helpers/emails` shows. As in Stripe's sandboxes, emails only go to team
//! addresses, at most one per account per 48 hours unless the customer finished the last one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use relink::model::{AccountStatus, SessionStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::accounts::{Account, AccountNumberStatus, IdentifierType};
use crate::auth::{PublishableKey, SecretKey};
use crate::config::Settings;
use crate::customers::Customer;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::form::Params;
use crate::ids;
use crate::list::list_object;
use crate::outbox::{self, Email};
use crate::sessions::Session;
use crate::store::Tx;

/// Where the demo site's hosted relink page lives.
pub const HOSTED_PAGE_PATH: &str = "/hosted-relink.html";
/// One hosted relink email per account per this long, unless the last one was completed.
pub const EMAIL_INTERVAL_SECS: i64 = 48 * 60 * 60;
/// Accounts whose TAN expires within this long are eligible for hosted relink.
pub const TAN_EXPIRY_WINDOW_SECS: i64 = 30 * 24 * 60 * 60;

/// `ui_mode` of a session (preview).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UiMode {
    /// The merchant's page opens the flow (the component or Stripe.js).
    #[default]
    Modal,
    /// The customer completes the flow on a hosted page.
    Hosted,
}

/// `hosted.delivery_method` of a hosted session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// The sandbox emails the customer the link.
    Email,
    /// The session's `url` is the link; the merchant delivers it.
    Url,
}

fn token_key(token: &str) -> String {
    format!("hosted_token:{token}")
}

/// Why an account cannot get a hosted relink email now; `None` when it can.
pub fn email_ineligibility(
    tx: &Tx<'_>,
    settings: &Settings,
    account: &Account,
    now: i64,
) -> ApiResult<Option<ApiError>> {
    let Some(holder) = &account.account_holder else {
        return Ok(Some(ApiError::invalid(format!(
            "Account {} has no account holder to email.",
            account.id
        ))));
    };
    let customer = tx.fetch::<Customer>(&holder.customer, None)?;
    let Some(email) = customer.email else {
        return Ok(Some(
            ApiError::invalid(format!("Customer {} has no email address.", customer.id))
                .with_code("email_invalid"),
        ));
    };
    if !settings
        .team_emails
        .iter()
        .any(|team| team.eq_ignore_ascii_case(&email))
    {
        return Ok(Some(
            ApiError::invalid(format!(
                "In the sandbox, hosted relink emails only go to team email addresses \
                 (--team-email); {email} is not one."
            ))
            .with_code("email_invalid"),
        ));
    }
    for sent in outbox::emails(tx)? {
        if sent.account != account.id || sent.created <= now - EMAIL_INTERVAL_SECS {
            continue;
        }
        let open = tx
            .get::<Session>(&sent.session)?
            .is_some_and(|s| s.status == SessionStatus::Pending);
        if open {
            return Ok(Some(ApiError {
                status: StatusCode::TOO_MANY_REQUESTS,
                kind: ErrorType::RateLimit,
                code: None,
                message: format!(
                    "A hosted relink email for {} went out in the last 48 hours and is not \
                     completed yet.",
                    account.id
                ),
                param: None,
            }));
        }
    }
    Ok(None)
}

/// Whether an account needs a relink: inactive, or its TAN expires within 30 days.
pub fn needs_relink(account: &Account, now: i64) -> bool {
    let tan_expiring = account.account_numbers.iter().any(|n| {
        n.identifier_type == IdentifierType::TokenizedAccountNumber
            && (n.status == AccountNumberStatus::Deactivated
                || n.expected_expiry_date
                    .is_some_and(|at| at <= now + TAN_EXPIRY_WINDOW_SECS))
    });
    account.status == AccountStatus::Inactive || tan_expiring
}

/// Sets up delivery of a hosted session: issues its token and either sets `url` or emails the
/// link. Fails (rolling the session back) when the email may not go out.
pub fn launch(tx: &Tx<'_>, settings: &Settings, session: &mut Session) -> ApiResult<()> {
    let Some(delivery) = session.hosted else {
        return Ok(());
    };
    let account_id = session
        .relink_options
        .as_ref()
        .and_then(|o| o.account.clone())
        .ok_or_else(|| ApiError::internal("hosted session without relink_options.account"))?;
    let token = ids::new_id("hrt");
    tx.set_meta(&token_key(&token), &session.id)?;
    let url = format!("{}{HOSTED_PAGE_PATH}#token={token}", settings.public_url);
    match delivery {
        DeliveryMethod::Url => session.url = Some(url),
        DeliveryMethod::Email => {
            let now = crate::clock::now(tx)?;
            let account = tx.fetch::<Account>(&account_id, Some("relink_options[account]"))?;
            if let Some(refusal) = email_ineligibility(tx, settings, &account, now)? {
                return Err(refusal);
            }
            let holder = account
                .account_holder
                .as_ref()
                .ok_or_else(|| ApiError::internal("eligible account without holder"))?;
            let customer = tx.fetch::<Customer>(&holder.customer, None)?;
            let to = customer.email.unwrap_or_default();
            let greeting = customer.name.unwrap_or_else(|| "there".into());
            outbox::queue_email(
                tx,
                &Email {
                    id: ids::new_id("email"),
                    created: now,
                    subject: format!(
                        "{}: reconnect your {} account",
                        settings.merchant_name, account.institution_name
                    ),
                    text: format!(
                        "Hi {greeting},\n\n{} can no longer reach your {} account ending in {}. \
                     Reconnect it here:\n\n{url}\n\nThe link works once.",
                        settings.merchant_name, account.institution_name, account.last4
                    ),
                    to,
                    url,
                    account: account.id,
                    session: session.id.clone(),
                },
            )?;
        }
    }
    tx.put(session)
}

/// Routes for the hosted page and the outbox.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/link_account_sessions/hosted", post(redeem))
        .route("/v1/test_helpers/emails", get(list_emails))
}

/// Trades a hosted relink token for the session's client secret, once.
async fn redeem(
    _: PublishableKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let token = params.require_str(&["token"])?;
    params.finish()?;
    let merchant_name = state.settings.merchant_name.clone();
    let body = state.store.transaction(|tx| {
        let key = token_key(&token);
        let session_id = tx
            .meta(&key)?
            .ok_or_else(|| ApiError::no_such("hosted relink link", "<token>", Some("token")))?;
        tx.delete_meta(&key)?;
        let session = tx.fetch::<Session>(&session_id, None)?;
        if session.status != SessionStatus::Pending {
            return Err(ApiError::token_already_used());
        }
        Ok(json!({
            "client_secret": session.client_secret,
            "return_url": session.return_url,
            "merchant_name": merchant_name,
        }))
    })?;
    Ok(Json(body))
}

async fn list_emails(
    _: SecretKey,
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let emails = state.store.transaction(outbox::emails)?;
    Ok(Json(list_object(
        emails.iter().map(Email::to_json).collect(),
        false,
        "/v1/test_helpers/emails",
    )))
}
