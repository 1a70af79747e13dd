//! The sandbox provider's browser endpoints: what the component sends and receives.
//!
//! These are the private endpoints a Financial Connections modal talks to (the sandbox plays
//! Stripe's part). Only the shapes live here, so they compile and test natively; the fetch itself
//! is in `api_client` (wasm32 only).

use serde::Deserialize;

use crate::model::{AccountSubcategory, Permission};

/// A private endpoint of the sandbox provider, relative to the API base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Everything the flow needs to render: the session, merchant and institutions.
    Manifest,
    /// Log in at an institution (password, MFA code, or OAuth approval).
    Authenticate,
    /// Finish the session with the selected accounts (none when the customer closes).
    Complete,
}

impl Endpoint {
    /// The path appended to the API base.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Manifest => "/v1/link_account_sessions/manifest",
            Endpoint::Authenticate => "/v1/link_account_sessions/authenticate",
            Endpoint::Complete => "/v1/link_account_sessions/complete",
        }
    }
}

/// The answer to [`Endpoint::Manifest`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Manifest {
    /// The session as the server sees it (without its client secret).
    pub session: ManifestSession,
    /// Shown on the consent screen: who will receive the data.
    pub merchant_name: String,
    /// Institutions the customer may choose from; only the fixed one for relink sessions.
    #[serde(default)]
    pub institutions: Vec<Institution>,
    /// Present on relink sessions.
    #[serde(default)]
    pub relink: Option<RelinkTarget>,
}

/// The parts of the session that shape the flow.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct ManifestSession {
    /// `fcsess_…`.
    #[serde(default)]
    pub id: String,
    /// What the merchant asks the customer to share.
    #[serde(default)]
    pub permissions: Vec<Permission>,
    /// Which account kinds may be linked.
    #[serde(default)]
    pub filters: Option<Filters>,
    /// How many accounts may be linked.
    #[serde(default)]
    pub limits: Option<Limits>,
}

/// `filters` of a session.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Filters {
    /// Only these subcategories may be linked; `None` allows all.
    #[serde(default)]
    pub account_subcategories: Option<Vec<AccountSubcategory>>,
}

/// `limits` of a session.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Limits {
    /// The most accounts the customer may link; `None` for no limit.
    #[serde(default)]
    pub accounts: Option<u32>,
}

/// A bank the customer can log in to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Institution {
    /// `fcinst_…`.
    pub id: String,
    /// Display name; untrusted text.
    pub name: String,
    /// Asks a one-time code after the password.
    #[serde(default)]
    pub mfa: bool,
    /// Authenticates in the bank's own window instead of a password form.
    #[serde(default)]
    pub oauth: bool,
    /// Currently unavailable.
    #[serde(default)]
    pub down: bool,
}

/// What a relink session repairs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RelinkTarget {
    /// The authorization's institution; there is no institution search.
    pub institution: Institution,
    /// The exact account to relink, when `relink_options.account` was given.
    #[serde(default)]
    pub account: Option<ExpectedAccount>,
}

/// The account an exact relink expects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExpectedAccount {
    /// `fca_…`.
    pub id: String,
    /// Untrusted text.
    pub display_name: String,
    /// Last four digits of the account number.
    pub last4: String,
    /// Kind of account, when known.
    #[serde(default)]
    pub subcategory: Option<AccountSubcategory>,
}

/// The answer to [`Endpoint::Authenticate`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Authentication {
    /// Logged in; these are the accounts the bank shows.
    Authenticated {
        /// The accounts at the institution.
        accounts: Vec<BankAccount>,
    },
    /// The password was right; now a one-time code is needed.
    MfaRequired,
    /// Wrong password or code.
    LoginFailed {
        /// Why, for the customer.
        #[serde(default)]
        message: Option<String>,
    },
    /// The institution cannot be reached.
    InstitutionUnavailable {
        /// Why, for the customer.
        #[serde(default)]
        message: Option<String>,
    },
}

/// An account the bank shows after login.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BankAccount {
    /// Last four digits; also the key sent back to `complete`.
    pub last4: String,
    /// Untrusted text.
    pub display_name: String,
    /// `cash`, `credit`, …
    #[serde(default)]
    pub category: Option<String>,
    /// `checking`, `savings`, …; unknown kinds are kept as `None`.
    #[serde(default, deserialize_with = "lenient_subcategory")]
    pub subcategory: Option<AccountSubcategory>,
    /// Whether the session allows linking it.
    #[serde(default = "default_true")]
    pub eligible: bool,
    /// The `fca_…` this account already is, if it was linked before.
    #[serde(default)]
    pub existing_account: Option<String>,
}

fn default_true() -> bool {
    true
}

/// A subcategory this build does not know must not break the whole account list.
fn lenient_subcategory<'de, D>(deserializer: D) -> Result<Option<AccountSubcategory>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let raw = Option::<String>::deserialize(deserializer)?;
    Ok(raw.and_then(|value| value.parse().ok()))
}

/// Encodes `application/x-www-form-urlencoded` pairs, as Stripe's API expects.
///
/// ```
/// use relink::sandbox_api::encode_form;
/// let body = encode_form(&[("client_secret", "a b&c"), ("accounts[]", "6789")]);
/// assert_eq!(body, "client_secret=a+b%26c&accounts%5B%5D=6789");
/// ```
pub fn encode_form(pairs: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            body.push('&');
        }
        encode_component(name, &mut body);
        body.push('=');
        encode_component(value, &mut body);
    }
    body
}

fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xF)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_reserved_and_non_ascii_bytes() {
        assert_eq!(encode_form(&[("k", "ü=1")]), "k=%C3%BC%3D1");
        assert_eq!(encode_form(&[]), "");
    }

    #[test]
    fn manifest_parses_the_relink_shape() {
        let manifest: Manifest = serde_json::from_value(serde_json::json!({
            "session": {
                "id": "fcsess_1",
                "permissions": ["payment_method", "balances"],
                "filters": {"account_subcategories": ["checking", "savings"]},
                "limits": {"accounts": 1},
                "relink_options": {"authorization": "fcauth_1", "account": "fca_1"},
                "status": "pending"
            },
            "merchant_name": "Rocket Rides",
            "institutions": [{"id": "fcinst_mfa", "name": "MFA Bank", "mfa": true, "oauth": false, "down": false}],
            "relink": {
                "institution": {"id": "fcinst_mfa", "name": "MFA Bank", "mfa": true, "oauth": false, "down": false},
                "account": {"id": "fca_1", "display_name": "Checking", "last4": "6789", "subcategory": "checking"}
            }
        }))
        .unwrap();
        assert_eq!(manifest.session.limits.unwrap().accounts, Some(1));
        assert_eq!(manifest.relink.unwrap().account.unwrap().last4, "6789");
    }

    #[test]
    fn authentication_statuses_parse() {
        let ok: Authentication = serde_json::from_str(
            r#"{"status":"authenticated","accounts":[{"last4":"1111","display_name":"Card","category":"credit","subcategory":"credit_card","eligible":false,"existing_account":null},{"last4":"2","display_name":"X","subcategory":"brokerage"}]}"#,
        )
        .unwrap();
        let Authentication::Authenticated { accounts } = ok else {
            panic!("expected accounts");
        };
        assert!(!accounts[0].eligible);
        assert_eq!(accounts[1].subcategory, None);
        assert_eq!(
            serde_json::from_str::<Authentication>(r#"{"status":"mfa_required"}"#).unwrap(),
            Authentication::MfaRequired
        );
    }
}
