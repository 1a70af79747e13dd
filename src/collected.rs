//! What a collect call resolves, and the lifecycle events every provider reports around it.
//!
//! The production core runs on a Stripe.js instance, which on the web tells nothing about the
//! steps inside its modal: only that a flow opened and how it ended. So these are the events a
//! merchant's `onEvent` receives, named as in Stripe's mobile SDK event stream, and they are the
//! same whether the instance is Stripe.js or the sandbox's drop-in.

use crate::error::RelinkError;
use crate::outcome::{Classification, Outcome};
use crate::session::Session;

/// What `collectFinancialConnectionsAccounts` resolves, before it becomes a JS object.
#[derive(Debug, Clone, PartialEq)]
pub enum Collected<S> {
    /// The flow ran (even if the customer gave up).
    Finished(Finished<S>),
    /// The flow could not run.
    CouldNotLaunch(RelinkError),
}

/// A finished session and what it means for the merchant, classified once, when it arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished<S> {
    /// The session, as the server (or Stripe.js) last sent it.
    pub session: Session<S>,
    /// The outcome and `isNew`.
    pub classification: Classification,
}

/// A lifecycle event of the merchant's `onEvent`, with what it carries besides its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Lifecycle {
    /// The flow opened: the modal is showing (or loading).
    Open,
    /// The customer linked a working account: the outcome and `isNew` the promise resolves with.
    Success(Classification),
    /// The flow ended without a working account (closed, wrong account, bank down): why.
    Cancel(Outcome),
    /// The flow could not run; the promise resolves this error.
    Error(RelinkError),
    /// The modal is gone; always the last event.
    Close,
}

impl Lifecycle {
    /// The event's `type` as the merchant sees it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Lifecycle::Open => "open",
            Lifecycle::Success(_) => "success",
            Lifecycle::Cancel(_) => "cancel",
            Lifecycle::Error(_) => "error",
            Lifecycle::Close => "close",
        }
    }
}

impl<S> Collected<S> {
    /// The events that end a flow which opened: how it ended, then `close`.
    ///
    /// ```
    /// use relink::collected::{Collected, Lifecycle};
    /// use relink::error::RelinkError;
    /// let failed = Collected::<()>::CouldNotLaunch(RelinkError::Network("offline".into()));
    /// let [ending, close] = failed.ending();
    /// assert_eq!((ending.as_str(), close), ("error", Lifecycle::Close));
    /// ```
    pub fn ending(&self) -> [Lifecycle; 2] {
        let ending = match self {
            Collected::Finished(finished) if finished.classification.outcome.is_success() => {
                Lifecycle::Success(finished.classification)
            }
            Collected::Finished(finished) => Lifecycle::Cancel(finished.classification.outcome),
            Collected::CouldNotLaunch(error) => Lifecycle::Error(error.clone()),
        };
        [ending, Lifecycle::Close]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::SessionSummary;

    fn finished(outcome: Outcome, is_new: Option<bool>) -> Collected<()> {
        Collected::Finished(Finished {
            session: Session {
                raw: (),
                summary: SessionSummary::default(),
            },
            classification: Classification { outcome, is_new },
        })
    }

    #[test]
    fn a_working_account_is_success_anything_else_that_ran_is_cancel() {
        let [success, close] = finished(Outcome::RelinkedExpectedAccount, Some(false)).ending();
        assert_eq!(
            success,
            Lifecycle::Success(Classification {
                outcome: Outcome::RelinkedExpectedAccount,
                is_new: Some(false)
            })
        );
        assert_eq!(close, Lifecycle::Close);
        for outcome in [Outcome::NoAccount, Outcome::NoAuthorization, Outcome::Other] {
            assert_eq!(
                finished(outcome, None).ending()[0],
                Lifecycle::Cancel(outcome)
            );
        }
    }
}
