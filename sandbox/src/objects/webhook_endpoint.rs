//! Webhook endpoints (`we_…`): where the merchant wants events, which ones, and in which API
//! version.

use axum::http::Uri;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::store::Document;

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
    /// A Connect endpoint: it gets the events of every connected account instead of the
    /// events of the account it belongs to.
    #[serde(default)]
    pub connect: bool,
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
            "application": null,
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

/// Whether the sandbox can deliver to `url`: an absolute `http://` or `https://` URL with a host
/// and no user name or password in it. Plain `http://` stays allowed, as in Stripe's test mode, for
/// endpoints on the developer's own machine.
pub fn is_deliverable_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<Uri>() else {
        return false;
    };
    let web = matches!(uri.scheme_str(), Some("http" | "https"));
    // `Uri` accepts `user:password@host`; a client would send the credentials nowhere useful.
    web && uri
        .authority()
        .is_some_and(|a| !a.host().is_empty() && !a.as_str().contains('@'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_deliverable_url("http://localhost:3000/hook"));
        assert!(is_deliverable_url("http://example.test"));
        assert!(is_deliverable_url("https://example.test/"));
        assert!(is_deliverable_url("https://[::1]:8443/hook?x=1"));
        assert!(!is_deliverable_url("ftp://example.test/"));
        assert!(!is_deliverable_url("localhost:3000/hook"));
        assert!(!is_deliverable_url("/hook"));
        assert!(!is_deliverable_url("http:///x"));
        assert!(!is_deliverable_url("https://"));
        assert!(!is_deliverable_url("https://user:pw@example.test/"));
        assert!(!is_deliverable_url("https://example.test/a b"));
    }
}
