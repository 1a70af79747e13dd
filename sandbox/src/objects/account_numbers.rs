//! `account_numbers` of Financial Connections accounts: real numbers and tokenized account
//! numbers (TANs), which expire and are refreshed by relinking.

use serde::{Deserialize, Serialize};

use crate::objects::institutions::{self, Behaviour, Institution};

/// `account_numbers[].identifier_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierType {
    /// The real account number.
    AccountNumber,
    /// A tokenized account number (TAN) issued by the bank.
    TokenizedAccountNumber,
}

/// `account_numbers[].status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountNumberStatus {
    /// Usable for ACH.
    Transactable,
    /// No longer usable.
    Deactivated,
}

/// One item of `account_numbers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountNumber {
    /// Real number or TAN.
    pub identifier_type: IdentifierType,
    /// Whether it can be used.
    pub status: AccountNumberStatus,
    /// When a TAN stops working (Unix seconds).
    pub expected_expiry_date: Option<i64>,
}

/// The account numbers an account gets when linked or relinked at `institution` at `now`.
///
/// Relinking is how a customer gets a fresh TAN, so a relink at the TAN institution issues one
/// that lives a year rather than another 20-day one.
pub fn fresh_account_numbers(
    institution: &Institution,
    now: i64,
    relinked: bool,
) -> Vec<AccountNumber> {
    const YEAR: i64 = 365 * 24 * 60 * 60;
    match institution.behaviour {
        Behaviour::ExpiringTans => vec![AccountNumber {
            identifier_type: IdentifierType::TokenizedAccountNumber,
            status: AccountNumberStatus::Transactable,
            expected_expiry_date: Some(
                now + if relinked {
                    YEAR
                } else {
                    institutions::EXPIRING_TAN_LIFETIME_SECS
                },
            ),
        }],
        _ => vec![AccountNumber {
            identifier_type: IdentifierType::AccountNumber,
            status: AccountNumberStatus::Transactable,
            expected_expiry_date: None,
        }],
    }
}

/// How long before a TAN expires the sandbox announces it
/// (`financial_connections.account.upcoming_account_number_expiry`): the hosted relink window.
pub const EXPIRY_NOTICE_SECS: i64 = 30 * 24 * 60 * 60;

impl AccountNumber {
    /// Whether this is a TAN that has expired by `now` and still reads as transactable.
    pub fn is_expired_tan(&self, now: i64) -> bool {
        self.identifier_type == IdentifierType::TokenizedAccountNumber
            && self.status == AccountNumberStatus::Transactable
            && self.expected_expiry_date.is_some_and(|at| at <= now)
    }

    /// Whether this is a working TAN that expires within [`EXPIRY_NOTICE_SECS`] of `now`.
    pub fn expires_soon(&self, now: i64) -> bool {
        self.identifier_type == IdentifierType::TokenizedAccountNumber
            && self.status == AccountNumberStatus::Transactable
            && self
                .expected_expiry_date
                .is_some_and(|expiry| now < expiry && expiry - now <= EXPIRY_NOTICE_SECS)
    }
}
