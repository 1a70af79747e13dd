//! What a finished session means for the merchant: the typed outcome and `isNew`.
//!
//! Stripe hands back a session and leaves every merchant to re-derive what happened from
//! `relink_result`, `relink_options` and the linked accounts. This module derives it once.

use crate::model::{FailureReason, SessionStatus};
use crate::session::SessionSummary;

/// What happened in a finished flow, from the merchant's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// The outcome and whether the linked account is new to the merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    session: &SessionSummary,
    existing_account_ids: &[S],
) -> Classification {
    let is_new = session
        .linked_account()
        .map(|id| is_new_account(id, existing_account_ids));
    // `relink_result` alone marks a relink: Stripe.js resolves it without `relink_options`
    // (the seeds' client code decides from it alone, and so must relink).
    let outcome = match (&session.relink_options, &session.relink_result) {
        (_, Some(result)) => match result.failure_reason {
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
    use crate::model::{RelinkOptions, RelinkResult};
    use crate::session::LinkedAccount;

    const EXISTING: &[&str] = &["fca_old1", "fca_old2"];

    fn relink(account: Option<&str>) -> Option<RelinkOptions> {
        Some(RelinkOptions {
            authorization: "fcauth_1".into(),
            account: account.map(Into::into),
        })
    }

    /// A finished session that linked `linked` (if any).
    fn finished(
        relink_options: Option<RelinkOptions>,
        relink_result: Option<RelinkResult>,
        linked: Option<&str>,
        status: Option<SessionStatus>,
    ) -> SessionSummary {
        SessionSummary {
            relink_options,
            relink_result,
            status,
            accounts: linked
                .map(|id| LinkedAccount {
                    id: id.into(),
                    ..Default::default()
                })
                .into_iter()
                .collect(),
            ..Default::default()
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
        let result = RelinkResult::succeeded("fcauth_1", Some("fca_old1".into()));
        let got = classify(
            &finished(
                relink(Some("fca_old1")),
                Some(result),
                Some("fca_old1"),
                Some(SessionStatus::Succeeded),
            ),
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
        let session = |linked| {
            finished(
                relink(None),
                Some(RelinkResult::succeeded("fcauth_1", None)),
                linked,
                Some(SessionStatus::Succeeded),
            )
        };
        assert_eq!(
            classify(&session(Some("fca_old2")), EXISTING).outcome,
            Outcome::RelinkedExistingAccount
        );
        let fresh = classify(&session(Some("fca_fresh")), EXISTING);
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
        for (reason, outcome) in [
            (FailureReason::NoAuthorization, Outcome::NoAuthorization),
            (FailureReason::NoAccount, Outcome::NoAccount),
            (FailureReason::Other, Outcome::Other),
        ] {
            let got = classify(
                &finished(
                    relink(Some("fca_old1")),
                    Some(RelinkResult::failed(reason)),
                    None,
                    Some(SessionStatus::Failed),
                ),
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
    fn a_stripe_js_session_is_classified_from_relink_result_alone() {
        // Stripe.js resolves `{id, accounts, relink_result, …}`: no `relink_options`, no status.
        let stripe_js = |result, linked| finished(None, Some(result), linked, None);
        let expected = stripe_js(
            RelinkResult::succeeded("fcauth_1", Some("fca_old1".into())),
            Some("fca_old1"),
        );
        assert_eq!(
            classify(&expected, EXISTING),
            Classification {
                outcome: Outcome::RelinkedExpectedAccount,
                is_new: Some(false)
            }
        );
        let repaired_with_new =
            stripe_js(RelinkResult::succeeded("fcauth_1", None), Some("fca_fresh"));
        assert_eq!(
            classify(&repaired_with_new, EXISTING).outcome,
            Outcome::LinkedNewAccount
        );
        for (reason, outcome) in [
            (FailureReason::NoAuthorization, Outcome::NoAuthorization),
            (FailureReason::NoAccount, Outcome::NoAccount),
            (FailureReason::Other, Outcome::Other),
        ] {
            let closed = stripe_js(RelinkResult::failed(reason), None);
            assert_eq!(classify(&closed, EXISTING).outcome, outcome);
        }
    }

    #[test]
    fn a_relink_without_a_recorded_result_never_reached_the_bank() {
        let pending = finished(relink(None), None, None, Some(SessionStatus::Pending));
        assert_eq!(
            classify(&pending, EXISTING).outcome,
            Outcome::NoAuthorization
        );
    }

    #[test]
    fn plain_sessions() {
        let plain = |linked, status| finished(None, None, linked, status);
        let linked = plain(Some("fca_x"), Some(SessionStatus::Succeeded));
        assert_eq!(
            classify(&linked, EXISTING).outcome,
            Outcome::LinkedNewAccount
        );
        let closed = plain(None, Some(SessionStatus::Cancelled));
        assert_eq!(
            classify(&closed, EXISTING),
            Classification {
                outcome: Outcome::NoAccount,
                is_new: None
            }
        );
        let bank_down = plain(None, Some(SessionStatus::Failed));
        assert_eq!(classify(&bank_down, EXISTING).outcome, Outcome::Other);
        let ga_version = plain(None, None);
        assert_eq!(classify(&ga_version, EXISTING).outcome, Outcome::NoAccount);
    }

    #[test]
    fn outcome_wire_names_are_snake_case() {
        for (outcome, wire) in [
            (
                Outcome::RelinkedExpectedAccount,
                "relinked_expected_account",
            ),
            (
                Outcome::RelinkedExistingAccount,
                "relinked_existing_account",
            ),
            (Outcome::LinkedNewAccount, "linked_new_account"),
            (Outcome::NoAccount, "no_account"),
            (Outcome::NoAuthorization, "no_authorization"),
            (Outcome::Other, "other"),
            (Outcome::CouldNotLaunch, "could_not_launch"),
        ] {
            assert_eq!(outcome.as_str(), wire);
        }
    }
}
