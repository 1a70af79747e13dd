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
use crate::objects::account::Account;
use crate::objects::authorization::Authorization;
use crate::objects::session::Session;
use crate::objects::webhook_endpoint::WebhookEndpoint;
use crate::outbox;
use crate::store::{Document, PLATFORM, Tx};
use crate::version::{ApiVersion, PreviewFields};

/// The objects events capture, whose preview fields a GA reader must not see in them.
const CAPTURED: &[&PreviewFields] = &[
    &Account::PREVIEW,
    &Authorization::PREVIEW,
    &Session::PREVIEW,
];

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
/// `financial_connections.account.upcoming_deactivation`.
pub const ACCOUNT_UPCOMING_DEACTIVATION: &str =
    "financial_connections.account.upcoming_deactivation";
/// `financial_connections.account.expected_deactivation_date_updated`.
pub const ACCOUNT_EXPECTED_DEACTIVATION_DATE_UPDATED: &str =
    "financial_connections.account.expected_deactivation_date_updated";
/// `financial_connections.authorization.upcoming_deactivation`.
pub const AUTHORIZATION_UPCOMING_DEACTIVATION: &str =
    "financial_connections.authorization.upcoming_deactivation";
/// `financial_connections.authorization.expected_deactivation_date_updated`.
pub const AUTHORIZATION_EXPECTED_DEACTIVATION_DATE_UPDATED: &str =
    "financial_connections.authorization.expected_deactivation_date_updated";

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
    /// The connected account (`acct_…`) it happened on; `None` on the platform.
    #[serde(default)]
    pub account: Option<String>,
}

impl Document for Event {
    const KIND: &'static str = "event";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Event {
    /// Records an event about `object` (already rendered in the preview version) in the
    /// transaction's account, and queues it for every webhook endpoint that wants its type:
    /// that account's own endpoints, and for a connected account also the platform's Connect
    /// endpoints (`connect=true`), as on Stripe.
    pub fn record(
        tx: &Tx<'_>,
        event_type: &str,
        object: Value,
        previous_attributes: Option<Value>,
    ) -> ApiResult<()> {
        let connected = tx.owner() != PLATFORM;
        let mut event = Event {
            id: ids::new_id("evt"),
            created: clock::now(tx)?,
            event_type: event_type.to_owned(),
            object,
            previous_attributes,
            pending_webhooks: 0,
            account: connected.then(|| tx.owner().to_owned()),
        };
        let mut endpoints: Vec<WebhookEndpoint> = tx
            .all::<WebhookEndpoint>()?
            .into_iter()
            .filter(|e| !e.connect)
            .collect();
        if connected {
            let platform = tx.platform().all::<WebhookEndpoint>()?;
            endpoints.extend(platform.into_iter().filter(|e| e.connect));
        }
        for endpoint in endpoints {
            if endpoint.wants(&event.event_type) {
                outbox::queue_delivery(tx, &endpoint.id, &event.id, event.created)?;
                event.pending_webhooks += 1;
            }
        }
        tx.put(&event)
    }

    /// The event as a reader with `version` sees it: a GA version sees no preview fields
    /// inside it either.
    pub fn to_json(&self, version: &ApiVersion) -> Value {
        let mut body = json!({
            "id": self.id,
            "object": "event",
            "api_version": version.0,
            "created": self.created,
            "data": {"object": self.object},
            "livemode": false,
            "pending_webhooks": self.pending_webhooks,
            "request": {"id": null, "idempotency_key": null},
            "type": self.event_type,
        });
        if let Some(account) = &self.account {
            body["account"] = json!(account);
        }
        version.hide_captured_preview_fields(&mut body["data"]["object"], CAPTURED);
        // Optional in Stripe's declarations, and absent rather than null for events that
        // changed no earlier value. The old values are fields of the same object, and lose the
        // same preview fields.
        if let Some(previous) = &self.previous_attributes {
            let mut previous = previous.clone();
            if let Some(declared) = CAPTURED
                .iter()
                .find(|d| Some(d.object) == self.object_kind())
            {
                version.hide_preview_fields(&mut previous, declared);
            }
            body["data"]["previous_attributes"] = previous;
        }
        body
    }

    fn object_kind(&self) -> Option<&str> {
        self.object.get("object").and_then(Value::as_str)
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
            account: None,
        };
        let ga = event.to_json(&ApiVersion("2025-03-31.basil".into()));
        assert_eq!(ga["api_version"], "2025-03-31.basil");
        assert!(ga["data"]["object"].get("status_details").is_none());
        let preview = event.to_json(&ApiVersion::preview());
        assert_eq!(
            preview["data"]["object"]["status_details"]["inactive"]["action"],
            "relink_required"
        );
    }

    #[test]
    fn ga_payloads_lose_the_sessions_and_its_accounts_preview_fields_and_old_values() {
        let event = Event {
            id: "evt_2".into(),
            created: 1,
            // No event in Stripe's catalog carries a session; the rendering still must not
            // depend on which kinds of object an event nests.
            event_type: "financial_connections.account.reactivated".into(),
            object: json!({"object": "financial_connections.session", "id": "fcsess_1",
                "ui_mode": "hosted", "hosted": {"delivery_method": "url"}, "url": "http://x",
                "status": "succeeded", "relink_options": null, "relink_result": null,
                "accounts": {"object": "list", "data": [
                    {"object": "financial_connections.account", "id": "fca_1",
                     "authorization": "fcauth_1", "status_details": {}}]}}),
            previous_attributes: Some(json!({"status": "pending"})),
            pending_webhooks: 1,
            account: None,
        };
        let ga = event.to_json(&ApiVersion("2025-03-31.basil".into()));
        let session = &ga["data"]["object"];
        for field in Session::PREVIEW.fields {
            assert!(session.get(field).is_none(), "{field}");
        }
        assert_eq!(session["id"], "fcsess_1");
        assert_eq!(
            session["accounts"]["data"][0],
            json!({"object": "financial_connections.account", "id": "fca_1"})
        );
        assert_eq!(ga["data"]["previous_attributes"], json!({}));
        let preview = event.to_json(&ApiVersion::preview());
        assert_eq!(preview["data"]["object"], event.object);
        assert_eq!(preview["data"]["previous_attributes"]["status"], "pending");
    }
}
