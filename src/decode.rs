//! Reads what the sandbox, Stripe.js and the merchant's hooks send into relink's types.
//!
//! The decoders are written once, over a [`Reader`]: in the browser it reads the parsed JS
//! objects field by field (`browser::js_value`), and natively it reads `serde_json::Value`, so
//! every decoder is tested here and the sandbox's contract test runs them on what the sandbox
//! really sends. This is why relink does not use serde-wasm-bindgen: bringing serde's
//! deserializers into the wasm measured +19 KB gzipped for one options struct, a third of the
//! component's download.
//!
//! Decoding is lenient where the API may grow (an enum value this build does not know reads as
//! `None` or is skipped), and strict where the flow cannot go on without a field (an
//! institution without an ID is dropped; a manifest without a merchant name is no manifest).

use crate::error::StripeError;
use crate::model::{RelinkOptions, RelinkResult};
use crate::session::{LinkedAccount, Session, SessionSummary};
use crate::wire::{
    Authentication, BankAccount, ExpectedAccount, Institution, Manifest, RelinkTarget,
};

/// A parsed value the decoders can read fields from.
pub trait Reader: Clone {
    /// `self[key]`; reading a missing key, or a key of something that is not an object, gives
    /// a value for which every accessor answers "nothing".
    fn field(&self, key: &str) -> Self;
    /// The value as a string, if it is one.
    fn text(&self) -> Option<String>;
    /// The value as a number, if it is one.
    fn number(&self) -> Option<f64>;
    /// The value as a boolean, if it is one.
    fn flag(&self) -> Option<bool>;
    /// Whether the value is an object or an array (not `null`, not missing).
    fn is_object(&self) -> bool;
    /// Whether the value is `null` or missing (`undefined` in JS).
    fn is_missing(&self) -> bool;
    /// The number of elements, if the value is an array.
    fn length(&self) -> Option<u32>;
    /// The element at `index` of an array.
    fn at(&self, index: u32) -> Self;
}

impl Reader for serde_json::Value {
    fn field(&self, key: &str) -> Self {
        self.get(key).cloned().unwrap_or(serde_json::Value::Null)
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn flag(&self) -> Option<bool> {
        self.as_bool()
    }
    fn is_object(&self) -> bool {
        self.is_object() || self.is_array()
    }
    fn is_missing(&self) -> bool {
        self.is_null()
    }
    fn length(&self) -> Option<u32> {
        self.as_array().map(|items| items.len() as u32)
    }
    fn at(&self, index: u32) -> Self {
        self.get(index as usize)
            .cloned()
            .unwrap_or(serde_json::Value::Null)
    }
}

/// `value[key]` as a string.
fn text<R: Reader>(value: &R, key: &str) -> Option<String> {
    value.field(key).text()
}

/// `value[key]` as a wire enum; a value this build does not know reads as `None`.
fn wire<R: Reader, T: std::str::FromStr>(value: &R, key: &str) -> Option<T> {
    text(value, key)?.parse().ok()
}

/// Each element of `value[key]` that `read` accepts, in order.
fn each<R: Reader, T>(value: &R, key: &str, read: impl Fn(&R) -> Option<T>) -> Vec<T> {
    elements(&value.field(key), read)
}

/// Each element of the array `items` that `read` accepts, in order. A plain loop is smaller in
/// the wasm than `filter_map(..).collect()` for each element type.
fn elements<R: Reader, T>(items: &R, read: impl Fn(&R) -> Option<T>) -> Vec<T> {
    let mut all = Vec::new();
    for index in 0..items.length().unwrap_or(0) {
        if let Some(read) = read(&items.at(index)) {
            all.push(read);
        }
    }
    all
}

/// The answer to the manifest endpoint; `None` when it lacks what the flow needs.
///
/// ```
/// let answer = serde_json::json!({
///     "session": {"id": "fcsess_1", "permissions": ["balances"], "limits": {"accounts": 1}},
///     "merchant_name": "Rocket Rides",
///     "institutions": [{"id": "fcinst_1", "name": "Sandbox Bank"}, {"name": "no ID"}],
///     "relink": null,
/// });
/// let manifest = relink::decode::manifest(&answer).unwrap();
/// assert_eq!(manifest.session.summary.account_limit, Some(1));
/// assert_eq!(manifest.institutions.len(), 1);
/// ```
pub fn manifest<R: Reader>(answer: &R) -> Option<Manifest<Session<R>>> {
    let relink = answer.field("relink");
    Some(Manifest {
        session: session(&answer.field("session"))?,
        merchant_name: text(answer, "merchant_name")?,
        institutions: each(answer, "institutions", institution),
        relink: if relink.is_object() {
            Some(RelinkTarget {
                institution: institution(&relink.field("institution"))?,
                account: expected_account(&relink.field("account")),
            })
        } else {
            None
        },
    })
}

fn institution<R: Reader>(value: &R) -> Option<Institution> {
    let flag = |key| value.field(key).flag().unwrap_or(false);
    Some(Institution {
        id: text(value, "id")?,
        name: text(value, "name")?,
        mfa: flag("mfa"),
        oauth: flag("oauth"),
        down: flag("down"),
    })
}

fn expected_account<R: Reader>(value: &R) -> Option<ExpectedAccount> {
    Some(ExpectedAccount {
        id: text(value, "id")?,
        display_name: text(value, "display_name").unwrap_or_default(),
        last4: text(value, "last4")?,
        subcategory: wire(value, "subcategory"),
    })
}

/// The answer to the authenticate endpoint; `None` for a status this build does not know.
pub fn authentication<R: Reader>(answer: &R) -> Option<Authentication> {
    let message = || text(answer, "message");
    Some(match text(answer, "status")?.as_str() {
        "authenticated" => Authentication::Authenticated {
            accounts: each(answer, "accounts", bank_account),
        },
        "mfa_required" => Authentication::MfaRequired,
        "login_failed" => Authentication::LoginFailed { message: message() },
        "institution_unavailable" => Authentication::InstitutionUnavailable { message: message() },
        _ => return None,
    })
}

fn bank_account<R: Reader>(value: &R) -> Option<BankAccount> {
    Some(BankAccount {
        last4: text(value, "last4")?,
        display_name: text(value, "display_name").unwrap_or_default(),
        category: wire(value, "category"),
        subcategory: wire(value, "subcategory"),
        eligible: value.field("eligible").flag().unwrap_or(true),
        existing_account: text(value, "existing_account"),
    })
}

/// A Financial Connections session, with `accounts` as a list object (the API) or an array
/// (Stripe.js); `None` when it is not an object.
///
/// ```
/// use relink::model::FailureReason;
/// let session = relink::decode::session(&serde_json::json!({
///     "id": "fcsess_1",
///     "accounts": {"object": "list", "data": []},
///     "relink_options": {"authorization": "fcauth_1", "account": null},
///     "relink_result": {"account": null, "authorization": null, "failure_reason": "no_account"},
/// }))
/// .unwrap();
/// assert!(session.summary.accounts.is_empty());
/// let result = session.summary.relink_result.unwrap();
/// assert_eq!(result.failure_reason, Some(FailureReason::NoAccount));
/// ```
pub fn session<R: Reader>(value: &R) -> Option<Session<R>> {
    let mut session = finished_session(value)?;
    let filters = value.field("filters");
    let kinds = filters.field("account_subcategories");
    let summary = &mut session.summary;
    summary.permissions = each(value, "permissions", |p| p.text()?.parse().ok());
    summary.account_subcategories = kinds.is_object().then(|| {
        each(&filters, "account_subcategories", |k| {
            k.text()?.parse().ok()
        })
    });
    summary.account_limit = value
        .field("limits")
        .field("accounts")
        .number()
        .map(|limit| limit as u32);
    Some(session)
}

/// Only what [`crate::outcome::classify`] decides with (`id`, `relink_options`,
/// `relink_result`, `status` and the linked accounts), which is all the production core reads
/// of a finished session; [`session`] adds what the flow renders by. `None` when it is not an
/// object.
pub fn finished_session<R: Reader>(value: &R) -> Option<Session<R>> {
    if !value.is_object() {
        return None;
    }
    let accounts = value.field("accounts");
    let accounts = if accounts.length().is_some() {
        accounts
    } else {
        accounts.field("data")
    };
    let options = value.field("relink_options");
    let result = value.field("relink_result");
    let summary = SessionSummary {
        id: text(value, "id").unwrap_or_default(),
        relink_options: text(&options, "authorization").map(|authorization| RelinkOptions {
            authorization,
            account: text(&options, "account"),
        }),
        relink_result: result.is_object().then(|| RelinkResult {
            account: text(&result, "account"),
            authorization: text(&result, "authorization"),
            failure_reason: wire(&result, "failure_reason"),
        }),
        status: wire(value, "status"),
        accounts: elements(&accounts, linked_account),
        ..SessionSummary::default()
    };
    Some(Session {
        raw: value.clone(),
        summary,
    })
}

fn linked_account<R: Reader>(value: &R) -> Option<LinkedAccount> {
    Some(LinkedAccount {
        id: text(value, "id")?,
        display_name: text(value, "display_name").unwrap_or_default(),
        last4: text(value, "last4").unwrap_or_default(),
    })
}

/// Stripe's error object, from an API error envelope's `error` or Stripe.js's `error`.
pub fn stripe_error<R: Reader>(error: &R) -> StripeError {
    StripeError {
        kind: text(error, "type").unwrap_or_else(|| "api_error".to_owned()),
        code: text(error, "code"),
        message: text(error, "message").unwrap_or_default(),
        param: text(error, "param"),
        doc_url: text(error, "doc_url"),
        request_log_url: text(error, "request_log_url"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RelinkError;
    use crate::model::{AccountCategory, AccountSubcategory, Permission};
    use serde_json::{Value, json};

    #[test]
    fn manifest_reads_the_relink_shape() {
        let manifest = manifest(&json!({
            "session": {
                "id": "fcsess_1",
                "permissions": ["payment_method", "balances", "a_future_permission"],
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
        let summary = &manifest.session.summary;
        assert_eq!(summary.account_limit, Some(1));
        assert_eq!(
            summary.permissions,
            [Permission::PaymentMethod, Permission::Balances],
            "unknown values are skipped"
        );
        assert_eq!(
            summary.account_subcategories.as_deref(),
            Some(&[AccountSubcategory::Checking, AccountSubcategory::Savings][..])
        );
        assert_eq!(
            summary.relink_options.as_ref().unwrap().authorization,
            "fcauth_1"
        );
        assert_eq!(manifest.relink.unwrap().account.unwrap().last4, "6789");
        assert!(manifest.institutions[0].mfa);
    }

    #[test]
    fn a_manifest_needs_its_merchant_and_session() {
        assert_eq!(manifest(&json!({"session": {"id": "x"}})), None);
        assert_eq!(manifest(&json!({"merchant_name": "M"})), None);
        assert_eq!(manifest(&json!("not an object")), None);
    }

    #[test]
    fn authentication_statuses() {
        let Some(Authentication::Authenticated { accounts }) = authentication(&json!({
            "status": "authenticated",
            "accounts": [
                {"last4": "1111", "display_name": "Card", "category": "credit", "subcategory": "credit_card", "eligible": false, "existing_account": null},
                {"last4": "2", "display_name": "X", "subcategory": "brokerage"},
                {"display_name": "no last4"}
            ]
        })) else {
            panic!("expected accounts");
        };
        assert_eq!(
            accounts.len(),
            2,
            "an account without last4 cannot be picked"
        );
        assert!(!accounts[0].eligible);
        assert_eq!(accounts[0].category, Some(AccountCategory::Credit));
        assert_eq!(accounts[1].subcategory, None, "unknown kinds read as None");
        assert!(
            accounts[1].eligible,
            "eligible unless the server says otherwise"
        );
        assert_eq!(
            authentication(&json!({"status": "mfa_required"})),
            Some(Authentication::MfaRequired)
        );
        assert_eq!(authentication(&json!({"status": "a_new_status"})), None);
    }

    #[test]
    fn what_the_wire_types_serialise_decodes_back() {
        let accounts = vec![BankAccount {
            last4: "6789".into(),
            display_name: "Checking".into(),
            category: Some(AccountCategory::Cash),
            subcategory: Some(AccountSubcategory::Checking),
            eligible: true,
            existing_account: Some("fca_1".into()),
        }];
        for sent in [
            Authentication::Authenticated { accounts },
            Authentication::MfaRequired,
            Authentication::LoginFailed {
                message: Some("Wrong.".into()),
            },
            Authentication::InstitutionUnavailable { message: None },
        ] {
            let json = serde_json::to_value(&sent).unwrap();
            assert_eq!(authentication(&json), Some(sent));
        }
        let bank = Institution {
            id: "fcinst_1".into(),
            name: "Sandbox Bank".into(),
            mfa: false,
            oauth: true,
            down: false,
        };
        let sent = Manifest {
            session: json!({"id": "fcsess_1", "object": "financial_connections.session"}),
            merchant_name: "Rocket Rides".into(),
            institutions: vec![bank.clone()],
            relink: Some(RelinkTarget {
                institution: bank,
                account: None,
            }),
        };
        let json = serde_json::to_value(&sent).unwrap();
        let got = manifest(&json).unwrap();
        assert_eq!(got.session.raw, sent.session);
        assert_eq!(got.session.summary.id, "fcsess_1");
        assert_eq!(got.institutions, sent.institutions);
        assert_eq!(got.relink, sent.relink);
    }

    #[test]
    fn sessions_read_list_objects_and_arrays() {
        let listed = session(&json!({
            "accounts": {"object": "list", "data": [{"id": "fca_1", "display_name": "Checking", "last4": "6789"}]},
            "relink_result": {"account": "fca_1", "authorization": "fcauth_1", "failure_reason": null}
        }))
        .unwrap();
        assert_eq!(listed.summary.accounts[0].last4, "6789");
        let result = listed.summary.relink_result.unwrap();
        assert_eq!(result.failure_reason, None);
        assert_eq!(result.account.as_deref(), Some("fca_1"));
        let flat = session(&json!({"accounts": [{"id": "fca_2"}]})).unwrap();
        assert_eq!(flat.summary.linked_account(), Some("fca_2"));
        let empty = session(&json!({"accounts": null, "relink_result": null})).unwrap();
        assert!(empty.summary.accounts.is_empty());
        assert_eq!(empty.summary.relink_result, None);
        assert_eq!(session(&Value::Null), None);
    }

    #[test]
    fn server_errors_pass_through_unchanged() {
        let error = stripe_error(&json!({
            "type": "invalid_request_error", "code": "token_already_used",
            "message": "Used.", "param": "client_secret"
        }));
        assert_eq!(error.code.as_deref(), Some("token_already_used"));
        let relink_error = RelinkError::Api(Box::new(error.clone()));
        assert_eq!(relink_error.to_stripe(), error);
        assert_eq!(relink_error.to_string(), "Used.");
        let no_fields = stripe_error(&json!({}));
        assert_eq!(
            (no_fields.kind.as_str(), no_fields.code),
            ("api_error", None)
        );
    }
}
