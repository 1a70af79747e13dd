//! The demo merchant's backend, for the demo page in `www/`.
//!
//! A real merchant keeps these calls on their own server behind their own login; the sandbox
//! plays that server for one demo customer so the page needs nothing else. No API key: the
//! page is the merchant's own.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use relink::model::{AccountSubcategory, Permission, RelinkOptions};
use serde_json::{Value, json};

use crate::auth::{Scope, SecretKey};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::form::{FormOrJson, Params};
use crate::http::state::AppState;
use crate::http::{setup_intents, tokens};
use crate::objects::account::Account;
use crate::objects::account_holder::AccountHolder;
use crate::objects::customer::Customer;
use crate::objects::hosted_rules;
use crate::objects::mandate::Acceptance;
use crate::objects::session::{self, NewSession};
use crate::outbox::{self, Email};
use crate::store::Tx;
use crate::test_helpers;
use crate::version::ApiVersion;
use crate::workflows::account_status;
use crate::workflows::hosted_relink;
use crate::workflows::seed::DEMO_CUSTOMER_ID;

/// Routes under `/demo/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demo/api/config", get(config))
        .route("/demo/api/accounts", get(accounts))
        .route("/demo/api/link_session", post(link_session))
        .route("/demo/api/relink_session", post(relink_session))
        .route("/demo/api/accounts/{id}/deactivate", post(deactivate))
        .route("/demo/api/setup_intent", post(setup_intent))
        .route("/demo/api/payout_token", post(payout_token))
        .route("/demo/api/hosted_relink", get(hosted_relink_status))
        .route("/demo/api/request_relink", post(request_relink))
        .route("/demo/api/emails", get(emails))
}

async fn config(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1:4242");
    Json(json!({
        "publishable_key": state.settings.publishable_key,
        "api_base": format!("http://{host}"),
    }))
}

fn demo_accounts(tx: &Tx<'_>) -> ApiResult<Vec<Account>> {
    let mut accounts: Vec<Account> = tx.by_customer(DEMO_CUSTOMER_ID)?;
    // Oldest first reads naturally on the demo page.
    accounts.reverse();
    Ok(accounts)
}

async fn accounts(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let version = ApiVersion::preview();
    let body = state.store.transaction(|tx| {
        let customer = tx.fetch::<Customer>(DEMO_CUSTOMER_ID, None)?;
        let accounts: Vec<Value> = demo_accounts(tx)?
            .iter()
            .map(|a| a.to_json(&version))
            .collect();
        Ok(json!({"customer": customer.to_json(), "accounts": accounts}))
    })?;
    Ok(Json(body))
}

/// Creates a session for the demo customer and answers what the page needs to launch it.
fn launch(state: &AppState, relink_options: Option<RelinkOptions>) -> ApiResult<Json<Value>> {
    let body = state.store.transaction(|tx| {
        let existing: Vec<String> = demo_accounts(tx)?.into_iter().map(|a| a.id).collect();
        let session = session::create(
            tx,
            NewSession {
                account_holder: Some(AccountHolder::customer(DEMO_CUSTOMER_ID)),
                permissions: vec![Permission::PaymentMethod, Permission::Balances],
                account_subcategories: Some(vec![
                    AccountSubcategory::Checking,
                    AccountSubcategory::Savings,
                ]),
                limit_accounts: Some(1),
                relink_options,
                return_url: None,
                ..NewSession::default()
            },
        )?;
        Ok(json!({
            "client_secret": session.client_secret,
            "existing_account_ids": existing,
        }))
    })?;
    Ok(Json(body))
}

async fn link_session(
    State(state): State<AppState>,
    FormOrJson(params): FormOrJson,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    launch(&state, None)
}

/// The demo customer's account `account_id`; anyone else's is as good as missing.
fn demo_account(state: &AppState, account_id: &str) -> ApiResult<Account> {
    state.store.transaction(|tx| {
        let account = tx.fetch::<Account>(account_id, Some("account"))?;
        let ours = account
            .account_holder
            .as_ref()
            .is_some_and(|h| h.customer_id() == Some(DEMO_CUSTOMER_ID));
        if !ours {
            return Err(ApiError::no_such(
                "financial_connections.account",
                account_id,
                Some("account"),
            ));
        }
        Ok(account)
    })
}

async fn relink_session(
    State(state): State<AppState>,
    FormOrJson(mut params): FormOrJson,
) -> ApiResult<Json<Value>> {
    let account_id = params.require_str(&["account"])?;
    let exact = params.take_bool(&["exact"])?.unwrap_or(true);
    params.finish()?;
    let account = demo_account(&state, &account_id)?;
    launch(
        &state,
        Some(RelinkOptions {
            authorization: account.authorization,
            account: exact.then_some(account.id),
        }),
    )
}

/// What the merchant's server sends the API to pay by bank from `account`, form-encoded.
fn setup_intent_form(account: &Account, extra: &str) -> ApiResult<Params> {
    let form = format!(
        "customer={DEMO_CUSTOMER_ID}&payment_method_types[]=us_bank_account\
         &payment_method_data[type]=us_bank_account\
         &payment_method_data[us_bank_account][financial_connections_account]={}\
         &payment_method_data[billing_details][name]=Jenny%20Rosen{extra}",
        account.id
    );
    Params::parse(form.as_bytes())
}

/// What the merchant's server sends for a SetupIntent whose bank account the browser collects
/// (Stripe's ACH guide, for Stripe.js's `collectBankAccountForSetup`).
fn collecting_setup_intent_form() -> ApiResult<Params> {
    let permissions =
        "payment_method_options[us_bank_account][financial_connections][permissions][]";
    let form = format!(
        "customer={DEMO_CUSTOMER_ID}&payment_method_types[]=us_bank_account\
         &{permissions}=payment_method&{permissions}=balances"
    );
    Params::parse(form.as_bytes())
}

/// A SetupIntent to pay by bank from the demo customer's `account`: the page confirms it with
/// the ACH mandate form, in the browser, with the client secret this returns. Without
/// `account`, one with no payment method yet, which the Stripe.js page collects in the browser.
async fn setup_intent(
    State(state): State<AppState>,
    client: Acceptance,
    FormOrJson(mut params): FormOrJson,
) -> ApiResult<Json<Value>> {
    let account_id = params.take_str(&["account"])?;
    params.finish()?;
    let form = match account_id {
        Some(id) => setup_intent_form(&demo_account(&state, &id)?, "")?,
        None => collecting_setup_intent_form()?,
    };
    let Json(intent) =
        setup_intents::create(SecretKey, Scope::platform(), client, State(state), form).await?;
    Ok(Json(
        json!({"client_secret": intent["client_secret"], "id": intent["id"]}),
    ))
}

/// Payouts to the demo customer's `account`, as the seeds do it: an outbound SetupIntent
/// confirmed at creation, then a bank account token from its payment method.
async fn payout_token(
    State(state): State<AppState>,
    client: Acceptance,
    FormOrJson(mut params): FormOrJson,
) -> ApiResult<Json<Value>> {
    let account_id = params.require_str(&["account"])?;
    params.finish()?;
    let account = demo_account(&state, &account_id)?;
    let outbound = setup_intent_form(&account, "&flow_directions[]=outbound&confirm=true")?;
    let Json(intent) = setup_intents::create(
        SecretKey,
        Scope::platform(),
        client,
        State(state.clone()),
        outbound,
    )
    .await?;
    let payment_method = intent["payment_method"].as_str().unwrap_or_default();
    let token_form =
        format!("customer={DEMO_CUSTOMER_ID}&bank_account[payment_method]={payment_method}");
    let Json(token) = tokens::create(
        SecretKey,
        Scope::platform(),
        State(state),
        Params::parse(token_form.as_bytes())?,
    )
    .await?;
    // The page needs no secret to show what happened.
    Ok(Json(json!({
        "setup_intent": {
            "id": intent["id"],
            "status": intent["status"],
            "flow_directions": intent["flow_directions"],
            "payment_method": payment_method,
        },
        "token": token,
    })))
}

async fn deactivate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    FormOrJson(mut params): FormOrJson,
) -> ApiResult<Json<Value>> {
    let cause = test_helpers::read_cause(&mut params)?;
    params.finish()?;
    let account = state
        .store
        .transaction(|tx| account_status::deactivate(tx, &id, cause))?;
    Ok(Json(account.to_json(&ApiVersion::preview())))
}

/// The dashboard's view: which of the demo customer's accounts can be sent a relink email.
async fn hosted_relink_status(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let body = state.store.transaction(|tx| {
        let now = clock::now(tx)?;
        let mut rows = Vec::new();
        for account in demo_accounts(tx)? {
            let needs = hosted_rules::needs_relink(&account, now);
            let refusal = if needs {
                hosted_rules::email_ineligibility(tx, &state.settings, &account, now)?
                    .map(|e| e.message)
            } else {
                Some(
                    "The account is active, not expected to stop working, and its account \
                     numbers are not expiring."
                        .into(),
                )
            };
            rows.push(json!({
                "account": account.id,
                "display_name": account.display_name,
                "institution_name": account.institution_name,
                "last4": account.last4,
                "status": account.status,
                "expected_deactivation_date": account.expected_deactivation_date(),
                "eligible": refusal.is_none(),
                "reason": refusal,
            }));
        }
        Ok(json!({"accounts": rows}))
    })?;
    Ok(Json(body))
}

/// The dashboard's "Request relink": one hosted email session per selected eligible account.
async fn request_relink(
    State(state): State<AppState>,
    FormOrJson(mut params): FormOrJson,
) -> ApiResult<Json<Value>> {
    let accounts = params.take_list(&["accounts"])?;
    params.finish()?;
    if accounts.is_empty() {
        return Err(ApiError::missing("accounts"));
    }
    let mut requested = Vec::new();
    let mut skipped = Vec::new();
    for account_id in accounts {
        // One transaction per account: a refusal for one does not undo the others.
        let outcome = state
            .store
            .transaction(|tx| hosted_relink::request_by_email(tx, &state.settings, &account_id));
        match outcome {
            Ok(session) => requested.push(json!({"account": account_id, "session": session})),
            Err(err) => skipped.push(json!({"account": account_id, "reason": err.message})),
        }
    }
    Ok(Json(json!({"requested": requested, "skipped": skipped})))
}

/// The relink emails the sandbox "sent", newest first, for the dashboard's outbox.
async fn emails(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let emails = state.store.transaction(outbox::emails)?;
    let mut emails: Vec<Value> = emails.iter().map(Email::to_json).collect();
    emails.reverse();
    Ok(Json(json!({"emails": emails})))
}
