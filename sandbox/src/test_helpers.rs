//! The test-only control plane under `/v1/test_helpers/`: act as the end user, the bank or
//! the passing of time, and read what the sandbox sent (emails, webhook deliveries).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use relink::model::InactiveCause;
use serde_json::{Value, json};

use crate::auth::{Scope, SecretKey};
use crate::clock::{self, MAX_ADVANCE_SECS};
use crate::error::{ApiError, ApiResult};
use crate::form::{Params, parse_enum};
use crate::http::state::AppState;
use crate::list::list_object;
use crate::objects::event::Event;
use crate::objects::institutions::{self, Behaviour, Institution};
use crate::objects::relink_rules::Authentication;
use crate::objects::session::{ClientSecret, Session};
use crate::objects::status_details::Upcoming;
use crate::objects::webhook_endpoint::WebhookEndpoint;
use crate::outbox::{self, Email};
use crate::store::Tx;
use crate::version::ApiVersion;
use crate::workflows::finish_session::{self, Attempt};
use crate::workflows::tan_expiry::{self, TanChange};
use crate::workflows::time;
use crate::workflows::{account_status, expected_deactivation};

/// Routes under `/v1/test_helpers/`.
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
        .route(
            "/v1/test_helpers/financial_connections/authorizations/{id}/schedule_deactivation",
            post(schedule_deactivation),
        )
        .route(
            "/v1/test_helpers/clock",
            get(read_clock).post(advance_clock),
        )
        .route(
            "/v1/test_helpers/financial_connections/institutions/{id}/outage",
            post(institution_outage),
        )
        .route("/v1/test_helpers/emails", get(list_emails))
        .route("/v1/test_helpers/events/{id}/deliveries", get(delivery_log))
}

async fn complete_session(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let institution = params.take_str(&["institution"])?;
    let authentication = read_authentication(&mut params)?;
    let picked = params.take_list(&["accounts"])?;
    params.finish()?;
    let body = state.transaction(&scope, |tx| {
        let session = tx.fetch::<Session>(&id, Some("id"))?;
        let institution = institution_for(tx, &session, institution.as_deref())?;
        // A bank that is down never answers, whatever the customer would have done.
        let authentication = if institutions::is_down(tx, institution)? {
            Authentication::InstitutionDown
        } else {
            authentication
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
        session.render(tx, &version, ClientSecret::Null)
    })?;
    Ok(Json(body))
}

/// `authentication`: how the customer's login went (default `succeeded`).
fn read_authentication(params: &mut Params) -> ApiResult<Authentication> {
    match params.take_str(&["authentication"])?.as_deref() {
        None | Some("succeeded") => Ok(Authentication::Succeeded),
        Some("failed") => Ok(Authentication::Failed),
        Some("abandoned") => Ok(Authentication::Abandoned),
        // A sandbox extension: the bank is down during this attempt, at any institution, so
        // that `failure_reason: "other"` can be tested on accounts linked anywhere.
        Some("institution_down") => Ok(Authentication::InstitutionDown),
        Some(other) => Err(ApiError::invalid_param(
            "authentication",
            format!(
                "Invalid authentication: must be one of succeeded, failed, abandoned, \
                 institution_down (got {other})."
            ),
        )),
    }
}

/// Where the customer logs in: a relink session's own institution (which `institution` may
/// not override), the one named, or Sandbox Bank.
fn institution_for(
    tx: &Tx<'_>,
    session: &Session,
    wanted: Option<&str>,
) -> ApiResult<&'static Institution> {
    match (session.fixed_institution(tx)?, wanted) {
        (Some(_), Some(_)) => Err(ApiError::invalid_param(
            "institution",
            "Relink sessions are fixed to their authorization's institution; \
             omit institution.",
        )),
        (Some(fixed), None) => Ok(fixed),
        (None, Some(wanted)) => institutions::find(wanted)
            .ok_or_else(|| ApiError::no_such("institution", wanted, Some("institution"))),
        (None, None) => Ok(&institutions::ALL[0]),
    }
}

async fn deactivate_account(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let cause = read_cause(&mut params)?;
    params.finish()?;
    let account = state.transaction(&scope, |tx| account_status::deactivate(tx, &id, cause))?;
    Ok(Json(account.to_json(&version)))
}

/// Takes a bank down (`status=down`) or brings it back (`status=up`): while it is down, logging
/// in there fails as at Down Bank, so a relink (fixed to its bank) can end with `other` in the
/// browser too. Answers the institution as the link flow describes it.
async fn institution_outage(
    _: SecretKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<relink::wire::Institution>> {
    let status = params.require_str(&["status"])?;
    params.finish()?;
    let down = match status.as_str() {
        "down" => true,
        "up" => false,
        other => {
            return Err(ApiError::invalid_param(
                "status",
                format!("Invalid status: must be down or up (got {other})."),
            ));
        }
    };
    let institution =
        institutions::find(&id).ok_or_else(|| ApiError::no_such("institution", &id, Some("id")))?;
    if !down && institution.behaviour == Behaviour::Down {
        return Err(ApiError::invalid_param(
            "status",
            format!(
                "{} is always down; it cannot be brought up.",
                institution.name
            ),
        ));
    }
    let body = state.store.transaction(|tx| {
        institutions::set_outage(tx, institution, down)?;
        institutions::describe(tx, institution)
    })?;
    Ok(Json(body))
}

/// Reads the optional `cause` parameter, defaulting to `access_expired`.
pub fn read_cause(params: &mut Params) -> ApiResult<InactiveCause> {
    Ok(params
        .take_str(&["cause"])?
        .map(|raw| parse_enum::<InactiveCause>("cause", &raw))
        .transpose()?
        .unwrap_or(InactiveCause::AccessExpired))
}

async fn expire_account_numbers(
    _: SecretKey,
    scope: Scope,
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
    let account = state.transaction(&scope, |tx| tan_expiry::change_tans(tx, &id, change))?;
    Ok(Json(account.to_json(&version)))
}

/// `POST …/authorizations/{id}/schedule_deactivation`: act as a bank whose consent lapses.
/// `expected_deactivation_date` (Unix seconds; sent empty, it clears the date) and `cause`
/// (`access_expired`, the default, `institution_requirement` or `unspecified`). A date within
/// the notice window is announced at once; one already past deactivates at once.
async fn schedule_deactivation(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let param = "expected_deactivation_date";
    if !params.contains(&[param]) {
        return Err(ApiError::missing(param));
    }
    let date = params
        .take_str(&[param])?
        .map(|raw| {
            raw.parse::<i64>().map_err(|_| {
                ApiError::invalid_param(param, format!("Invalid integer: {raw}"))
                    .with_code("parameter_invalid_integer")
            })
        })
        .transpose()?;
    let cause = read_cause(&mut params)?;
    params.finish()?;
    if !Upcoming::CAUSES.contains(&cause) {
        return Err(ApiError::invalid_param(
            "cause",
            format!(
                "Invalid cause: a working connection stops for access_expired, \
                 institution_requirement or unspecified (got {cause})."
            ),
        ));
    }
    let upcoming = date.map(|expected_deactivation_date| Upcoming {
        cause,
        expected_deactivation_date,
    });
    let authorization = state.transaction(&scope, |tx| {
        expected_deactivation::schedule(tx, &id, upcoming, clock::now(tx)?)
    })?;
    Ok(Json(authorization.to_json(&version)))
}

fn clock_json(tx: &Tx<'_>) -> ApiResult<Value> {
    Ok(json!({
        "object": "test_helpers.sandbox_clock",
        "now": clock::now(tx)?,
        "offset_seconds": clock::offset(tx)?,
    }))
}

async fn read_clock(
    _: SecretKey,
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    Ok(Json(state.store.transaction(clock_json)?))
}

async fn advance_clock(
    _: SecretKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let seconds = params
        .take_u32(&["seconds"])?
        .ok_or_else(|| ApiError::missing("seconds"))?;
    params.finish()?;
    if seconds > MAX_ADVANCE_SECS {
        return Err(ApiError::invalid_param(
            "seconds",
            format!("The clock advances at most {MAX_ADVANCE_SECS} seconds at a time."),
        ));
    }
    let body = state.store.transaction(|tx| {
        time::advance_clock(tx, seconds)?;
        clock_json(tx)
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

/// `GET /v1/test_helpers/events/{id}/deliveries`: for each endpoint the event went to, every
/// attempt with its HTTP status (`null` when the endpoint could not be reached, with the
/// connection or TLS `error` instead), and whether and when it was delivered.
async fn delivery_log(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let body = state.transaction(&scope, |tx| {
        tx.fetch::<Event>(&id, Some("id"))?;
        let mut data = Vec::new();
        for logged in outbox::delivery_log(tx, &id)? {
            // A Connect endpoint belongs to the platform, not to the event's account.
            let url = tx
                .get_anywhere::<WebhookEndpoint>(&logged.endpoint_id)?
                .map(|e| e.url);
            let attempts: Vec<Value> = logged
                .attempts
                .iter()
                .map(|a| {
                    json!({"attempted_at": a.attempted_at, "status": a.status, "error": a.error})
                })
                .collect();
            data.push(json!({
                "object": "test_helpers.webhook_delivery",
                "webhook_endpoint": logged.endpoint_id,
                "url": url,
                "delivered": logged.delivered_at.is_some(),
                "delivered_at": logged.delivered_at,
                "next_attempt_at": logged.next_attempt_at,
                "attempts": attempts,
            }));
        }
        Ok(list_object(
            data,
            false,
            &format!("/v1/test_helpers/events/{id}/deliveries"),
        ))
    })?;
    Ok(Json(body))
}
