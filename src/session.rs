//! What the flow needs to know about a finished session.
//!
//! The session itself, exactly as the server sent it, stays with the browser layer, which hands
//! it to the merchant (see `js_session`); the flow only needs the linked accounts (to show them)
//! and the failure reason (to say the relink did not work). Keeping it typed keeps the flow
//! free of any JSON representation.

use crate::model::FailureReason;

/// The parts of a finished session the flow decides and renders with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompletedSession {
    /// The linked accounts, in the server's order; empty when the customer linked nothing.
    pub accounts: Vec<LinkedAccount>,
    /// `relink_result.failure_reason`; `None` on success and for plain sessions.
    pub failure_reason: Option<FailureReason>,
}

/// A linked account as the success screen shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkedAccount {
    /// `fca_…`.
    pub id: String,
    /// Untrusted text.
    pub display_name: String,
    /// Last four digits of the account number.
    pub last4: String,
}

impl CompletedSession {
    /// Reads a session as the API renders it, with `accounts` as a list object or an array.
    ///
    /// ```
    /// use relink::model::FailureReason;
    /// use relink::session::CompletedSession;
    /// let session = CompletedSession::from_json(&serde_json::json!({
    ///     "accounts": {"object": "list", "data": []},
    ///     "relink_result": {"account": null, "authorization": null, "failure_reason": "no_account"},
    /// }));
    /// assert!(session.accounts.is_empty());
    /// assert_eq!(session.failure_reason, Some(FailureReason::NoAccount));
    /// ```
    pub fn from_json(session: &serde_json::Value) -> CompletedSession {
        let text = |value: &serde_json::Value, key: &str| {
            value
                .get(key)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let accounts = session.get("accounts");
        let items = accounts
            .and_then(|accounts| accounts.get("data"))
            .or(accounts)
            .and_then(serde_json::Value::as_array);
        CompletedSession {
            accounts: items
                .into_iter()
                .flatten()
                .map(|account| LinkedAccount {
                    id: text(account, "id"),
                    display_name: text(account, "display_name"),
                    last4: text(account, "last4"),
                })
                .collect(),
            failure_reason: session
                .get("relink_result")
                .and_then(|result| result.get("failure_reason"))
                .and_then(serde_json::Value::as_str)
                .and_then(|reason| reason.parse().ok()),
        }
    }

    /// Whether the customer linked at least one account.
    pub fn linked_any(&self) -> bool {
        !self.accounts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_list_objects_and_arrays() {
        let listed = CompletedSession::from_json(&json!({
            "accounts": {"object": "list", "data": [{"id": "fca_1", "display_name": "Checking", "last4": "6789"}]},
            "relink_result": {"account": "fca_1", "authorization": "fcauth_1", "failure_reason": null}
        }));
        assert_eq!(listed.accounts[0].last4, "6789");
        assert_eq!(listed.failure_reason, None);
        let flat = CompletedSession::from_json(&json!({"accounts": [{"id": "fca_2"}]}));
        assert_eq!(flat.accounts[0].id, "fca_2");
        assert!(flat.linked_any());
        assert!(!CompletedSession::from_json(&json!({"accounts": null})).linked_any());
    }
}
