//! Hosted relink: relink sessions the customer completes on a page the sandbox links to, by
//! email or by a URL the merchant passes on.
//!
//! The link carries an opaque single-use token (in the URL fragment, so it never reaches a
//! server log), never the client secret; the hosted page trades the token for the client secret
//! once and then runs the ordinary link flow. Emails are not sent: they land in the
//! [`outbox`]. Who may get one is decided by
//! [`hosted_rules`].

use relink::model::{RelinkOptions, SessionStatus};

use crate::clock;
use crate::config::Settings;
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::objects::account::Account;
use crate::objects::hosted_rules::{self, HOSTED_PAGE_PATH};
use crate::objects::session::{self, DeliveryMethod, NewSession, Session, UiMode};
use crate::outbox::{self, Email};
use crate::store::Tx;

/// Creates a session and, when it is a hosted one, delivers its link: what
/// `POST /v1/financial_connections/sessions` does.
pub fn create_and_launch(tx: &Tx<'_>, settings: &Settings, new: NewSession) -> ApiResult<Session> {
    let mut session = session::create(tx, new)?;
    launch(tx, settings, &mut session)?;
    Ok(session)
}

fn token_key(token: &str) -> String {
    format!("hosted_token:{token}")
}

/// Sets up delivery of a hosted session: issues its token and either sets `url` or emails the
/// link. Fails (rolling the session back) when the email may not go out.
pub fn launch(tx: &Tx<'_>, settings: &Settings, session: &mut Session) -> ApiResult<()> {
    let Some(delivery) = session.hosted else {
        return Ok(());
    };
    let account_id = session
        .relink_options
        .as_ref()
        .and_then(|o| o.account.clone())
        .ok_or_else(|| ApiError::internal("hosted session without relink_options.account"))?;
    let token = ids::new_id("hrt");
    tx.set_meta(&token_key(&token), &session.id)?;
    let url = format!("{}{HOSTED_PAGE_PATH}#token={token}", settings.public_url);
    match delivery {
        DeliveryMethod::Url => session.url = Some(url),
        DeliveryMethod::Email => email_link(tx, settings, &account_id, &session.id, url)?,
    }
    tx.put(session)
}

/// Queues the email with the hosted link for the holder of `account_id`, if they may get one.
fn email_link(
    tx: &Tx<'_>,
    settings: &Settings,
    account_id: &str,
    session_id: &str,
    url: String,
) -> ApiResult<()> {
    let now = clock::now(tx)?;
    let account = tx.fetch::<Account>(account_id, Some("relink_options[account]"))?;
    if let Some(refusal) = hosted_rules::email_ineligibility(tx, settings, &account, now)? {
        return Err(refusal);
    }
    let holder = account
        .account_holder
        .as_ref()
        .ok_or_else(|| ApiError::internal("eligible account without holder"))?;
    let recipient = hosted_rules::recipient(tx, holder)?;
    let (subject, text) = hosted_rules::email_text(settings, &recipient.greeting, &account, &url);
    outbox::queue_email(
        tx,
        &Email {
            id: ids::new_id("email"),
            created: now,
            to: recipient.email.unwrap_or_default(),
            subject,
            text,
            url,
            account: account.id,
            session: session_id.to_owned(),
        },
    )
}

/// Trades a hosted relink token for its session, once: the token is spent only when the
/// session can still be completed.
pub fn redeem(tx: &Tx<'_>, token: &str) -> ApiResult<Session> {
    let key = token_key(token);
    let session_id = tx
        .meta(&key)?
        .ok_or_else(|| ApiError::no_such("hosted relink link", "<token>", Some("token")))?;
    tx.delete_meta(&key)?;
    // The link names no account: the session may be a connected account's.
    let session = tx
        .get_anywhere::<Session>(&session_id)?
        .ok_or_else(|| ApiError::no_such("hosted relink link", "<token>", Some("token")))?;
    if session.status != SessionStatus::Pending {
        return Err(ApiError::token_already_used());
    }
    Ok(session)
}

/// The Dashboard's "Request relink" for one account: a hosted session whose link is emailed to
/// the account holder. Returns the session's ID.
pub fn request_by_email(tx: &Tx<'_>, settings: &Settings, account_id: &str) -> ApiResult<String> {
    let account = tx.fetch::<Account>(account_id, Some("accounts"))?;
    if !hosted_rules::needs_relink(&account, clock::now(tx)?) {
        return Err(ApiError::invalid(
            "The account is active, not expected to stop working, and its account numbers are \
             not expiring.",
        ));
    }
    let mut session = session::create(
        tx,
        NewSession {
            account_holder: account.account_holder.clone(),
            permissions: account.permissions.clone(),
            relink_options: Some(RelinkOptions {
                authorization: account.authorization.clone(),
                account: Some(account.id.clone()),
            }),
            ui_mode: UiMode::Hosted,
            hosted: Some(DeliveryMethod::Email),
            ..NewSession::default()
        },
    )?;
    launch(tx, settings, &mut session)?;
    Ok(session.id)
}
