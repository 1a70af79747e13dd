//! Finishing a session: what the customer did becomes linked accounts, a repaired
//! authorization and the session's result.
//!
//! A session finishes exactly once, through [`finish`], whether the browser's link flow or the
//! `complete` test helper drives it; both only describe what the customer did and let the
//! [`relink_rules`](crate::objects::relink_rules) decide the result.

use relink::model::{AccountStatus, InactiveCause, SessionStatus};
use serde_json::json;

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::{Account, Inactive, fresh_account_numbers};
use crate::objects::authorization::Authorization;
use crate::objects::event::{self, Event};
use crate::objects::institutions::{self, Behaviour, Institution};
use crate::objects::relink_rules::{Authentication, KnownAccount, Link, decide};
use crate::objects::session::Session;
use crate::store::Tx;
use crate::version::ApiVersion;
use crate::workflows::account_status;

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
pub fn finish(tx: &Tx<'_>, mut session: Session, attempt: Attempt) -> ApiResult<Session> {
    if session.status != SessionStatus::Pending {
        return Err(ApiError::token_already_used());
    }
    let authentication = attempt.authentication;
    if authentication == Authentication::Succeeded {
        validate_picks(&session, &attempt.picked)?;
    }
    let now = clock::now(tx)?;
    let known: Vec<Account> = match &session.relink_options {
        Some(options) => tx.by_authorization(&options.authorization)?,
        None => Vec::new(),
    };
    let known_refs: Vec<KnownAccount<'_>> = known
        .iter()
        .map(|a| KnownAccount {
            id: &a.id,
            last4: &a.last4,
            repairable: a.is_repairable(),
        })
        .collect();
    let decision = decide(
        session.relink_options.as_ref(),
        authentication,
        &attempt.picked,
        &known_refs,
    );

    let institution = attempt.institution;
    let goes_inactive =
        session.relink_options.is_none() && institution.behaviour == Behaviour::GoesInactive;
    // A two-step relink session may omit the holder; new accounts then take the
    // authorization's, so they stay with the customer they belong to.
    let mut account_holder = session.account_holder.clone();
    let authorization_id = match &session.relink_options {
        Some(options) => {
            if account_holder.is_none() {
                account_holder = tx
                    .fetch::<Authorization>(&options.authorization, None)?
                    .account_holder;
            }
            Some(options.authorization.clone())
        }
        None if !decision.links.is_empty() => {
            let authorization = Authorization {
                id: ids::new_id("fcauth"),
                created: now,
                account_holder: session.account_holder.clone(),
                institution: institution.id.to_owned(),
                institution_name: institution.name.to_owned(),
                status: if goes_inactive {
                    AccountStatus::Inactive
                } else {
                    AccountStatus::Active
                },
                inactive: goes_inactive.then(|| Inactive::because(InactiveCause::AccessExpired)),
            };
            tx.put(&authorization)?;
            Some(authorization.id)
        }
        None => None,
    };

    let mut linked = Vec::with_capacity(decision.links.len());
    for link in &decision.links {
        let account = match link {
            Link::Existing(id) => {
                let before = tx.fetch::<Account>(id, None)?;
                let mut account = before.clone();
                account.reactivate();
                account.permissions = session.permissions.clone();
                account.account_numbers = fresh_account_numbers(institution, now, true);
                account_status::save_with_event(tx, &before, &account)?;
                linked.push(account.id);
                continue;
            }
            Link::New(last4) => {
                let offered = institutions::bank_account(last4).ok_or_else(|| {
                    ApiError::invalid_param("accounts", format!("No account ending in {last4}."))
                })?;
                let mut account = Account {
                    id: ids::new_id("fca"),
                    created: now,
                    authorization: authorization_id
                        .clone()
                        .ok_or_else(|| ApiError::internal("linking without an authorization"))?,
                    account_holder: account_holder.clone(),
                    institution: institution.id.to_owned(),
                    institution_name: institution.name.to_owned(),
                    display_name: offered.display_name.to_owned(),
                    last4: offered.last4.to_owned(),
                    category: offered.category,
                    subcategory: offered.subcategory,
                    permissions: session.permissions.clone(),
                    status: AccountStatus::Active,
                    inactive: None,
                    account_numbers: fresh_account_numbers(institution, now, false),
                    refreshed: Default::default(),
                };
                if goes_inactive {
                    account.deactivate(InactiveCause::AccessExpired);
                }
                account
            }
        };
        tx.put(&account)?;
        linked.push(account.id);
    }

    if decision.repairs_authorization()
        && let Some(options) = &session.relink_options
    {
        account_status::repair_authorization(tx, &options.authorization, &linked)?;
    }

    session.accounts = linked;
    session.relink_result = decision.relink_result;
    session.status = decision.status;
    tx.put(&session)?;
    Event::record(
        tx,
        event::SESSION_UPDATED,
        session.to_json(tx, &ApiVersion::preview(), false)?,
        Some(json!({"status": SessionStatus::Pending})),
    )?;
    Ok(session)
}
