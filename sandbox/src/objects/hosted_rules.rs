//! Hosted relink's rules: which accounts may get a relink link, by email or URL, and what the
//! email says.
//!
//! As in Stripe's sandboxes, emails only go to team addresses, at most one per account per 48
//! hours unless the customer finished the last one; an account qualifies when it is inactive,
//! expected to stop working (`status_details.active.action = relink_required`), or its TAN
//! expires within 30 days. The holder may be a customer or a connected account; either way the
//! email goes to its address.

use axum::http::StatusCode;
use relink::model::{AccountStatus, InactiveAction, SessionStatus};

use crate::config::Settings;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::objects::account::Account;
use crate::objects::account_holder::AccountHolder;
use crate::objects::account_numbers::{AccountNumberStatus, IdentifierType};
use crate::objects::connected_account;
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
    let Some(email) = recipient(tx, holder)?.email else {
        return Ok(Some(
            ApiError::invalid(format!("Customer {} has no email address.", holder.id()))
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

/// Who a hosted relink email goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address, if the holder has one.
    pub email: Option<String>,
    /// How the email greets them.
    pub greeting: String,
}

/// The account holder as an email recipient: a customer (of the transaction's account), or a
/// connected account of the platform, which has no name to greet.
pub fn recipient(tx: &Tx<'_>, holder: &AccountHolder) -> ApiResult<Recipient> {
    Ok(match holder {
        AccountHolder::Customer { customer } => {
            let customer = tx.fetch::<Customer>(customer, None)?;
            Recipient {
                email: customer.email,
                greeting: customer.name.unwrap_or_else(|| "there".into()),
            }
        }
        AccountHolder::Account { account } => {
            let account = connected_account::fetch(tx, account, || {
                ApiError::internal("an account holder that is no connected account")
            })?;
            Recipient {
                email: Some(account.email),
                greeting: "there".into(),
            }
        }
    })
}

/// Whether an account needs a relink: inactive, expected to stop working (proactive relink),
/// or its TAN expires within 30 days.
pub fn needs_relink(account: &Account, now: i64) -> bool {
    let tan_expiring = account.account_numbers.iter().any(|n| {
        n.identifier_type == IdentifierType::TokenizedAccountNumber
            && (n.status == AccountNumberStatus::Deactivated
                || n.expected_expiry_date
                    .is_some_and(|at| at <= now + TAN_EXPIRY_WINDOW_SECS))
    });
    let stops_soon = account
        .active
        .is_some_and(|a| a.action() == InactiveAction::RelinkRequired);
    account.status == AccountStatus::Inactive || stops_soon || tan_expiring
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
    let problem = match account.expected_deactivation_date() {
        Some(at) if account.status == AccountStatus::Active => format!(
            "Your {} account ending in {} stops working with {} on {}.",
            account.institution_name,
            account.last4,
            settings.merchant_name,
            calendar_date(at)
        ),
        _ => format!(
            "{} can no longer reach your {} account ending in {}.",
            settings.merchant_name, account.institution_name, account.last4
        ),
    };
    let text =
        format!("Hi {greeting},\n\n{problem} Reconnect it here:\n\n{url}\n\nThe link works once.");
    (subject, text)
}

/// A Unix time as a UTC calendar date, e.g. `November 11, 2026`.
pub fn calendar_date(unix: i64) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    // Howard Hinnant's days-to-civil, for the proleptic Gregorian calendar.
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let name = usize::try_from(month - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .unwrap_or(&"");
    format!("{name} {day}, {year}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_dates() {
        assert_eq!(calendar_date(0), "January 1, 1970");
        assert_eq!(calendar_date(951_782_400), "February 29, 2000");
        assert_eq!(calendar_date(1_793_145_599), "October 27, 2026");
        assert_eq!(calendar_date(1_793_145_600), "October 28, 2026");
    }
}
