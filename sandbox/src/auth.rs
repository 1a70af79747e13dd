//! API keys: secret keys for the merchant's server, publishable keys for the browser; and the
//! connected account a request acts for ([`Scope`], from `Stripe-Account`).
//!
//! All are extractors, so a handler states which key it needs in its signature and cannot
//! forget to check it. They read the keys from any state that hands out the [`Settings`], so
//! this module needs nothing from the HTTP layer that uses it.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;

use axum::http::StatusCode;

use crate::config::Settings;
use crate::error::{ApiError, ErrorType};
use crate::store::PLATFORM;

/// Proof that the request carried the sandbox's secret key.
#[derive(Debug, Clone, Copy)]
pub struct SecretKey;

/// Proof that the request carried the sandbox's publishable key.
#[derive(Debug, Clone, Copy)]
pub struct PublishableKey;

/// Which of the sandbox's keys a request carried, for endpoints both the server and the
/// browser call (retrieving and confirming a SetupIntent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnyKey {
    /// The secret key: full access.
    Secret,
    /// The publishable key: access only together with the object's client secret.
    Publishable,
}

/// The key from `Authorization: Bearer <key>` or HTTP basic auth with the key as user name.
fn presented_key(parts: &Parts) -> Result<String, ApiError> {
    let missing = || {
        ApiError::authentication(
            "You did not provide an API key. Provide it in the Authorization header, \
             e.g. `Authorization: Bearer sk_test_…`.",
        )
    };
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| ApiError::authentication("The Authorization header is not valid text."))?;
    let (scheme, credentials) = header.split_once(' ').ok_or_else(missing)?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(credentials.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| {
                ApiError::authentication("Invalid HTTP basic credentials: not base64 text.")
            })?;
        let user = decoded.split_once(':').map_or(decoded.as_str(), |(u, _)| u);
        return Ok(user.to_owned());
    }
    Err(ApiError::authentication(
        "Invalid Authorization header: use `Bearer <key>` or HTTP basic with the key as user.",
    ))
}

/// A key as it may appear in an error message: the prefix and the last four characters.
fn redacted(key: &str) -> String {
    let prefix = key.get(..8).unwrap_or("");
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{prefix}****{tail}")
}

impl<S> FromRequestParts<S> for SecretKey
where
    S: Send + Sync,
    Arc<Settings>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let key = presented_key(parts)?;
        let settings = Arc::<Settings>::from_ref(state);
        if key == settings.secret_key {
            return Ok(SecretKey);
        }
        if key.starts_with("pk_") {
            return Err(ApiError::authentication(
                "This API call cannot be made with a publishable API key. \
                 Use the secret API key.",
            ));
        }
        Err(ApiError::authentication(format!(
            "Invalid API Key provided: {}",
            redacted(&key)
        )))
    }
}

impl<S> FromRequestParts<S> for PublishableKey
where
    S: Send + Sync,
    Arc<Settings>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let key = presented_key(parts)?;
        let settings = Arc::<Settings>::from_ref(state);
        if key == settings.publishable_key {
            return Ok(PublishableKey);
        }
        Err(ApiError::authentication(format!(
            "Invalid API Key provided: {}. The link flow takes the publishable key.",
            redacted(&key)
        )))
    }
}

impl<S> FromRequestParts<S> for AnyKey
where
    S: Send + Sync,
    Arc<Settings>: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let key = presented_key(parts)?;
        let settings = Arc::<Settings>::from_ref(state);
        if key == settings.secret_key {
            Ok(AnyKey::Secret)
        } else if key == settings.publishable_key {
            Ok(AnyKey::Publishable)
        } else {
            Err(ApiError::authentication(format!(
                "Invalid API Key provided: {}",
                redacted(&key)
            )))
        }
    }
}

/// The account a request acts for: the platform, or the connected account its
/// `Stripe-Account` header names (stripe-node 23 may send the same as `Stripe-Context`, which is
/// read alike). Objects made in a request belong to that account, and only its objects are
/// found. Whether the account exists is for the store to say, when the request runs
/// ([`Scope::no_access`] is the answer when it does not).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    account: Option<String>,
    /// The presented key, redacted, for the error message; read only when a header names an
    /// account, to keep plain requests free of the work.
    key_hint: String,
}

impl Scope {
    /// The platform's own scope.
    pub fn platform() -> Self {
        Scope::default()
    }

    /// The connected account named, if any.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The store owner of this scope's objects.
    pub fn owner(&self) -> &str {
        self.account.as_deref().unwrap_or(PLATFORM)
    }

    /// Stripe's answer to a `Stripe-Account` the key cannot act for: a 403 `account_invalid`.
    pub fn no_access(&self) -> ApiError {
        self.no_access_to(self.owner())
    }

    /// Stripe's answer to a connected account the key cannot reach, `account_invalid`.
    pub fn no_access_to(&self, account: &str) -> ApiError {
        ApiError {
            status: StatusCode::FORBIDDEN,
            kind: ErrorType::InvalidRequest,
            code: Some("account_invalid"),
            message: format!(
                "The provided key{} does not have access to account '{account}' (or that \
                 account does not exist). Application access may have been revoked.",
                if self.key_hint.is_empty() {
                    String::new()
                } else {
                    format!(" '{}'", self.key_hint)
                }
            ),
            param: None,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Scope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let header = |name: &str| {
            parts.headers.get(name).map(|value| {
                value
                    .to_str()
                    .map(|v| v.trim().to_owned())
                    .map_err(|_| ApiError::invalid(format!("The {name} header is not valid text.")))
            })
        };
        let account = match (header("stripe-account"), header("stripe-context")) {
            (None, None) => return Ok(Scope::platform()),
            (Some(one), None) | (None, Some(one)) => one?,
            (Some(account), Some(context)) => {
                let (account, context) = (account?, context?);
                if account != context {
                    return Err(ApiError::invalid(
                        "The Stripe-Account and Stripe-Context headers name different \
                         accounts; send one of them.",
                    ));
                }
                account
            }
        };
        let scope = Scope {
            key_hint: presented_key(parts)
                .map(|k| redacted(&k))
                .unwrap_or_default(),
            account: Some(account),
        };
        let well_formed = scope.owner().strip_prefix("acct_").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric())
        });
        if well_formed {
            Ok(scope)
        } else {
            Err(scope.no_access())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_only_prefix_and_tail() {
        assert_eq!(redacted("sk_test_abcdefgh1234"), "sk_test_****1234");
        assert_eq!(redacted("x"), "****x");
    }
}
