//! What the drop-in resolves: exactly Stripe.js's shapes, made here and nowhere else.
//!
//! Stripe.js resolves a session with only some of the API's fields, and errors with only the
//! fields they have (no `null`s); a page written against Stripe.js reads nothing else.

use js_sys::{Array, Object};
use wasm_bindgen::JsValue;

use crate::browser::js_value::{get, object_with, set};
use crate::error::RelinkError;
use crate::model::FailureReason;
use crate::session::Session;

/// The finished session as Stripe.js resolves it: `id`, `accounts` as an array, `permissions`,
/// `return_url`, and for relink sessions `relink_result` (what the preview
/// Stripe.js renders, and what the seeds' client code reads).
///
/// A relink session the server had not finished when the flow settled (the customer closed it
/// and the server did not answer in time) gets the result the rules give such a session: it
/// never reached the bank (see [`crate::outcome::classify`]).
pub(crate) fn session(session: &Session<JsValue>) -> JsValue {
    let raw = &session.raw;
    let shaped = object_with("id", &get(raw, "id"));
    let accounts = get(raw, "accounts");
    let accounts = if Array::is_array(&accounts) {
        accounts
    } else {
        let data = get(&accounts, "data");
        if Array::is_array(&data) {
            data
        } else {
            Array::new().into()
        }
    };
    set(&shaped, "accounts", &accounts);
    for key in ["permissions", "return_url"] {
        let value = get(raw, key);
        if !value.is_undefined() && !value.is_null() {
            set(&shaped, key, &value);
        }
    }
    let summary = &session.summary;
    if summary.relink_options.is_some() {
        let result = get(raw, "relink_result");
        let result = if summary.relink_result.is_some() {
            result
        } else {
            let unfinished = object_with("account", &JsValue::NULL);
            set(&unfinished, "authorization", &JsValue::NULL);
            let reason = FailureReason::NoAuthorization.as_str();
            set(&unfinished, "failure_reason", &reason.into());
            unfinished.into()
        };
        set(&shaped, "relink_result", &result);
    }
    shaped.into()
}

/// `{error}` with Stripe.js's error object: absent fields are left out, not `null`.
pub(crate) fn error(error: &RelinkError) -> Object {
    let stripe = error.to_stripe();
    let shaped = object_with("type", &stripe_js_type(&stripe.kind).into());
    set(&shaped, "message", &stripe.message.as_str().into());
    for (key, value) in [
        ("code", &stripe.code),
        ("param", &stripe.param),
        ("doc_url", &stripe.doc_url),
        ("request_log_url", &stripe.request_log_url),
    ] {
        if let Some(value) = value {
            set(&shaped, key, &value.as_str().into());
        }
    }
    object_with("error", &shaped)
}

/// The types of `@stripe/stripe-js`'s `StripeError`.
const STRIPE_JS_TYPES: &[&str] = &[
    "api_connection_error",
    "api_error",
    "authentication_error",
    "card_error",
    "idempotency_error",
    "invalid_request_error",
    "rate_limit_error",
    "validation_error",
];

/// `kind` where Stripe.js's union has it, else `api_error`.
fn stripe_js_type(kind: &str) -> &str {
    if STRIPE_JS_TYPES.contains(&kind) {
        kind
    } else {
        "api_error"
    }
}
