//! The finished session as a JS object: classified, and handed to the merchant with relink's
//! additions (`outcome`, `isNew`). Both providers end here, so they classify identically.

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::StripeError;
use crate::js_object::{get, set, string};
use crate::model::{RelinkOptions, RelinkResult};
use crate::outcome::{Classification, FinishedSession, Outcome, classify};

/// The session's accounts as an array, whether the server sent a list object or Stripe.js
/// already flattened it.
pub(crate) fn accounts(session: &JsValue) -> Array {
    let accounts = get(session, "accounts");
    let items = if Array::is_array(&accounts) {
        accounts
    } else {
        get(&accounts, "data")
    };
    items.dyn_into::<Array>().unwrap_or_default()
}

/// Replaces `accounts: {object: "list", data}` with the bare array, as Stripe.js does.
pub(crate) fn flatten_accounts(session: &JsValue) {
    if let Some(object) = session.dyn_ref::<Object>() {
        set(object, "accounts", &accounts(session));
    }
}

/// The outcome and `isNew` of a finished session.
pub(crate) fn classify_session(
    session: &JsValue,
    existing_account_ids: &[String],
) -> Classification {
    let options = get(session, "relink_options");
    let relink_options = string(&options, "authorization").map(|authorization| RelinkOptions {
        authorization,
        account: string(&options, "account"),
    });
    let result = get(session, "relink_result");
    let relink_result = result.is_object().then(|| RelinkResult {
        account: string(&result, "account"),
        authorization: string(&result, "authorization"),
        failure_reason: string(&result, "failure_reason").and_then(|reason| reason.parse().ok()),
    });
    let linked = string(&accounts(session).get(0), "id");
    classify(
        FinishedSession {
            relink_options: relink_options.as_ref(),
            relink_result: relink_result.as_ref(),
            linked_account: linked.as_deref(),
            status: string(session, "status").and_then(|status| status.parse().ok()),
        },
        existing_account_ids,
    )
}

/// `{outcome, isNew}`: what the `success` event carries.
pub(crate) fn classification_detail(classification: Classification) -> Object {
    let detail = Object::new();
    set(&detail, "outcome", &classification.outcome.as_str().into());
    set(
        &detail,
        "isNew",
        &classification
            .is_new
            .map_or(JsValue::NULL, JsValue::from_bool),
    );
    detail
}

/// `{financialConnectionsSession, outcome, isNew}`.
pub(crate) fn finished(session: &JsValue, classification: Classification) -> JsValue {
    let result = Object::new();
    set(&result, "financialConnectionsSession", session);
    set(&result, "outcome", &classification.outcome.as_str().into());
    set(
        &result,
        "isNew",
        &classification
            .is_new
            .map_or(JsValue::NULL, JsValue::from_bool),
    );
    result.into()
}

/// `{error, outcome: 'could_not_launch'}`.
pub(crate) fn could_not_launch(error: &StripeError) -> JsValue {
    let result = Object::new();
    set(&result, "error", &error_to_js(error));
    set(&result, "outcome", &Outcome::CouldNotLaunch.as_str().into());
    result.into()
}

/// Stripe's error object, with `code` and `param` as `null` when absent, as Stripe.js does.
pub(crate) fn error_to_js(error: &StripeError) -> JsValue {
    let object = Object::new();
    let nullable =
        |value: &Option<String>| value.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    set(&object, "type", &error.kind.as_str().into());
    set(&object, "code", &nullable(&error.code));
    set(&object, "message", &error.message.as_str().into());
    set(&object, "param", &nullable(&error.param));
    for (key, value) in [
        ("doc_url", &error.doc_url),
        ("request_log_url", &error.request_log_url),
    ] {
        if let Some(value) = value {
            set(&object, key, &value.as_str().into());
        }
    }
    object.into()
}

/// Stripe's error object from JS (Stripe.js's `error`, or a server's error envelope).
pub(crate) fn error_from_js(error: &JsValue) -> StripeError {
    StripeError {
        kind: string(error, "type").unwrap_or_else(|| "api_error".to_owned()),
        code: string(error, "code"),
        message: string(error, "message").unwrap_or_default(),
        param: string(error, "param"),
        doc_url: string(error, "doc_url"),
        request_log_url: string(error, "request_log_url"),
    }
}
