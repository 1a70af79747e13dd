//! The relink rules: what a finished session links and what `relink_result` says.
//!
//! This is the one place that decides; the workflows only gather the facts (did the customer
//! authenticate, what did they pick, which accounts sit on the authorization) and apply the
//! [`Decision`]. The browser never sends a result, so it cannot forge one.

use relink::model::{FailureReason, RelinkOptions, RelinkResult, SessionStatus};

/// How the customer's attempt to log in to the bank ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authentication {
    /// Logged in (password, MFA or OAuth done).
    Succeeded,
    /// Tried and failed to log in, then gave up.
    Failed,
    /// Closed the flow before logging in.
    Abandoned,
    /// The institution could not be reached.
    InstitutionDown,
}

/// An account already on the authorization a relink session repairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownAccount<'a> {
    /// `fca_…`.
    pub id: &'a str,
    /// Last four digits, which is how the bank's accounts are matched to ours.
    pub last4: &'a str,
    /// Whether relinking can reactivate it (not closed or unavailable at the bank).
    pub repairable: bool,
}

/// One account the session links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Refresh an existing account: status, permissions and account numbers.
    Existing(String),
    /// Create a new account for the bank account with these last four digits.
    New(String),
}

/// What a finished session does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Accounts to link, in the order picked.
    pub links: Vec<Link>,
    /// `relink_result`, for relink sessions only.
    pub relink_result: Option<RelinkResult>,
    /// The session's final `status`.
    pub status: SessionStatus,
}

impl Decision {
    /// Whether the authorization was repaired (a relink succeeded).
    pub fn repairs_authorization(&self) -> bool {
        self.relink_result
            .as_ref()
            .is_some_and(|r| r.failure_reason.is_none())
    }
}

/// Decides the outcome of a session.
///
/// `picked` are the last four digits of the bank accounts the customer selected; `known` are
/// the accounts on the authorization being repaired (empty for plain sessions).
///
/// ```
/// use relink::model::{FailureReason, RelinkOptions};
/// use relink_sandbox::objects::relink_rules::{decide, Authentication, KnownAccount};
///
/// let options = RelinkOptions { authorization: "fcauth_1".into(), account: Some("fca_1".into()) };
/// let known = [KnownAccount { id: "fca_1", last4: "6789", repairable: true }];
/// let picked_other = decide(Some(&options), Authentication::Succeeded, &["4321".into()], &known);
/// let result = picked_other.relink_result.unwrap();
/// assert_eq!(result.failure_reason, Some(FailureReason::NoAccount));
/// ```
pub fn decide(
    relink: Option<&RelinkOptions>,
    authentication: Authentication,
    picked: &[String],
    known: &[KnownAccount<'_>],
) -> Decision {
    let Some(options) = relink else {
        return decide_plain(authentication, picked);
    };
    if let Some((reason, status)) = failure_before_selection(authentication) {
        return failed(reason, status);
    }
    let links = recognised_links(picked, known);
    match &options.account {
        Some(expected) => {
            let relinked_expected = links
                .iter()
                .any(|l| matches!(l, Link::Existing(id) if id == expected));
            if !relinked_expected {
                return failed(FailureReason::NoAccount, SessionStatus::Failed);
            }
            Decision {
                links,
                relink_result: Some(RelinkResult::succeeded(
                    options.authorization.clone(),
                    Some(expected.clone()),
                )),
                status: SessionStatus::Succeeded,
            }
        }
        None if links.is_empty() => failed(FailureReason::NoAccount, SessionStatus::Failed),
        None => Decision {
            links,
            relink_result: Some(RelinkResult::succeeded(options.authorization.clone(), None)),
            status: SessionStatus::Succeeded,
        },
    }
}

/// A relink that ends before the customer could pick an account: they never authenticated
/// (`no_authorization`), or the bank was down (`other`).
fn failure_before_selection(
    authentication: Authentication,
) -> Option<(FailureReason, SessionStatus)> {
    match authentication {
        Authentication::InstitutionDown => Some((FailureReason::Other, SessionStatus::Failed)),
        Authentication::Abandoned => {
            Some((FailureReason::NoAuthorization, SessionStatus::Cancelled))
        }
        Authentication::Failed => Some((FailureReason::NoAuthorization, SessionStatus::Failed)),
        Authentication::Succeeded => None,
    }
}

/// The picks matched against the authorization's accounts: known and repairable ones are
/// refreshed, unknown ones become new accounts, and those the bank shows but relinking cannot
/// repair (closed accounts) are not recognised.
fn recognised_links(picked: &[String], known: &[KnownAccount<'_>]) -> Vec<Link> {
    picked
        .iter()
        .filter_map(|last4| match known.iter().find(|k| k.last4 == last4) {
            Some(k) if k.repairable => Some(Link::Existing(k.id.to_owned())),
            Some(_) => None,
            None => Some(Link::New(last4.clone())),
        })
        .collect()
}

fn failed(reason: FailureReason, status: SessionStatus) -> Decision {
    Decision {
        links: Vec::new(),
        relink_result: Some(RelinkResult::failed(reason)),
        status,
    }
}

fn decide_plain(authentication: Authentication, picked: &[String]) -> Decision {
    let status = match authentication {
        Authentication::Succeeded if !picked.is_empty() => SessionStatus::Succeeded,
        // Authenticated but linked nothing: the customer walked away, which is not an error.
        Authentication::Succeeded | Authentication::Abandoned => SessionStatus::Cancelled,
        Authentication::Failed | Authentication::InstitutionDown => SessionStatus::Failed,
    };
    let links = if authentication == Authentication::Succeeded {
        picked.iter().cloned().map(Link::New).collect()
    } else {
        Vec::new()
    };
    Decision {
        links,
        relink_result: None,
        status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[KnownAccount<'static>] = &[
        KnownAccount {
            id: "fca_checking",
            last4: "6789",
            repairable: true,
        },
        KnownAccount {
            id: "fca_closed",
            last4: "2222",
            repairable: false,
        },
    ];

    fn options(account: Option<&str>) -> RelinkOptions {
        RelinkOptions {
            authorization: "fcauth_1".into(),
            account: account.map(Into::into),
        }
    }

    fn picks(last4s: &[&str]) -> Vec<String> {
        last4s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn exact_relink_succeeds_only_with_the_expected_account() {
        let exact = options(Some("fca_checking"));
        let ok = decide(
            Some(&exact),
            Authentication::Succeeded,
            &picks(&["6789"]),
            KNOWN,
        );
        assert_eq!(ok.links, vec![Link::Existing("fca_checking".into())]);
        assert_eq!(
            ok.relink_result,
            Some(RelinkResult::succeeded(
                "fcauth_1",
                Some("fca_checking".into())
            ))
        );
        assert_eq!(ok.status, SessionStatus::Succeeded);
        assert!(ok.repairs_authorization());

        for wrong in [picks(&["4321"]), picks(&[])] {
            let got = decide(Some(&exact), Authentication::Succeeded, &wrong, KNOWN);
            assert_eq!(got.links, vec![]);
            assert_eq!(
                got.relink_result,
                Some(RelinkResult::failed(FailureReason::NoAccount))
            );
            assert_eq!(got.status, SessionStatus::Failed);
        }
    }

    #[test]
    fn authorization_relink_updates_existing_or_creates_new() {
        let any = options(None);
        let existing = decide(
            Some(&any),
            Authentication::Succeeded,
            &picks(&["6789"]),
            KNOWN,
        );
        assert_eq!(existing.links, vec![Link::Existing("fca_checking".into())]);
        assert_eq!(
            existing.relink_result,
            Some(RelinkResult::succeeded("fcauth_1", None))
        );
        let new = decide(
            Some(&any),
            Authentication::Succeeded,
            &picks(&["4321"]),
            KNOWN,
        );
        assert_eq!(new.links, vec![Link::New("4321".into())]);
        assert!(new.repairs_authorization());
    }

    #[test]
    fn closed_accounts_are_not_recognised() {
        let got = decide(
            Some(&options(Some("fca_closed"))),
            Authentication::Succeeded,
            &picks(&["2222"]),
            KNOWN,
        );
        assert_eq!(
            got.relink_result,
            Some(RelinkResult::failed(FailureReason::NoAccount))
        );
        let got = decide(
            Some(&options(None)),
            Authentication::Succeeded,
            &picks(&["2222"]),
            KNOWN,
        );
        assert_eq!(
            got.relink_result,
            Some(RelinkResult::failed(FailureReason::NoAccount))
        );
    }

    #[test]
    fn failures_before_account_selection() {
        let exact = options(Some("fca_checking"));
        let cases = [
            (
                Authentication::Abandoned,
                FailureReason::NoAuthorization,
                SessionStatus::Cancelled,
            ),
            (
                Authentication::Failed,
                FailureReason::NoAuthorization,
                SessionStatus::Failed,
            ),
            (
                Authentication::InstitutionDown,
                FailureReason::Other,
                SessionStatus::Failed,
            ),
        ];
        for (authentication, reason, status) in cases {
            // Picks sent anyway (a forged request) change nothing.
            let got = decide(Some(&exact), authentication, &picks(&["6789"]), KNOWN);
            assert_eq!(got.links, vec![]);
            assert_eq!(got.relink_result, Some(RelinkResult::failed(reason)));
            assert_eq!(got.status, status);
        }
    }

    #[test]
    fn plain_sessions_link_new_accounts_and_never_carry_a_relink_result() {
        let got = decide(None, Authentication::Succeeded, &picks(&["6789"]), &[]);
        assert_eq!(got.links, vec![Link::New("6789".into())]);
        assert_eq!(got.relink_result, None);
        assert_eq!(got.status, SessionStatus::Succeeded);
        let nothing = decide(None, Authentication::Succeeded, &[], &[]);
        assert_eq!(nothing.status, SessionStatus::Cancelled);
        let down = decide(
            None,
            Authentication::InstitutionDown,
            &picks(&["6789"]),
            &[],
        );
        assert_eq!((down.links.len(), down.status), (0, SessionStatus::Failed));
    }
}
