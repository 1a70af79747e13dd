//! `status_details` of accounts and authorizations: why a connection stopped working
//! (`inactive`), or when a working one will stop (`active`).

use relink::model::{InactiveAction, InactiveCause};
use serde::{Deserialize, Serialize};

/// `status_details.inactive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inactive {
    /// What can repair it.
    pub action: InactiveAction,
    /// Why it is inactive.
    pub cause: InactiveCause,
}

impl Inactive {
    /// The details an account or authorization gets when deactivated for `cause`.
    pub fn because(cause: InactiveCause) -> Self {
        Inactive {
            action: cause.action(),
            cause,
        }
    }
}

/// `status_details.active`: a working connection that is known to stop on a date (a bank
/// consent that lapses), so the customer can relink before it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upcoming {
    /// Why it will stop: `access_expired`, `institution_requirement` or `unspecified`, the
    /// cause it is deactivated with when the date passes.
    pub cause: InactiveCause,
    /// When it stops (Unix seconds).
    pub expected_deactivation_date: i64,
}

impl Upcoming {
    /// The causes Stripe's `status_details.active.cause` has.
    pub const CAUSES: &'static [InactiveCause] = &[
        InactiveCause::AccessExpired,
        InactiveCause::InstitutionRequirement,
        InactiveCause::Unspecified,
    ];

    /// `status_details.active.action`: what keeps it working.
    pub fn action(&self) -> InactiveAction {
        self.cause.action()
    }
}
