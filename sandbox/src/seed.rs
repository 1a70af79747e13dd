//! What a fresh sandbox starts with: a demo customer with one working and one broken account.

use relink::model::{AccountStatus, InactiveCause, Permission};

use crate::accounts::{Account, AccountHolder, Authorization, Inactive, fresh_account_numbers};
use crate::customers::Customer;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::institutions::{self, Institution};
use crate::store::Tx;

/// The demo customer's stable ID.
pub const DEMO_CUSTOMER_ID: &str = "cus_demo_jennyrosen";

const SEEDED_KEY: &str = "seeded";

/// Seeds the demo data once; later starts (and restarts on the same file) keep what is there.
pub fn seed(tx: &Tx<'_>) -> ApiResult<()> {
    if tx.meta(SEEDED_KEY)?.is_some() {
        return Ok(());
    }
    let now = crate::clock::now(tx)?;
    let customer = Customer {
        id: DEMO_CUSTOMER_ID.into(),
        created: now,
        email: Some("jenny.rosen@example.com".into()),
        name: Some("Jenny Rosen".into()),
        preferred_locales: vec!["en-US".into()],
    };
    tx.put(&customer)?;
    let bank = |name| {
        institutions::find(name).ok_or_else(|| ApiError::internal("missing test institution"))
    };
    link_demo_account(tx, bank("Sandbox Bank")?, None, now)?;
    link_demo_account(
        tx,
        bank("Inactive accounts")?,
        Some(InactiveCause::AccessExpired),
        now,
    )?;
    tx.set_meta(SEEDED_KEY, &now.to_string())
}

/// Adds `count` active accounts for one bulk customer, four to an authorization at Sandbox
/// Bank, in one transaction.
pub fn bulk(tx: &Tx<'_>, count: u32) -> ApiResult<()> {
    let now = crate::clock::now(tx)?;
    let customer = Customer {
        id: ids::new_id("cus"),
        created: now,
        email: Some("bulk@example.com".into()),
        name: Some("Bulk Seed".into()),
        preferred_locales: Vec::new(),
    };
    tx.put(&customer)?;
    let institution = institutions::find("Sandbox Bank")
        .ok_or_else(|| ApiError::internal("missing test institution"))?;
    let holder = Some(AccountHolder {
        customer: customer.id.clone(),
    });
    let mut authorization_id = String::new();
    for i in 0..count as usize {
        let offered = &institutions::BANK_ACCOUNTS[i % institutions::BANK_ACCOUNTS.len()];
        if i % institutions::BANK_ACCOUNTS.len() == 0 {
            let authorization = Authorization {
                id: ids::new_id("fcauth"),
                created: now,
                account_holder: holder.clone(),
                institution: institution.id.into(),
                institution_name: institution.name.into(),
                status: AccountStatus::Active,
                inactive: None,
            };
            tx.put(&authorization)?;
            authorization_id = authorization.id;
        }
        tx.put(&Account {
            id: ids::new_id("fca"),
            created: now,
            authorization: authorization_id.clone(),
            account_holder: holder.clone(),
            institution: institution.id.into(),
            institution_name: institution.name.into(),
            display_name: offered.display_name.into(),
            last4: offered.last4.into(),
            category: offered.category,
            subcategory: offered.subcategory,
            permissions: vec![Permission::PaymentMethod],
            status: AccountStatus::Active,
            inactive: None,
            account_numbers: fresh_account_numbers(institution, now, false),
            refreshed: Default::default(),
        })?;
    }
    Ok(())
}

fn link_demo_account(
    tx: &Tx<'_>,
    institution: &Institution,
    broken: Option<InactiveCause>,
    now: i64,
) -> ApiResult<()> {
    let holder = Some(AccountHolder {
        customer: DEMO_CUSTOMER_ID.into(),
    });
    let status = if broken.is_some() {
        AccountStatus::Inactive
    } else {
        AccountStatus::Active
    };
    let authorization = Authorization {
        id: ids::new_id("fcauth"),
        created: now,
        account_holder: holder.clone(),
        institution: institution.id.into(),
        institution_name: institution.name.into(),
        status,
        inactive: broken.map(Inactive::because),
    };
    tx.put(&authorization)?;
    let checking = institutions::bank_account("6789")
        .ok_or_else(|| ApiError::internal("missing test bank account"))?;
    tx.put(&Account {
        id: ids::new_id("fca"),
        created: now,
        authorization: authorization.id,
        account_holder: holder,
        institution: institution.id.into(),
        institution_name: institution.name.into(),
        display_name: checking.display_name.into(),
        last4: checking.last4.into(),
        category: checking.category,
        subcategory: checking.subcategory,
        permissions: vec![Permission::PaymentMethod, Permission::Balances],
        status,
        inactive: broken.map(Inactive::because),
        account_numbers: fresh_account_numbers(institution, now, false),
        refreshed: Default::default(),
    })
}
