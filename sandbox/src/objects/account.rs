//! Financial Connections accounts (`fca_…`): what they hold, the rules about their status and
//! account numbers, and how they render.

use relink::model::{
    AccountCategory, AccountStatus, AccountSubcategory, InactiveAction, InactiveCause, Permission,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::objects::account_holder::AccountHolder;
use crate::objects::account_numbers::{AccountNumber, AccountNumberStatus, IdentifierType};
use crate::objects::status_details::{Inactive, Upcoming};
use crate::store::{Document, Index, Tx};
use crate::version::{ApiVersion, PreviewFields};

/// A Financial Connections account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    /// `fca_…`.
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    /// The authorization (`fcauth_…`) whose credentials reach this account.
    pub authorization: String,
    /// Owner; `None` for two-step flows.
    pub account_holder: Option<AccountHolder>,
    /// `fcinst_…`.
    pub institution: String,
    /// Name of the institution.
    pub institution_name: String,
    /// Name of the account at the bank.
    pub display_name: String,
    /// Last four digits of the account number.
    pub last4: String,
    /// `category`.
    pub category: AccountCategory,
    /// `subcategory`.
    pub subcategory: AccountSubcategory,
    /// Data the merchant may access.
    pub permissions: Vec<Permission>,
    /// `status`.
    pub status: AccountStatus,
    /// `status_details.inactive`, set while inactive.
    pub inactive: Option<Inactive>,
    /// `status_details.active`, set while active and expected to stop on a date: its
    /// authorization's, mirrored here so that rendering an account reads one document.
    #[serde(default)]
    pub active: Option<Upcoming>,
    /// Account numbers (real or tokenized).
    pub account_numbers: Vec<AccountNumber>,
    /// When each kind of data was last refreshed.
    #[serde(default)]
    pub refreshed: Refreshed,
}

/// When each kind of account data was last refreshed (Unix seconds).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refreshed {
    /// `balance_refresh.last_attempted_at`.
    pub balance: Option<i64>,
    /// `ownership_refresh.last_attempted_at`.
    pub ownership: Option<i64>,
    /// `transaction_refresh.last_attempted_at`.
    pub transactions: Option<i64>,
}

/// The sandbox's fixed test balance, in cents.
const TEST_BALANCE_CENTS: i64 = 10_000;

fn refresh_json(at: Option<i64>) -> Value {
    match at {
        Some(at) => json!({
            "last_attempted_at": at,
            "next_refresh_available_at": null,
            "status": "succeeded",
        }),
        None => Value::Null,
    }
}

impl Document for Account {
    const KIND: &'static str = "financial_connections.account";
    fn id(&self) -> &str {
        &self.id
    }
    fn index(&self) -> Index<'_> {
        Index {
            customer: self.account_holder.as_ref().map(AccountHolder::id),
            authorization: Some(&self.authorization),
            client_secret: None,
        }
    }
}

impl Account {
    /// The fields only preview versions show: the authorization behind the account and why it
    /// is inactive. `status_details.active` (a date it will stop working) is GA.
    pub const PREVIEW: PreviewFields = PreviewFields {
        object: "financial_connections.account",
        fields: &["authorization", "status_details.inactive"],
    };

    /// Whether a relink can bring this account back: it is inactive for a reason that lives on
    /// the authorization, or active already.
    pub fn is_repairable(&self) -> bool {
        self.status != AccountStatus::Disconnected
            && self
                .inactive
                .is_none_or(|i| i.action == InactiveAction::RelinkRequired)
    }

    /// Marks the account active with nothing wrong; `upcoming` is when its authorization is
    /// expected to stop working, if it is.
    pub fn reactivate(&mut self, upcoming: Option<Upcoming>) {
        self.status = AccountStatus::Active;
        self.inactive = None;
        self.active = upcoming;
    }

    /// Marks the account inactive.
    pub fn deactivate(&mut self, cause: InactiveCause) {
        self.status = AccountStatus::Inactive;
        self.inactive = Some(Inactive::because(cause));
        self.active = None;
    }

    fn id_suffix(&self) -> &str {
        self.id.strip_prefix("fca_").unwrap_or(&self.id)
    }

    fn balance_json(&self, as_of: i64) -> Value {
        if self.category == AccountCategory::Credit {
            json!({
                "as_of": as_of,
                "credit": {"used": {"usd": TEST_BALANCE_CENTS}},
                "current": {"usd": -TEST_BALANCE_CENTS},
                "type": "credit",
            })
        } else {
            json!({
                "as_of": as_of,
                "cash": {"available": {"usd": TEST_BALANCE_CENTS}},
                "current": {"usd": TEST_BALANCE_CENTS},
                "type": "cash",
            })
        }
    }

    /// The API representation in `version`.
    pub fn to_json(&self, version: &ApiVersion) -> Value {
        let payment_eligible = self.subcategory.is_payment_eligible();
        let mut out = json!({
            "id": self.id,
            "object": "financial_connections.account",
            "account_holder": AccountHolder::to_json(self.account_holder.as_ref()),
            "account_numbers": self.account_numbers.iter().map(|n| json!({
                "identifier_type": n.identifier_type,
                "status": n.status,
                "expected_expiry_date": n.expected_expiry_date,
                "supported_networks": ["ach"],
            })).collect::<Vec<_>>(),
            "balance": self.refreshed.balance.map(|as_of| self.balance_json(as_of)),
            "balance_refresh": refresh_json(self.refreshed.balance),
            "category": self.category,
            "created": self.created,
            "display_name": self.display_name,
            "institution_name": self.institution_name,
            "last4": self.last4,
            "livemode": false,
            "ownership": self.refreshed.ownership.map(|_| format!("fcaowns_{}", self.id_suffix())),
            "ownership_refresh": refresh_json(self.refreshed.ownership),
            "permissions": self.permissions,
            "status": self.status,
            "subcategory": self.subcategory,
            "subscriptions": [],
            "supported_payment_method_types":
                if payment_eligible { json!(["us_bank_account"]) } else { json!([]) },
            "transaction_refresh": self.refreshed.transactions.map(|at| {
                let mut refresh = refresh_json(Some(at));
                refresh["id"] = json!(format!("fctxnref_{}", self.id_suffix()));
                refresh
            }),
        });
        out["authorization"] = json!(self.authorization);
        out["status_details"] = self.status_details();
        version.hide_preview_fields(&mut out, &Account::PREVIEW);
        out
    }
}

impl Account {
    /// Whether the account's tokenized account number no longer works.
    pub fn tan_deactivated(&self) -> bool {
        self.account_numbers.iter().any(|n| {
            n.identifier_type == IdentifierType::TokenizedAccountNumber
                && n.status == AccountNumberStatus::Deactivated
        })
    }

    /// Deactivates every TAN that has expired by `now`; returns whether any did.
    pub fn deactivate_expired_tans(&mut self, now: i64) -> bool {
        let mut changed = false;
        for number in &mut self.account_numbers {
            if number.is_expired_tan(now) {
                number.status = AccountNumberStatus::Deactivated;
                changed = true;
            }
        }
        changed
    }

    /// Records a data refresh of `features` at `now`, if the account is active and was linked
    /// with the permission each needs.
    pub fn refresh(&mut self, features: &[Feature], now: i64) -> ApiResult<()> {
        if self.status != AccountStatus::Active {
            return Err(ApiError::invalid(format!(
                "Account {} is {} and its data cannot be refreshed. \
                 Ask the customer to relink it.",
                self.id, self.status
            ))
            .with_code("financial_connections_account_inactive"));
        }
        for feature in features {
            if !self.permissions.contains(&feature.permission()) {
                return Err(ApiError::invalid_param(
                    "features",
                    format!(
                        "Account {} was not linked with the {} permission; \
                         relink it with that permission to refresh this data.",
                        self.id,
                        feature.permission()
                    ),
                ));
            }
            match feature {
                Feature::Balance => self.refreshed.balance = Some(now),
                Feature::Ownership => self.refreshed.ownership = Some(now),
                Feature::Transactions => self.refreshed.transactions = Some(now),
            }
        }
        Ok(())
    }
}

impl Account {
    /// `status_details`: `inactive` while inactive, `active` while working but expected to
    /// stop, `{}` otherwise.
    pub fn status_details(&self) -> Value {
        let mut details = json!({});
        if let Some(i) = &self.inactive {
            details["inactive"] = json!({"action": i.action, "cause": i.cause});
        }
        if let Some(upcoming) = &self.active {
            details["active"] = json!({
                "action": upcoming.action(),
                "cause": upcoming.cause,
                "expected_deactivation_date": upcoming.expected_deactivation_date,
            });
        }
        details
    }

    /// When the account is expected to stop working, if it is.
    pub fn expected_deactivation_date(&self) -> Option<i64> {
        self.active.map(|a| a.expected_deactivation_date)
    }
}

/// Loads accounts by ID, in the given order.
pub fn load_all(tx: &Tx<'_>, ids: &[String]) -> ApiResult<Vec<Account>> {
    ids.iter().map(|id| tx.fetch::<Account>(id, None)).collect()
}

/// `features[]` of a refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    /// `balance`.
    Balance,
    /// `ownership`.
    Ownership,
    /// `transactions`.
    Transactions,
}

impl std::str::FromStr for Feature {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "balance" => Ok(Feature::Balance),
            "ownership" => Ok(Feature::Ownership),
            "transactions" => Ok(Feature::Transactions),
            _ => Err("expected one of: balance, ownership, transactions"),
        }
    }
}

impl Feature {
    /// The permission the account must hold for this data.
    fn permission(self) -> Permission {
        match self {
            Feature::Balance => Permission::Balances,
            Feature::Ownership => Permission::Ownership,
            Feature::Transactions => Permission::Transactions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::account_numbers::fresh_account_numbers;
    use crate::objects::institutions;

    #[test]
    fn the_preview_declaration_names_exactly_the_fields_ga_loses() {
        let institution = institutions::find("Sandbox Bank").unwrap();
        let account = Account {
            id: "fca_1".into(),
            created: 1,
            authorization: "fcauth_1".into(),
            account_holder: None,
            institution: institution.id.into(),
            institution_name: institution.name.into(),
            display_name: "Checking".into(),
            last4: "6789".into(),
            category: AccountCategory::Cash,
            subcategory: AccountSubcategory::Checking,
            permissions: vec![Permission::PaymentMethod],
            status: AccountStatus::Inactive,
            inactive: Some(Inactive::because(InactiveCause::AccessExpired)),
            active: None,
            account_numbers: fresh_account_numbers(institution, 1, false),
            refreshed: Refreshed::default(),
        };
        let preview = account.to_json(&ApiVersion::preview());
        let ga = account.to_json(&ApiVersion("2026-10-28.endive".into()));
        let at = |v: &Value, path: &str| {
            path.split('.')
                .try_fold(v.clone(), |v, key| v.get(key).cloned())
        };
        for field in Account::PREVIEW.fields {
            assert!(at(&preview, field).is_some(), "preview renders {field}");
            assert!(at(&ga, field).is_none(), "GA hides {field}");
        }
        // Hiding `inactive` leaves nothing in `status_details`, which goes with it.
        assert!(ga.get("status_details").is_none());
        let shown = |v: &Value| v.as_object().unwrap().len();
        assert_eq!(shown(&preview) - shown(&ga), 2);
    }

    #[test]
    fn holders_stored_before_connected_accounts_still_read() {
        let old: AccountHolder = serde_json::from_str(r#"{"customer":"cus_1"}"#).unwrap();
        assert_eq!(old, AccountHolder::customer("cus_1"));
        let stored = serde_json::to_value(AccountHolder::account("acct_1")).unwrap();
        assert_eq!(stored, json!({"account": "acct_1"}));
        assert_eq!(
            AccountHolder::to_json(Some(&AccountHolder::account("acct_1"))),
            json!({"type": "account", "account": "acct_1"})
        );
    }

    #[test]
    fn ga_shows_when_a_working_account_will_stop() {
        let institution = institutions::find("Sandbox Bank").unwrap();
        let upcoming = Upcoming {
            cause: InactiveCause::AccessExpired,
            expected_deactivation_date: 1_900_000_000,
        };
        let account = Account {
            id: "fca_1".into(),
            created: 1,
            authorization: "fcauth_1".into(),
            account_holder: None,
            institution: institution.id.into(),
            institution_name: institution.name.into(),
            display_name: "Checking".into(),
            last4: "6789".into(),
            category: AccountCategory::Cash,
            subcategory: AccountSubcategory::Checking,
            permissions: vec![Permission::PaymentMethod],
            status: AccountStatus::Active,
            inactive: None,
            active: Some(upcoming),
            account_numbers: fresh_account_numbers(institution, 1, false),
            refreshed: Refreshed::default(),
        };
        let expected = json!({"active": {
            "action": "relink_required",
            "cause": "access_expired",
            "expected_deactivation_date": 1_900_000_000,
        }});
        let ga = account.to_json(&ApiVersion("2026-10-28.endive".into()));
        assert_eq!(ga["status_details"], expected);
        assert_eq!(
            account.to_json(&ApiVersion::preview())["status_details"],
            expected
        );
    }
}
