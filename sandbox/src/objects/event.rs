//! Events (`evt_…`): what changed, recorded as it happens.
//!
//! Objects are captured in the sandbox's preview API version when the event happens, the way
//! Stripe snapshots `data.object`, and rendered in the reader's API version: the request's for
//! `GET /v1/events`, the endpoint's for a webhook. Recording an event queues its webhook
//! deliveries in the [`outbox`] in the same transaction, so neither exists
//! without the other.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock;
use crate::error::ApiResult;
use crate::ids;
use crate::objects::webhook_endpoint::WebhookEndpoint;
use crate::outbox;
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
    /// Records an event about `object` (already rendered in the preview version) and queues it
    /// for every webhook endpoint that wants its type.
    pub fn record(
        tx: &Tx<'_>,
        event_type: &str,
        object: Value,
        previous_attributes: Option<Value>,
    ) -> ApiResult<()> {
        let mut event = Event {
            id: ids::new_id("evt"),
            created: clock::now(tx)?,
            event_type: event_type.to_owned(),
            object,
            previous_attributes,
            pending_webhooks: 0,
        };
        for endpoint in tx.all::<WebhookEndpoint>()? {
            if endpoint.wants(&event.event_type) {
                outbox::queue_delivery(tx, &endpoint.id, &event.id, event.created)?;
                event.pending_webhooks += 1;
            }
        }
        tx.put(&event)
    }

    /// The event as a reader with `api_version` sees it: a GA version sees no preview fields
    /// inside it either.
    pub fn to_json(&self, api_version: &str) -> Value {
        let mut body = json!({
            "id": self.id,
            "object": "event",
            "api_version": api_version,
            "created": self.created,
            "data": {
                "object": self.object,
                "previous_attributes": self.previous_attributes,
            },
            "livemode": false,
            "pending_webhooks": self.pending_webhooks,
            "request": {"id": null, "idempotency_key": null},
            "type": self.event_type,
        });
        if !ApiVersion(api_version.to_owned()).is_preview() {
            strip_preview_fields(&mut body["data"]["object"]);
        }
        body
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let ga = event.to_json("2025-03-31.basil");
        assert_eq!(ga["api_version"], "2025-03-31.basil");
        assert!(ga["data"]["object"].get("status_details").is_none());
        let preview = event.to_json("2026-04-22.preview");
        assert_eq!(
            preview["data"]["object"]["status_details"]["inactive"]["action"],
            "relink_required"
        );
    }
}
