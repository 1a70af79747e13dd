//! Finishing a session: what the customer did becomes linked accounts, a repaired
//! authorization and the session's result.
//!
//! A session finishes exactly once, through [`finish`], whether the browser's link flow or the
//! `complete` test helper drives it; both only describe what the customer did and let the
//! [`relink_rules`](crate::objects::relink_rules) decide the result. A session opened for a
//! SetupIntent then hands the account it linked to that intent.

use relink::model::{AccountStatus, InactiveCause, SessionStatus};

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::Account;
use crate::objects::account_holder::AccountHolder;
use crate::objects::account_numbers::fresh_account_numbers;
use crate::objects::authorization::Authorization;
use crate::objects::institutions::{self, Behaviour, Institution};
use crate::objects::relink_rules::{Authentication, Decision, KnownAccount, Link, decide};
use crate::objects::session::Session;
use crate::objects::status_details::{Inactive, Upcoming};
use crate::store::Tx;
use crate::workflows::{account_status, expected_deactivation, payment_setup};

/// What the customer did in a session, as far as finishing it is concerned.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Where they logged in (for relinks, the authorization's institution).
    pub institution: &'static Institution,
    /// How logging in ended.
    pub authentication: Authentication,
    /// Last four digits of the bank accounts they selected.
    pub picked: Vec<String>,
}

/// Checks the picks against what the bank offers and what the session allows.
fn validate_picks(session: &Session, picked: &[String]) -> ApiResult<()> {
    let too_many = u32::try_from(picked.len()).map_or(true, |n| n > session.limit_accounts);
    if too_many {
        return Err(ApiError::invalid_param(
            "accounts",
            format!(
                "This session allows at most {} account(s).",
                session.limit_accounts
            ),
        ));
    }
    for (i, last4) in picked.iter().enumerate() {
        if picked[..i].contains(last4) {
            return Err(ApiError::invalid_param(
                "accounts",
                format!("Account {last4} was selected twice."),
            ));
        }
        let offered = institutions::bank_account(last4).ok_or_else(|| {
            ApiError::invalid_param(
                "accounts",
                format!("The institution has no account ending in {last4}."),
            )
        })?;
        if !session.is_eligible(offered.subcategory) {
            return Err(ApiError::invalid_param(
                "accounts",
                format!(
                    "The account ending in {last4} ({}) is not eligible for this session.",
                    offered.subcategory
                ),
            ));
        }
    }
    Ok(())
}

/// Finishes a pending session: decides the result, links accounts, repairs the authorization.
pub fn finish(tx: &Tx<'_>, session: Session, attempt: Attempt) -> ApiResult<Session> {
    if session.status != SessionStatus::Pending {
        return Err(ApiError::token_already_used());
    }
    if attempt.authentication == Authentication::Succeeded {
        validate_picks(&session, &attempt.picked)?;
    }
    let now = clock::now(tx)?;
    let decision = decide_outcome(tx, &session, &attempt)?;
    let target = Target::of(tx, &session, attempt.institution, &decision, now)?;
    let linked = decision
        .links
        .iter()
        .map(|link| match link {
            Link::Existing(id) => relink_existing(tx, &session, &target, id, now),
            Link::New(last4) => link_new(tx, &session, &target, last4, now),
        })
        .collect::<ApiResult<Vec<String>>>()?;
    if decision.repairs_authorization()
        && let Some(options) = &session.relink_options
    {
        let authorization = &options.authorization;
        account_status::repair_authorization(tx, authorization, &linked, target.upcoming)?;
        // A relink is a fresh consent: it moves the expected deactivation date, or clears it
        // at a bank whose consents do not lapse.
        expected_deactivation::set(tx, authorization, target.upcoming)?;
    }
    if let Some(authorization) = &target.authorization {
        expected_deactivation::apply(tx, authorization, now)?;
    }
    let session = record_result(tx, session, linked, decision)?;
    if let (Some(link), Some(account)) = (&session.for_setup_intent, session.accounts.first()) {
        payment_setup::attach_collected(tx, link, account)?;
    }
    Ok(session)
}

/// What the relink rules make of the attempt, given the accounts already on the authorization
/// a relink session repairs.
fn decide_outcome(tx: &Tx<'_>, session: &Session, attempt: &Attempt) -> ApiResult<Decision> {
    let known: Vec<Account> = match &session.relink_options {
        Some(options) => tx.by_authorization(&options.authorization)?,
        None => Vec::new(),
    };
    let known: Vec<KnownAccount<'_>> = known
        .iter()
        .map(|a| KnownAccount {
            id: &a.id,
            last4: &a.last4,
            repairable: a.is_repairable(),
        })
        .collect();
    Ok(decide(
        session.relink_options.as_ref(),
        attempt.authentication,
        &attempt.picked,
        &known,
    ))
}

/// Where the accounts a session links go.
#[derive(Debug)]
struct Target {
    institution: &'static Institution,
    /// The repaired authorization, or a new one for a plain session that links something.
    authorization: Option<String>,
    /// Who new accounts belong to.
    account_holder: Option<AccountHolder>,
    /// Whether the institution breaks new links at once (the "Inactive accounts" bank).
    goes_inactive: bool,
    /// When the consent given now lapses, at banks whose consents do.
    upcoming: Option<Upcoming>,
}

impl Target {
    fn of(
        tx: &Tx<'_>,
        session: &Session,
        institution: &'static Institution,
        decision: &Decision,
        now: i64,
    ) -> ApiResult<Self> {
        let goes_inactive =
            session.relink_options.is_none() && institution.behaviour == Behaviour::GoesInactive;
        let mut target = Target {
            institution,
            authorization: None,
            account_holder: session.account_holder.clone(),
            goes_inactive,
            upcoming: institution
                .consent_expiry(now)
                .filter(|_| !goes_inactive)
                .map(|expected_deactivation_date| Upcoming {
                    cause: InactiveCause::AccessExpired,
                    expected_deactivation_date,
                }),
        };
        match &session.relink_options {
            Some(options) => {
                // A two-step relink session may omit the holder; new accounts then take the
                // authorization's, so they stay with the customer they belong to.
                if target.account_holder.is_none() {
                    target.account_holder = tx
                        .fetch::<Authorization>(&options.authorization, None)?
                        .account_holder;
                }
                target.authorization = Some(options.authorization.clone());
            }
            None if !decision.links.is_empty() => {
                target.authorization = Some(target.new_authorization(tx, session, now)?);
            }
            None => {}
        }
        Ok(target)
    }

    /// The authorization a plain session's first link creates.
    fn new_authorization(&self, tx: &Tx<'_>, session: &Session, now: i64) -> ApiResult<String> {
        let authorization = Authorization {
            id: ids::new_id("fcauth"),
            created: now,
            account_holder: session.account_holder.clone(),
            institution: self.institution.id.to_owned(),
            institution_name: self.institution.name.to_owned(),
            status: if self.goes_inactive {
                AccountStatus::Inactive
            } else {
                AccountStatus::Active
            },
            inactive: self
                .goes_inactive
                .then(|| Inactive::because(InactiveCause::AccessExpired)),
            upcoming: self.upcoming,
            announced: None,
        };
        tx.put(&authorization)?;
        Ok(authorization.id)
    }
}

/// Relinking an account the merchant already has refreshes its status, permissions and
/// account numbers (recording `reactivated` if it was inactive). A working account keeps its
/// expected deactivation date here: renewing it is the authorization's step, with its event.
fn relink_existing(
    tx: &Tx<'_>,
    session: &Session,
    target: &Target,
    id: &str,
    now: i64,
) -> ApiResult<String> {
    let before = tx.fetch::<Account>(id, None)?;
    let mut account = before.clone();
    let upcoming = if before.status == AccountStatus::Active {
        before.active
    } else {
        target.upcoming
    };
    account.reactivate(upcoming);
    account.permissions = session.permissions.clone();
    account.account_numbers = fresh_account_numbers(target.institution, now, true);
    account_status::save_with_event(tx, &before, &account)?;
    Ok(account.id)
}

/// Linking a bank account the merchant does not have yet creates a new `fca_…` on the target
/// authorization.
fn link_new(
    tx: &Tx<'_>,
    session: &Session,
    target: &Target,
    last4: &str,
    now: i64,
) -> ApiResult<String> {
    let offered = institutions::bank_account(last4).ok_or_else(|| {
        ApiError::invalid_param("accounts", format!("No account ending in {last4}."))
    })?;
    let mut account = Account {
        id: ids::new_id("fca"),
        created: now,
        authorization: target
            .authorization
            .clone()
            .ok_or_else(|| ApiError::internal("linking without an authorization"))?,
        account_holder: target.account_holder.clone(),
        institution: target.institution.id.to_owned(),
        institution_name: target.institution.name.to_owned(),
        display_name: offered.display_name.to_owned(),
        last4: offered.last4.to_owned(),
        category: offered.category,
        subcategory: offered.subcategory,
        permissions: session.permissions.clone(),
        status: AccountStatus::Active,
        inactive: None,
        active: target.upcoming,
        account_numbers: fresh_account_numbers(target.institution, now, false),
        refreshed: Default::default(),
    };
    if target.goes_inactive {
        account.deactivate(InactiveCause::AccessExpired);
    }
    tx.put(&account)?;
    Ok(account.id)
}

/// Saves the session's final state. No event: Stripe's catalog has none for sessions, and
/// merchants learn the outcome by retrieving the session or from the accounts' events.
fn record_result(
    tx: &Tx<'_>,
    mut session: Session,
    linked: Vec<String>,
    decision: Decision,
) -> ApiResult<Session> {
    session.accounts = linked;
    session.relink_result = decision.relink_result;
    session.status = decision.status;
    tx.put(&session)?;
    Ok(session)
}
