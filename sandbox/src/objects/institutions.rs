//! The test institutions and the bank accounts each of them offers.
//!
//! Their IDs are stable so that tests and documentation can name them. Behaviour (MFA, OAuth,
//! outages, accounts going inactive, expiring TANs) is a property of the institution, so the
//! link flow asks the institution what to do instead of matching on names.

use relink::model::{AccountCategory, AccountSubcategory};
use relink::wire;

use crate::error::ApiResult;
use crate::store::Tx;

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

impl Institution {
    /// How one login attempt here ends: `password` (and, at MFA Bank, `mfa_code`) decide, and
    /// `accounts` lists what the bank shows once the customer is in.
    pub fn log_in<E>(
        &self,
        password: Option<&str>,
        mfa_code: Option<&str>,
        accounts: impl FnOnce() -> Result<Vec<wire::BankAccount>, E>,
    ) -> Result<wire::Authentication, E> {
        let failed = |message: &str| wire::Authentication::LoginFailed {
            message: Some(message.to_owned()),
        };
        let authenticated = match self.behaviour {
            Behaviour::Down => return Ok(self.unavailable()),
            // The bank's own window did the login.
            Behaviour::OAuth => true,
            _ if password != Some(TEST_PASSWORD) => {
                return Ok(failed("The username or password is incorrect."));
            }
            Behaviour::Mfa => match mfa_code {
                None => return Ok(wire::Authentication::MfaRequired),
                Some(code) => code == TEST_MFA_CODE,
            },
            _ => true,
        };
        if !authenticated {
            return Ok(failed("The one-time code is incorrect."));
        }
        Ok(wire::Authentication::Authenticated {
            accounts: accounts()?,
        })
    }

    /// What a login attempt meets while the bank is down.
    pub fn unavailable(&self) -> wire::Authentication {
        wire::Authentication::InstitutionUnavailable {
            message: Some(format!(
                "{} is not responding right now. Try again later.",
                self.name
            )),
        }
    }

    /// When a consent given here at `now` lapses, for banks whose consents have a fixed life.
    pub fn consent_expiry(&self, now: i64) -> Option<i64> {
        (self.behaviour == Behaviour::ExpiringConsent).then_some(now + CONSENT_LIFETIME_SECS)
    }

    /// The institution as the browser's link flow describes it.
    pub fn to_wire(&self) -> wire::Institution {
        wire::Institution {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            mfa: self.behaviour == Behaviour::Mfa,
            oauth: self.behaviour == Behaviour::OAuth,
            down: self.behaviour == Behaviour::Down,
        }
    }
}

/// Where an outage of `institution` is recorded while it lasts.
fn outage_key(institution: &Institution) -> String {
    format!("institution_outage:{}", institution.id)
}

/// Whether `institution` is down now: Down Bank always, any other during an outage a test helper
/// started (so that a relink, which is fixed to its bank, can end with `other` in the browser).
pub fn is_down(tx: &Tx<'_>, institution: &Institution) -> ApiResult<bool> {
    Ok(institution.behaviour == Behaviour::Down || tx.meta(&outage_key(institution))?.is_some())
}

/// Starts (`down`) or ends an outage of `institution`.
pub fn set_outage(tx: &Tx<'_>, institution: &Institution, down: bool) -> ApiResult<()> {
    if down {
        tx.set_meta(&outage_key(institution), "down")
    } else {
        tx.delete_meta(&outage_key(institution))
    }
}

/// The institution as the browser's link flow describes it now, outages included.
pub fn describe(tx: &Tx<'_>, institution: &Institution) -> ApiResult<wire::Institution> {
    let mut described = institution.to_wire();
    described.down = is_down(tx, institution)?;
    Ok(described)
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
        use wire::Authentication as A;
        let bank = |id| find(id).expect("test institution");
        let log_in = |bank: &Institution, password, code| {
            bank.log_in(password, code, || Ok::<_, ()>(Vec::new()))
                .unwrap()
        };
        let (sandbox, mfa) = (bank("Sandbox Bank"), bank("MFA Bank"));
        let authenticated = A::Authenticated {
            accounts: Vec::new(),
        };
        assert_eq!(log_in(sandbox, Some("pass_good"), None), authenticated);
        assert!(matches!(
            log_in(sandbox, Some("nope"), None),
            A::LoginFailed { .. }
        ));
        assert_eq!(log_in(mfa, Some("pass_good"), None), A::MfaRequired);
        assert_eq!(
            log_in(mfa, Some("pass_good"), Some("123456")),
            authenticated
        );
        assert!(matches!(
            log_in(mfa, Some("pass_good"), Some("000000")),
            A::LoginFailed { .. }
        ));
        assert!(matches!(
            log_in(mfa, Some("nope"), Some("123456")),
            A::LoginFailed { .. }
        ));
        assert_eq!(log_in(bank("OAuth Bank"), None, None), authenticated);
        assert!(matches!(
            log_in(bank("Down Bank"), Some("pass_good"), None),
            A::InstitutionUnavailable { .. }
        ));
    }
}
