//! The finished session as the merchant receives it, and what it means.
//!
//! The server returns accounts as a REST list object; Stripe.js hands merchants a plain array,
//! so the component does the same. Everything else inside the session is passed through as the
//! server sent it, so fields this build does not know still reach the merchant.

use serde::Serialize;
use serde_json::Value;

use crate::error::StripeError;
use crate::model::{FailureReason, RelinkOptions, RelinkResult, SessionStatus};
use crate::outcome::{Classification, FinishedSession, Outcome, classify};

/// What `collectFinancialConnectionsAccounts` resolves with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CollectResult {
    /// The flow ran; the customer may still have linked nothing (see `outcome`).
    Session {
        /// The session, `accounts` flattened to an array.
        #[serde(rename = "financialConnectionsSession")]
        session: Value,
        /// What happened.
        outcome: Outcome,
        /// Whether the linked account is new to the merchant; `null` when none was linked.
        #[serde(rename = "isNew")]
        is_new: Option<bool>,
    },
    /// The flow could not run.
    Error {
        /// Stripe's error object.
        error: StripeError,
        /// Always [`Outcome::CouldNotLaunch`].
        outcome: Outcome,
    },
}

impl CollectResult {
    /// The result for a flow that could not run.
    pub fn error(error: StripeError) -> Self {
        CollectResult::Error {
            error,
            outcome: Outcome::CouldNotLaunch,
        }
    }

    /// The result for a finished session, classified against the merchant's existing accounts.
    ///
    /// ```
    /// use relink::outcome::Outcome;
    /// use relink::session::CollectResult;
    /// let raw = serde_json::json!({
    ///     "id": "fcsess_1",
    ///     "accounts": {"object": "list", "data": [{"id": "fca_new"}]},
    ///     "relink_options": null,
    ///     "relink_result": null,
    /// });
    /// let CollectResult::Session { session, outcome, is_new } = CollectResult::finished(raw, &["fca_old"]) else {
    ///     unreachable!()
    /// };
    /// assert_eq!(session["accounts"][0]["id"], "fca_new");
    /// assert_eq!((outcome, is_new), (Outcome::LinkedNewAccount, Some(true)));
    /// ```
    pub fn finished<S: AsRef<str>>(mut session: Value, existing_account_ids: &[S]) -> Self {
        flatten_accounts(&mut session);
        let relink_options = session
            .get("relink_options")
            .and_then(|value| serde_json::from_value::<RelinkOptions>(value.clone()).ok());
        let relink_result = session
            .get("relink_result")
            .and_then(|value| serde_json::from_value::<RelinkResult>(value.clone()).ok());
        let status = session
            .get("status")
            .and_then(|value| serde_json::from_value::<SessionStatus>(value.clone()).ok());
        let linked = linked_account_ids(&session);
        let Classification { outcome, is_new } = classify(
            FinishedSession {
                relink_options: relink_options.as_ref(),
                relink_result: relink_result.as_ref(),
                linked_account: linked.first().map(String::as_str),
                status,
            },
            existing_account_ids,
        );
        CollectResult::Session {
            session,
            outcome,
            is_new,
        }
    }
}

/// Replaces `accounts: {object: "list", data: […]}` with the bare array.
fn flatten_accounts(session: &mut Value) {
    if let Some(accounts) = session.get_mut("accounts") {
        if let Some(data) = accounts.get_mut("data").map(Value::take) {
            *accounts = data;
        } else if accounts.is_null() {
            *accounts = Value::Array(Vec::new());
        }
    }
}

/// The `fca_…` IDs linked in a session, whether `accounts` is a list object or an array.
pub fn linked_account_ids(session: &Value) -> Vec<String> {
    let accounts = session.get("accounts");
    let items = accounts
        .and_then(|accounts| accounts.get("data"))
        .or(accounts)
        .and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .filter_map(|account| account.get("id").and_then(Value::as_str))
        .map(str::to_owned)
        .collect()
}

/// `relink_result.failure_reason` of a session, if it has one.
pub fn failure_reason(session: &Value) -> Option<FailureReason> {
    session
        .get("relink_result")?
        .get("failure_reason")?
        .as_str()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_relink_resolves_with_flat_accounts_and_outcome() {
        let raw = json!({
            "id": "fcsess_1",
            "object": "financial_connections.session",
            "accounts": {"object": "list", "data": [{"id": "fca_1", "last4": "6789"}], "has_more": false},
            "relink_options": {"authorization": "fcauth_1", "account": "fca_1"},
            "relink_result": {"account": "fca_1", "authorization": "fcauth_1", "failure_reason": null}
        });
        let result = serde_json::to_value(CollectResult::finished(raw, &["fca_1"])).unwrap();
        assert_eq!(
            result["financialConnectionsSession"]["accounts"][0]["last4"],
            "6789"
        );
        assert_eq!(result["outcome"], "relinked_expected_account");
        assert_eq!(result["isNew"], false);
        assert!(result.get("error").is_none());
    }

    #[test]
    fn closed_relink_has_empty_accounts_and_null_is_new() {
        let raw = json!({
            "accounts": {"object": "list", "data": []},
            "relink_options": {"authorization": "fcauth_1", "account": null},
            "relink_result": {"account": null, "authorization": null, "failure_reason": "no_authorization"}
        });
        assert_eq!(failure_reason(&raw), Some(FailureReason::NoAuthorization));
        let result = serde_json::to_value(CollectResult::finished(raw, &[] as &[&str])).unwrap();
        assert_eq!(result["financialConnectionsSession"]["accounts"], json!([]));
        assert_eq!(result["outcome"], "no_authorization");
        assert_eq!(result["isNew"], Value::Null);
    }

    #[test]
    fn errors_carry_could_not_launch_and_no_session() {
        let error = crate::error::RelinkError::FlowAlreadyOpen.to_stripe();
        let result = serde_json::to_value(CollectResult::error(error)).unwrap();
        assert_eq!(result["outcome"], "could_not_launch");
        assert_eq!(result["error"]["code"], "flow_already_open");
        assert!(result.get("financialConnectionsSession").is_none());
    }
}
