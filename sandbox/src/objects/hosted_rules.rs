//! Hosted relink's rules: which accounts may get a relink link, by email or URL, and what the
//! email says.
//!
//! As in Stripe's sandboxes, emails only go to team addresses, at most one per account per 48
//! hours unless the customer finished the last one; an account qualifies when it is inactive or
//! its TAN expires within 30 days.

use axum::http::StatusCode;
use relink::model::{AccountStatus, SessionStatus};

use crate::config::Settings;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::objects::account::{Account, AccountNumberStatus, IdentifierType};
use crate::objects::customer::Customer;
use crate::objects::session::Session;
use crate::outbox;
use crate::store::Tx;

/// Where the demo site's hosted relink page lives.
pub const HOSTED_PAGE_PATH: &str = "/hosted-relink.html";
/// One hosted relink email per account per this long, unless the last one was completed.
pub const EMAIL_INTERVAL_SECS: i64 = 48 * 60 * 60;
/// Accounts whose TAN expires within this long are eligible for hosted relink.
pub const TAN_EXPIRY_WINDOW_SECS: i64 = 30 * 24 * 60 * 60;

/// Why an account cannot get a hosted relink email now; `None` when it can.
pub fn email_ineligibility(
    tx: &Tx<'_>,
    settings: &Settings,
    account: &Account,
    now: i64,
) -> ApiResult<Option<ApiError>> {
    let Some(holder) = &account.account_holder else {
        return Ok(Some(ApiError::invalid(format!(
            "Account {} has no account holder to email.",
            account.id
        ))));
    };
    let customer = tx.fetch::<Customer>(&holder.customer, None)?;
    let Some(email) = customer.email else {
        return Ok(Some(
            ApiError::invalid(format!("Customer {} has no email address.", customer.id))
                .with_code("email_invalid"),
        ));
    };
    if !settings
        .team_emails
        .iter()
        .any(|team| team.eq_ignore_ascii_case(&email))
    {
        return Ok(Some(
            ApiError::invalid(format!(
                "In the sandbox, hosted relink emails only go to team email addresses \
                 (--team-email); {email} is not one."
            ))
            .with_code("email_invalid"),
        ));
    }
    for sent in outbox::emails(tx)? {
        if sent.account != account.id || sent.created <= now - EMAIL_INTERVAL_SECS {
            continue;
        }
        let open = tx
            .get::<Session>(&sent.session)?
            .is_some_and(|s| s.status == SessionStatus::Pending);
        if open {
            return Ok(Some(ApiError {
                status: StatusCode::TOO_MANY_REQUESTS,
                kind: ErrorType::RateLimit,
                code: None,
                message: format!(
                    "A hosted relink email for {} went out in the last 48 hours and is not \
                     completed yet.",
                    account.id
                ),
                param: None,
            }));
        }
    }
    Ok(None)
}

/// Whether an account needs a relink: inactive, or its TAN expires within 30 days.
pub fn needs_relink(account: &Account, now: i64) -> bool {
    let tan_expiring = account.account_numbers.iter().any(|n| {
        n.identifier_type == IdentifierType::TokenizedAccountNumber
            && (n.status == AccountNumberStatus::Deactivated
                || n.expected_expiry_date
                    .is_some_and(|at| at <= now + TAN_EXPIRY_WINDOW_SECS))
    });
    account.status == AccountStatus::Inactive || tan_expiring
}

/// The subject and text of the email that asks `greeting` to relink `account` at `url`.
pub fn email_text(
    settings: &Settings,
    greeting: &str,
    account: &Account,
    url: &str,
) -> (String, String) {
    let subject = format!(
        "{}: reconnect your {} account",
        settings.merchant_name, account.institution_name
    );
    let text = format!(
        "Hi {greeting},\n\n{} can no longer reach your {} account ending in {}. \
         Reconnect it here:\n\n{url}\n\nThe link works once.",
        settings.merchant_name, account.institution_name, account.last4
    );
    (subject, text)
}
