//! What a fresh sandbox starts with: a demo customer with one working and one broken account.

use relink::model::{AccountStatus, InactiveCause, Permission};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::Account;
use crate::objects::account_holder::AccountHolder;
use crate::objects::account_numbers::fresh_account_numbers;
use crate::objects::authorization::Authorization;
use crate::objects::customer::Customer;
use crate::objects::institutions::{self, BankAccount, Institution};
use crate::objects::status_details::Inactive;
use crate::store::{Store, Tx};

/// The demo customer's stable ID.
pub const DEMO_CUSTOMER_ID: &str = "cus_demo_jennyrosen";

const SEEDED_KEY: &str = "seeded";

/// Seeds the demo data once; later starts (and restarts on the same file) keep what is there.
pub fn seed(tx: &Tx<'_>) -> ApiResult<()> {
    if tx.meta(SEEDED_KEY)?.is_some() {
        return Ok(());
    }
    let now = clock::now(tx)?;
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

/// `seed --accounts N`: customers with four accounts each, committed in batches so that a large
/// N shows progress (on a terminal) and a Ctrl-C keeps what is done.
pub fn in_batches(store: &Store, accounts: usize, db: &str) -> ApiResult<()> {
    use std::io::{IsTerminal, Write};

    const CUSTOMERS_PER_BATCH: usize = 2_500;
    let total = accounts.div_ceil(ACCOUNTS_PER_CUSTOMER);
    let show_progress = std::io::stderr().is_terminal() && total > CUSTOMERS_PER_BATCH;
    let mut done = 0;
    while done < total {
        let batch = CUSTOMERS_PER_BATCH.min(total - done);
        store.transaction(|tx| customers(tx, done, batch))?;
        done += batch;
        if show_progress {
            let filled = done * 30 / total;
            eprint!(
                "\r[{}{}] {:>3}%  {} accounts",
                "#".repeat(filled),
                " ".repeat(30 - filled),
                done * 100 / total,
                done * ACCOUNTS_PER_CUSTOMER
            );
            let _ = std::io::stderr().flush();
        }
    }
    if show_progress {
        eprintln!();
    }
    println!(
        "seeded {total} customers with {} accounts (some inactive, some with expiring \
         account numbers) into {db}",
        total * ACCOUNTS_PER_CUSTOMER
    );
    Ok(())
}

/// Accounts per seeded customer, all on one authorization: the bank's four test accounts.
pub const ACCOUNTS_PER_CUSTOMER: usize = institutions::BANK_ACCOUNTS.len();

/// What the `n`th seeded customer's link looks like. Most links work; the rest cover every
/// state a merchant meets in production, so lists, filters and hosted relink have work to do.
fn seeded_state(n: usize) -> (&'static str, Option<InactiveCause>) {
    match n % 20 {
        0 | 1 => ("Inactive accounts", Some(InactiveCause::AccessExpired)),
        2 => ("MFA Bank", Some(InactiveCause::InstitutionRequirement)),
        3 => ("Sandbox Bank", Some(InactiveCause::AccessDenied)),
        4..=6 => ("Tokenized Account Numbers", None),
        7 => ("OAuth Bank", None),
        _ => ("Sandbox Bank", None),
    }
}

/// Adds customers `first..first + customers`, each with the four test accounts on one
/// authorization in a state from `seeded_state` (every 50th customer's savings account is
/// closed, which no relink repairs). One transaction per call: the caller batches.
pub fn customers(tx: &Tx<'_>, first: usize, customers: usize) -> ApiResult<()> {
    let now = clock::now(tx)?;
    for n in first..first + customers {
        let customer = Customer {
            id: ids::new_id("cus"),
            created: now,
            email: Some(format!("customer{n}@example.com")),
            name: Some(format!("Seeded Customer {n}")),
            preferred_locales: vec!["en-US".into()],
        };
        tx.put(&customer)?;
        let (institution, broken) = seeded_state(n);
        let link = Link::new(tx, &customer.id, find(institution)?, broken, now)?;
        for offered in institutions::BANK_ACCOUNTS {
            let closed = n % 50 == 49 && offered.last4 == "4321";
            link.add(tx, offered, closed.then_some(InactiveCause::AccountClosed))?;
        }
    }
    Ok(())
}

fn find(institution: &str) -> ApiResult<&'static Institution> {
    institutions::find(institution).ok_or_else(|| ApiError::internal("missing test institution"))
}

fn link_demo_account(
    tx: &Tx<'_>,
    institution: &'static Institution,
    broken: Option<InactiveCause>,
    now: i64,
) -> ApiResult<()> {
    let checking = institutions::bank_account("6789")
        .ok_or_else(|| ApiError::internal("missing test bank account"))?;
    Link::new(tx, DEMO_CUSTOMER_ID, institution, broken, now)?.add(tx, checking, None)
}

/// A seeded authorization, working or broken, that accounts are added to.
struct Link {
    authorization: Authorization,
    institution: &'static Institution,
    now: i64,
}

impl Link {
    fn new(
        tx: &Tx<'_>,
        customer: &str,
        institution: &'static Institution,
        broken: Option<InactiveCause>,
        now: i64,
    ) -> ApiResult<Self> {
        let authorization = Authorization {
            id: ids::new_id("fcauth"),
            created: now,
            account_holder: Some(AccountHolder::customer(customer)),
            institution: institution.id.into(),
            institution_name: institution.name.into(),
            status: status_for(broken),
            inactive: broken.map(Inactive::because),
            upcoming: None,
            announced: None,
        };
        tx.put(&authorization)?;
        Ok(Link {
            authorization,
            institution,
            now,
        })
    }

    /// Adds one of the bank's accounts; `own_cause` breaks this account alone (a closed one).
    fn add(
        &self,
        tx: &Tx<'_>,
        offered: &BankAccount,
        own_cause: Option<InactiveCause>,
    ) -> ApiResult<()> {
        let cause = own_cause.or(self.authorization.inactive.as_ref().map(|i| i.cause));
        tx.put(&Account {
            id: ids::new_id("fca"),
            created: self.now,
            authorization: self.authorization.id.clone(),
            account_holder: self.authorization.account_holder.clone(),
            institution: self.institution.id.into(),
            institution_name: self.institution.name.into(),
            display_name: offered.display_name.into(),
            last4: offered.last4.into(),
            category: offered.category,
            subcategory: offered.subcategory,
            permissions: vec![Permission::PaymentMethod, Permission::Balances],
            status: status_for(cause),
            inactive: cause.map(Inactive::because),
            active: None,
            account_numbers: fresh_account_numbers(self.institution, self.now, false),
            refreshed: Default::default(),
        })
    }
}

fn status_for(cause: Option<InactiveCause>) -> AccountStatus {
    if cause.is_some() {
        AccountStatus::Inactive
    } else {
        AccountStatus::Active
    }
}
