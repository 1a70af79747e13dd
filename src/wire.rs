//! The link-flow contract: what the component and the sandbox say to each other while the
//! customer logs in.
//!
//! These are the private endpoints a Financial Connections modal talks to (the sandbox plays
//! Stripe's part). The types here are the one definition of that contract: the sandbox
//! serialises its answers from them, and the component reads them back through
//! [`crate::decode`], which the sandbox's contract test runs against what the sandbox really
//! sends. Session objects travel as the API renders them (`S`); the component hands them to the
//! merchant unchanged.

use serde::{Deserialize, Serialize};

use crate::model::{AccountCategory, AccountSubcategory};

/// A private endpoint of the sandbox provider, relative to the API base. Every call is a
/// form-encoded POST with the publishable key and the session's `client_secret` in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Everything the flow needs to render, answered with a [`Manifest`].
    Manifest,
    /// Log in at an institution (`institution`, `password`, `mfa_code`), answered with an
    /// [`Authentication`].
    Authenticate,
    /// Finish the session with the selected accounts (`accounts[]` of `last4`s; none when the
    /// customer closes), answered with the finished session.
    Complete,
    /// Stripe.js's `collectBankAccountForSetup`: open the session that links the bank account of
    /// the SetupIntent whose `client_secret` is sent, with the payment method's billing details
    /// ([`BillingDetails::form_fields`]); answered with a [`SetupSession`].
    ForSetupIntent,
    /// Stripe.js's `collectBankAccountToken`: a bank account token (`btok_…`, the API's token
    /// object) for the account the finished session linked.
    BankAccountToken,
    /// The hosted relink page: trade its single-use `token` (no client secret) for its session,
    /// answered with a [`HostedSession`].
    Hosted,
}

impl Endpoint {
    /// The path appended to the API base.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Manifest => "/v1/link_account_sessions/manifest",
            Endpoint::Authenticate => "/v1/link_account_sessions/authenticate",
            Endpoint::Complete => "/v1/link_account_sessions/complete",
            Endpoint::ForSetupIntent => "/v1/link_account_sessions/for_setup_intent",
            Endpoint::BankAccountToken => "/v1/link_account_sessions/bank_account_token",
            Endpoint::Hosted => "/v1/link_account_sessions/hosted",
        }
    }
}

/// The answer to [`Endpoint::Manifest`]. Its `object` is `link_account_session_manifest`, as
/// every API object names its type.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "object", rename = "link_account_session_manifest")]
pub struct Manifest<S> {
    /// The session as the API renders it in the preview version, without its client secret.
    pub session: S,
    /// Shown on the consent screen: who will receive the data.
    pub merchant_name: String,
    /// Institutions the customer may choose from; only the fixed one for relink sessions.
    pub institutions: Vec<Institution>,
    /// Present on relink sessions.
    pub relink: Option<RelinkTarget>,
}

/// A bank the customer can log in to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Institution {
    /// `fcinst_…`.
    pub id: String,
    /// Display name; untrusted text.
    pub name: String,
    /// Asks a one-time code after the password.
    pub mfa: bool,
    /// Authenticates in the bank's own window instead of a password form.
    pub oauth: bool,
    /// Currently unavailable.
    pub down: bool,
}

/// What a relink session repairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelinkTarget {
    /// The authorization's institution; there is no institution search.
    pub institution: Institution,
    /// The exact account to relink, when `relink_options.account` was given.
    pub account: Option<ExpectedAccount>,
}

/// The account an exact relink expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedAccount {
    /// `fca_…`.
    pub id: String,
    /// Untrusted text.
    pub display_name: String,
    /// Last four digits of the account number.
    pub last4: String,
    /// Kind of account, when known.
    pub subcategory: Option<AccountSubcategory>,
}

/// The answer to [`Endpoint::Authenticate`], tagged by `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
        message: Option<String>,
    },
    /// The institution cannot be reached.
    InstitutionUnavailable {
        /// Why, for the customer.
        message: Option<String>,
    },
}

/// An account the bank shows after login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BankAccount {
    /// Last four digits; also the key sent back to `complete`.
    pub last4: String,
    /// Untrusted text.
    pub display_name: String,
    /// `cash`, `credit`, …; a kind this build does not know reads as `None`.
    pub category: Option<AccountCategory>,
    /// `checking`, `savings`, …; a kind this build does not know reads as `None`.
    pub subcategory: Option<AccountSubcategory>,
    /// Whether the session allows linking it.
    pub eligible: bool,
    /// The `fca_…` this account already is, if it was linked before.
    pub existing_account: Option<String>,
}

/// The answer to [`Endpoint::ForSetupIntent`]: the session the customer links the account in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "object", rename = "link_account_session")]
pub struct SetupSession {
    /// `fcsess_…`.
    pub id: String,
    /// The session's client secret, for the link flow's endpoints.
    pub client_secret: String,
}

/// The answer to [`Endpoint::Hosted`]: the session a hosted relink page runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostedSession {
    /// The session's client secret, for the link flow's endpoints.
    pub client_secret: String,
    /// Where the merchant wants the customer to go afterwards.
    pub return_url: Option<String>,
    /// Who asks for the relink.
    pub merchant_name: String,
}

/// A payment method's `billing_details`, as Stripe.js sends every field of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillingDetails {
    /// `name`.
    pub name: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `address`.
    pub address: Option<Address>,
}

/// A postal address, as Stripe's `Address`: serialised with all six keys, `null` where unknown,
/// as Stripe renders it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// `line1`.
    pub line1: Option<String>,
    /// `line2`.
    pub line2: Option<String>,
    /// `city`.
    pub city: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `postal_code`.
    pub postal_code: Option<String>,
    /// `country`.
    pub country: Option<String>,
}

impl Address {
    /// The parts by their Stripe names, in Stripe's order.
    pub fn parts(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("line1", &self.line1),
            ("line2", &self.line2),
            ("city", &self.city),
            ("state", &self.state),
            ("postal_code", &self.postal_code),
            ("country", &self.country),
        ]
    }

    /// An address whose parts `part(name)` reads, by their Stripe names.
    pub fn try_from_parts<E>(
        mut part: impl FnMut(&'static str) -> Result<Option<String>, E>,
    ) -> Result<Address, E> {
        Ok(Address {
            line1: part("line1")?,
            line2: part("line2")?,
            city: part("city")?,
            state: part("state")?,
            postal_code: part("postal_code")?,
            country: part("country")?,
        })
    }
}

impl BillingDetails {
    /// The form fields under `prefix`, in Stripe's bracket notation; absent fields are left out.
    ///
    /// ```
    /// use relink::wire::{Address, BillingDetails};
    /// let billing = BillingDetails {
    ///     name: Some("Jenny Rosen".into()),
    ///     address: Some(Address { postal_code: Some("94103".into()), ..Default::default() }),
    ///     ..Default::default()
    /// };
    /// assert_eq!(billing.form_fields("b"), vec![
    ///     ("b[name]".to_owned(), "Jenny Rosen".to_owned()),
    ///     ("b[address][postal_code]".to_owned(), "94103".to_owned()),
    /// ]);
    /// ```
    pub fn form_fields(&self, prefix: &str) -> Vec<(String, String)> {
        let mut fields = Vec::new();
        let mut push = |key: &[&str], value: &Option<String>| {
            if let Some(value) = value {
                let mut name = prefix.to_owned();
                for part in key {
                    name.push('[');
                    name.push_str(part);
                    name.push(']');
                }
                fields.push((name, value.clone()));
            }
        };
        push(&["name"], &self.name);
        push(&["email"], &self.email);
        push(&["phone"], &self.phone);
        for (part, value) in self.address.iter().flat_map(Address::parts) {
            push(&["address", part], value);
        }
        fields
    }
}

/// Encodes `application/x-www-form-urlencoded` pairs, as Stripe's API expects.
///
/// ```
/// use relink::wire::encode_form;
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
    use serde_json::json;

    #[test]
    fn form_encoding_escapes_reserved_and_non_ascii_bytes() {
        assert_eq!(encode_form(&[("k", "ü=1")]), "k=%C3%BC%3D1");
        assert_eq!(encode_form(&[]), "");
    }

    #[test]
    fn the_manifest_names_its_object() {
        let manifest = Manifest {
            session: json!({}),
            merchant_name: "Rocket Rides".into(),
            institutions: Vec::new(),
            relink: None,
        };
        assert_eq!(
            serde_json::to_value(manifest).unwrap()["object"],
            "link_account_session_manifest"
        );
    }

    #[test]
    fn authentication_is_tagged_by_status() {
        let failed = Authentication::LoginFailed {
            message: Some("Wrong.".into()),
        };
        assert_eq!(
            serde_json::to_value(failed).unwrap(),
            json!({"status": "login_failed", "message": "Wrong."})
        );
        assert_eq!(
            serde_json::to_value(Authentication::MfaRequired).unwrap(),
            json!({"status": "mfa_required"})
        );
    }
}
