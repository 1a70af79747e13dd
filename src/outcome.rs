//! What a finished session means for the merchant: the typed outcome and `isNew`.
//!
//! Stripe hands back a session and leaves every merchant to re-derive what happened from
//! `relink_result`, `relink_options` and the linked accounts. This module derives it once.

use serde::{Deserialize, Serialize};

use crate::model::{FailureReason, RelinkOptions, RelinkResult, SessionStatus};

/// What happened in a finished flow, from the merchant's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A relink session named an account and the customer relinked exactly that account.
    RelinkedExpectedAccount,
    /// A relink session repaired the authorization with an account the merchant already had.
    RelinkedExistingAccount,
    /// The customer linked an account the merchant did not have before.
    LinkedNewAccount,
    /// The customer authenticated with the bank but did not link the expected (or any) account.
    NoAccount,
    /// The customer did not authenticate with the bank (closed the flow first, or failed login).
    NoAuthorization,
    /// An unexpected failure, such as the institution being down.
    Other,
    /// The flow could not run at all (expired or used session, network); see `error`.
    CouldNotLaunch,
}

impl Outcome {
    /// The outcome as the merchant's page sees it.
    ///
    /// ```
    /// assert_eq!(relink::outcome::Outcome::NoAccount.as_str(), "no_account");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::RelinkedExpectedAccount => "relinked_expected_account",
            Outcome::RelinkedExistingAccount => "relinked_existing_account",
            Outcome::LinkedNewAccount => "linked_new_account",
            Outcome::NoAccount => "no_account",
            Outcome::NoAuthorization => "no_authorization",
            Outcome::Other => "other",
            Outcome::CouldNotLaunch => "could_not_launch",
        }
    }

    /// The outcome named by its wire value, if it is one.
    ///
    /// ```
    /// use relink::outcome::Outcome;
    /// assert_eq!(Outcome::from_wire("no_account"), Some(Outcome::NoAccount));
    /// assert_eq!(Outcome::from_wire("maybe"), None);
    /// ```
    pub fn from_wire(value: &str) -> Option<Outcome> {
        [
            Outcome::RelinkedExpectedAccount,
            Outcome::RelinkedExistingAccount,
            Outcome::LinkedNewAccount,
            Outcome::NoAccount,
            Outcome::NoAuthorization,
            Outcome::Other,
            Outcome::CouldNotLaunch,
        ]
        .into_iter()
        .find(|outcome| outcome.as_str() == value)
    }

    /// Whether the merchant now holds a working account.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Outcome::RelinkedExpectedAccount
                | Outcome::RelinkedExistingAccount
                | Outcome::LinkedNewAccount
        )
    }
}

/// The parts of a finished session that decide its outcome.
#[derive(Debug, Clone, Copy)]
pub struct FinishedSession<'a> {
    /// `relink_options`, present on relink sessions.
    pub relink_options: Option<&'a RelinkOptions>,
    /// `relink_result`, present on finished relink sessions.
    pub relink_result: Option<&'a RelinkResult>,
    /// The first linked account's ID, if the customer linked any.
    pub linked_account: Option<&'a str>,
    /// The session's own `status` (preview API), when the server rendered it.
    pub status: Option<SessionStatus>,
}

/// The outcome and whether the linked account is new to the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Classification {
    /// What happened.
    pub outcome: Outcome,
    /// Whether the linked account is one the merchant did not already have; `None` when no
    /// account was linked.
    pub is_new: Option<bool>,
}

/// Whether `account` is one the merchant did not already know.
///
/// A new account is one that is NOT among the merchant's existing IDs.
pub fn is_new_account<S: AsRef<str>>(account: &str, existing_account_ids: &[S]) -> bool {
    !existing_account_ids.iter().any(|id| id.as_ref() == account)
}

/// Derives the outcome of a finished session.
///
/// The server's `relink_result` is authoritative: a relink succeeded only if it says so.
pub fn classify<S: AsRef<str>>(
    session: FinishedSession<'_>,
    existing_account_ids: &[S],
) -> Classification {
    let is_new = session
        .linked_account
        .map(|id| is_new_account(id, existing_account_ids));
    let outcome = match (session.relink_options, session.relink_result) {
        (Some(_), Some(result)) => match result.failure_reason {
            Some(FailureReason::NoAuthorization) => Outcome::NoAuthorization,
            Some(FailureReason::NoAccount) => Outcome::NoAccount,
            Some(FailureReason::Other) => Outcome::Other,
            None if result.account.is_some() => Outcome::RelinkedExpectedAccount,
            None => match is_new {
                Some(true) => Outcome::LinkedNewAccount,
                Some(false) => Outcome::RelinkedExistingAccount,
                // Success without any account contradicts the API; do not call it a success.
                None => Outcome::Other,
            },
        },
        // A relink session that has not recorded a result never reached the bank.
        (Some(_), None) => Outcome::NoAuthorization,
        (None, _) => match is_new {
            Some(true) => Outcome::LinkedNewAccount,
            Some(false) => Outcome::RelinkedExistingAccount,
            // Plain sessions carry no failure reason; a `failed` status is the bank's doing.
            None if session.status == Some(SessionStatus::Failed) => Outcome::Other,
            None => Outcome::NoAccount,
        },
    };
    // A failed relink links nothing the merchant should treat as new.
    let is_new = if outcome.is_success() { is_new } else { None };
    Classification { outcome, is_new }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXISTING: &[&str] = &["fca_old1", "fca_old2"];

    fn relink(account: Option<&str>) -> RelinkOptions {
        RelinkOptions {
            authorization: "fcauth_1".into(),
            account: account.map(Into::into),
        }
    }

    #[test]
    fn is_new_means_not_among_existing_ids() {
        assert!(is_new_account("fca_fresh", EXISTING));
        assert!(!is_new_account("fca_old2", EXISTING));
        assert!(is_new_account::<&str>("fca_any", &[]));
    }

    #[test]
    fn exact_account_relink() {
        let options = relink(Some("fca_old1"));
        let result = RelinkResult::succeeded("fcauth_1", Some("fca_old1".into()));
        let got = classify(
            FinishedSession {
                relink_options: Some(&options),
                relink_result: Some(&result),
                linked_account: Some("fca_old1"),
                status: Some(SessionStatus::Succeeded),
            },
            EXISTING,
        );
        assert_eq!(
            got,
            Classification {
                outcome: Outcome::RelinkedExpectedAccount,
                is_new: Some(false)
            }
        );
    }

    #[test]
    fn authorization_only_relink_with_existing_or_new_account() {
        let options = relink(None);
        let result = RelinkResult::succeeded("fcauth_1", None);
        let session = |linked| FinishedSession {
            relink_options: Some(&options),
            relink_result: Some(&result),
            linked_account: linked,
            status: Some(SessionStatus::Succeeded),
        };
        assert_eq!(
            classify(session(Some("fca_old2")), EXISTING).outcome,
            Outcome::RelinkedExistingAccount
        );
        let fresh = classify(session(Some("fca_fresh")), EXISTING);
        assert_eq!(
            fresh,
            Classification {
                outcome: Outcome::LinkedNewAccount,
                is_new: Some(true)
            }
        );
    }

    #[test]
    fn failure_reasons_map_one_to_one_and_carry_no_is_new() {
        let options = relink(Some("fca_old1"));
        for (reason, outcome) in [
            (FailureReason::NoAuthorization, Outcome::NoAuthorization),
            (FailureReason::NoAccount, Outcome::NoAccount),
            (FailureReason::Other, Outcome::Other),
        ] {
            let result = RelinkResult::failed(reason);
            let got = classify(
                FinishedSession {
                    relink_options: Some(&options),
                    relink_result: Some(&result),
                    linked_account: None,
                    status: Some(SessionStatus::Failed),
                },
                EXISTING,
            );
            assert_eq!(
                got,
                Classification {
                    outcome,
                    is_new: None
                }
            );
        }
    }

    #[test]
    fn plain_sessions() {
        let plain = |linked_account, status| FinishedSession {
            relink_options: None,
            relink_result: None,
            linked_account,
            status,
        };
        let linked = plain(Some("fca_x"), Some(SessionStatus::Succeeded));
        assert_eq!(
            classify(linked, EXISTING).outcome,
            Outcome::LinkedNewAccount
        );
        let closed = plain(None, Some(SessionStatus::Cancelled));
        assert_eq!(
            classify(closed, EXISTING),
            Classification {
                outcome: Outcome::NoAccount,
                is_new: None
            }
        );
        let bank_down = plain(None, Some(SessionStatus::Failed));
        assert_eq!(classify(bank_down, EXISTING).outcome, Outcome::Other);
        let ga_version = plain(None, None);
        assert_eq!(classify(ga_version, EXISTING).outcome, Outcome::NoAccount);
    }

    #[test]
    fn outcome_wire_names_are_snake_case() {
        for outcome in [
            Outcome::RelinkedExpectedAccount,
            Outcome::RelinkedExistingAccount,
            Outcome::LinkedNewAccount,
            Outcome::NoAccount,
            Outcome::NoAuthorization,
            Outcome::Other,
            Outcome::CouldNotLaunch,
        ] {
            let json = serde_json::to_string(&outcome).unwrap();
            assert_eq!(json, format!("\"{}\"", outcome.as_str()));
        }
    }
}
