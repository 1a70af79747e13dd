//! Webhook endpoints (`we_…`): where the merchant wants events, which ones, and in which API
//! version.

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

/// Where a webhook goes, split for the sandbox's small HTTP/1.1 client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTarget {
    /// `host:port` to connect to.
    pub address: String,
    /// The `Host` header.
    pub host: String,
    /// The request target (`/path?query`).
    pub path: String,
}

impl HttpTarget {
    /// Splits `http://host:port/path`; `None` for anything else (the sandbox delivers over plain
    /// `http://` only: it is a local development tool).
    pub fn parse(url: &str) -> Option<Self> {
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
        Some(HttpTarget {
            address,
            host: authority.to_owned(),
            path: path.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(address: &str, host: &str, path: &str) -> Option<HttpTarget> {
        Some(HttpTarget {
            address: address.into(),
            host: host.into(),
            path: path.into(),
        })
    }

    #[test]
    fn urls() {
        assert_eq!(
            HttpTarget::parse("http://localhost:3000/hook"),
            target("localhost:3000", "localhost:3000", "/hook")
        );
        assert_eq!(
            HttpTarget::parse("http://example.test"),
            target("example.test:80", "example.test", "/")
        );
        assert_eq!(HttpTarget::parse("https://example.test/"), None);
        assert_eq!(HttpTarget::parse("http:///x"), None);
    }
}
