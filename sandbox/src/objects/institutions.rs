//! The test institutions and the bank accounts each of them offers.
//!
//! Their IDs are stable so that tests and documentation can name them. Behaviour (MFA, OAuth,
//! outages, accounts going inactive, expiring TANs) is a property of the institution, so the
//! link flow asks the institution what to do instead of matching on names.

use relink::model::{AccountCategory, AccountSubcategory};
use serde_json::{Value, json};

/// Which special behaviour an institution has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Plain success.
    Plain,
    /// Accounts go inactive (`access_expired`) right after linking.
    GoesInactive,
    /// Accounts get tokenized account numbers expiring in 20 days.
    ExpiringTans,
    /// Login asks for a one-time code after the password.
    Mfa,
    /// OAuth-style: no password in our flow; the bank's own window picks accounts.
    OAuth,
    /// The institution is down: every attempt fails with `other`.
    Down,
    /// The bank's consent lapses 14 days after each link or relink: accounts carry
    /// `status_details.active` with that date and go inactive when it passes.
    ExpiringConsent,
}

/// A test institution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Institution {
    /// Stable `fcinst_` ID.
    pub id: &'static str,
    /// Name shown in the flow and on accounts (`institution_name`).
    pub name: &'static str,
    /// How it behaves.
    pub behaviour: Behaviour,
}

/// A bank account an institution offers to whoever logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankAccount {
    /// Last four digits, which is how tests pick accounts.
    pub last4: &'static str,
    /// Name shown to the customer.
    pub display_name: &'static str,
    /// `category`.
    pub category: AccountCategory,
    /// `subcategory`.
    pub subcategory: AccountSubcategory,
}

/// Every test institution, in the order the flow lists them.
pub const ALL: &[Institution] = &[
    Institution {
        id: "fcinst_sandbox_bank",
        name: "Sandbox Bank",
        behaviour: Behaviour::Plain,
    },
    Institution {
        id: "fcinst_inactive_accounts",
        name: "Inactive accounts",
        behaviour: Behaviour::GoesInactive,
    },
    Institution {
        id: "fcinst_tokenized_account_numbers",
        name: "Tokenized Account Numbers",
        behaviour: Behaviour::ExpiringTans,
    },
    Institution {
        id: "fcinst_mfa_bank",
        name: "MFA Bank",
        behaviour: Behaviour::Mfa,
    },
    Institution {
        id: "fcinst_oauth_bank",
        name: "OAuth Bank",
        behaviour: Behaviour::OAuth,
    },
    Institution {
        id: "fcinst_down_bank",
        name: "Down Bank",
        behaviour: Behaviour::Down,
    },
    Institution {
        id: "fcinst_expiring_consent",
        name: "Expiring Consent",
        behaviour: Behaviour::ExpiringConsent,
    },
];

/// The accounts every test institution offers.
pub const BANK_ACCOUNTS: &[BankAccount] = &[
    BankAccount {
        last4: "6789",
        display_name: "Checking",
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
    },
    BankAccount {
        last4: "4321",
        display_name: "Savings",
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Savings,
    },
    BankAccount {
        last4: "2222",
        display_name: "Joint Checking",
        category: AccountCategory::Cash,
        subcategory: AccountSubcategory::Checking,
    },
    BankAccount {
        last4: "1111",
        display_name: "Credit Card",
        category: AccountCategory::Credit,
        subcategory: AccountSubcategory::CreditCard,
    },
];

/// The test password that logs in everywhere.
pub const TEST_PASSWORD: &str = "pass_good";
/// The one-time code MFA Bank accepts.
pub const TEST_MFA_CODE: &str = "123456";
/// How long the Tokenized Account Numbers institution's TANs live.
pub const EXPIRING_TAN_LIFETIME_SECS: i64 = 20 * 24 * 60 * 60;
/// How long a consent given to the Expiring Consent institution lasts.
pub const CONSENT_LIFETIME_SECS: i64 = 14 * 24 * 60 * 60;

/// Looks an institution up by ID or, for convenience in tests, by exact (case-insensitive) name.
pub fn find(id_or_name: &str) -> Option<&'static Institution> {
    ALL.iter()
        .find(|i| i.id == id_or_name || i.name.eq_ignore_ascii_case(id_or_name))
}

/// Looks a bank account up by its last four digits.
pub fn bank_account(last4: &str) -> Option<&'static BankAccount> {
    BANK_ACCOUNTS.iter().find(|a| a.last4 == last4)
}

/// How one login attempt at a test institution ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogIn {
    /// Logged in: the customer may pick accounts.
    Authenticated,
    /// The password was right; the bank wants the one-time code next.
    MfaRequired,
    /// Wrong password or code, with what the bank says.
    Failed(&'static str),
    /// The bank did not answer.
    Unavailable,
}

impl Institution {
    /// Whether `password` (and, at MFA Bank, `mfa_code`) logs in here.
    pub fn log_in(&self, password: Option<&str>, mfa_code: Option<&str>) -> LogIn {
        match self.behaviour {
            Behaviour::Down => return LogIn::Unavailable,
            // The bank's own window did the login.
            Behaviour::OAuth => return LogIn::Authenticated,
            _ => {}
        }
        if password != Some(TEST_PASSWORD) {
            return LogIn::Failed("The username or password is incorrect.");
        }
        if self.behaviour != Behaviour::Mfa {
            return LogIn::Authenticated;
        }
        match mfa_code {
            None => LogIn::MfaRequired,
            Some(TEST_MFA_CODE) => LogIn::Authenticated,
            Some(_) => LogIn::Failed("The one-time code is incorrect."),
        }
    }

    /// When a consent given here at `now` lapses, for banks whose consents have a fixed life.
    pub fn consent_expiry(&self, now: i64) -> Option<i64> {
        (self.behaviour == Behaviour::ExpiringConsent).then_some(now + CONSENT_LIFETIME_SECS)
    }

    /// The institution as the browser's link flow describes it.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "mfa": self.behaviour == Behaviour::Mfa,
            "oauth": self.behaviour == Behaviour::OAuth,
            "down": self.behaviour == Behaviour::Down,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_by_id_or_name() {
        assert_eq!(find("fcinst_mfa_bank").map(|i| i.name), Some("MFA Bank"));
        assert_eq!(find("down bank").map(|i| i.id), Some("fcinst_down_bank"));
        assert!(find("Nope Bank").is_none());
        assert!(
            !bank_account("1111")
                .unwrap()
                .subcategory
                .is_payment_eligible()
        );
    }

    #[test]
    fn login_rules() {
        let bank = |id| find(id).expect("test institution");
        let sandbox = bank("Sandbox Bank");
        let mfa = bank("MFA Bank");
        assert_eq!(
            sandbox.log_in(Some("pass_good"), None),
            LogIn::Authenticated
        );
        assert!(matches!(
            sandbox.log_in(Some("nope"), None),
            LogIn::Failed(_)
        ));
        assert_eq!(mfa.log_in(Some("pass_good"), None), LogIn::MfaRequired);
        assert_eq!(
            mfa.log_in(Some("pass_good"), Some("123456")),
            LogIn::Authenticated
        );
        assert!(matches!(
            mfa.log_in(Some("pass_good"), Some("000000")),
            LogIn::Failed(_)
        ));
        assert_eq!(bank("OAuth Bank").log_in(None, None), LogIn::Authenticated);
        assert_eq!(
            bank("Down Bank").log_in(Some("pass_good"), None),
            LogIn::Unavailable
        );
    }
}
