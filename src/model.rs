//! Financial Connections API objects as both halves of relink see them.
//!
//! Field names, enum values and ID prefixes are Stripe's, verbatim, so that merchants' code and
//! the official SDKs work unchanged. The enums are shared by the sandbox (which decides) and the
//! component (which presents), so they cannot drift apart.

use serde::{Deserialize, Serialize};

/// Declares a string enum with Stripe's snake_case wire names and a `FromStr` that names the
/// accepted values, for error messages that tell the caller what would have worked.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        expected: &[$($wire),+],
                    }),
                }
            }
        }
    };
}

/// A string that is none of an enum's wire values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    /// The values that would have been accepted.
    pub expected: &'static [&'static str],
}

wire_enum! {
    /// Why a relink session did not repair anything (`relink_result.failure_reason`).
    FailureReason {
        NoAuthorization => "no_authorization",
        NoAccount => "no_account",
        Other => "other",
    }
}

wire_enum! {
    /// `status` of a Financial Connections account or authorization.
    AccountStatus {
        Active => "active",
        Inactive => "inactive",
        Disconnected => "disconnected",
    }
}

wire_enum! {
    /// `status_details.inactive.cause`.
    InactiveCause {
        AccessDenied => "access_denied",
        AccessExpired => "access_expired",
        AccountClosed => "account_closed",
        AccountUnavailable => "account_unavailable",
        InstitutionRequirement => "institution_requirement",
        Unspecified => "unspecified",
    }
}

impl InactiveCause {
    /// Whether the cause lives on the authorization (credentials, consent), so that relinking
    /// repairs it, rather than on one account (closed, unavailable), which relinking cannot fix.
    pub fn is_authorization_level(self) -> bool {
        !matches!(
            self,
            InactiveCause::AccountClosed | InactiveCause::AccountUnavailable
        )
    }

    /// `status_details.inactive.action` for an account made inactive by this cause.
    pub fn action(self) -> InactiveAction {
        if self.is_authorization_level() {
            InactiveAction::RelinkRequired
        } else {
            InactiveAction::None
        }
    }
}

wire_enum! {
    /// `status_details.inactive.action`: what can reactivate the account.
    InactiveAction {
        RelinkRequired => "relink_required",
        None => "none",
    }
}

wire_enum! {
    /// A data permission a session asks for and an account holds.
    Permission {
        PaymentMethod => "payment_method",
        Balances => "balances",
        Ownership => "ownership",
        Transactions => "transactions",
    }
}

wire_enum! {
    /// `category` of a Financial Connections account.
    AccountCategory {
        Cash => "cash",
        Credit => "credit",
        Investment => "investment",
        Other => "other",
    }
}

wire_enum! {
    /// `subcategory` of a Financial Connections account.
    AccountSubcategory {
        Checking => "checking",
        Savings => "savings",
        CreditCard => "credit_card",
        LineOfCredit => "line_of_credit",
        Mortgage => "mortgage",
        Other => "other",
    }
}

impl AccountSubcategory {
    /// Whether an ACH payment method can be made from an account of this kind.
    pub fn is_payment_eligible(self) -> bool {
        matches!(
            self,
            AccountSubcategory::Checking | AccountSubcategory::Savings
        )
    }
}

wire_enum! {
    /// The session's own `status` (preview API).
    SessionStatus {
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
        Cancelled => "cancelled",
    }
}

/// `relink_options` of a Financial Connections session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelinkOptions {
    /// The authorization (`fcauth_…`) the session repairs.
    pub authorization: String,
    /// The one account (`fca_…`) the customer must relink, if any.
    #[serde(default)]
    pub account: Option<String>,
}

/// `relink_result` of a finished relink session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelinkResult {
    /// Set only when `relink_options.account` was given and the relink succeeded.
    #[serde(default)]
    pub account: Option<String>,
    /// Set only when the relink succeeded.
    #[serde(default)]
    pub authorization: Option<String>,
    /// Why the relink failed; `None` on success.
    #[serde(default)]
    pub failure_reason: Option<FailureReason>,
}

impl RelinkResult {
    /// A successful relink of `authorization`, naming `account` when the session asked for one.
    pub fn succeeded(authorization: impl Into<String>, account: Option<String>) -> Self {
        RelinkResult {
            account,
            authorization: Some(authorization.into()),
            failure_reason: None,
        }
    }

    /// A failed relink.
    pub fn failed(reason: FailureReason) -> Self {
        RelinkResult {
            account: None,
            authorization: None,
            failure_reason: Some(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_through_their_wire_names() {
        for cause in InactiveCause::ALL {
            let json = serde_json::to_string(cause).unwrap();
            assert_eq!(json, format!("\"{}\"", cause.as_str()));
            assert_eq!(cause.as_str().parse::<InactiveCause>().unwrap(), *cause);
        }
    }

    #[test]
    fn unknown_values_name_the_accepted_ones() {
        let err = "sometimes".parse::<FailureReason>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "expected one of: no_authorization, no_account, other"
        );
    }

    #[test]
    fn only_authorization_level_causes_can_be_relinked() {
        assert_eq!(
            InactiveCause::AccessExpired.action(),
            InactiveAction::RelinkRequired
        );
        assert_eq!(
            InactiveCause::InstitutionRequirement.action(),
            InactiveAction::RelinkRequired
        );
        assert_eq!(InactiveCause::AccountClosed.action(), InactiveAction::None);
        assert_eq!(
            InactiveCause::AccountUnavailable.action(),
            InactiveAction::None
        );
    }

    #[test]
    fn relink_result_serializes_nulls_like_stripe() {
        let json = serde_json::to_value(RelinkResult::failed(FailureReason::NoAccount)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"account": null, "authorization": null, "failure_reason": "no_account"})
        );
    }
}
