//! `/v1/events`: the event log, rendered in the request's API version.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::{Scope, SecretKey};
use crate::error::ApiResult;
use crate::form::Params;
use crate::http::state::AppState;
use crate::list::{Cursor, list_object, paginate};
use crate::objects::event::Event;
use crate::version::ApiVersion;

/// Routes under `/v1/events`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/events", get(list))
        .route("/v1/events/{id}", get(retrieve))
}

async fn list(
    _: SecretKey,
    scope: Scope,
    version: ApiVersion,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let event_type = params.take_str(&["type"])?;
    let cursor = Cursor::take(&mut params)?;
    params.finish()?;
    cursor.check()?;
    let events: Vec<Event> = state.transaction(&scope, |tx| tx.all())?;
    // `type` accepts a trailing `*` wildcard, as Stripe's does.
    let events = events
        .into_iter()
        .filter(|e| match event_type.as_deref() {
            None => true,
            Some(pattern) => match pattern.strip_suffix('*') {
                Some(prefix) => e.event_type.starts_with(prefix),
                None => e.event_type == pattern,
            },
        })
        .collect();
    let page = paginate(events, &cursor)?;
    Ok(Json(list_object(
        // Rendered in the request's version, like every other object: a GA client sees no
        // preview fields inside the events either.
        page.items
            .iter()
            .map(|event| event.to_json(&version))
            .collect(),
        page.has_more,
        "/v1/events",
    )))
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
    let event = state.transaction(&scope, |tx| tx.fetch::<Event>(&id, Some("id")))?;
    Ok(Json(event.to_json(&version)))
}
