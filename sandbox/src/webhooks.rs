//! Webhook endpoints (`we_…`) and signed, retried, persistent event delivery.
//!
//! Every event is queued in SQLite for each endpoint that wants it, in the same transaction
//! that records the event, so a delivery cannot be lost by a crash or a restart. A background
//! worker posts due deliveries signed the way Stripe signs them
//! (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`), and retries
//! failures with exponential backoff. Payloads are rendered in the endpoint's `api_version`,
//! so a GA endpoint does not see preview fields — the case the seeds' webhook sample checks.
//!
//! The sandbox delivers over plain `http://` only; it is a local development tool.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::AppState;
use crate::auth::SecretKey;
use crate::config::DEFAULT_API_VERSION;
use crate::error::{ApiError, ApiResult};
use crate::events::Event;
use crate::form::Params;
use crate::ids;
use crate::list::list_object;
use crate::outbox::{self, Delivery};
use crate::store::{Document, Store, Tx};
use crate::version::ApiVersion;

/// A webhook endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    /// `we_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// Where events are posted.
    pub url: String,
    /// Event types it wants; `*` means all.
    pub enabled_events: Vec<String>,
    /// The API version payloads are rendered in.
    pub api_version: String,
    /// `whsec_…`, the signing secret.
    pub secret: String,
    /// Free text.
    pub description: Option<String>,
}

impl Document for WebhookEndpoint {
    const KIND: &'static str = "webhook_endpoint";
    fn id(&self) -> &str {
        &self.id
    }
}

impl WebhookEndpoint {
    /// Whether the endpoint wants events of this type.
    pub fn wants(&self, event_type: &str) -> bool {
        self.enabled_events
            .iter()
            .any(|e| e == "*" || e == event_type)
    }

    /// The API representation; the secret is shown only when the endpoint is created.
    pub fn to_json(&self, with_secret: bool) -> Value {
        let mut out = json!({
            "id": self.id,
            "object": "webhook_endpoint",
            "api_version": self.api_version,
            "created": self.created,
            "description": self.description,
            "enabled_events": self.enabled_events,
            "livemode": false,
            "metadata": {},
            "status": "enabled",
            "url": self.url,
        });
        if with_secret {
            out["secret"] = json!(self.secret);
        }
        out
    }
}

/// Removes the preview-only fields from a rendered object, for GA API versions.
pub fn strip_preview_fields(object: &mut Value) {
    let kind = object["object"].as_str().unwrap_or_default().to_owned();
    let Some(map) = object.as_object_mut() else {
        return;
    };
    match kind.as_str() {
        "financial_connections.account" => {
            map.remove("authorization");
            map.remove("status_details");
        }
        "financial_connections.session" => {
            map.remove("relink_options");
            map.remove("relink_result");
            map.remove("status");
            if let Some(Value::Array(accounts)) =
                map.get_mut("accounts").and_then(|a| a.get_mut("data"))
            {
                accounts.iter_mut().for_each(strip_preview_fields);
            }
        }
        _ => {}
    }
}

/// The event as an endpoint with `api_version` receives it.
pub fn render_for(event: &Event, api_version: &str) -> Value {
    let mut body = event.to_json();
    body["api_version"] = json!(api_version);
    if !ApiVersion(api_version.to_owned()).is_preview() {
        strip_preview_fields(&mut body["data"]["object"]);
    }
    body
}

/// Queues `event` for every endpoint that wants it; returns how many.
pub fn enqueue(tx: &Tx<'_>, event: &Event) -> ApiResult<usize> {
    let mut queued = 0;
    for endpoint in tx.all::<WebhookEndpoint>()? {
        if endpoint.wants(&event.event_type) {
            outbox::queue_delivery(tx, &endpoint.id, &event.id, event.created)?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// The `Stripe-Signature` header for `body` signed at `timestamp`.
pub fn signature_header(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot run.
        Err(_) => return format!("t={timestamp}"),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

/// One delivery due now, with what sending it takes.
#[derive(Debug)]
struct Due {
    delivery: Delivery,
    url: String,
    secret: String,
    body: String,
}

fn take_due(tx: &Tx<'_>, now: i64) -> ApiResult<Vec<Due>> {
    let queued = outbox::due_deliveries(tx, now)?;
    let mut due = Vec::with_capacity(queued.len());
    for delivery in queued {
        let (Some(endpoint), Some(event)) = (
            tx.get::<WebhookEndpoint>(&delivery.endpoint_id)?,
            tx.get::<Event>(&delivery.event_id)?,
        ) else {
            // The endpoint was deleted: nothing to deliver to.
            outbox::discard(tx, &delivery)?;
            continue;
        };
        due.push(Due {
            delivery,
            url: endpoint.url.clone(),
            secret: endpoint.secret.clone(),
            body: render_for(&event, &endpoint.api_version).to_string(),
        });
    }
    Ok(due)
}

/// Delivers every due webhook once; returns how many were delivered successfully.
pub async fn deliver_due(store: &Store) -> ApiResult<usize> {
    let due = store.transaction(|tx| take_due(tx, crate::clock::now(tx)?))?;
    let mut delivered = 0;
    for delivery in due {
        // The signature timestamp is real time, not sandbox time: Stripe's SDKs check it
        // against the receiving machine's clock.
        let signature = signature_header(&delivery.secret, ids::now(), &delivery.body);
        let status = post_json(&delivery.url, &delivery.body, &signature).await;
        if outbox::is_accepted(status) {
            delivered += 1;
        } else {
            tracing::info!(url = %delivery.url, ?status, "webhook delivery failed; will retry");
        }
        store.transaction(|tx| {
            outbox::record_attempt(tx, &delivery.delivery, status, crate::clock::now(tx)?)
        })?;
    }
    Ok(delivered)
}

/// Runs delivery every second until `shutdown` resolves. Undelivered events stay queued in the
/// database and go out after the next start.
pub async fn run_worker(store: Store, shutdown: impl std::future::Future<Output = ()>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = tick.tick() => {
                if let Err(err) = deliver_due(&store).await {
                    tracing::error!(%err, "webhook delivery pass failed");
                }
            }
        }
    }
}

/// Splits `http://host:port/path` into the address to connect to and the request target.
fn parse_http_url(url: &str) -> Option<(String, String, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let address = if authority.starts_with('[') || authority.rsplit_once(':').is_some() {
        if authority.ends_with(']') {
            format!("{authority}:80")
        } else {
            authority.to_owned()
        }
    } else {
        format!("{authority}:80")
    };
    Some((address, authority.to_owned(), path.to_owned()))
}

/// POSTs a JSON body and returns the response status, or `None` if the endpoint could not be
/// reached in time. A deliberately small HTTP/1.1 client: one request per connection.
async fn post_json(url: &str, body: &str, signature: &str) -> Option<u16> {
    let (address, host, path) = parse_http_url(url)?;
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(&address).await.ok()?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\n\
             Content-Type: application/json; charset=utf-8\r\nStripe-Signature: {signature}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = vec![0_u8; 64];
        let read = stream.read(&mut head).await.ok()?;
        let line = String::from_utf8_lossy(&head[..read]).into_owned();
        line.split_whitespace().nth(1)?.parse::<u16>().ok()
    };
    tokio::time::timeout(Duration::from_secs(10), attempt)
        .await
        .ok()
        .flatten()
}

/// Routes under `/v1/webhook_endpoints`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/webhook_endpoints", post(create).get(list))
        .route("/v1/webhook_endpoints/{id}", get(retrieve).delete(delete))
        .route("/v1/test_helpers/events/{id}/deliveries", get(delivery_log))
}

async fn create(
    _: SecretKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    let url = params.require_str(&["url"])?;
    let enabled_events = params.take_list(&["enabled_events"])?;
    let api_version = params.take_str(&["api_version"])?;
    let description = params.take_str(&["description"])?;
    params.finish()?;
    if enabled_events.is_empty() {
        return Err(ApiError::missing("enabled_events"));
    }
    if parse_http_url(&url).is_none() {
        return Err(ApiError::invalid_param(
            "url",
            "The sandbox delivers webhooks over plain http; use a URL like \
             http://localhost:3000/webhook.",
        ));
    }
    let api_version = api_version.unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
    let endpoint = state.store.transaction(|tx| {
        let endpoint = WebhookEndpoint {
            id: ids::new_id("we"),
            created: crate::clock::now(tx)?,
            url,
            enabled_events,
            api_version,
            secret: ids::new_id("whsec"),
            description,
        };
        tx.put(&endpoint)?;
        Ok(endpoint)
    })?;
    Ok(Json(endpoint.to_json(true)))
}

async fn list(
    _: SecretKey,
    State(state): State<AppState>,
    mut params: Params,
) -> ApiResult<Json<Value>> {
    params.take_u32(&["limit"])?;
    params.finish()?;
    let endpoints: Vec<WebhookEndpoint> = state.store.transaction(|tx| tx.all())?;
    Ok(Json(list_object(
        endpoints.iter().map(|e| e.to_json(false)).collect(),
        false,
        "/v1/webhook_endpoints",
    )))
}

async fn retrieve(
    _: SecretKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let endpoint = state
        .store
        .transaction(|tx| tx.fetch::<WebhookEndpoint>(&id, Some("id")))?;
    Ok(Json(endpoint.to_json(false)))
}

async fn delete(
    _: SecretKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    state.store.transaction(|tx| {
        tx.fetch::<WebhookEndpoint>(&id, Some("id"))?;
        tx.delete::<WebhookEndpoint>(&id)?;
        outbox::cancel_undelivered(tx, &id)
    })?;
    Ok(Json(
        json!({"id": id, "object": "webhook_endpoint", "deleted": true}),
    ))
}

/// `GET /v1/test_helpers/events/{id}/deliveries`: for each endpoint the event went to, every
/// attempt with its HTTP status (`null` when the endpoint could not be reached), and whether and
/// when it was delivered.
async fn delivery_log(
    _: SecretKey,
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    params.finish()?;
    let body = state.store.transaction(|tx| {
        tx.fetch::<Event>(&id, Some("id"))?;
        let mut data = Vec::new();
        for logged in outbox::delivery_log(tx, &id)? {
            let url = tx
                .get::<WebhookEndpoint>(&logged.endpoint_id)?
                .map(|e| e.url);
            let attempts: Vec<Value> = logged
                .attempts
                .iter()
                .map(|a| json!({"attempted_at": a.attempted_at, "status": a.status}))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_stripes_scheme() {
        // Expected value from Python: hmac.new(b"whsec_test", b"1700000000.{}", sha256).
        assert_eq!(
            signature_header("whsec_test", 1_700_000_000, "{}"),
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            parse_http_url("http://localhost:3000/hook"),
            Some((
                "localhost:3000".into(),
                "localhost:3000".into(),
                "/hook".into()
            ))
        );
        assert_eq!(
            parse_http_url("http://example.test"),
            Some(("example.test:80".into(), "example.test".into(), "/".into()))
        );
        assert_eq!(parse_http_url("https://example.test/"), None);
        assert_eq!(parse_http_url("http:///x"), None);
    }

    #[test]
    fn ga_payloads_lose_preview_fields() {
        let event = Event {
            id: "evt_1".into(),
            created: 1,
            event_type: "financial_connections.account.deactivated".into(),
            object: json!({"object": "financial_connections.account", "id": "fca_1",
                "status": "inactive", "authorization": "fcauth_1",
                "status_details": {"inactive": {"action": "relink_required", "cause": "access_expired"}}}),
            previous_attributes: None,
            pending_webhooks: 1,
        };
        let ga = render_for(&event, "2025-03-31.basil");
        assert_eq!(ga["api_version"], "2025-03-31.basil");
        assert!(ga["data"]["object"].get("status_details").is_none());
        let preview = render_for(&event, "2026-04-22.preview");
        assert_eq!(
            preview["data"]["object"]["status_details"]["inactive"]["action"],
            "relink_required"
        );
    }
}
