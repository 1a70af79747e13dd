//! `/v1/webhook_endpoints`: where the merchant wants events delivered.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::auth::{Scope, SecretKey};
use crate::clock;
use crate::config::DEFAULT_API_VERSION;
use crate::error::{ApiError, ApiResult};
use crate::form::Params;
use crate::http::state::AppState;
use crate::ids;
use crate::list::{Cursor, list_object, paginate};
use crate::objects::event_types;
use crate::objects::webhook_endpoint::{WebhookEndpoint, is_deliverable_url};
use crate::outbox;
use crate::version::ApiVersion;

/// Routes under `/v1/webhook_endpoints`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webhook_endpoints", post(create).get(list))
        .route("/v1/webhook_endpoints/{id}", get(retrieve).delete(delete))
}

async fn create(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let url = params.require_str(&["url"])?;
    let enabled_events = params.take_list(&["enabled_events"])?;
    let api_version = params.take_str(&["api_version"])?;
    let description = params.take_str(&["description"])?;
    let connect = params.take_bool(&["connect"])?.unwrap_or(false);
    params.finish()?;
    if enabled_events.is_empty() {
        return Err(ApiError::missing("enabled_events"));
    }
    check_enabled_events(&enabled_events)?;
    if !is_deliverable_url(&url) {
        return Err(ApiError::invalid_param(
            "url",
            "Invalid URL: webhooks go to an http:// or https:// URL with a host, like \
             https://example.com/webhook or http://localhost:3000/webhook.",
        ));
    }
    let endpoint = state.transaction(&scope, |tx| {
        let api_version = match api_version {
            None => DEFAULT_API_VERSION.to_owned(),
            Some(sent) => {
                ApiVersion::parse(&sent, || clock::now(tx))
                    .map_err(|err| match err {
                        Ok(refused) => refused.to_api_error(&sent, Some("api_version")),
                        Err(failed) => failed,
                    })?
                    .0
            }
        };
        let endpoint = WebhookEndpoint {
            id: ids::new_id("we"),
            created: clock::now(tx)?,
            url,
            enabled_events,
            api_version,
            secret: ids::new_id("whsec"),
            description,
            connect,
        };
        tx.put(&endpoint)?;
        Ok(endpoint)
    })?;
    Ok(Json(endpoint.to_json(true)))
}

/// Every item of `enabled_events[]` is `*` or a type in Stripe's catalog, exactly as spelled
/// there: a typo would otherwise subscribe to nothing, silently.
fn check_enabled_events(enabled_events: &[String]) -> ApiResult<()> {
    match enabled_events
        .iter()
        .find(|e| *e != "*" && !event_types::exists(e))
    {
        Some(unknown) => Err(ApiError::invalid_param(
            "enabled_events",
            format!(
                "Invalid enabled_events: `{}` is not an event type. Use the types Stripe \
                 lists at https://docs.stripe.com/api/events/types, or `*` for every event.",
                unknown.chars().take(100).collect::<String>()
            ),
        )),
        None => Ok(()),
    }
}

async fn list(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let cursor = Cursor::take(&mut params)?;
    params.finish()?;
    cursor.check()?;
    let endpoints: Vec<WebhookEndpoint> = state.transaction(&scope, |tx| tx.all())?;
    let page = paginate(endpoints, &cursor)?;
    Ok(Json(list_object(
        page.items.iter().map(|e| e.to_json(false)).collect(),
        page.has_more,
        "/v1/webhook_endpoints",
    )))
}

async fn retrieve(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let endpoint = state.transaction(&scope, |tx| tx.fetch::<WebhookEndpoint>(&id, Some("id")))?;
    Ok(Json(endpoint.to_json(false)))
}

async fn delete(
    _: SecretKey,
    scope: Scope,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    state.transaction(&scope, |tx| {
        tx.fetch::<WebhookEndpoint>(&id, Some("id"))?;
        tx.delete::<WebhookEndpoint>(&id)?;
        outbox::cancel_undelivered(tx, &id)
    })?;
    Ok(Json(
        json!({"id": id, "object": "webhook_endpoint", "deleted": true}),
    ))
}
