//! Events (`evt_…`): what changed, recorded as it happens and listed at `/v1/events`.
//!
//! Objects are captured in the sandbox's preview API version when the event happens, the way
//! Stripe snapshots `data.object`; [`webhooks`](crate::webhooks) delivers them, rendered in
//! each endpoint's API version.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::SecretKey;
use crate::config::DEFAULT_API_VERSION;
use crate::error::ApiResult;
use crate::form::Params;
use crate::ids;
use crate::list::{Cursor, list_object, paginate};
use crate::store::{Document, Tx};
use crate::version::ApiVersion;

/// `financial_connections.account.deactivated`.
pub const ACCOUNT_DEACTIVATED: &str = "financial_connections.account.deactivated";
/// `financial_connections.account.reactivated`.
pub const ACCOUNT_REACTIVATED: &str = "financial_connections.account.reactivated";
/// `financial_connections.account.disconnected`.
pub const ACCOUNT_DISCONNECTED: &str = "financial_connections.account.disconnected";
/// `financial_connections.account.upcoming_account_number_expiry`.
pub const UPCOMING_ACCOUNT_NUMBER_EXPIRY: &str =
    "financial_connections.account.upcoming_account_number_expiry";
/// `financial_connections.account.account_numbers_updated`.
pub const ACCOUNT_NUMBERS_UPDATED: &str = "financial_connections.account.account_numbers_updated";
/// `financial_connections.session.updated`.
pub const SESSION_UPDATED: &str = "financial_connections.session.updated";

/// A recorded event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    /// `evt_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// `type`, e.g. `financial_connections.account.reactivated`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// `data.object`: the object after the change.
    pub object: Value,
    /// `data.previous_attributes`: the changed fields' old values.
    pub previous_attributes: Option<Value>,
    /// How many webhook endpoints it was queued for.
    #[serde(default)]
    pub pending_webhooks: usize,
}

impl Document for Event {
    const KIND: &'static str = "event";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Event {
    /// The API representation.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "object": "event",
            "api_version": DEFAULT_API_VERSION,
            "created": self.created,
            "data": {
                "object": self.object,
                "previous_attributes": self.previous_attributes,
            },
            "livemode": false,
            "pending_webhooks": self.pending_webhooks,
            "request": {"id": null, "idempotency_key": null},
            "type": self.event_type,
        })
    }
}

/// Records an event.
pub fn emit(
    tx: &Tx<'_>,
    event_type: &str,
    object: Value,
    previous_attributes: Option<Value>,
) -> ApiResult<()> {
    let mut event = Event {
        id: ids::new_id("evt"),
        created: crate::clock::now(tx)?,
        event_type: event_type.to_owned(),
        object,
        previous_attributes,
        pending_webhooks: 0,
    };
    // Queued in the same transaction as the event itself, so neither exists without the other.
    event.pending_webhooks = crate::webhooks::enqueue(tx, &event)?;
    tx.put(&event)
}

/// Routes under `/v1/events`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/events", get(list))
        .route("/v1/events/{id}", get(retrieve))
}

async fn list(
    _: SecretKey,
    version: ApiVersion,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let event_type = params.take_str(&["type"])?;
    let cursor = Cursor::take(&mut params)?;
    params.finish()?;
    cursor.check()?;
    let events: Vec<Event> = state.store.transaction(|tx| tx.all())?;
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
            .map(|event| crate::webhooks::render_for(event, &version.0))
            .collect(),
        page.has_more,
        "/v1/events",
    )))
}

async fn retrieve(
    _: SecretKey,
    version: ApiVersion,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let event = state
        .store
        .transaction(|tx| tx.fetch::<Event>(&id, Some("id")))?;
    Ok(Json(crate::webhooks::render_for(&event, &version.0)))
}
